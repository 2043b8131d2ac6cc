import type { CopyObjectInput, CopyObjectOutput } from '../src/generated/types.js';
import { checkNotOntoItself, copyOutput, copyTo, headSource, planCopy, sourceSide } from '../src/io/copies.js';
import { defineOperation } from '../src/runtime/operation.js';

export default defineOperation<CopyObjectInput, CopyObjectOutput>(async (input, ctx) => {
  const destination = { bucket: input.destinationBucket ?? input.bucket, key: input.destinationKey };
  const ref = { bucket: input.bucket, key: input.key, ...(input.versionId ? { versionId: input.versionId } : {}) };
  const plan = planCopy(input, ctx);
  checkNotOntoItself(plan, ref, destination, false);
  const side = await sourceSide(ctx, input.bucket, destination.bucket);
  const source = await headSource(ctx, side, ref, input);
  return copyOutput(source, await copyTo(ctx, plan, source, destination));
});
