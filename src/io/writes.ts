// The write options both puts share, mapped once to S3 parameters, and the output they share;
// what a put does when its key is taken (onConflict: overwrite, fail or rename).
import { randomInt } from 'node:crypto';
import { PutObjectTaggingCommand, type PutObjectCommandInput } from '../runtime/sdk.js';
import type { StoreSupport } from '../probes/capabilities.js';
import { annotate, ConnectorError } from '../runtime/errors.js';
import type {
  Bucket,
  BucketKeyEnabled,
  CacheControl,
  ChecksumAlgorithm,
  ContentDisposition,
  ContentEncoding,
  ContentLanguage,
  Expires,
  Key,
  OnConflict,
  PutObjectTextOutput,
  ServerSideEncryption,
  SseKmsKeyId,
  StorageClass,
  Tags,
  WriteAcl,
  WriteIfMatch,
  WriteIfNoneMatch,
  WriteMetadata,
} from '../generated/types.js';
import type { KeyMapping } from '../runtime/keyPrefix.js';
import { compact, type OperationContext } from '../runtime/operation.js';

/** S3's limit on user-defined metadata: names and values, in UTF-8 bytes. */
export const MAX_METADATA_BYTES = 2048;

/** The write options both puts take (schemas/defs.json), whatever carries the bytes. */
export interface WriteOptions {
  bucket: Bucket;
  key: Key;
  metadata?: WriteMetadata;
  cacheControl?: CacheControl;
  contentDisposition?: ContentDisposition;
  contentEncoding?: ContentEncoding;
  contentLanguage?: ContentLanguage;
  expires?: Expires;
  storageClass?: StorageClass;
  acl?: WriteAcl;
  serverSideEncryption?: ServerSideEncryption;
  sseKmsKeyId?: SseKmsKeyId;
  bucketKeyEnabled?: BucketKeyEnabled;
  tags?: Tags;
  checksumAlgorithm?: ChecksumAlgorithm;
  ifNoneMatch?: WriteIfNoneMatch;
  ifMatch?: WriteIfMatch;
  onConflict?: OnConflict;
}
type WriteParams = Omit<PutObjectCommandInput, 'Body'>;

/** The put's parameters; tags are left out for a store that drops them (see writeTagsSeparately). */
export function writeParams(input: WriteOptions, contentType: string, support: StoreSupport = {}): WriteParams {
  const metadata = input.metadata ?? {};
  const metadataBytes = Object.entries(metadata).reduce(
    (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v),
    0,
  );
  if (metadataBytes > MAX_METADATA_BYTES) {
    throw new ConnectorError({
      type: 'user_input',
      code: 'MetadataTooLarge',
      message: `metadata is ${metadataBytes} bytes; S3 allows at most ${MAX_METADATA_BYTES} bytes of names and values together.`,
      details: {
        problems: [
          { field: 'metadata', rule: 'maxBytes', message: `metadata must be at most ${MAX_METADATA_BYTES} bytes` },
        ],
      },
    });
  }
  if (input.sseKmsKeyId && input.serverSideEncryption !== 'aws:kms' && input.serverSideEncryption !== 'aws:kms:dsse') {
    throw new ConnectorError({
      type: 'user_input',
      code: 'InvalidInput',
      message: 'sseKmsKeyId needs serverSideEncryption set to aws:kms (or aws:kms:dsse).',
    });
  }
  return compact({
    Bucket: input.bucket,
    Key: input.key,
    ContentType: contentType,
    Metadata: input.metadata,
    CacheControl: input.cacheControl,
    ContentDisposition: input.contentDisposition,
    ContentEncoding: input.contentEncoding,
    ContentLanguage: input.contentLanguage,
    Expires: input.expires ? new Date(input.expires) : undefined,
    StorageClass: input.storageClass,
    ACL: input.acl,
    ServerSideEncryption: input.serverSideEncryption,
    SSEKMSKeyId: input.sseKmsKeyId,
    BucketKeyEnabled: input.bucketKeyEnabled,
    Tagging: input.tags && support.tagsOnPut !== false ? new URLSearchParams(input.tags).toString() : undefined,
    ChecksumAlgorithm: input.checksumAlgorithm,
    IfNoneMatch: input.ifNoneMatch,
    IfMatch: input.ifMatch,
  });
}

/** Tags for a store that drops them on upload: written by a second request once the object exists. */
export async function writeTagsSeparately(
  ctx: Pick<OperationContext, 's3' | 'signal' | 'capabilities'>,
  params: WriteParams,
  input: WriteOptions,
  versionId?: string,
): Promise<void> {
  if (ctx.capabilities.tagsOnPut !== false || !input.tags || !Object.keys(input.tags).length) return;
  const TagSet = Object.entries(input.tags).map(([Key, Value]) => ({ Key, Value }));
  try {
    await ctx.s3.send(
      new PutObjectTaggingCommand({
        Bucket: params.Bucket,
        Key: params.Key,
        VersionId: versionId,
        Tagging: { TagSet },
      }),
      { abortSignal: ctx.signal },
    );
  } catch (err) {
    throw annotate(
      err,
      'The object was written, but its tags were not (this store drops tags sent with an upload, so they are written separately).',
      { written: true, tagged: false },
    );
  }
}

interface WriteResult {
  ETag?: string;
  VersionId?: string;
  ServerSideEncryption?: string;
  SSEKMSKeyId?: string;
  ChecksumCRC32?: string;
  ChecksumCRC32C?: string;
  ChecksumCRC64NVME?: string;
  ChecksumSHA1?: string;
  ChecksumSHA256?: string;
  ChecksumType?: string;
}

/** Names onConflict rename tries in all: the key asked for, then fresh ones. */
export const RENAME_ATTEMPTS = 5;
/** Random letters and digits in a fresh name (django-storages' get_alternative_name). */
export const RENAME_RANDOM_CHARS = 7;
const NAME_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * A fresh name for a taken key, as django-storages makes one: `name_<7 random characters>.ext`
 * in the same folder, the extension being every suffix of the name (report.tar.gz keeps .tar.gz).
 */
export function alternativeKey(key: string): string {
  const folder = key.slice(0, key.lastIndexOf('/') + 1);
  const name = key.slice(folder.length);
  const dot = name.indexOf('.', 1);
  const [root, ext] = dot === -1 || name.endsWith('.') ? [name, ''] : [name.slice(0, dot), name.slice(dot)];
  let random = '';
  for (let i = 0; i < RENAME_RANDOM_CHARS; i++) random += NAME_ALPHABET[randomInt(NAME_ALPHABET.length)];
  return `${folder}${root}_${random}${ext}`;
}

/** Whether a conditional write failed because the key is taken (412), or another conditional write of it is under way (409). */
export function keyTaken(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  return (
    status === 412 || e?.name === 'PreconditionFailed' || (status === 409 && e?.name === 'ConditionalRequestConflict')
  );
}

export interface Written<T> {
  result: T;
  /** The parameters of the write that succeeded: its Key is the key actually written. */
  params: WriteParams;
  /** Whether rename wrote under a fresh name (undefined unless onConflict is rename). */
  renamed?: boolean;
}

/**
 * Runs a put (`write`, called once per name tried) as onConflict says: overwrite sends it as it
 * is; fail and rename send it with If-None-Match: * so it can never overwrite, and rename tries
 * fresh names (at most RENAME_ATTEMPTS in all) while the key is taken.
 */
export async function writeOnConflict<T>(
  input: Pick<WriteOptions, 'onConflict' | 'ifMatch'>,
  params: WriteParams,
  write: (params: WriteParams) => Promise<T>,
): Promise<Written<T>> {
  const mode = input.onConflict ?? 'overwrite';
  if (mode === 'overwrite') return { result: await write(params), params };
  if (input.ifMatch !== undefined) {
    throw new ConnectorError({
      type: 'user_input',
      code: 'InvalidInput',
      message: `ifMatch overwrites an existing object, onConflict ${mode} never does: use one or the other.`,
      details: {
        problems: [
          { field: 'onConflict', rule: 'conflictsWith', message: 'onConflict fail or rename cannot go with ifMatch' },
        ],
      },
    });
  }
  const attempts = mode === 'rename' ? RENAME_ATTEMPTS : 1;
  const tried: string[] = [];
  let current: WriteParams = { ...params, IfNoneMatch: '*' };
  for (;;) {
    tried.push(current.Key!);
    try {
      const result = await write(current);
      return { result, params: current, ...(mode === 'rename' ? { renamed: tried.length > 1 } : {}) };
    } catch (err) {
      if (!keyTaken(err)) throw err;
      if (tried.length >= attempts) {
        throw new ConnectorError({
          type: 'conflict',
          code: mode === 'fail' ? 'ObjectExists' : 'NoFreeName',
          message:
            mode === 'fail'
              ? `An object already exists at ${JSON.stringify(params.Key)} and onConflict is fail: nothing was written. Use onConflict rename to write under a fresh name, or overwrite to replace it.`
              : `Every name tried was taken (${tried.map((k) => JSON.stringify(k)).join(', ')}): nothing was written. Try again, or choose another key.`,
          details: { tried },
        });
      }
      current = { ...current, Key: alternativeKey(params.Key!) };
    }
  }
}

export function writeOutput(
  params: WriteParams,
  result: WriteResult,
  size: number,
  written: { keys?: KeyMapping; renamed?: boolean } = {},
): PutObjectTextOutput {
  const checksum = compact({
    crc32: result.ChecksumCRC32,
    crc32c: result.ChecksumCRC32C,
    crc64nvme: result.ChecksumCRC64NVME,
    sha1: result.ChecksumSHA1,
    sha256: result.ChecksumSHA256,
    type: result.ChecksumType,
  });
  return compact({
    bucket: params.Bucket!,
    key: params.Key!,
    renamed: written.renamed,
    storedKey: written.keys?.prefix ? written.keys.toStored(params.Key!) : undefined,
    etag: result.ETag,
    versionId: result.VersionId,
    size,
    contentType: params.ContentType,
    serverSideEncryption: result.ServerSideEncryption,
    sseKmsKeyId: result.SSEKMSKeyId,
    checksum: Object.keys(checksum).length ? checksum : undefined,
  });
}
