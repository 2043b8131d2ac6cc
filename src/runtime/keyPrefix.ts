// A connection's key prefix (`defaults.keyPrefix`), applied once for every request of its
// clients: an SDK middleware puts the prefix in front of every key, prefix, marker and copy
// source a command sends, and takes it off every key the answer lists. Handlers see the keys
// their inputs name, never the stored ones. A key can never climb out of the prefix: a `..`
// segment, a leading `/` or an empty key after the prefix are refused before the request.
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3Connection } from '../generated/types.js';
import { ConnectorError } from './errors.js';

/** The connection's prefix as a folder (a `/` added when it has none); '' without one. */
export function keyPrefixOf(connection: Pick<S3Connection, 'defaults'> | undefined): string {
  const prefix = connection?.defaults?.keyPrefix ?? '';
  return prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
}

/** How a value the caller named relates to the prefix: a key must name something, a prefix or marker may be empty. */
type KeyKind = 'key' | 'prefix';

/** Why a key (relative to the connection's prefix) would leave it, or undefined when it stays inside. */
export function escapeReason(value: string, kind: KeyKind): string | undefined {
  if (kind === 'key' && value === '') return 'is empty: it would name the prefix itself';
  if (value.startsWith('/')) return 'starts with "/": keys of this connection are relative to its prefix';
  if (value.split('/').includes('..'))
    return 'has a ".." segment: keys of this connection cannot climb out of its prefix';
  return undefined;
}

/** Refuses a key or prefix that would leave the connection's prefix (user_input, before any request). */
export function checkInsidePrefix(value: string, kind: KeyKind, field: string, prefix: string): void {
  const reason = escapeReason(value, kind);
  if (!reason) return;
  throw new ConnectorError({
    type: 'user_input',
    code: 'KeyOutsidePrefix',
    message: `${field} ${JSON.stringify(value)} ${reason} (this connection keeps every key under ${JSON.stringify(prefix)}). Name keys relative to that prefix, without ".." or a leading "/".`,
    details: { problems: [{ field, rule: 'keyPrefix', message: `${field} ${reason}` }] },
  });
}

/** The stored key of a key this connection names. */
export function toStored(prefix: string, key: string): string {
  return prefix + key;
}

/** The key this connection names for a stored key, or undefined when the stored key is not under its prefix. */
export function fromStored(prefix: string, stored: string): string | undefined {
  return stored.startsWith(prefix) ? stored.slice(prefix.length) : undefined;
}

/** What the middleware rewrites in a command's input: top-level fields and the kind of value each holds. */
const INPUT_FIELDS: Record<string, KeyKind> = {
  Key: 'key',
  Prefix: 'prefix',
  StartAfter: 'prefix',
  KeyMarker: 'prefix',
};
/** Fields of an answer holding a stored key or prefix, at the top or in each item of a list. */
const OUTPUT_FIELDS = ['Key', 'Prefix', 'StartAfter', 'KeyMarker', 'NextKeyMarker', 'Marker', 'NextMarker'];
const OUTPUT_LISTS: Record<string, string> = {
  Contents: 'Key',
  Versions: 'Key',
  DeleteMarkers: 'Key',
  CommonPrefixes: 'Prefix',
  Deleted: 'Key',
  Errors: 'Key',
  Uploads: 'Key',
};
/** Commands whose listing covers the whole prefix when they name none. */
const LISTINGS = new Set([
  'ListObjectsV2Command',
  'ListObjectsCommand',
  'ListObjectVersionsCommand',
  'ListMultipartUploadsCommand',
]);

type Fields = Record<string, unknown>;

function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** `bucket/key?versionId=…` (the key URL-encoded) with the prefix put in front of the key. */
function prefixedCopySource(source: string, prefix: string): string {
  const slash = source.indexOf('/');
  const query = source.indexOf('?', slash);
  const rawKey = query === -1 ? source.slice(slash + 1) : source.slice(slash + 1, query);
  let key: string;
  try {
    key = decodeURIComponent(rawKey);
  } catch {
    key = rawKey;
  }
  checkInsidePrefix(key, 'key', 'source key', prefix);
  return `${source.slice(0, slash)}/${encodeKey(toStored(prefix, key))}${query === -1 ? '' : source.slice(query)}`;
}

/** A command's input with the prefix applied; throws KeyOutsidePrefix for a key that would leave it. */
export function prefixInput(commandName: string, input: Fields, prefix: string): Fields {
  const out: Fields = { ...input };
  for (const [field, kind] of Object.entries(INPUT_FIELDS)) {
    const value = out[field];
    if (typeof value !== 'string') continue;
    if (kind === 'prefix' && value === '' && field !== 'Prefix') continue; // an empty marker starts at the beginning
    checkInsidePrefix(value, kind, field === 'Key' ? 'key' : field.charAt(0).toLowerCase() + field.slice(1), prefix);
    out[field] = toStored(prefix, value);
  }
  if (LISTINGS.has(commandName) && out.Prefix === undefined) out.Prefix = prefix;
  if (typeof out.CopySource === 'string') out.CopySource = prefixedCopySource(out.CopySource, prefix);
  const del = out.Delete as { Objects?: { Key?: string }[] } | undefined;
  if (del?.Objects) {
    for (const o of del.Objects) if (typeof o.Key === 'string') checkInsidePrefix(o.Key, 'key', 'key', prefix);
    out.Delete = { ...del, Objects: del.Objects.map((o) => ({ ...o, Key: toStored(prefix, o.Key ?? '') })) };
  }
  return out;
}

/** An answer with the prefix taken off every stored key it lists. */
export function stripOutput(output: Fields, prefix: string): Fields {
  const strip = (v: unknown) => (typeof v === 'string' ? (fromStored(prefix, v) ?? v) : v);
  const out: Fields = { ...output };
  for (const field of OUTPUT_FIELDS) if (typeof out[field] === 'string') out[field] = strip(out[field]);
  for (const [list, field] of Object.entries(OUTPUT_LISTS)) {
    const items = out[list];
    if (Array.isArray(items))
      out[list] = items.map((item: Fields) =>
        item && typeof item === 'object' && field in item ? { ...item, [field]: strip(item[field]) } : item,
      );
  }
  return out;
}

/** Puts the connection's prefix on every request of a client (and takes it off every answer). */
export function addKeyPrefix(client: S3Client, prefix: string): void {
  if (!prefix) return;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = (context as { commandName?: string }).commandName ?? '';
      const input = prefixInput(name, args.input as Fields, prefix) as typeof args.input;
      const result = await next({ ...args, input });
      const output = stripOutput(result.output as unknown as Fields, prefix);
      return { ...result, output: output as unknown as typeof result.output };
    },
    { step: 'initialize', priority: 'high', name: 'connectionKeyPrefix' },
  );
}

type SchemaNode = Record<string, unknown>;

/** The paths of an input schema's object-key fields (`format: s3-object-key`; `*` for each item of an array). */
export function keyFieldPaths(schema: SchemaNode, resolve: (ref: string) => SchemaNode | undefined): string[][] {
  const paths = new Map<string, string[]>();
  const walk = (node: unknown, path: string[], seen: Set<unknown>) => {
    if (node === null || typeof node !== 'object' || seen.has(node)) return;
    const n = node as SchemaNode;
    const inside = new Set(seen).add(node);
    if (typeof n.$ref === 'string') walk(resolve(n.$ref), path, inside);
    if (n.format === 's3-object-key') paths.set(JSON.stringify(path), path);
    for (const [name, child] of Object.entries((n.properties ?? {}) as SchemaNode))
      walk(child, [...path, name], inside);
    if (n.items !== undefined) walk(n.items, [...path, '*'], inside);
    for (const branch of ['allOf', 'anyOf', 'oneOf'] as const)
      for (const b of (n[branch] ?? []) as unknown[]) walk(b, path, inside);
  };
  walk(schema, [], new Set());
  return [...paths.values()];
}

/** A connection's keys as handlers see them, for the few places that meet a stored key outside a request (an event's key, a filter). */
export interface KeyMapping {
  /** The connection's prefix ('' without one). */
  readonly prefix: string;
  /** The stored key (or prefix) of a key this connection names; refuses one that would leave the prefix. */
  toStored(key: string, kind?: KeyKind): string;
  /** The key this connection names for a stored key; undefined when the stored key is outside the prefix. */
  fromStored(stored: string): string | undefined;
}

export function keyMapping(prefix: string): KeyMapping {
  return {
    prefix,
    toStored(key, kind = 'key') {
      if (prefix) checkInsidePrefix(key, kind, kind, prefix);
      return toStored(prefix, key);
    },
    fromStored: (stored) => fromStored(prefix, stored),
  };
}
