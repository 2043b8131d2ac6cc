import type { DeleteObjectsInput, DeleteObjectsOutput } from '../src/generated/types.js';
import { batchesOf, deleteBatches, throwIfRefused } from '../src/io/batches.js';
import { defineOperation } from '../src/runtime/operation.js';

export { DELETE_BATCH_SIZE, DELETE_CONCURRENCY } from '../src/io/batches.js';

/** Most objects one call accepts; the schema's `objects` maxItems. */
export const MAX_DELETE_OBJECTS = 100_000;

type Result = DeleteObjectsOutput['results'][number];

export default defineOperation<DeleteObjectsInput, DeleteObjectsOutput>(async (input, ctx) => {
  const batches = batchesOf(input.objects);
  const results: Result[][] = new Array(batches.length);
  const summary = await deleteBatches(ctx, input.bucket, batches, (batch, n) => {
    results[n] = batch;
  });
  throwIfRefused(summary);
  return {
    bucket: input.bucket,
    results: results.flat(),
    counts: { deleted: summary.deleted, failed: summary.failed },
  };
});
