// Server-side copies, shared by copy_object, move_object, copy_objects and move_objects: where the
// source is (its bucket's region), what it is (one HEAD, with the caller's conditions), the copy
// in one CopyObject or in parts (UploadPartCopy, aborted on failure), the check of a copy against
// its source, and the delete of a source only once its copy was checked.
import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetBucketLocationCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectTaggingCommand,
  UploadPartCopyCommand,
  type CompletedPart,
  type HeadObjectCommandOutput,
  type S3Client,
} from '../runtime/sdk.js';
import type { CopyObjectInput } from '../generated/types.js';
import { annotate, ConnectorError, toErrorInfo, type ConnectorErrorInfo } from '../runtime/errors.js';
import { compact, isoDate, type OperationContext } from '../runtime/operation.js';
import { md5FromEtag } from './integrity.js';
import { checkReadAnswer, readParams } from './reads.js';
import { MiB } from './transfers.js';
import { writeParams } from './writes.js';

export const GiB = 1024 * MiB;
/** S3's largest CopyObject: a bigger source can only be copied in parts (UploadPartCopy). */
export const MAX_SINGLE_COPY_BYTES = 5 * GiB;
/** The default part size of a copy in parts (the `partSizeMb` input). */
export const DEFAULT_COPY_PART_SIZE_MB = 64;
/** S3's limits on a multipart upload: parts per upload, and the size of every part but the last. */
export const MAX_COPY_PARTS = 10_000;
export const MIN_PART_BYTES = 5 * MiB;
export const MAX_PART_BYTES = 5 * GiB;
/** Parts of one copy in flight at once (each is a server-side request: no bytes pass through here). */
export const PART_COPY_CONCURRENCY = 4;
/** Objects copied (or moved) at once by copy_objects and move_objects. */
export const COPY_CONCURRENCY = 8;
/** Most objects one copy_objects or move_objects call takes (its `limit` input's maximum). */
export const MAX_PREFIX_KEYS = 10_000;

type Ctx = Pick<
  OperationContext,
  's3' | 'connection' | 'operation' | 'describeError' | 'capabilities' | 'signal' | 'clientFor' | 'onProgress'
>;

/** The options every copy takes (the four inputs share them, defs.json). */
export type CopyOptions = Pick<
  CopyObjectInput,
  | 'metadataDirective'
  | 'contentType'
  | 'metadata'
  | 'cacheControl'
  | 'contentDisposition'
  | 'contentEncoding'
  | 'contentLanguage'
  | 'expires'
  | 'taggingDirective'
  | 'tags'
  | 'storageClass'
  | 'acl'
  | 'serverSideEncryption'
  | 'sseKmsKeyId'
  | 'bucketKeyEnabled'
  | 'multipartThresholdMb'
  | 'partSizeMb'
>;

/** Conditions on the source, checked when it is read (copy_object, move_object). */
export type SourceConditions = Pick<
  CopyObjectInput,
  'ifSourceMatch' | 'ifSourceNoneMatch' | 'ifSourceModifiedSince' | 'ifSourceUnmodifiedSince'
>;

export interface ObjectRef {
  bucket: string;
  key: string;
  /** A version the caller named (not one found: naming a version needs s3:GetObjectVersion). */
  versionId?: string;
}

/** Where the source bucket is: its region and the client for it. */
export interface SourceSide {
  client: S3Client;
  region: string;
  /** True when the region was looked up (the source is in another bucket). */
  lookedUp: boolean;
}

export interface SourceObject extends ObjectRef {
  side: SourceSide;
  etag: string;
  size: number;
  /** The version the store answered with (pinned by ETag, not by this, unless the caller named it). */
  foundVersionId?: string;
  head: HeadObjectCommandOutput;
}

export interface CopyResult {
  destination: { bucket: string; key: string; versionId?: string; etag?: string; size: number };
  parts: number;
  lastModified?: string;
  serverSideEncryption?: string;
  sseKmsKeyId?: string;
}

const userInput = (field: string, message: string) =>
  new ConnectorError({
    type: 'user_input',
    code: 'InvalidInput',
    message: `Invalid input: ${message}.`,
    details: { problems: [{ field, rule: 'copy', message }] },
  });

const isCancel = (err: unknown, signal: AbortSignal) =>
  signal.aborted || (err as { name?: string })?.name === 'AbortError';

/**
 * An error of a request about another object than the one the input's `bucket` and `key` name
 * (the copy, or one key of a prefix), described as the call would describe it there. Cancels
 * and errors already in the connector's terms pass through unchanged.
 */
export function describeAt(ctx: Ctx, err: unknown, at: { bucket: string; key?: string }): unknown {
  if (err instanceof ConnectorError || isCancel(err, ctx.signal)) return err;
  const info = toErrorInfo(err, {
    operation: ctx.operation.name,
    permissions: ctx.operation.permissions,
    region: ctx.connection.region,
    bucket: at.bucket,
    ...(at.key !== undefined ? { key: at.key } : {}),
  });
  return new ConnectorError(info);
}

/** Runs a request about `at`, describing its failure there (see describeAt). */
async function about<T>(ctx: Ctx, at: { bucket: string; key?: string }, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (err) {
    throw describeAt(ctx, err, at);
  }
}

/** Location constraints that are not region names. */
const LEGACY_CONSTRAINTS: Record<string, string> = { '': 'us-east-1', EU: 'eu-west-1' };

/**
 * The source bucket's region and a client for it. The same bucket as the destination is in the
 * connection's region (or the copy itself says where it is); another bucket's region is asked
 * with GetBucketLocation, never guessed. A store that has no such request has no regions.
 */
export async function sourceSide(ctx: Ctx, sourceBucket: string, destinationBucket: string): Promise<SourceSide> {
  const here = { client: ctx.s3, region: ctx.connection.region, lookedUp: false };
  if (sourceBucket === destinationBucket || ctx.connection.region === 'auto') return here;
  let region: string;
  try {
    const answer = await ctx.s3.send(new GetBucketLocationCommand({ Bucket: sourceBucket }), {
      abortSignal: ctx.signal,
    });
    const constraint = answer.LocationConstraint ?? '';
    region = LEGACY_CONSTRAINTS[constraint] ?? constraint;
  } catch (err) {
    const info = ctx.describeError(err);
    // Asked in the wrong region, S3 still says where the bucket is.
    if (info.type === 'region_mismatch' && typeof info.details?.bucketRegion === 'string')
      region = info.details.bucketRegion;
    else if (info.type === 'unsupported') return here;
    else throw describeAt(ctx, err, { bucket: sourceBucket });
  }
  const client = region === ctx.connection.region ? ctx.s3 : ctx.clientFor(region);
  return { client, region, lookedUp: true };
}

/** The options checked and turned into the copy's write parameters (no request is sent). */
export interface CopyPlan {
  options: CopyOptions;
  replaceMetadata: boolean;
  replaceTags: boolean;
  write: ReturnType<typeof writeParams>;
  thresholdBytes: number;
  partSizeMb: number;
}

export function planCopy(options: CopyOptions, ctx: Pick<Ctx, 'capabilities'>): CopyPlan {
  // The schema already refuses REPLACE-only fields without REPLACE; writeParams checks the rest
  // (metadata size, a KMS key without aws:kms).
  const {
    Bucket: _b,
    Key: _k,
    ContentType: _t,
    ...write
  } = writeParams({ ...options, bucket: '', key: '' }, '', ctx.capabilities);
  return {
    options,
    replaceMetadata: options.metadataDirective === 'REPLACE',
    replaceTags: options.taggingDirective === 'REPLACE',
    write: write as ReturnType<typeof writeParams>,
    thresholdBytes: (options.multipartThresholdMb ?? MAX_SINGLE_COPY_BYTES / MiB) * MiB,
    partSizeMb: options.partSizeMb ?? DEFAULT_COPY_PART_SIZE_MB,
  };
}

/** Refuses a copy of an object onto itself that S3 would refuse (nothing about it changes). */
export function checkNotOntoItself(plan: CopyPlan, source: ObjectRef, destination: ObjectRef, moving: boolean): void {
  if (source.bucket !== destination.bucket || source.key !== destination.key) return;
  if (moving)
    throw userInput(
      'destinationKey',
      "destinationKey is the source's own key in the same bucket: a move onto itself would delete the object",
    );
  const changes =
    plan.replaceMetadata || plan.options.storageClass || plan.options.serverSideEncryption || source.versionId;
  if (!changes) {
    throw userInput(
      'destinationKey',
      "destinationKey is the source's own key: a copy onto itself must change something (metadataDirective REPLACE, a storageClass or serverSideEncryption)",
    );
  }
}

const PRECONDITION = 'A condition on the source did not hold';

/**
 * Reads the source (HEAD), holding it to the caller's conditions: a store that ignores one is
 * caught on the answer. What is copied is then pinned to the ETag read here.
 */
export async function headSource(
  ctx: Ctx,
  side: SourceSide,
  ref: ObjectRef,
  conditions: SourceConditions = {},
): Promise<SourceObject> {
  const asked = {
    ...(ref.versionId ? { versionId: ref.versionId } : {}),
    ...(conditions.ifSourceMatch ? { ifMatch: conditions.ifSourceMatch } : {}),
    ...(conditions.ifSourceNoneMatch ? { ifNoneMatch: conditions.ifSourceNoneMatch } : {}),
    ...(conditions.ifSourceModifiedSince ? { ifModifiedSince: conditions.ifSourceModifiedSince } : {}),
    ...(conditions.ifSourceUnmodifiedSince ? { ifUnmodifiedSince: conditions.ifSourceUnmodifiedSince } : {}),
  };
  let head: HeadObjectCommandOutput;
  try {
    head = await side.client.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key, ...readParams(asked) }), {
      abortSignal: ctx.signal,
    });
    checkReadAnswer(asked, head);
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const failed =
      err instanceof ConnectorError ? err.info.type === 'precondition_failed' : status === 412 || status === 304;
    if (failed) {
      const why =
        err instanceof ConnectorError
          ? ` (${err.info.message.replace(/^A condition did not hold: /, '').replace(/\.$/, '')})`
          : '';
      throw new ConnectorError({
        type: 'precondition_failed',
        code: 'PreconditionFailed',
        status: 412,
        message: `${PRECONDITION}${why} on s3://${ref.bucket}/${ref.key} (ifSourceMatch / ifSourceNoneMatch / ifSourceModifiedSince / ifSourceUnmodifiedSince): nothing was copied.`,
      });
    }
    throw describeAt(ctx, err, ref);
  }
  return {
    ...ref,
    side,
    head,
    etag: head.ETag ?? '',
    size: head.ContentLength ?? 0,
    ...(head.VersionId ? { foundVersionId: head.VersionId } : {}),
  };
}

/** x-amz-copy-source: the bucket and the key, URL-encoded segment by segment, and a named version. */
function copySource(source: SourceObject): string {
  const key = source.key.split('/').map(encodeURIComponent).join('/');
  return `${source.bucket}/${key}${source.versionId ? `?versionId=${encodeURIComponent(source.versionId)}` : ''}`;
}

/** Whether tags cannot travel with the copy (a store that drops tags sent with a write). */
function dropsTags(ctx: Ctx): boolean {
  return ctx.capabilities.tagsOnPut === false || ctx.connection.capabilities?.tagsOnPut === false;
}

async function sourceTags(ctx: Ctx, source: SourceObject): Promise<Record<string, string>> {
  const answer = await about(ctx, source, () =>
    source.side.client.send(
      new GetObjectTaggingCommand({
        Bucket: source.bucket,
        Key: source.key,
        ...(source.versionId ? { VersionId: source.versionId } : {}),
      }),
      { abortSignal: ctx.signal },
    ),
  );
  return Object.fromEntries((answer.TagSet ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

/** The metadata and content headers of a copy in parts (S3 copies them only in one CopyObject). */
function headersOf(plan: CopyPlan, source: SourceObject) {
  if (plan.replaceMetadata) {
    const w = plan.write;
    return compact({
      ContentType: plan.options.contentType ?? source.head.ContentType,
      Metadata: w.Metadata,
      CacheControl: w.CacheControl,
      ContentDisposition: w.ContentDisposition,
      ContentEncoding: w.ContentEncoding,
      ContentLanguage: w.ContentLanguage,
      Expires: w.Expires,
    });
  }
  const h = source.head;
  const expires = h.ExpiresString ? new Date(h.ExpiresString) : h.Expires;
  return compact({
    ContentType: h.ContentType,
    Metadata: h.Metadata,
    CacheControl: h.CacheControl,
    ContentDisposition: h.ContentDisposition,
    ContentEncoding: h.ContentEncoding,
    ContentLanguage: h.ContentLanguage,
    Expires: expires && !Number.isNaN(expires.getTime()) ? expires : undefined,
  });
}

/** The part size for this source: the asked one, raised so there are at most 10000 parts. */
export function partSizeFor(size: number, partSizeMb: number): number {
  const fewest = Math.ceil(Math.ceil(size / MAX_COPY_PARTS) / MiB) * MiB;
  return Math.min(MAX_PART_BYTES, Math.max(MIN_PART_BYTES, partSizeMb * MiB, fewest));
}

/** The ETag S3 gives a multipart object: the MD5 of its parts' MD5s, and the part count. */
function multipartEtag(partEtags: (string | undefined)[]): string | undefined {
  const md5s = partEtags.map((e) => md5FromEtag(e));
  if (md5s.some((m) => m === undefined)) return undefined;
  const hash = createHash('md5');
  for (const m of md5s) hash.update(Buffer.from(m!, 'hex'));
  return `${hash.digest('hex')}-${md5s.length}`;
}

const unquote = (etag: string | undefined) => (etag ?? '').replace(/^W\//, '').replace(/"/g, '');

function notVerified(
  destination: { bucket: string; key: string },
  what: string,
  details: Record<string, unknown>,
): ConnectorError {
  return new ConnectorError({
    type: 'api',
    code: 'CopyNotVerified',
    message: `The copy at s3://${destination.bucket}/${destination.key} does not match its source: ${what}. Check it, or copy again.`,
    details,
  });
}

/**
 * Copies the source to `destination`: one CopyObject up to the threshold, parts above it. The
 * copy is pinned to the source's ETag as it was read (and to a named version), so a source
 * overwritten meanwhile fails the copy instead of being copied unseen.
 */
/** How far a copy got (it may fail after the bytes were copied: tags written separately), and whether it is a move's. */
export interface CopyState {
  copied: boolean;
  moving?: boolean;
}

export async function copyTo(
  ctx: Ctx,
  plan: CopyPlan,
  source: SourceObject,
  destination: { bucket: string; key: string },
  state: CopyState = { copied: false },
): Promise<CopyResult> {
  const moving = state.moving ?? false;
  // A store that drops tags sent with a write gets them by a request of their own, after the
  // copy; the source's are read first, so a refused read leaves nothing copied.
  const separateTags = !dropsTags(ctx)
    ? undefined
    : plan.replaceTags
      ? (plan.options.tags ?? {})
      : await sourceTags(ctx, source);
  const result =
    source.size > plan.thresholdBytes
      ? await copyInParts(ctx, plan, source, destination, state)
      : await copyInOne(ctx, plan, source, destination, state);
  if (separateTags && Object.keys(separateTags).length) {
    try {
      await ctx.s3.send(
        new PutObjectTaggingCommand({
          Bucket: destination.bucket,
          Key: destination.key,
          VersionId: result.destination.versionId,
          Tagging: { TagSet: Object.entries(separateTags).map(([Key, Value]) => ({ Key, Value })) },
        }),
        { abortSignal: ctx.signal },
      );
    } catch (err) {
      throw annotate(
        describeAt(ctx, err, destination),
        `The copy was made, but its tags were not written (this store drops tags sent with a write, so they are written separately)${moving ? '; the source was not deleted' : ''}.`,
        { written: true, tagged: false, ...(moving ? { copied: true, sourceDeleted: false } : {}) },
      );
    }
  }
  ctx.onProgress?.({ loaded: source.size, total: source.size });
  return result;
}

async function copyInOne(
  ctx: Ctx,
  plan: CopyPlan,
  source: SourceObject,
  destination: { bucket: string; key: string },
  state: CopyState,
): Promise<CopyResult> {
  const answer = await about(ctx, destination, () =>
    ctx.s3.send(
      new CopyObjectCommand({
        ...plan.write,
        Bucket: destination.bucket,
        Key: destination.key,
        CopySource: copySource(source),
        CopySourceIfMatch: source.etag || undefined,
        ...(plan.replaceMetadata
          ? { MetadataDirective: 'REPLACE', ContentType: plan.options.contentType ?? source.head.ContentType }
          : {}),
        ...(plan.replaceTags ? { TaggingDirective: 'REPLACE' } : {}),
      }),
      { abortSignal: ctx.signal },
    ),
  );
  state.copied = true; // the store says it wrote something there: what, is checked next
  if (source.versionId && answer.CopySourceVersionId && answer.CopySourceVersionId !== source.versionId) {
    throw new ConnectorError({
      type: 'unsupported',
      code: 'VersionIdIgnored',
      message: `The store ignored versionId ${source.versionId} and copied version ${answer.CopySourceVersionId}: it does not support it.`,
    });
  }
  const etag = answer.CopyObjectResult?.ETag;
  // What the store says it wrote: bytes with another MD5 than the source's are not a copy.
  const want = md5FromEtag(source.etag, source.head.ServerSideEncryption);
  const got = md5FromEtag(etag, answer.ServerSideEncryption);
  if (want && got && want !== got) {
    throw notVerified(destination, `its ETag is ${etag}, the source's ${source.etag}`, {
      expected: { etag: source.etag },
      found: { etag },
    });
  }
  return compact({
    destination: compact({
      bucket: destination.bucket,
      key: destination.key,
      versionId: answer.VersionId,
      etag,
      size: source.size,
    }),
    parts: 1,
    lastModified: isoDate(answer.CopyObjectResult?.LastModified),
    serverSideEncryption: answer.ServerSideEncryption,
    sseKmsKeyId: answer.SSEKMSKeyId,
  });
}

async function copyInParts(
  ctx: Ctx,
  plan: CopyPlan,
  source: SourceObject,
  destination: { bucket: string; key: string },
  state: CopyState,
): Promise<CopyResult> {
  let tagging = plan.write.Tagging;
  if (!plan.replaceTags && !dropsTags(ctx)) {
    // UploadPartCopy copies bytes only: the tags are read and written with the upload.
    const tags = await sourceTags(ctx, source);
    tagging = Object.keys(tags).length ? new URLSearchParams(tags).toString() : undefined;
  }
  const {
    Metadata: _m,
    CacheControl: _c,
    ContentDisposition: _d,
    ContentEncoding: _e,
    ContentLanguage: _l,
    Expires: _x,
    Tagging: _t,
    ChecksumAlgorithm: _a,
    IfMatch: _i,
    IfNoneMatch: _n,
    ...rest
  } = plan.write;
  const created = await about(ctx, destination, () =>
    ctx.s3.send(
      new CreateMultipartUploadCommand(
        compact({
          ...rest,
          ...headersOf(plan, source),
          Bucket: destination.bucket,
          Key: destination.key,
          Tagging: tagging,
        }),
      ),
      { abortSignal: ctx.signal },
    ),
  );
  const uploadId = created.UploadId!;
  const partSize = partSizeFor(source.size, plan.partSizeMb);
  const count = Math.max(1, Math.ceil(source.size / partSize));
  try {
    const parts: CompletedPart[] = new Array(count);
    let next = 0;
    let copied = 0;
    const worker = async () => {
      for (let n = next++; n < count; n = next++) {
        ctx.signal.throwIfAborted();
        const start = n * partSize;
        const end = Math.min(source.size, start + partSize) - 1;
        const answer = await about(ctx, destination, () =>
          ctx.s3.send(
            new UploadPartCopyCommand({
              Bucket: destination.bucket,
              Key: destination.key,
              UploadId: uploadId,
              PartNumber: n + 1,
              CopySource: copySource(source),
              CopySourceRange: `bytes=${start}-${end}`,
              CopySourceIfMatch: source.etag || undefined,
            }),
            { abortSignal: ctx.signal },
          ),
        );
        parts[n] = { PartNumber: n + 1, ETag: answer.CopyPartResult?.ETag };
        copied += end - start + 1;
        ctx.onProgress?.({ loaded: copied, total: source.size });
      }
    };
    await Promise.all(Array.from({ length: Math.min(PART_COPY_CONCURRENCY, count) }, worker));
    const done = await about(ctx, destination, () =>
      ctx.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: destination.bucket,
          Key: destination.key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
        { abortSignal: ctx.signal },
      ),
    );
    state.copied = true;
    // The store's ETag for the whole must be the one its parts' ETags make.
    const expected = multipartEtag(parts.map((p) => p.ETag));
    if (expected && /^"?[0-9a-f]{32}-\d+"?$/.test(done.ETag ?? '') && unquote(done.ETag) !== expected) {
      throw notVerified(destination, `its ETag is ${done.ETag}, its ${count} parts make "${expected}"`, {
        expected: { etag: `"${expected}"` },
        found: { etag: done.ETag },
      });
    }
    return compact({
      destination: compact({
        bucket: destination.bucket,
        key: destination.key,
        versionId: done.VersionId,
        etag: done.ETag,
        size: source.size,
      }),
      parts: count,
      serverSideEncryption: done.ServerSideEncryption,
      sseKmsKeyId: done.SSEKMSKeyId,
    });
  } catch (err) {
    // Nothing half-copied stays: abort the upload (without the signal, so a cancel cleans up too),
    // unless it was completed (and what it made failed its check: that is said, not undone).
    if (state.copied) throw err;
    const failed = await ctx.s3
      .send(new AbortMultipartUploadCommand({ Bucket: destination.bucket, Key: destination.key, UploadId: uploadId }))
      .then(
        () => undefined,
        (abortErr: unknown) => abortErr as { name?: string; $metadata?: { httpStatusCode?: number } },
      );
    if (failed) {
      const status = failed.$metadata?.httpStatusCode;
      annotate(
        err,
        `The parts copied so far could not be removed (AbortMultipartUpload failed: ${[failed.name, status].filter((x) => x !== undefined).join(' ')}): they may stay on the store and use space until it expires them (upload ID ${uploadId}).`,
        {
          cleanup: {
            uploadId,
            partsMayRemain: true,
            ...(failed.name ? { code: failed.name } : {}),
            ...(status ? { status } : {}),
          },
        },
      );
    }
    throw err;
  }
}

/**
 * Holds a copy to its source before anything deletes the source: the object at the destination
 * (the version the copy made, when the store versions) must be the copy, with the source's size
 * and, where both ETags are MD5s, the source's ETag.
 */
export async function verifyCopy(ctx: Ctx, source: SourceObject, copy: CopyResult): Promise<void> {
  const d = copy.destination;
  const head = await about(ctx, d, () =>
    ctx.s3.send(
      new HeadObjectCommand({ Bucket: d.bucket, Key: d.key, ...(d.versionId ? { VersionId: d.versionId } : {}) }),
      { abortSignal: ctx.signal },
    ),
  );
  const found = compact({ size: head.ContentLength, etag: head.ETag, versionId: head.VersionId });
  const expected = compact({ size: source.size, etag: d.etag ?? source.etag, versionId: d.versionId });
  const details = { expected, found };
  if (head.ContentLength !== source.size)
    throw notVerified(d, `it has ${head.ContentLength ?? 'no'} bytes, the source ${source.size}`, details);
  if (d.versionId && head.VersionId !== d.versionId)
    throw notVerified(
      d,
      `the store answered version ${head.VersionId ?? '(none)'}, not the copy's ${d.versionId}`,
      details,
    );
  if (d.etag && unquote(head.ETag) !== unquote(d.etag))
    throw notVerified(d, `its ETag is ${head.ETag}, not the copy's ${d.etag}`, details);
  const want = copy.parts === 1 ? md5FromEtag(source.etag, source.head.ServerSideEncryption) : undefined;
  const got = md5FromEtag(head.ETag, head.ServerSideEncryption);
  if (want && got && want !== got)
    throw notVerified(d, `its ETag is ${head.ETag}, the source's ${source.etag}`, details);
}

export interface DeleteResult {
  deleteMarker?: boolean;
  deleteMarkerVersionId?: string;
}

/**
 * Deletes the source of a checked copy: the version the caller named, or else only while it is
 * still the object that was copied (If-Match on its ETag). Should it fail, the copy stays and
 * the error says so.
 */
export async function deleteSource(ctx: Ctx, source: SourceObject, copy: CopyResult): Promise<DeleteResult> {
  const where = `s3://${copy.destination.bucket}/${copy.destination.key}`;
  try {
    const answer = await source.side.client.send(
      new DeleteObjectCommand({
        Bucket: source.bucket,
        Key: source.key,
        ...(source.versionId ? { VersionId: source.versionId } : source.etag ? { IfMatch: source.etag } : {}),
      }),
      { abortSignal: ctx.signal },
    );
    return compact({
      deleteMarker: answer.DeleteMarker,
      deleteMarkerVersionId: answer.DeleteMarker ? answer.VersionId : undefined,
    });
  } catch (err) {
    if (isCancel(err, ctx.signal)) {
      throw annotate(err, `The copy at ${where} was made and checked; the source may not have been deleted.`, {
        copied: true,
        sourceDeleted: false,
      });
    }
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 412) {
      throw new ConnectorError({
        type: 'precondition_failed',
        code: 'SourceChanged',
        status,
        message: `s3://${source.bucket}/${source.key} changed after it was copied, so it was not deleted; the copy of it as it was is at ${where}.`,
        details: { copied: true, sourceDeleted: false },
      });
    }
    throw annotate(
      describeAt(ctx, err, source),
      `The copy at ${where} was made and checked; the source was not deleted.`,
      { copied: true, sourceDeleted: false },
    );
  }
}

// --- prefixes -------------------------------------------------------------------------------

export interface ListedObject {
  key: string;
  size: number;
}

/** Refuses prefixes that overlap in one bucket: the copies would land among the sources. */
export function checkPrefixes(
  bucket: string,
  prefix: string,
  destinationBucket: string,
  destinationPrefix: string,
): void {
  if (bucket !== destinationBucket) return;
  if (destinationPrefix.startsWith(prefix) || prefix.startsWith(destinationPrefix)) {
    throw userInput(
      'destinationPrefix',
      `destinationPrefix ${JSON.stringify(destinationPrefix)} and prefix ${JSON.stringify(prefix)} overlap in bucket ${bucket} (one starts with the other): the copies would land among the objects being copied. Use another destination prefix or bucket`,
    );
  }
}

/** S3's longest key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

/** The destination key of a listed key; a key longer than S3 allows fails that key alone, before any request. */
export function destinationKeyOf(key: string, prefix: string, destinationPrefix: string): string {
  const destination = destinationPrefix + key.slice(prefix.length);
  if (Buffer.byteLength(destination) > MAX_KEY_BYTES) {
    throw new ConnectorError({
      type: 'user_input',
      code: 'KeyTooLong',
      message: `The copy's key would be ${Buffer.byteLength(destination)} bytes of UTF-8; S3 allows at most ${MAX_KEY_BYTES}. Use a shorter destination prefix.`,
    });
  }
  return destination;
}

/**
 * Up to `limit` objects under the prefix, in key order, after `startAfter`; `truncated` when
 * more are there. Keys outside the prefix (a store that ignores Prefix) are never taken.
 */
export async function listUnder(
  ctx: Ctx,
  side: SourceSide,
  bucket: string,
  prefix: string,
  limit: number,
  startAfter?: string,
): Promise<{ objects: ListedObject[]; truncated: boolean }> {
  const objects: ListedObject[] = [];
  let token: string | undefined;
  let truncated = false;
  let last = startAfter;
  do {
    const page = await side.client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix || undefined,
        MaxKeys: Math.min(1000, limit - objects.length + 1),
        ...(token ? { ContinuationToken: token } : startAfter ? { StartAfter: startAfter } : {}),
      }),
      { abortSignal: ctx.signal },
    );
    for (const o of page.Contents ?? []) {
      const key = o.Key ?? '';
      if (!key.startsWith(prefix) || (last !== undefined && Buffer.compare(Buffer.from(key), Buffer.from(last)) <= 0))
        continue;
      if (objects.length === limit) {
        truncated = true;
        break;
      }
      objects.push({ key, size: o.Size ?? 0 });
      last = key;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token && !truncated);
  return { objects, truncated };
}

/** Runs `work` on every item, at most `concurrency` at once, in order of the items; stops taking new ones on cancel. */
export async function eachLimited<T, R>(
  items: T[],
  concurrency: number,
  signal: AbortSignal,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let n = next++; n < items.length && !signal.aborted; n = next++) results[n] = await work(items[n]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  signal.throwIfAborted();
  return results;
}

/** A failure of one key as its result carries it. */
export function itemError(
  ctx: Ctx,
  err: unknown,
  at: { bucket: string; key: string },
): { failure: unknown; error: { type: string; code?: string; message: string } } {
  const described = describeAt(ctx, err, at);
  const info: ConnectorErrorInfo = toErrorInfo(described, {
    operation: ctx.operation.name,
    permissions: ctx.operation.permissions,
    region: ctx.connection.region,
    ...at,
  });
  return { failure: described, error: compact({ type: info.type, code: info.code, message: info.message }) };
}

/**
 * When every key failed for the same reason (no such bucket, no permission), that is the call's
 * answer, not a list of failures; a cancel is always the answer.
 */
export function sameFailureEverywhere(ctx: Ctx, failures: unknown[], total: number): unknown | undefined {
  if (!failures.length || failures.length !== total) return undefined;
  const kinds = new Set(
    failures.map((f) => {
      const info = f instanceof ConnectorError ? f.info : ctx.describeError(f);
      return `${info.type}\u0000${info.code ?? ''}`;
    }),
  );
  return kinds.size === 1 ? failures[0] : undefined;
}

/** Copies, checks the copy, and only then deletes the source (move_object, move_objects). */
export async function moveTo(
  ctx: Ctx,
  plan: CopyPlan,
  source: SourceObject,
  destination: { bucket: string; key: string },
  state: CopyState = { copied: false },
): Promise<{ copy: CopyResult; deleted: DeleteResult }> {
  const copy = await copyTo(ctx, plan, source, destination, Object.assign(state, { moving: true }));
  try {
    await verifyCopy(ctx, source, copy);
  } catch (err) {
    throw annotate(err, `The source s3://${source.bucket}/${source.key} was not deleted.`, {
      copied: true,
      sourceDeleted: false,
    });
  }
  return { copy, deleted: await deleteSource(ctx, source, copy) };
}

/** The source and the copy as copy_object and move_object report them. */
export function copyOutput(source: SourceObject, copy: CopyResult) {
  return compact({
    source: compact({
      bucket: source.bucket,
      key: source.key,
      versionId: source.foundVersionId,
      etag: source.etag || undefined,
      size: source.size,
      region: source.side.lookedUp ? source.side.region : undefined,
    }),
    destination: copy.destination,
    parts: copy.parts,
    lastModified: copy.lastModified,
    serverSideEncryption: copy.serverSideEncryption,
    sseKmsKeyId: copy.sseKmsKeyId,
  });
}

export interface PrefixInput extends CopyOptions {
  bucket: string;
  prefix: string;
  destinationBucket?: string;
  destinationPrefix: string;
  dryRun?: boolean;
  limit?: number;
  startAfter?: string;
}

export interface PrefixItem {
  key: string;
  destinationKey: string;
  size: number;
  status: 'copied' | 'moved' | 'failed' | 'planned';
  etag?: string;
  versionId?: string;
  parts?: number;
  copied?: boolean;
  sourceDeleted?: boolean;
  error?: { type: string; code?: string; message: string };
}

/**
 * copy_objects and move_objects: every object under the prefix (up to the limit, listed first,
 * so copies landing meanwhile are never taken), each copied (and moved) as copy_object
 * (move_object) would, COPY_CONCURRENCY at a time, with a result per key.
 */
export async function copyPrefix(ctx: Ctx, input: PrefixInput, moving: boolean) {
  const destinationBucket = input.destinationBucket ?? input.bucket;
  checkPrefixes(input.bucket, input.prefix, destinationBucket, input.destinationPrefix);
  const plan = planCopy(input, ctx);
  const side = await sourceSide(ctx, input.bucket, destinationBucket);
  const { objects, truncated } = await listUnder(
    ctx,
    side,
    input.bucket,
    input.prefix,
    Math.min(input.limit ?? 1000, MAX_PREFIX_KEYS),
    input.startAfter,
  );
  const total = objects.reduce((n, o) => n + o.size, 0);
  // Progress counts whole objects; the copies themselves report none.
  const perKey: Ctx = { ...ctx, onProgress: undefined };
  let loaded = 0;
  const failures: unknown[] = [];
  const results = await eachLimited(objects, COPY_CONCURRENCY, ctx.signal, async (o): Promise<PrefixItem> => {
    const destinationKey = input.destinationPrefix + o.key.slice(input.prefix.length);
    const base = { key: o.key, destinationKey, size: o.size };
    const moveFlags = (copied: boolean, sourceDeleted: boolean) => (moving ? { copied, sourceDeleted } : {});
    if (input.dryRun) return { ...base, status: 'planned', ...moveFlags(false, false) };
    const state = { copied: false };
    try {
      destinationKeyOf(o.key, input.prefix, input.destinationPrefix);
      const source = await headSource(perKey, side, { bucket: input.bucket, key: o.key });
      const destination = { bucket: destinationBucket, key: destinationKey };
      const copy = moving
        ? (await moveTo(perKey, plan, source, destination, state)).copy
        : await copyTo(perKey, plan, source, destination);
      loaded += o.size;
      ctx.onProgress?.({ loaded, total });
      const d = copy.destination;
      return compact({
        ...base,
        status: moving ? 'moved' : 'copied',
        etag: d.etag,
        versionId: d.versionId,
        parts: copy.parts,
        ...moveFlags(true, true),
      }) as PrefixItem;
    } catch (err) {
      if (isCancel(err, ctx.signal)) throw err;
      const { failure, error } = itemError(ctx, err, {
        bucket: state.copied ? destinationBucket : input.bucket,
        key: state.copied ? destinationKey : o.key,
      });
      failures.push(failure);
      return { ...base, status: 'failed', ...moveFlags(state.copied, false), error };
    }
  });
  if (!input.dryRun) {
    const everywhere = sameFailureEverywhere(ctx, failures, results.length);
    if (everywhere) throw everywhere;
  }
  const succeeded = results.filter((r) => r.status === 'copied' || r.status === 'moved');
  return compact({
    bucket: input.bucket,
    prefix: input.prefix,
    destinationBucket,
    destinationPrefix: input.destinationPrefix,
    dryRun: input.dryRun ?? false,
    results,
    counts: {
      listed: results.length,
      [moving ? 'moved' : 'copied']: succeeded.length,
      failed: results.filter((r) => r.status === 'failed').length,
      bytes: input.dryRun ? total : succeeded.reduce((n, r) => n + r.size, 0),
    } as { listed: number; failed: number; bytes: number; copied?: number; moved?: number },
    truncated,
    nextStartAfter: truncated ? objects.at(-1)?.key : undefined,
  });
}
