import { DeleteObjectTaggingCommand } from '../src/runtime/sdk.js';
import type { DeleteObjectTaggingInput, DeleteObjectTaggingOutput } from '../src/generated/types.js';
import { checkVersionAnswer } from '../src/io/tagging.js';
import { compact, defineOperation } from '../src/runtime/operation.js';

export default defineOperation<DeleteObjectTaggingInput, DeleteObjectTaggingOutput>(async (input, { s3, signal }) => {
  const answer = await s3.send(
    new DeleteObjectTaggingCommand({ Bucket: input.bucket, Key: input.key, VersionId: input.versionId }),
    { abortSignal: signal },
  );
  checkVersionAnswer(input.versionId, answer.VersionId);
  return compact({ bucket: input.bucket, key: input.key, versionId: answer.VersionId ?? input.versionId });
});
