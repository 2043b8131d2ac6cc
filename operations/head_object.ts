import { GetObjectCommand, HeadObjectCommand, type S3Client } from '../src/runtime/sdk.js';
import type { HeadObjectInput, HeadObjectOutput } from '../src/generated/types.js';
import { compact, defineOperation, isoDate } from '../src/runtime/operation.js';
import { checkReadAnswer, objectFields, readParams } from '../src/io/reads.js';

/**
 * The x-amz-restore header: `ongoing-request="true"` while a restore runs, then
 * `ongoing-request="false", expiry-date="Fri, 23 Dec 2026 00:00:00 GMT"`. Undefined without one,
 * or when it does not say.
 */
export function restoreStatus(header: string | undefined): HeadObjectOutput['restore'] {
  if (!header) return undefined;
  const ongoing = /ongoing-request\s*=\s*"(true|false)"/i.exec(header)?.[1];
  if (ongoing === undefined) return undefined;
  const expiry = /expiry-date\s*=\s*"([^"]+)"/i.exec(header)?.[1];
  const at = expiry === undefined ? Number.NaN : Date.parse(expiry);
  return compact({
    ongoing: ongoing.toLowerCase() === 'true',
    expiry: Number.isNaN(at) ? undefined : new Date(at).toISOString(),
  });
}

/**
 * A HEAD error has no body, so a bare 400 says nothing (Versity Gateway and Garage answer a HEAD
 * signed for the wrong region so, without x-amz-bucket-region). One GET of the object's first
 * byte, which needs the same permission, brings the store's reason: its error replaces the bare
 * one (a region in it becomes region_mismatch). Should the GET succeed, the HEAD's error stands.
 */
async function diagnosed(err: unknown, s3: S3Client, input: HeadObjectInput, signal: AbortSignal): Promise<unknown> {
  const e = err as {
    name?: string;
    $metadata?: { httpStatusCode?: number };
    $response?: { headers?: Record<string, string> };
  };
  const bare =
    e?.$metadata?.httpStatusCode === 400 &&
    (e.name === 'Unknown' || e.name === 'BadRequest') &&
    !e.$response?.headers?.['x-amz-bucket-region'];
  if (!bare || signal.aborted) return err;
  try {
    const probe = await s3.send(
      new GetObjectCommand({ Bucket: input.bucket, Key: input.key, VersionId: input.versionId, Range: 'bytes=0-0' }),
      { abortSignal: signal },
    );
    await probe.Body?.transformToByteArray().catch(() => undefined);
    return err;
  } catch (reason) {
    return (reason as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode ? reason : err;
  }
}

export default defineOperation<HeadObjectInput, HeadObjectOutput>(async (input, { s3, signal }) => {
  const head = await s3
    .send(new HeadObjectCommand({ Bucket: input.bucket, Key: input.key, ...readParams(input) }), {
      abortSignal: signal,
    })
    .catch(async (err: unknown) => {
      throw await diagnosed(err, s3, input, signal);
    });
  checkReadAnswer(input, head);
  return compact({
    bucket: input.bucket,
    key: input.key,
    ...objectFields(head),
    sseKmsKeyId: head.SSEKMSKeyId,
    bucketKeyEnabled: head.BucketKeyEnabled,
    expires: head.ExpiresString ?? isoDate(head.Expires),
    partsCount: head.PartsCount,
    restore: restoreStatus(head.Restore),
    archiveStatus: head.ArchiveStatus,
  });
});
