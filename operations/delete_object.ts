import { DeleteObjectCommand } from '../src/runtime/sdk.js';
import type { DeleteObjectInput, DeleteObjectOutput } from '../src/generated/types.js';
import { compact, defineOperation } from '../src/runtime/operation.js';

export default defineOperation<DeleteObjectInput, DeleteObjectOutput>(async (input, { s3, signal }) => {
  const answer = await s3.send(
    new DeleteObjectCommand({
      Bucket: input.bucket,
      Key: input.key,
      VersionId: input.versionId,
    }),
    { abortSignal: signal },
  );
  return compact({
    bucket: input.bucket,
    key: input.key,
    deleted: true,
    versionId: answer.VersionId,
    deleteMarker: answer.DeleteMarker ?? false,
  });
});
