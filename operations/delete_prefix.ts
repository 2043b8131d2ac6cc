import type { DeletePrefixInput, DeletePrefixOutput } from '../src/generated/types.js';
import { deleteBatches, throwIfRefused } from '../src/io/batches.js';
import { deletionBatches } from '../src/io/paging.js';
import { compact, defineOperation } from '../src/runtime/operation.js';

/** Most failed objects one answer lists (the rest are counted). */
export const MAX_LISTED_FAILURES = 1000;

type Failure = DeletePrefixOutput['failures'][number];

export default defineOperation<DeletePrefixInput, DeletePrefixOutput>(async (input, ctx) => {
  const { bucket, prefix } = input;
  // The schema refuses an empty prefix without confirmEntireBucket, before anything is sent.
  const source = deletionBatches(ctx, bucket, prefix, input.allVersions ? 'versions' : 'keys');
  if (input.dryRun) {
    let found = 0;
    for await (const batch of source) found += batch.length;
    return { bucket, prefix, dryRun: true, counts: { found, deleted: 0, failed: 0 }, failures: [] };
  }
  const failures: Failure[] = [];
  let deleteMarkers = 0;
  const summary = await deleteBatches(ctx, bucket, source, (results) => {
    for (const r of results) {
      if (r.deleted && r.deleteMarker && !input.allVersions) deleteMarkers++;
      if (!r.deleted && failures.length < MAX_LISTED_FAILURES)
        failures.push(
          compact({
            key: r.key,
            versionId: r.versionId,
            error: r.error ?? { code: 'Unknown', message: 'Not deleted.' },
          }),
        );
    }
  });
  throwIfRefused(summary);
  return compact({
    bucket,
    prefix,
    dryRun: false,
    counts: compact({
      found: summary.deleted + summary.failed,
      deleted: summary.deleted,
      failed: summary.failed,
      deleteMarkers: deleteMarkers || undefined,
    }),
    failures,
    failuresTruncated: summary.failed > failures.length || undefined,
    batches: summary.batches,
  });
});
