// A connection's `defaults`, merged into an operation's input before it is checked: each one
// goes to the input field of the same meaning when the operation's input has that field and the
// caller left it unset (an input value always wins). What goes where is this table, not code.
import type { S3Connection } from '../generated/types.js';

type ConnectionDefaults = NonNullable<S3Connection['defaults']>;

interface DefaultRule {
  /** The field of `defaults`. */
  from: keyof ConnectionDefaults;
  /** The input field it fills. */
  to: string;
  /** Fields set or left alone together: when the input sets any of them, none is filled. */
  group?: string;
  /**
   * An input field that must say REPLACE for this one to apply (a copy keeps its source's
   * metadata and tags unless told to replace them, and takes no new ones otherwise).
   */
  directive?: string;
}

export const DEFAULT_RULES: readonly DefaultRule[] = [
  { from: 'acl', to: 'acl' },
  { from: 'storageClass', to: 'storageClass' },
  { from: 'serverSideEncryption', to: 'serverSideEncryption', group: 'encryption' },
  { from: 'sseKmsKeyId', to: 'sseKmsKeyId', group: 'encryption' },
  { from: 'bucketKeyEnabled', to: 'bucketKeyEnabled', group: 'encryption' },
  { from: 'cacheControl', to: 'cacheControl', directive: 'metadataDirective' },
  { from: 'contentDisposition', to: 'contentDisposition', directive: 'metadataDirective' },
  { from: 'metadata', to: 'metadata', directive: 'metadataDirective' },
  { from: 'tags', to: 'tags', directive: 'taggingDirective' },
  { from: 'signedUrlExpiresIn', to: 'expiresIn' },
  // An input's own gzip (true or false) decides alone: the list is then not used.
  { from: 'gzipContentTypes', to: 'gzipContentTypes' },
];

/**
 * The input with the connection's defaults filled in where the input schema has the field and the
 * input leaves it (and its group) unset. `fields` are the input schema's top-level properties.
 */
export function withConnectionDefaults(
  input: Record<string, unknown>,
  connection: Pick<S3Connection, 'defaults'>,
  fields: ReadonlySet<string>,
): Record<string, unknown> {
  const defaults = connection.defaults as Record<string, unknown> | undefined;
  if (!defaults) return input;
  const groupsSet = new Set(DEFAULT_RULES.filter((r) => r.group && input[r.to] !== undefined).map((r) => r.group));
  const out = { ...input };
  for (const rule of DEFAULT_RULES) {
    const value = defaults[rule.from];
    if (value === undefined || !fields.has(rule.to) || input[rule.to] !== undefined) continue;
    if (rule.group && groupsSet.has(rule.group)) continue;
    if (rule.directive && fields.has(rule.directive) && input[rule.directive] !== 'REPLACE') continue;
    out[rule.to] = structuredClone(value);
  }
  return out;
}
