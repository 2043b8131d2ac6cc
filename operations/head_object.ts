import { HeadObjectCommand } from '@aws-sdk/client-s3';
import type { HeadObjectInput, HeadObjectOutput } from '../src/generated/types.js';
import { compact, defineOperation, isoDate } from '../src/runtime/operation.js';
import { checkReadAnswer, objectFields, readParams } from '../src/io/reads.js';

export default defineOperation<HeadObjectInput, HeadObjectOutput>(async (input, { s3, signal }) => {
  const head = await s3.send(new HeadObjectCommand({ Bucket: input.bucket, Key: input.key, ...readParams(input) }), { abortSignal: signal });
  checkReadAnswer(input, head);
  return compact({
    bucket: input.bucket,
    key: input.key,
    ...objectFields(head),
    sseKmsKeyId: head.SSEKMSKeyId,
    bucketKeyEnabled: head.BucketKeyEnabled,
    expires: head.ExpiresString ?? isoDate(head.Expires),
    partsCount: head.PartsCount,
  });
});
