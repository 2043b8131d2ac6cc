// Streaming transfers with flat memory: uploads through @aws-sdk/lib-storage (multipart above
// the part size, aborted on any failure), downloads into a file-store draft that is published
// only when complete and verified.
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  type CompletedPart,
  type CompleteMultipartUploadCommandOutput,
  CreateMultipartUploadCommand,
  type PutObjectCommandInput,
  type S3Client,
  UploadPartCommand,
} from '../runtime/sdk.js';
import { Upload } from '@aws-sdk/lib-storage';
import { annotate, ConnectorError } from '../runtime/errors.js';
import { verifyMd5 } from './integrity.js';
import type { FileReference, FileStore, PositionedRead } from './files.js';
import type { Progress } from '../runtime/operation.js';

export const MiB = 1024 * 1024;

/** Counts (and optionally hashes) the bytes passing through, reporting progress. */
function meter(total: number | undefined, onProgress?: (p: Progress) => void, hash?: ReturnType<typeof createHash>) {
  let loaded = 0;
  const transform = new Transform({
    transform(chunk: Buffer, _enc, done) {
      loaded += chunk.length;
      hash?.update(chunk);
      onProgress?.({ loaded, ...(total !== undefined ? { total } : {}) });
      done(null, chunk);
    },
  });
  return { transform, loaded: () => loaded };
}

export interface UploadOptions {
  s3: S3Client;
  params: Omit<PutObjectCommandInput, 'Body'>;
  body: Readable;
  size?: number;
  /** Positioned reads of the same bytes as `body` (a file): with `size`, parts are read from it instead. */
  read?: PositionedRead;
  partSize: number;
  concurrency: number;
  signal: AbortSignal;
  onProgress?: (p: Progress) => void;
}

export interface UploadResult {
  output: CompleteMultipartUploadCommandOutput;
  size: number;
  parts: number;
}

/** S3's most parts in one multipart upload. */
const MAX_PARTS = 10_000;

export async function uploadStream(o: UploadOptions): Promise<UploadResult> {
  let uploadId: string | undefined;
  const started = (id: string | undefined) => void (uploadId = id);
  try {
    return o.read && o.size !== undefined && o.size > o.partSize && Math.ceil(o.size / o.partSize) <= MAX_PARTS
      ? await uploadFileParts({ ...o, read: o.read, size: o.size }, started)
      : await uploadThroughLibStorage(o, started);
  } catch (err) {
    // Nothing half-written stays: abort the multipart upload, if one was started.
    if (uploadId) await abortUpload(o, uploadId, err);
    throw err;
  } finally {
    o.body.destroy(); // the source too (a file, a socket, a compressor), not left half-read or open
  }
}

/** Aborts a failed multipart upload; when that fails too, says so on `err` (its parts may remain). */
async function abortUpload(o: UploadOptions, uploadId: string, err: unknown): Promise<void> {
  const failed = await o.s3
    .send(new AbortMultipartUploadCommand({ Bucket: o.params.Bucket, Key: o.params.Key, UploadId: uploadId }))
    .then(
      () => undefined,
      (abortErr: unknown) => abortErr as { name?: string; $metadata?: { httpStatusCode?: number } },
    );
  if (!failed) return;
  const status = failed.$metadata?.httpStatusCode;
  const answer = [failed.name, status].filter((x) => x !== undefined).join(' ');
  annotate(
    err,
    `The parts uploaded so far could not be removed (AbortMultipartUpload failed: ${answer}): they may stay on the store and use space until it expires them (upload ID ${uploadId}).`,
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

/** A stream of unknown length, or without positioned reads: lib-storage cuts it into parts as they fill. */
async function uploadThroughLibStorage(
  o: UploadOptions,
  started: (uploadId: string | undefined) => void,
): Promise<UploadResult> {
  const counted = meter(o.size, o.onProgress);
  const body = o.body.pipe(counted.transform);
  o.body.on('error', (err) => counted.transform.destroy(err));
  // lib-storage sends parts without a signal: give this upload's sends the caller's one, so a
  // cancel also stops the parts in flight (but never the abort that cleans up after it).
  const client = new Proxy(o.s3, {
    get: (target, prop, receiver) =>
      prop === 'send'
        ? (command: Parameters<S3Client['send']>[0], options?: object) =>
            target.send(
              command,
              command instanceof AbortMultipartUploadCommand ? options : { abortSignal: o.signal, ...options },
            )
        : Reflect.get(target, prop, receiver),
  });
  const upload = new Upload({
    client,
    params: { ...o.params, Body: body },
    partSize: o.partSize,
    queueSize: o.concurrency,
    // The abort in uploadStream is the one cleanup: lib-storage's own can fail and hide the real error.
    leavePartsOnError: true,
  });
  const onAbort = () => void upload.abort();
  o.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const output = await upload.done();
    return { output, size: counted.loaded(), parts: Math.max(1, Math.ceil(counted.loaded() / o.partSize)) };
  } catch (err) {
    body.destroy();
    throw err;
  } finally {
    started((upload as unknown as { uploadId?: string }).uploadId);
    o.signal.removeEventListener('abort', onAbort);
  }
}

/**
 * A file of known size: each of `concurrency` senders reads its next part straight into its own
 * buffer, used again for every part it sends. Memory stays at concurrency × part size, with no
 * copies and no garbage per part (lib-storage re-buffers a stream into fresh part-size Buffers).
 */
async function uploadFileParts(
  o: UploadOptions & { read: PositionedRead; size: number },
  started: (uploadId: string) => void,
): Promise<UploadResult> {
  const parts = Math.ceil(o.size / o.partSize);
  // One part failing stops the others at once; the caller's cancel stops them all too.
  const failure = new AbortController();
  const signal = AbortSignal.any([o.signal, failure.signal]);
  const createParams = { ...o.params };
  // As lib-storage does: where the client sends checksums whenever supported, the upload declares one.
  if ((await o.s3.config.requestChecksumCalculation()) === 'WHEN_SUPPORTED')
    createParams.ChecksumAlgorithm = o.params.ChecksumAlgorithm ?? 'CRC32';
  const created = await o.s3.send(new CreateMultipartUploadCommand(createParams), { abortSignal: o.signal });
  const uploadId = created.UploadId!;
  started(uploadId);
  const completed: CompletedPart[] = new Array<CompletedPart>(parts);
  let next = 0;
  let loaded = 0;
  let firstError: unknown;
  const sender = async () => {
    const buffer = Buffer.allocUnsafeSlow(o.partSize);
    while (next < parts && !signal.aborted) {
      const index = next++;
      const start = index * o.partSize;
      const body = buffer.subarray(0, Math.min(o.partSize, o.size - start));
      if ((await o.read(body, start)) !== body.length) throw sourceChanged(o.size);
      loaded += body.length;
      o.onProgress?.({ loaded, total: o.size });
      const sent = await o.s3.send(
        new UploadPartCommand({
          ...o.params,
          UploadId: uploadId,
          PartNumber: index + 1,
          Body: body,
          ContentLength: body.length,
        }),
        { abortSignal: signal },
      );
      completed[index] = {
        PartNumber: index + 1,
        ETag: sent.ETag,
        ...(sent.ChecksumCRC32 && { ChecksumCRC32: sent.ChecksumCRC32 }),
        ...(sent.ChecksumCRC32C && { ChecksumCRC32C: sent.ChecksumCRC32C }),
        ...(sent.ChecksumCRC64NVME && { ChecksumCRC64NVME: sent.ChecksumCRC64NVME }),
        ...(sent.ChecksumSHA1 && { ChecksumSHA1: sent.ChecksumSHA1 }),
        ...(sent.ChecksumSHA256 && { ChecksumSHA256: sent.ChecksumSHA256 }),
      };
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(o.concurrency, parts) }, () =>
      sender().catch((err: unknown) => {
        if (firstError === undefined) firstError = err;
        failure.abort();
      }),
    ),
  );
  if (firstError !== undefined && !o.signal.aborted) throw firstError;
  // Cancelled: the caller's signal says why (a cancel or the deadline).
  o.signal.throwIfAborted();
  // A file that grew while it was sent would be stored cut short.
  if ((await o.read(Buffer.alloc(1), o.size)) !== 0) throw sourceChanged(o.size);
  const output = await o.s3.send(
    new CompleteMultipartUploadCommand({ ...o.params, UploadId: uploadId, MultipartUpload: { Parts: completed } }),
    { abortSignal: o.signal },
  );
  return { output, size: o.size, parts };
}

function sourceChanged(size: number): ConnectorError {
  return new ConnectorError({
    type: 'conflict',
    code: 'SourceChanged',
    retryable: true,
    message: `The file changed while it was uploaded (it no longer has the ${size} bytes it had when opened), so nothing was stored. Try again once it stops changing.`,
  });
}

export interface DownloadOptions {
  body: Readable;
  files: FileStore;
  name: string;
  mimeType: string;
  /** Bytes the store said it would send. */
  expectedSize?: number;
  /** The object's MD5 (a single-part ETag), to verify the bytes against. */
  expectedMd5?: string;
  signal: AbortSignal;
  onProgress?: (p: Progress) => void;
}

export async function downloadToFile(o: DownloadOptions): Promise<FileReference> {
  const draft = await o.files.create(o.name);
  const hash = o.expectedMd5 ? createHash('md5') : undefined;
  const counted = meter(o.expectedSize, o.onProgress, hash);
  try {
    await pipeline(o.body, counted.transform, draft.stream, { signal: o.signal });
    const size = counted.loaded();
    if (o.expectedSize !== undefined && size !== o.expectedSize) {
      throw new ConnectorError({
        type: 'network',
        code: 'IncompleteDownload',
        message: `The download stopped after ${size} of ${o.expectedSize} bytes. Try again.`,
      });
    }
    if (hash) verifyMd5('', o.expectedMd5, hash.digest('hex'));
    return await draft.commit({ mimeType: o.mimeType, size });
  } catch (err) {
    await draft.abort();
    throw err;
  }
}
