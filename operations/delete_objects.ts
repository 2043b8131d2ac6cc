import { DeleteObjectsCommand, type DeleteObjectsCommandOutput } from '@aws-sdk/client-s3';
import type { DeleteObjectsInput, DeleteObjectsOutput } from '../src/generated/types.js';
import { compact, defineOperation } from '../src/runtime/operation.js';

/** Most objects one call accepts; the schema's `objects` maxItems. */
export const MAX_DELETE_OBJECTS = 100_000;
/** Most keys per DeleteObjects request: S3 answers MalformedXML above 1000. */
export const DELETE_BATCH_SIZE = 1000;
/** How many DeleteObjects requests are in flight at once. */
export const DELETE_CONCURRENCY = 4;

type Item = DeleteObjectsInput['objects'][number];
type Result = DeleteObjectsOutput['results'][number];

const id = (key: string, versionId?: string) => `${key}\u0000${versionId ?? ''}`;

/** Per-key results of one answered batch, in the batch's order. */
function batchResults(batch: Item[], answer: DeleteObjectsCommandOutput): Result[] {
  const found = new Map<string, Result>();
  for (const d of answer.Deleted ?? []) {
    const result = compact({
      key: d.Key ?? '', versionId: d.VersionId, deleted: true,
      deleteMarker: d.DeleteMarker, deleteMarkerVersionId: d.DeleteMarkerVersionId,
    });
    found.set(id(result.key, d.VersionId), result);
    found.set(id(result.key), found.get(id(result.key)) ?? result);
  }
  for (const e of answer.Errors ?? []) {
    const result = compact({
      key: e.Key ?? '', versionId: e.VersionId, deleted: false,
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
      key: item.key, versionId: item.versionId, deleted: false,
      error: { code: 'NoResult', message: 'The store did not report on this object: check whether it still exists.' },
    });
  });
}

export default defineOperation<DeleteObjectsInput, DeleteObjectsOutput>(async (input, { s3, signal, describeError }) => {
  const batches: Item[][] = [];
  for (let i = 0; i < input.objects.length; i += DELETE_BATCH_SIZE) batches.push(input.objects.slice(i, i + DELETE_BATCH_SIZE));

  const results: Result[][] = new Array(batches.length);
  const failures: unknown[] = [];
  const queue = batches.map((batch, n) => ({ batch, n }));
  const worker = async () => {
    for (let job = queue.shift(); job && !signal.aborted; job = queue.shift()) {
      const { batch, n } = job;
      try {
        const answer = await s3.send(new DeleteObjectsCommand({
          Bucket: input.bucket,
          Delete: { Quiet: false, Objects: batch.map((o) => ({ Key: o.key, VersionId: o.versionId })) },
        }), { abortSignal: signal });
        results[n] = batchResults(batch, answer);
      } catch (err) {
        // A batch refused as a whole fails each of its keys; the other batches still count.
        failures.push(err);
        const info = describeError(err);
        const error = { code: info.code ?? 'Unknown', message: info.message };
        results[n] = batch.map((o) => compact({ key: o.key, versionId: o.versionId, deleted: false, error }));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(DELETE_CONCURRENCY, batches.length) }, worker));
  signal.throwIfAborted();

  // Every batch refused for the same reason (no such bucket, no permission): that is the answer.
  const names = new Set(failures.map((e) => (e as { name?: string }).name));
  if (failures.length === batches.length && names.size === 1) throw failures[0];

  const flat = results.flat();
  const deleted = flat.filter((r) => r.deleted).length;
  // Refused key by key for want of permission (S3 answers 200 with per-key AccessDenied): that is the answer.
  if (deleted === 0 && flat.every((r) => r.error?.code === 'AccessDenied')) {
    throw Object.assign(new Error(flat[0]?.error?.message ?? 'Access denied'), { name: 'AccessDenied' });
  }
  return { bucket: input.bucket, results: flat, counts: { deleted, failed: flat.length - deleted } };
});
