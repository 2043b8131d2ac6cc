import { DeleteBucketCommand } from '../src/runtime/sdk.js';
import type { DeleteBucketInput, DeleteBucketOutput } from '../src/generated/types.js';
import { deleteBatches, throwIfRefused, type DeleteOutcome } from '../src/io/batches.js';
import { deletionBatches } from '../src/io/paging.js';
import { ConnectorError } from '../src/runtime/errors.js';
import { compact, defineOperation } from '../src/runtime/operation.js';

/** Times emptyFirst empties the bucket again when objects keep arriving while it does. */
export const MAX_EMPTY_ROUNDS = 3;
/** Failed objects named in an error's details. */
export const MAX_REPORTED_FAILURES = 10;

export default defineOperation<DeleteBucketInput, DeleteBucketOutput>(async (input, ctx) => {
  const { s3, signal, describeError } = ctx;
  const bucket = input.bucket;
  let objectsDeleted = 0;
  let batches = 0;
  for (let round = 0; ; round++) {
    // DeleteBucket first, every round: S3 checks the permission before the contents, so a
    // BucketNotEmpty answer proves the bucket may be deleted before anything in it is.
    try {
      await s3.send(new DeleteBucketCommand({ Bucket: bucket }), { abortSignal: signal });
      return compact({
        bucket,
        deleted: true as const,
        objectsDeleted,
        batches: input.emptyFirst ? batches : undefined,
      });
    } catch (err) {
      const info = describeError(err);
      if (info.code !== 'BucketNotEmpty') throw err;
      if (!input.emptyFirst) {
        throw new ConnectorError({
          ...info,
          message: `Bucket ${bucket} is not empty, so it was not deleted (nothing was). Delete its objects first (every version and delete marker, in a versioned bucket), or set emptyFirst to delete them with it.`,
        });
      }
      if (round === MAX_EMPTY_ROUNDS) {
        throw new ConnectorError({
          ...info,
          message: `Bucket ${bucket} was emptied ${MAX_EMPTY_ROUNDS} times (${objectsDeleted} objects, versions and delete markers deleted), and objects were written into it again each time: it was not deleted. Stop what writes to it, then try again.`,
          details: { objectsDeleted, rounds: MAX_EMPTY_ROUNDS },
        });
      }
    }
    const failures: DeleteOutcome[] = [];
    const summary = await deleteBatches(ctx, bucket, deletionBatches(ctx, bucket, undefined, 'versions'), (results) => {
      for (const r of results) if (!r.deleted && failures.length < MAX_REPORTED_FAILURES) failures.push(r);
    });
    throwIfRefused(summary);
    objectsDeleted += summary.deleted;
    batches += summary.batches;
    if (summary.failed > 0) {
      const first = failures[0];
      throw new ConnectorError({
        type: 'conflict',
        code: 'BucketNotEmptied',
        message: `Bucket ${bucket} could not be emptied: ${summary.failed} objects (or versions) were not deleted${first ? `, e.g. ${JSON.stringify(first.key)} (${first.error?.code}: ${first.error?.message})` : ''}; ${objectsDeleted} were. The bucket was not deleted.`,
        details: { objectsDeleted, failed: summary.failed, failures },
      });
    }
  }
});
