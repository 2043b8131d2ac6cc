import { ListObjectsV2Command, type _Object } from '../src/runtime/sdk.js';
import type { ListObjectsInput, ListObjectsOutput } from '../src/generated/types.js';
import { filters, listPrefix, objectTest, sortObjects } from '../src/io/filters.js';
import { followPages } from '../src/io/paging.js';
import { ConnectorError } from '../src/runtime/errors.js';
import { compact, defineOperation, isoDate } from '../src/runtime/operation.js';
import { AFTER_TOKEN_PREFIX } from './list_buckets.js';

export { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, MAX_LIST_PAGE_SIZE } from '../src/io/paging.js';

/** Keys one filtered call looks at by default, and at most (the schema's `maxScanned`). */
export const DEFAULT_MAX_SCANNED = 100_000;
export const MAX_MAX_SCANNED = 1_000_000;

/**
 * Sorts after every key under a folder: resuming after a folder that was kept must not list it
 * again (U+10FFFF is the last code point, so only keys holding it right there would be skipped).
 */
const PAST_FOLDER = '\u{10FFFF}';

const utf8 = (s: string) => Buffer.from(s);
const byKey = (a: _Object, b: _Object) => Buffer.compare(utf8(a.Key ?? ''), utf8(b.Key ?? ''));

/** Whether the keys from index `from` on rise strictly (UTF-8 byte order), each after the one before. */
function inOrder(objects: _Object[], from: number): boolean {
  for (let i = Math.max(1, from); i < objects.length; i++) if (byKey(objects[i - 1]!, objects[i]!) >= 0) return false;
  return true;
}

const unordered = () =>
  new ConnectorError({
    type: 'unsupported',
    code: 'UnorderedListing',
    message:
      'The store does not list keys in order, so its pages cannot be followed safely: list without paging (a larger pageSize) or use another store.',
  });

/** One entry of a page in listing order: an object, or a folder (common prefix). */
type Entry = { object: _Object; at: string } | { folder: string; at: string };

/** A page's objects and folders merged into the order S3 listed them (UTF-8 byte order). */
function entriesOf(contents: _Object[], prefixes: string[]): Entry[] {
  const entries: Entry[] = [
    ...contents.map((object) => ({ object, at: object.Key ?? '' })),
    ...prefixes.map((folder) => ({ folder, at: folder })),
  ];
  return entries.sort((a, b) => Buffer.compare(utf8(a.at), utf8(b.at)));
}

export default defineOperation<ListObjectsInput, ListObjectsOutput>(async (input, { s3, signal }) => {
  const objects: _Object[] = [];
  const folders: string[] = [];
  const filtered = filters(input);
  const keep = objectTest(input);
  const maxScanned = input.maxScanned ?? DEFAULT_MAX_SCANNED;
  // With a glob, its text before the first wildcard narrows the listing like a prefix; a glob
  // and a prefix that no key can both have leave one request, to prove the bucket.
  const narrowed = filtered ? listPrefix(input.prefix, input.glob) : input.prefix;
  const prefix = narrowed === null ? input.prefix : narrowed;
  let scanned = 0;

  // A position is S3's continuation token, or the connector's own `after` token, which resumes
  // after a key (StartAfter) where a filtered call stopped inside a page.
  const token = await followPages(
    {
      limit: input.limit,
      pageSize: narrowed === null ? 1 : input.pageSize,
      start: input.continuationToken,
      fullPages: filtered,
    },
    async (position, maxKeys, room) => {
      const after = position?.startsWith(AFTER_TOKEN_PREFIX) ? position.slice(AFTER_TOKEN_PREFIX.length) : undefined;
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: input.bucket,
          Prefix: prefix,
          Delimiter: input.delimiter,
          StartAfter: after ?? (position ? undefined : input.startAfter),
          ContinuationToken: after === undefined ? position : undefined,
          FetchOwner: input.fetchOwner || undefined,
          MaxKeys: maxKeys,
        }),
        { abortSignal: signal },
      );
      const contents = page.Contents ?? [];
      const prefixes = (page.CommonPrefixes ?? []).flatMap((p) =>
        p.Prefix && !folders.includes(p.Prefix) ? [p.Prefix] : [],
      );
      const next = page.IsTruncated ? page.NextContinuationToken : undefined;
      // S3 lists in UTF-8 byte order and resumes a page after its last key; a store that lists
      // in another order would make pages skip keys. One complete page is merely sorted here.
      if (!inOrder(contents, 0)) {
        if (position !== undefined || next) throw unordered();
        contents.sort(byKey);
      }
      if (narrowed === null) {
        scanned += contents.length + prefixes.length;
        return { count: 0 };
      }
      if (!filtered) {
        const pageStart = objects.length;
        objects.push(...contents);
        if (!inOrder(objects, Math.max(1, pageStart))) throw unordered();
        folders.push(...prefixes);
        scanned += contents.length + prefixes.length;
        return { count: contents.length + prefixes.length, next };
      }
      // Filtered: keep what passes, up to the room left; stopping inside the page (the limit, or
      // the scan cap) resumes after the last entry looked at.
      let kept = 0;
      let last: Entry | undefined;
      const resumeAfter = (e: Entry) => `${AFTER_TOKEN_PREFIX}${'folder' in e ? `${e.folder}${PAST_FOLDER}` : e.at}`;
      const entries = entriesOf(contents, prefixes);
      for (const [i, e] of entries.entries()) {
        if (kept === room) return { count: kept, next: last ? resumeAfter(last) : position };
        scanned++;
        last = e;
        if ('folder' in e) {
          folders.push(e.folder);
          kept++;
        } else if (keep(e.object)) {
          objects.push(e.object);
          kept++;
        }
        if (scanned >= maxScanned)
          return { count: kept, next: i === entries.length - 1 ? next : resumeAfter(e), stop: true };
      }
      return { count: kept, next };
    },
  );

  // Sorted here, over the objects this call returns: the listing itself comes in key order.
  const sort = input.sort ?? 'key';
  if (sort !== 'key' || input.sortOrder === 'desc') sortObjects(objects, sort, input.sortOrder);

  return compact({
    bucket: input.bucket,
    prefix: input.prefix,
    delimiter: input.delimiter,
    objects: objects.map((o) =>
      compact({
        key: o.Key ?? '',
        size: o.Size ?? 0,
        etag: o.ETag,
        lastModified: isoDate(o.LastModified),
        storageClass: o.StorageClass ?? 'STANDARD',
        owner: input.fetchOwner && o.Owner ? compact({ id: o.Owner.ID, displayName: o.Owner.DisplayName }) : undefined,
      }),
    ),
    folders,
    count: objects.length,
    scanned: filtered ? scanned : undefined,
    nextContinuationToken: token,
  });
});
