import { ListObjectsV2Command, type _Object } from '@aws-sdk/client-s3';
import type { ListObjectsInput, ListObjectsOutput } from '../src/generated/types.js';
import { ConnectorError } from '../src/runtime/errors.js';
import { compact, defineOperation, isoDate } from '../src/runtime/operation.js';

/** Entries (objects plus folders) returned when no limit is given; the schema's `limit` default. */
export const DEFAULT_LIST_LIMIT = 1000;
/** Most entries one call may return; the schema's `limit` maximum. */
export const MAX_LIST_LIMIT = 100_000;
/** Most keys S3 returns per ListObjectsV2 request (its MaxKeys cap and default). */
export const MAX_LIST_PAGE_SIZE = 1000;

const byKey = (a: _Object, b: _Object) => Buffer.compare(Buffer.from(a.Key ?? ''), Buffer.from(b.Key ?? ''));

/** Whether the keys from index `from` on rise strictly (UTF-8 byte order), each after the one before. */
function inOrder(objects: _Object[], from: number): boolean {
  for (let i = Math.max(1, from); i < objects.length; i++) if (byKey(objects[i - 1]!, objects[i]!) >= 0) return false;
  return true;
}

export default defineOperation<ListObjectsInput, ListObjectsOutput>(async (input, { s3, signal }) => {
  const limit = input.limit ?? DEFAULT_LIST_LIMIT;
  const objects: _Object[] = [];
  const folders: string[] = [];
  let token = input.continuationToken;
  do {
    // MaxKeys counts objects and folders alike: ask for no more than the limit leaves, so the
    // token S3 returns resumes exactly after the last entry kept.
    const page = await s3.send(new ListObjectsV2Command({
      Bucket: input.bucket,
      Prefix: input.prefix,
      Delimiter: input.delimiter,
      StartAfter: token ? undefined : input.startAfter,
      ContinuationToken: token,
      FetchOwner: input.fetchOwner || undefined,
      MaxKeys: Math.min(input.pageSize ?? MAX_LIST_PAGE_SIZE, limit - objects.length - folders.length),
    }), { abortSignal: signal });
    const paged = token !== undefined;
    const pageStart = objects.length;
    objects.push(...(page.Contents ?? []));
    for (const p of page.CommonPrefixes ?? []) if (p.Prefix && !folders.includes(p.Prefix)) folders.push(p.Prefix);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
    // S3 lists in UTF-8 byte order and resumes a page after its last key; a store that lists
    // in another order would make pages skip keys. One complete page is merely sorted here.
    if (!inOrder(objects, pageStart)) {
      if (paged || token) {
        throw new ConnectorError({ type: 'unsupported', code: 'UnorderedListing', message: 'The store does not list keys in order, so its pages cannot be followed safely: list without paging (a larger pageSize) or use another store.' });
      }
      objects.sort(byKey);
    }
  } while (token && objects.length + folders.length < limit);

  return compact({
    bucket: input.bucket,
    prefix: input.prefix,
    delimiter: input.delimiter,
    objects: objects.map((o) => compact({
      key: o.Key ?? '',
      size: o.Size ?? 0,
      etag: o.ETag,
      lastModified: isoDate(o.LastModified),
      storageClass: o.StorageClass ?? 'STANDARD',
      owner: input.fetchOwner && o.Owner ? compact({ id: o.Owner.ID, displayName: o.Owner.DisplayName }) : undefined,
    })),
    folders,
    count: objects.length,
    nextContinuationToken: token,
  });
});
