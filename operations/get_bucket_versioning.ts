import { GetBucketVersioningCommand } from '../src/runtime/sdk.js';
import type { GetBucketVersioningInput, GetBucketVersioningOutput } from '../src/generated/types.js';
import { compact, defineOperation } from '../src/runtime/operation.js';

export default defineOperation<GetBucketVersioningInput, GetBucketVersioningOutput>(async (input, { s3, signal }) => {
  const answer = await s3.send(new GetBucketVersioningCommand({ Bucket: input.bucket }), { abortSignal: signal });
  // S3 leaves Status out for a bucket whose versioning was never turned on.
  const status = answer.Status === 'Enabled' || answer.Status === 'Suspended' ? answer.Status : 'Unversioned';
  const mfaDelete = answer.MFADelete === 'Enabled' || answer.MFADelete === 'Disabled' ? answer.MFADelete : undefined;
  return compact({ bucket: input.bucket, status, enabled: status === 'Enabled', mfaDelete });
});
