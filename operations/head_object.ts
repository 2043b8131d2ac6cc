import { HeadObjectCommand } from '@aws-sdk/client-s3';
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

export default defineOperation<HeadObjectInput, HeadObjectOutput>(async (input, { s3, signal }) => {
  const head = await s3.send(new HeadObjectCommand({ Bucket: input.bucket, Key: input.key, ...readParams(input) }), {
    abortSignal: signal,
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
