import { GetObjectTaggingCommand } from '../src/runtime/sdk.js';
import type { GetObjectTaggingInput, GetObjectTaggingOutput } from '../src/generated/types.js';
import { checkVersionAnswer, toTagMap } from '../src/io/tagging.js';
import { compact, defineOperation } from '../src/runtime/operation.js';

export default defineOperation<GetObjectTaggingInput, GetObjectTaggingOutput>(async (input, { s3, signal }) => {
  const answer = await s3.send(
    new GetObjectTaggingCommand({ Bucket: input.bucket, Key: input.key, VersionId: input.versionId }),
    { abortSignal: signal },
  );
  checkVersionAnswer(input.versionId, answer.VersionId);
  const tags = toTagMap(answer.TagSet);
  return compact({
    bucket: input.bucket,
    key: input.key,
    versionId: answer.VersionId ?? input.versionId,
    tags,
    count: Object.keys(tags).length,
  });
});
