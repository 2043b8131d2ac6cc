// Deleting many objects: DeleteObjects requests of at most 1000 keys (S3 answers MalformedXML
// above that), a few in flight at once, each key's outcome matched back to what was asked, and
// the rule for when a run of failures is the call's answer rather than per-key results. Used by
// delete_objects (a list given), delete_prefix and delete_bucket's emptyFirst (batches listed as
// they go, so memory stays flat whatever the number of keys).
import { DeleteObjectsCommand, type DeleteObjectsCommandOutput } from '../runtime/sdk.js';
import type { OperationContext } from '../runtime/operation.js';
import { compact } from '../runtime/operation.js';

/** Most keys per DeleteObjects request: S3 answers MalformedXML above 1000. */
export const DELETE_BATCH_SIZE = 1000;
/** How many DeleteObjects requests are in flight at once. */
export const DELETE_CONCURRENCY = 4;

/** One object (or one version of it) to delete. */
export interface DeleteTarget {
  key: string;
  versionId?: string;
}

/** What happened to one target. */
export interface DeleteOutcome {
  key: string;
  versionId?: string;
  deleted: boolean;
  deleteMarker?: boolean;
  deleteMarkerVersionId?: string;
  error?: { code: string; message: string };
}

/** What a run of batches came to. */
export interface DeleteSummary {
  batches: number;
  deleted: number;
  failed: number;
  /** Errors of batches refused as a whole (each of their keys counts as failed). */
  refusedBatches: unknown[];
  /** The code of every per-key failure, when they all share one (undefined with none or mixed). */
  sharedCode?: string;
  firstMessage?: string;
}

type Ctx = Pick<OperationContext, 's3' | 'signal' | 'describeError'>;

const id = (key: string, versionId?: string) => `${key}\u0000${versionId ?? ''}`;

/** The targets in batches of at most DELETE_BATCH_SIZE, in order. */
export function batchesOf<T>(items: readonly T[], size = DELETE_BATCH_SIZE): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Per-key results of one answered batch, in the batch's order. */
function batchResults(batch: readonly DeleteTarget[], answer: DeleteObjectsCommandOutput): DeleteOutcome[] {
  const found = new Map<string, DeleteOutcome>();
  for (const d of answer.Deleted ?? []) {
    const result = compact({
      key: d.Key ?? '',
      versionId: d.VersionId,
      deleted: true,
      deleteMarker: d.DeleteMarker,
      deleteMarkerVersionId: d.DeleteMarkerVersionId,
    });
    found.set(id(result.key, d.VersionId), result);
    found.set(id(result.key), found.get(id(result.key)) ?? result);
  }
  for (const e of answer.Errors ?? []) {
    const result = compact({
      key: e.Key ?? '',
      versionId: e.VersionId,
      deleted: false,
      error: { code: e.Code ?? 'Unknown', message: e.Message ?? 'The store did not delete this object.' },
    });
    found.set(id(result.key, e.VersionId), result);
    found.set(id(result.key), found.get(id(result.key)) ?? result);
  }
  // Match on key and version, or on key alone for stores that do not echo the version.
  return batch.map((item) => {
    const result = found.get(id(item.key, item.versionId)) ?? found.get(id(item.key));
    if (result) return compact({ ...result, versionId: item.versionId });
    return compact({
      key: item.key,
      versionId: item.versionId,
      deleted: false,
      error: { code: 'NoResult', message: 'The store did not report on this object: check whether it still exists.' },
    });
  });
}

/**
 * Deletes each batch (at most DELETE_BATCH_SIZE targets) as the source yields it, up to
 * DELETE_CONCURRENCY at once, and hands each batch's outcomes to `onResults` with the batch's
 * index. A batch refused as a whole fails each of its keys; the other batches still count. The
 * source is only asked for the next batch when a request slot is free.
 */
export async function deleteBatches(
  ctx: Ctx,
  bucket: string,
  source: Iterable<DeleteTarget[]> | AsyncIterable<DeleteTarget[]>,
  onResults: (results: DeleteOutcome[], index: number) => void = () => undefined,
): Promise<DeleteSummary> {
  const { s3, signal, describeError } = ctx;
  const it = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
  const summary: DeleteSummary = { batches: 0, deleted: 0, failed: 0, refusedBatches: [] };
  const codes = new Set<string>();
  let done = false;
  const count = (results: DeleteOutcome[]) => {
    for (const r of results) {
      if (r.deleted) summary.deleted++;
      else {
        summary.failed++;
        codes.add(r.error?.code ?? 'Unknown');
        summary.firstMessage ??= r.error?.message;
      }
    }
  };
  const worker = async () => {
    while (!done && !signal.aborted) {
      let next: IteratorResult<DeleteTarget[]>;
      try {
        next = await it.next();
      } catch (err) {
        done = true; // the source failed (a listing refused): the other workers stop too
        throw err;
      }
      if (next.done) {
        done = true;
        return;
      }
      const batch = next.value;
      if (batch.length === 0) continue;
      const n = summary.batches++;
      let results: DeleteOutcome[];
      try {
        const answer = await s3.send(
          new DeleteObjectsCommand({
            Bucket: bucket,
            Delete: { Quiet: false, Objects: batch.map((o) => ({ Key: o.key, VersionId: o.versionId })) },
          }),
          { abortSignal: signal },
        );
        results = batchResults(batch, answer);
      } catch (err) {
        summary.refusedBatches.push(err);
        const info = describeError(err);
        const error = { code: info.code ?? 'Unknown', message: info.message };
        results = batch.map((o) => compact({ key: o.key, versionId: o.versionId, deleted: false, error }));
      }
      count(results);
      onResults(results, n);
    }
  };
  await Promise.all(Array.from({ length: DELETE_CONCURRENCY }, worker));
  signal.throwIfAborted();
  if (codes.size === 1) summary.sharedCode = [...codes][0];
  return summary;
}

/**
 * Throws when the failures are the call's answer rather than per-key results: every batch refused
 * for the same reason (no such bucket, no permission), or every key refused for want of
 * permission (S3 answers 200 with AccessDenied per key).
 */
export function throwIfRefused(summary: DeleteSummary): void {
  const refused = summary.refusedBatches;
  const names = new Set(refused.map((e) => (e as { name?: string }).name));
  if (refused.length > 0 && refused.length === summary.batches && names.size === 1) throw refused[0];
  if (summary.deleted === 0 && summary.failed > 0 && summary.sharedCode === 'AccessDenied') {
    throw Object.assign(new Error(summary.firstMessage ?? 'Access denied'), { name: 'AccessDenied' });
  }
}
