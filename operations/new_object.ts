import { HeadObjectCommand, ListObjectsV2Command, type _Object, type S3Client } from '../src/runtime/sdk.js';
import type { NewObjectInput, NewObjectOutput } from '../src/generated/types.js';
import { compact, defineOperation, isoDate } from '../src/runtime/operation.js';
import { keyMatcher } from '../src/triggers/keyFilter.js';
import { readCursor, step, type Listed } from '../src/triggers/objectCursor.js';

/** Events one poll reports when no maxPerPoll is given; the schema's default. */
export const DEFAULT_MAX_PER_POLL = 100;
/** Most events one poll may report; the schema's maximum. */
export const MAX_PER_POLL = 1000;
/** How long after its Last-Modified an object may still appear and be reported, by default (s). */
export const DEFAULT_LATE_ARRIVAL_SECONDS = 900;
/** HEAD requests in flight at once for versionIds. */
const HEAD_CONCURRENCY = 8;

type Row = Listed & { storageClass?: string };

/** Every object under the prefix, and the store's clock when the listing started (its Date header). */
async function listAll(
  s3: S3Client,
  bucket: string,
  prefix: string | undefined,
  pageSize: number,
  signal: AbortSignal,
): Promise<{ objects: _Object[]; storeNow?: number }> {
  const objects: _Object[] = [];
  let storeNow: number | undefined;
  let token: string | undefined;
  do {
    const command = new ListObjectsV2Command({
      Bucket: bucket,
      Prefix: prefix || undefined,
      ContinuationToken: token,
      MaxKeys: pageSize,
    });
    if (storeNow === undefined) {
      command.middlewareStack.add(
        (next) => async (args) => {
          const result = await next(args);
          const date = Date.parse(
            String((result.response as { headers?: Record<string, string> }).headers?.date ?? ''),
          );
          if (!Number.isNaN(date)) storeNow = date;
          return result;
        },
        { step: 'deserialize', name: 'storeClock' },
      );
    }
    const page = await s3.send(command, { abortSignal: signal });
    objects.push(...(page.Contents ?? []));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return { objects, storeNow };
}

/** The version each event names, read with HEAD; left out when the object changed (or went) since the listing. */
async function addVersionIds(
  s3: S3Client,
  bucket: string,
  rows: Row[],
  signal: AbortSignal,
): Promise<Map<Row, string>> {
  const found = new Map<Row, string>();
  let next = 0;
  const worker = async () => {
    while (next < rows.length) {
      const row = rows[next++]!;
      try {
        const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: row.key }), { abortSignal: signal });
        if (head.VersionId && head.ETag === row.etag) found.set(row, head.VersionId);
      } catch (err) {
        // Gone since the listing: it was still written, so it is still reported.
        if ((err as { name?: string }).name !== 'NotFound' && (err as { name?: string }).name !== 'NoSuchKey')
          throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(HEAD_CONCURRENCY, rows.length) }, worker));
  return found;
}

export default defineOperation<NewObjectInput, NewObjectOutput>(async (input, { s3, signal }) => {
  // Checked before any request: a cursor that is not ours, or of another bucket, is the caller's.
  const cursor = readCursor(input.cursor, input.bucket);
  const matches = keyMatcher({ suffix: input.suffix, glob: input.glob });
  const { objects, storeNow } = await listAll(s3, input.bucket, input.prefix, input.pageSize ?? 1000, signal);
  const rows: Row[] = objects
    .filter((o) => o.Key !== undefined && o.LastModified !== undefined && matches(o.Key, o.Size ?? 0))
    .map((o) => ({
      key: o.Key!,
      etag: o.ETag ?? '',
      size: o.Size ?? 0,
      lastModified: o.LastModified!.getTime(),
      storageClass: o.StorageClass,
    }));

  const result = step(rows, {
    bucket: input.bucket,
    cursor,
    sinceMs: input.since === undefined ? undefined : Date.parse(input.since),
    nowMs: storeNow ?? Date.now(),
    windowSeconds: input.lateArrivalSeconds ?? DEFAULT_LATE_ARRIVAL_SECONDS,
    maxEvents: input.maxPerPoll ?? DEFAULT_MAX_PER_POLL,
  });
  const versions = input.versionIds
    ? await addVersionIds(s3, input.bucket, result.events, signal)
    : new Map<Row, string>();
  return {
    bucket: input.bucket,
    events: result.events.map((e) =>
      compact({
        key: e.key,
        size: e.size,
        etag: e.etag || undefined,
        lastModified: isoDate(new Date(e.lastModified))!,
        versionId: versions.get(e),
        storageClass: e.storageClass,
      }),
    ),
    cursor: result.cursor as unknown as Record<string, unknown>,
    hasMore: result.hasMore,
  };
});
