// Listings that span pages. `followPages` is the limit / pageSize model the list operations share:
// follow pages until `limit` entries are kept or the listing ends, never asking a page for more
// than the limit leaves, so the position the last page answers resumes exactly after the last
// entry kept. `deletionBatches` lists what a bulk delete removes (keys, or every version and
// delete marker) as batches to hand to deleteBatches, safe to delete while the listing goes on.
import { ListObjectVersionsCommand, ListObjectsV2Command } from '../runtime/sdk.js';
import type { OperationContext } from '../runtime/operation.js';
import { batchesOf, type DeleteTarget } from './batches.js';

/** Entries one call returns when no limit is given (the schemas' `limit` default). */
export const DEFAULT_LIST_LIMIT = 1000;
/** Most entries one call may return (the schemas' `limit` maximum). */
export const MAX_LIST_LIMIT = 100_000;
/** Most entries S3 returns per list request (its MaxKeys cap and default). */
export const MAX_LIST_PAGE_SIZE = 1000;

/** What one page came to: how many entries it added, and where the listing goes on (none: it ended). */
export interface PageResult<P> {
  count: number;
  next?: P;
  /** Stop here even below the limit (a scan cap reached); `next` resumes. */
  stop?: boolean;
}

/**
 * Follows pages from `start` (a token, or markers) until `limit` entries are kept or there is no
 * next position. `fetch` gets the position (undefined for the first page), the most entries the
 * page may hold, and the room left below the limit; it answers what it kept. Without
 * `fullPages`, a page is asked for no more than the room left, so the position it answers
 * resumes exactly after the last entry kept; with it (a listing filtered here, whose pages keep
 * fewer than they hold), every page is asked for `pageSize` and `fetch` cuts at the room left.
 * Returns the position to resume from, if any.
 */
export async function followPages<P>(
  options: { limit?: number; pageSize?: number; start?: P; fullPages?: boolean },
  fetch: (position: P | undefined, maxKeys: number, room: number) => Promise<PageResult<P>>,
): Promise<P | undefined> {
  const limit = options.limit ?? DEFAULT_LIST_LIMIT;
  const pageSize = options.pageSize ?? MAX_LIST_PAGE_SIZE;
  let position = options.start;
  let taken = 0;
  let stop = false;
  do {
    const room = limit - taken;
    const page = await fetch(position, options.fullPages ? pageSize : Math.min(pageSize, room), room);
    taken += page.count;
    position = page.next;
    stop = page.stop ?? false;
  } while (position !== undefined && taken < limit && !stop);
  return position;
}

type ListCtx = Pick<OperationContext, 's3' | 'signal'>;

/** What deletionBatches lists: the current keys, or every version and delete marker. */
export type DeletionListing = 'keys' | 'versions';

/**
 * The keys (or versions and delete markers) under a prefix, a page at a time, as batches of at
 * most `pageSize` (at most DELETE_BATCH_SIZE, what one DeleteObjects takes). The entry a page resumes from (the last key, or the version its markers name)
 * is held back into the next batch, so it still exists when the next page is asked for: moto
 * answers an empty page when the version a marker names was deleted in between.
 */
export async function* deletionBatches(
  ctx: ListCtx,
  bucket: string,
  prefix: string | undefined,
  listing: DeletionListing,
  pageSize = MAX_LIST_PAGE_SIZE,
): AsyncGenerator<DeleteTarget[]> {
  const { s3, signal } = ctx;
  let held: DeleteTarget[] = [];
  if (listing === 'keys') {
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix || undefined,
          ContinuationToken: token,
          MaxKeys: pageSize,
        }),
        { abortSignal: signal },
      );
      const keys: DeleteTarget[] = (page.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [{ key: o.Key }]));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      const keep = token && keys.length ? keys.splice(keys.length - 1) : [];
      yield* batchesOf([...held, ...keys], pageSize);
      held = keep;
    } while (token);
  } else {
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectVersionsCommand({
          Bucket: bucket,
          Prefix: prefix || undefined,
          KeyMarker: keyMarker,
          VersionIdMarker: versionIdMarker,
          MaxKeys: pageSize,
        }),
        { abortSignal: signal },
      );
      const entries: DeleteTarget[] = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].flatMap((v) =>
        v.Key === undefined ? [] : [{ key: v.Key, versionId: v.VersionId ?? 'null' }],
      );
      const truncated = Boolean(page.IsTruncated && (page.NextKeyMarker || page.NextVersionIdMarker));
      keyMarker = truncated ? page.NextKeyMarker : undefined;
      versionIdMarker = truncated ? page.NextVersionIdMarker : undefined;
      const at = truncated ? entries.findIndex((e) => e.key === keyMarker && e.versionId === versionIdMarker) : -1;
      const keep = at >= 0 ? entries.splice(at, 1) : [];
      yield* batchesOf([...held, ...entries], pageSize);
      held = keep;
    } while (keyMarker !== undefined || versionIdMarker !== undefined);
  }
  if (held.length) yield held;
}
