// Streaming transfers with flat memory: uploads through @aws-sdk/lib-storage (multipart above
// the part size, aborted on any failure), downloads into a file-store draft that is published
// only when complete and verified.
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  type CompleteMultipartUploadCommandOutput,
  type PutObjectCommandInput,
  type S3Client,
} from '../runtime/sdk.js';
import { Upload } from '@aws-sdk/lib-storage';
import { annotate, ConnectorError } from '../runtime/errors.js';
import { verifyMd5 } from './integrity.js';
import type { FileReference, FileStore } from './files.js';
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

export async function uploadStream(o: UploadOptions): Promise<UploadResult> {
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
    // The abort below is the one cleanup: lib-storage's own can fail and hide the real error.
    leavePartsOnError: true,
  });
  const onAbort = () => void upload.abort();
  o.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const output = await upload.done();
    return { output, size: counted.loaded(), parts: Math.max(1, Math.ceil(counted.loaded() / o.partSize)) };
  } catch (err) {
    // Nothing half-written stays: abort the multipart upload, if one was started.
    const uploadId = (upload as unknown as { uploadId?: string }).uploadId;
    if (uploadId) {
      const failed = await o.s3
        .send(new AbortMultipartUploadCommand({ Bucket: o.params.Bucket, Key: o.params.Key, UploadId: uploadId }))
        .then(
          () => undefined,
          (abortErr: unknown) => abortErr as { name?: string; $metadata?: { httpStatusCode?: number } },
        );
      if (failed) {
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
    }
    body.destroy();
    o.body.destroy(); // the source too (a file, a socket, a compressor), not left half-read
    throw err;
  } finally {
    o.signal.removeEventListener('abort', onAbort);
  }
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
