import { GetObjectTaggingCommand, PutObjectTaggingCommand } from '../src/runtime/sdk.js';
import type { PutObjectTaggingInput, PutObjectTaggingOutput } from '../src/generated/types.js';
import { checkVersionAnswer, mergeTags, toTagMap, toTagSet } from '../src/io/tagging.js';
import { compact, defineOperation } from '../src/runtime/operation.js';

export default defineOperation<PutObjectTaggingInput, PutObjectTaggingOutput>(async (input, { s3, signal }) => {
  const target = { Bucket: input.bucket, Key: input.key, VersionId: input.versionId };
  let tags = input.tags;
  if (input.mode === 'merge') {
    // S3 has no partial update of a tag set: read it, lay the new tags over it, write it whole.
    const current = await s3.send(new GetObjectTaggingCommand(target), { abortSignal: signal });
    checkVersionAnswer(input.versionId, current.VersionId);
    tags = mergeTags(toTagMap(current.TagSet), input.tags);
  }
  const answer = await s3.send(new PutObjectTaggingCommand({ ...target, Tagging: { TagSet: toTagSet(tags) } }), {
    abortSignal: signal,
  });
  checkVersionAnswer(input.versionId, answer.VersionId);
  return compact({
    bucket: input.bucket,
    key: input.key,
    versionId: answer.VersionId ?? input.versionId,
    tags,
    count: Object.keys(tags).length,
  });
});
