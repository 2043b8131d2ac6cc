// S3 POST policies (browser form uploads): the form fields and policy conditions an input asks
// for, refused before anything is signed when they contradict each other, and the policy read
// back. Signing is @aws-sdk/s3-presigned-post's; it holds every preset field to its value.
import type { PresignedPostOptions } from '@aws-sdk/s3-presigned-post';
import type { CreatePresignedPostInput } from '../generated/types.js';
import { ConnectorError, type FieldProblem } from '../runtime/errors.js';
import { MAX_METADATA_BYTES } from './writes.js';

/** A policy condition: {"field": "value"}, ["starts-with", "$field", "prefix"], ["content-length-range", min, max]. */
export type PolicyCondition = NonNullable<PresignedPostOptions['Conditions']>[number];

export interface PostForm {
  fields: Record<string, string>;
  conditions: PolicyCondition[];
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: S3's placeholder in a form's key, not a template
const FILENAME = '${filename}';

/** Form fields the operation sets itself (names are case-insensitive), and which input sets each. */
const OWN_FIELDS: Record<string, string> = {
  key: 'key',
  bucket: 'bucket',
  file: 'none: the file is the last field of the form',
  policy: 'none: the connector signs the form',
  'x-amz-algorithm': 'none: the connector signs the form',
  'x-amz-credential': 'none: the connector signs the form',
  'x-amz-date': 'none: the connector signs the form',
  'x-amz-signature': 'none: the connector signs the form',
  'x-amz-security-token': 'none: it comes from the connection',
  acl: 'acl',
  'content-type': 'contentType or contentTypeStartsWith',
  success_action_status: 'successActionStatus',
  success_action_redirect: 'successActionRedirect',
  redirect: 'successActionRedirect',
};
const OWN_PREFIXES: [string, string][] = [['x-amz-meta-', 'metadata']];

/** Pairs of inputs that cannot both be given: [field, the other one, why]. */
const EXCLUSIVE: [keyof CreatePresignedPostInput, keyof CreatePresignedPostInput, string][] = [
  ['contentTypeStartsWith', 'contentType', 'an exact content type already fixes it'],
  ['successActionRedirect', 'successActionStatus', 'S3 answers a redirect with 303 whatever the status'],
];

function problemsOf(input: CreatePresignedPostInput): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const at = input.key.indexOf(FILENAME);
  if (at !== -1 && at !== input.key.length - FILENAME.length)
    problems.push({
      field: 'key',
      rule: 'filenameAtEnd',
      message: `key may hold ${FILENAME} only at its end (the policy can then hold the upload to the prefix before it)`,
    });
  const range = input.contentLengthRange;
  if (range && (range.min ?? 0) > range.max)
    problems.push({
      field: 'contentLengthRange',
      rule: 'minNotAboveMax',
      message: `contentLengthRange min (${range.min}) must not be more than max (${range.max}): no file could be uploaded`,
    });
  for (const [field, other, why] of EXCLUSIVE)
    if (input[field] !== undefined && input[other] !== undefined)
      problems.push({ field, rule: 'exclusive', message: `give ${field} or ${other}, not both: ${why}` });
  const metadata = Object.entries(input.metadata ?? {});
  const metadataBytes = metadata.reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  if (metadataBytes > MAX_METADATA_BYTES)
    problems.push({
      field: 'metadata',
      rule: 'maxBytes',
      message: `metadata must be at most ${MAX_METADATA_BYTES} bytes`,
    });
  for (const name of Object.keys(input.fields ?? {})) {
    const lower = name.toLowerCase();
    const own = OWN_FIELDS[lower] ?? OWN_PREFIXES.find(([prefix]) => lower.startsWith(prefix))?.[1];
    if (own)
      problems.push({
        field: `fields.${name}`,
        rule: 'ownField',
        message: `fields.${name} is a field this form sets itself; use ${own.startsWith('none') ? own.slice(6) : `the ${own} input`}`,
      });
  }
  return problems;
}

/** The preset fields and the conditions beyond them that the input asks for; throws user_input on a contradiction. */
export function postFormOf(input: CreatePresignedPostInput): PostForm {
  const problems = problemsOf(input);
  if (problems.length) {
    const more =
      problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
    throw new ConnectorError({
      type: 'user_input',
      code: 'InvalidInput',
      message: `Invalid input: ${problems[0]?.message}${more}.`,
      details: { problems },
    });
  }
  const fields: Record<string, string> = { ...input.fields };
  const conditions: PolicyCondition[] = [];
  if (input.acl) fields.acl = input.acl;
  if (input.contentType) fields['Content-Type'] = input.contentType;
  if (input.contentTypeStartsWith !== undefined)
    conditions.push(['starts-with', '$Content-Type', input.contentTypeStartsWith]);
  for (const [name, value] of Object.entries(input.metadata ?? {})) fields[`x-amz-meta-${name.toLowerCase()}`] = value;
  if (input.successActionStatus !== undefined) fields.success_action_status = String(input.successActionStatus);
  if (input.successActionRedirect) fields.success_action_redirect = input.successActionRedirect;
  if (input.contentLengthRange)
    conditions.push(['content-length-range', input.contentLengthRange.min ?? 0, input.contentLengthRange.max]);
  return { fields, conditions };
}

/** The policy document a form's Policy field carries. */
export function decodePolicy(policy: string): { expiration: string; conditions: PolicyCondition[] } {
  return JSON.parse(Buffer.from(policy, 'base64').toString('utf8'));
}
