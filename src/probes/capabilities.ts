// Requests a store would silently ignore are refused before they are sent: a store that ignores
// a condition or a version would overwrite or delete what it should not, one that ignores
// encryption would store the object in the clear. What a store can do is declared in
// `connection.capabilities`; left unset, Amazon S3 can do all of it, and a custom endpoint is
// asked once per bucket by a probe on a scratch object (cached with the connection's client).
import { randomUUID } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectAclCommand,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
} from '../runtime/sdk.js';
import { ConnectorError } from '../runtime/errors.js';
import { STORE_CAPABILITIES } from '../runtime/vocabulary.js';
import { settled, statusOf, type Verdict } from './verdict.js';
import type { S3Connection } from '../generated/types.js';
import type { ManifestOperation } from '../runtime/manifest.js';

export type Capability = keyof NonNullable<S3Connection['capabilities']>;
/** What is known of each capability an input relies on: false means the store lacks it. */
export type StoreSupport = Partial<Record<Capability, boolean>>;

/** Prefix of the scratch objects the probe writes (and deletes again). */
export const CAPABILITY_PROBE_PREFIX = '.s3-connector-capability-probe/';

export const CAPABILITIES: readonly Capability[] = STORE_CAPABILITIES;

const WHAT: Record<Capability, string> = {
  conditionalWrites: 'honour a condition on a write (ifMatch / ifNoneMatch): it would overwrite the object anyway',
  versioning: 'address an object version (versionId): it would act on the current object instead',
  tagsOnPut: 'keep tags sent with an upload',
  acl: 'apply an object ACL (acl)',
  serverSideEncryption: 'encrypt an object on request (serverSideEncryption): it would store it unencrypted',
};

/** Where an input relies on a capability: a path into it (`*` for every item of an array). */
export interface CapabilityUse {
  path: string[];
  capability: Capability;
  /** Values that do not count as relying on it (a versionId of "null" names the current object). */
  except: unknown[];
  /**
   * The field works either way and only wants to know (contentAddressed writes conditionally
   * where it can): the capability is detected and given to the handler, never refused.
   */
  optional?: boolean;
}

type SchemaNode = Record<string, unknown>;

/** Every `x-needs` in an input schema, with the path to the field that carries it. */
export function capabilityUses(schema: SchemaNode, resolve: (ref: string) => SchemaNode | undefined): CapabilityUse[] {
  const uses: CapabilityUse[] = [];
  const walk = (node: unknown, path: string[], seen: Set<unknown>) => {
    if (node === null || typeof node !== 'object' || seen.has(node)) return;
    const n = node as SchemaNode;
    const inside = new Set(seen).add(node);
    if (typeof n.$ref === 'string') walk(resolve(n.$ref), path, inside);
    const need = n['x-needs'] as
      | Capability
      | { capability: Capability; except?: unknown[]; optional?: boolean }
      | undefined;
    if (need !== undefined) {
      uses.push(
        typeof need === 'string'
          ? { path, capability: need, except: [] }
          : {
              path,
              capability: need.capability,
              except: need.except ?? [],
              ...(need.optional ? { optional: true } : {}),
            },
      );
    }
    for (const [name, child] of Object.entries((n.properties ?? {}) as SchemaNode))
      walk(child, [...path, name], inside);
    if (n.items !== undefined) walk(n.items, [...path, '*'], inside);
    for (const branch of ['allOf', 'anyOf', 'oneOf'] as const)
      for (const b of (n[branch] ?? []) as unknown[]) walk(b, path, inside);
  };
  walk(schema, [], new Set());
  return uses;
}

/** The values found at a path of an input (`*` goes into every item of an array). */
export function valuesAt(value: unknown, path: readonly string[]): unknown[] {
  let found: unknown[] = [value];
  for (const step of path) {
    found = found.flatMap((v) => {
      if (step === '*') return Array.isArray(v) ? v : [];
      return v !== null && typeof v === 'object' && !Array.isArray(v) && step in v ? [(v as SchemaNode)[step]] : [];
    });
  }
  return found;
}

/** A value that asks something of the store: set, not an empty object, not an exception. */
function asks(value: unknown, except: unknown[]): boolean {
  if (value === undefined || value === null || except.includes(value)) return false;
  return !(typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0);
}

/** The capabilities this input relies on, from its schema's `x-needs`; `required` leaves out the optional uses. */
function needs(uses: readonly CapabilityUse[], input: Record<string, unknown>, required = false): Capability[] {
  const needed = new Set<Capability>();
  for (const use of uses) {
    if (required && use.optional) continue;
    if (valuesAt(input, use.path).some((v) => asks(v, use.except))) needed.add(use.capability);
  }
  return [...needed];
}

/**
 * Whether a call may run the probe: only one that writes or deletes object data, whose mistake
 * could not be seen or undone afterwards. Reads that name a version are checked on the answer
 * (src/io/reads.ts), and put_object_acl is refused by such a store itself (501): they rely on a
 * declaration, or on what an earlier probe of the bucket found.
 */
function mayRunProbe(op: ManifestOperation): boolean {
  // An operation that sends no request of its own (a signed URL) never writes a scratch object for one.
  if (op.annotations.openWorld === false) return false;
  return (
    !op.annotations.readOnly && (op.permissions.includes('s3:PutObject') || op.permissions.includes('s3:DeleteObject'))
  );
}

/**
 * A store that keeps folders (SeaweedFS keeps one after its last object is gone) would list the
 * probe's prefix as a folder of the bucket from then on. One listing looks (the first entry after
 * the prefix's name); only such a folder with nothing in it is removed, by its own key, so no
 * store is sent a delete it could turn into a delete marker. Failures are ignored.
 */
async function removeEmptyFolder(s3: S3Client, bucket: string): Promise<void> {
  const next = await s3.send(
    new ListObjectsV2Command({
      Bucket: bucket,
      Delimiter: '/',
      StartAfter: CAPABILITY_PROBE_PREFIX.slice(0, -1),
      MaxKeys: 1,
    }),
  );
  if (!(next.CommonPrefixes ?? []).some((p) => p.Prefix === CAPABILITY_PROBE_PREFIX)) return;
  const inside = await s3.send(
    new ListObjectsV2Command({ Bucket: bucket, Prefix: CAPABILITY_PROBE_PREFIX, MaxKeys: 1 }),
  );
  if ((inside.Contents ?? []).length > 0) return;
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: CAPABILITY_PROBE_PREFIX }));
}

/**
 * Writes one scratch object and asks it what the store does with each capability; every
 * request is harmless to anything else in the bucket. null: the probe could not tell
 * (a denied or failed request): the real request is then sent, and its own answer decides.
 */
async function probe(
  s3: S3Client,
  bucket: string,
  wanted: Capability[],
  signal: AbortSignal,
): Promise<Record<Capability, Verdict>> {
  const Key = `${CAPABILITY_PROBE_PREFIX}${randomUUID()}`;
  const opts = { abortSignal: signal };
  const versions = new Set<string | undefined>();
  const found: Partial<Record<Capability, Verdict>> = {};
  const put = async (extra: Partial<PutObjectCommandInput>) => {
    const answer = await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key, Body: 'capability probe', ...extra }),
      opts,
    );
    versions.add(answer.VersionId);
    return answer;
  };
  /** True when the store refuses with `status`, false when it does what it was asked not to. */
  const refuses = async (request: () => Promise<unknown>, status: number): Promise<Verdict> => {
    try {
      await request();
      return false;
    } catch (err) {
      if (statusOf(err) === status) return true;
      if (!settled(err)) throw err;
      return null;
    }
  };
  const want = (c: Capability) => wanted.includes(c);
  try {
    const extras = {
      ...(want('tagsOnPut') ? { Tagging: 'probe=1' } : {}),
      ...(want('serverSideEncryption') ? { ServerSideEncryption: 'AES256' as const } : {}),
    };
    const first = await put(extras).catch(async (err: unknown) => {
      if (!settled(err) || Object.keys(extras).length === 0) throw err;
      // The store refuses a header of the upload outright (S3Proxy answers 501 to x-amz-tagging
      // and to encryption): write the scratch object plainly, then ask about each header alone.
      await put({});
      const alone = async (extra: Partial<PutObjectCommandInput>) =>
        put(extra).catch((refused: unknown) => {
          if (!settled(refused)) throw refused;
          return undefined;
        });
      if (want('serverSideEncryption'))
        found.serverSideEncryption =
          (await alone({ ServerSideEncryption: 'AES256' }))?.ServerSideEncryption !== undefined;
      if (want('tagsOnPut') && (await alone({ Tagging: 'probe=1' })) === undefined) found.tagsOnPut = false;
      return undefined;
    });
    // Amazon S3 and the stores that honour it always name the encryption in the answer.
    if (want('serverSideEncryption') && first) found.serverSideEncryption = first.ServerSideEncryption !== undefined;
    if (want('tagsOnPut') && found.tagsOnPut === undefined) {
      // A store without object tagging (501 to GetObjectTagging: s3s-fs, Garage) cannot have
      // kept the tags sent with the upload. Any other refusal leaves this one unknown, and the
      // probe goes on to the other capabilities the call asked for.
      found.tagsOnPut = await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key }), opts).then(
        (tags) => (tags.TagSet ?? []).some((t) => t.Key === 'probe' && t.Value === '1'),
        (err: unknown) => {
          if (!settled(err)) throw err;
          return statusOf(err) === 501 ? false : null;
        },
      );
    }
    if (want('conditionalWrites')) {
      const noneMatch = await refuses(() => put({ IfNoneMatch: '*' }), 412);
      const match =
        noneMatch === false ? false : await refuses(() => put({ IfMatch: '"00000000000000000000000000000000"' }), 412);
      found.conditionalWrites = noneMatch === false || match === false ? false : noneMatch && match;
    }
    if (want('acl')) {
      try {
        await s3.send(new PutObjectAclCommand({ Bucket: bucket, Key, ACL: 'private' }), opts);
        found.acl = true;
      } catch (err) {
        if (!settled(err)) throw err;
        found.acl = statusOf(err) === 501 ? false : null;
      }
    }
    // Last: a store that ignores the version deletes the scratch object here.
    if (want('versioning')) {
      await s3
        .send(new DeleteObjectCommand({ Bucket: bucket, Key, VersionId: `probe-${randomUUID()}` }), opts)
        .catch((err: unknown) => {
          if (!settled(err)) throw err;
        });
      found.versioning = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key }), opts).then(
        () => true,
        (err: unknown) => {
          if (statusOf(err) === 404) return false;
          if (!settled(err)) throw err;
          return null;
        },
      );
    }
  } catch (err) {
    if (!settled(err)) throw err;
  } finally {
    // Every version the probe wrote, so it leaves nothing behind on a versioned bucket either.
    for (const VersionId of versions) {
      await s3
        .send(new DeleteObjectCommand({ Bucket: bucket, Key, ...(VersionId ? { VersionId } : {}) }))
        .catch(() => undefined);
    }
    if (versions.size) await removeEmptyFolder(s3, bucket).catch(() => undefined);
  }
  return Object.fromEntries(wanted.map((c) => [c, found[c] ?? null])) as Record<Capability, Verdict>;
}

/** What each store (one per cached client) and bucket was found to do. */
export class StoreCapabilities {
  private readonly learned = new WeakMap<S3Client, Map<string, Promise<Verdict>>>();

  /**
   * The verdict on each capability for this store and bucket: declared, else true for Amazon
   * S3, else what a probe found. `mayProbe` says which unknown ones may be probed now; the
   * others count only when an earlier probe already answered them.
   */
  async detect(
    connection: S3Connection,
    s3: S3Client,
    bucket: string,
    wanted: Capability[],
    signal: AbortSignal,
    mayProbe: (c: Capability) => boolean = () => true,
  ): Promise<StoreSupport> {
    const declared = connection.capabilities ?? {};
    if (connection.endpoint === undefined) return Object.fromEntries(wanted.map((c) => [c, declared[c] ?? true]));
    let known = this.learned.get(s3);
    if (!known) this.learned.set(s3, (known = new Map()));
    const slot = (c: Capability) => `${bucket}\n${c}`;
    const unknown = wanted.filter((c) => declared[c] === undefined && !known.has(slot(c)) && mayProbe(c));
    if (unknown.length) {
      const run = probe(s3, bucket, unknown, signal);
      for (const c of unknown) {
        const verdict = run.then((found) => found[c]);
        known.set(slot(c), verdict);
        // Only an answer is kept: a probe that was cut short (network, 5xx, cancel) or refused
        // (no such bucket yet, no permission) is asked again by the next call that needs it.
        verdict.then(
          (v) => {
            if (v === null) known.delete(slot(c));
          },
          () => known.delete(slot(c)),
        );
      }
    }
    const support: StoreSupport = {};
    try {
      for (const c of wanted) {
        const verdict = declared[c] ?? (await known.get(slot(c)));
        if (typeof verdict === 'boolean') support[c] = verdict;
      }
    } catch (err) {
      // Another call's probe that was cancelled: this call still wants its answer.
      if ((err as Error)?.name === 'AbortError' && !signal.aborted)
        return this.detect(connection, s3, bucket, wanted, signal, mayProbe);
      throw err;
    }
    return support;
  }

  /**
   * Refuses the call when it relies on something the store cannot do, and returns what the
   * handler must work around (tags a store drops on upload).
   */
  async check(
    connection: S3Connection,
    s3: S3Client,
    op: ManifestOperation,
    uses: readonly CapabilityUse[],
    input: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<StoreSupport> {
    const wanted = needs(uses, input);
    if (!wanted.length) return {};
    const bucket = typeof input.bucket === 'string' ? input.bucket : '';
    const support = await this.detect(connection, s3, bucket, wanted, signal, () => mayRunProbe(op));
    const declared = connection.capabilities ?? {};
    const required = needs(uses, input, true);
    for (const c of required) {
      if (support[c] !== false || c === 'tagsOnPut') continue;
      const how =
        declared[c] === false
          ? `capabilities.${c} is off`
          : `found by probing bucket ${bucket}; set capabilities.${c} to skip the probe`;
      throw new ConnectorError({
        type: 'unsupported',
        code: 'StoreCapability',
        message: `This store cannot ${WHAT[c]} (${how}), so ${op.name} was not sent. Remove the option, or use a store that supports it.`,
        details: { capability: c, detected: declared[c] === undefined },
      });
    }
    return support;
  }
}
