import { PutBucketVersioningCommand } from '../src/runtime/sdk.js';
import type { PutBucketVersioningInput, PutBucketVersioningOutput } from '../src/generated/types.js';
import { defineOperation } from '../src/runtime/operation.js';

export default defineOperation<PutBucketVersioningInput, PutBucketVersioningOutput>(async (input, { s3, signal }) => {
  await s3.send(
    new PutBucketVersioningCommand({ Bucket: input.bucket, VersioningConfiguration: { Status: input.status } }),
    { abortSignal: signal },
  );
  return { bucket: input.bucket, status: input.status };
});
