// Streaming transfers with flat memory: uploads through @aws-sdk/lib-storage (multipart above
// the part size, aborted on any failure), downloads into a file-store draft that is published
// only when complete and verified.
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AbortMultipartUploadCommand, type CompleteMultipartUploadCommandOutput, type PutObjectCommandInput, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ConnectorError } from './errors.js';
import type { FileReference, FileStore } from './files.js';
import type { Progress } from './operation.js';

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
  const upload = new Upload({
    client: o.s3,
    params: { ...o.params, Body: body },
    partSize: o.partSize,
    queueSize: o.concurrency,
    leavePartsOnError: false,
  });
  const onAbort = () => void upload.abort();
  o.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const output = await upload.done();
    return { output, size: counted.loaded(), parts: Math.max(1, Math.ceil(counted.loaded() / o.partSize)) };
  } catch (err) {
    // lib-storage aborts its multipart upload in the background; make sure of it before returning.
    const uploadId = (upload as unknown as { uploadId?: string }).uploadId;
    if (uploadId) {
      await o.s3.send(new AbortMultipartUploadCommand({ Bucket: o.params.Bucket, Key: o.params.Key, UploadId: uploadId })).catch(() => undefined);
    }
    body.destroy();
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
      throw new ConnectorError({ type: 'network', code: 'IncompleteDownload', message: `The download stopped after ${size} of ${o.expectedSize} bytes. Try again.` });
    }
    if (hash && hash.digest('hex') !== o.expectedMd5) {
      throw new ConnectorError({ type: 'api', code: 'ChecksumMismatch', retryable: true, message: 'The downloaded bytes do not match the object\'s MD5 (ETag). Try again.' });
    }
    return await draft.commit({ mimeType: o.mimeType, size });
  } catch (err) {
    await draft.abort();
    throw err;
  }
}

/** The MD5 in an ETag, when it is one (not a multipart or encrypted-with-KMS ETag). */
export function md5FromEtag(etag: string | undefined, serverSideEncryption?: string): string | undefined {
  const m = /^"?([0-9a-f]{32})"?$/.exec(etag ?? '');
  return m && !serverSideEncryption?.startsWith('aws:kms') ? m[1] : undefined;
}
