import type { MoveObjectInput, MoveObjectOutput } from '../src/generated/types.js';
import { checkNotOntoItself, copyOutput, headSource, moveTo, planCopy, sourceSide } from '../src/io/copies.js';
import { defineOperation } from '../src/runtime/operation.js';

export default defineOperation<MoveObjectInput, MoveObjectOutput>(async (input, ctx) => {
  const destination = { bucket: input.destinationBucket ?? input.bucket, key: input.destinationKey };
  const ref = { bucket: input.bucket, key: input.key, ...(input.versionId ? { versionId: input.versionId } : {}) };
  const plan = planCopy(input, ctx);
  checkNotOntoItself(plan, ref, destination, true);
  const side = await sourceSide(ctx, input.bucket, destination.bucket);
  const source = await headSource(ctx, side, ref, input);
  const { copy, deleted } = await moveTo(ctx, plan, source, destination);
  return { ...copyOutput(source, copy), verified: true, sourceDeleted: true, ...deleted };
});
