import { ListObjectsV2Command, type _Object } from '@aws-sdk/client-s3';
import type { ListObjectsInput, ListObjectsOutput } from '../src/generated/types.js';
import { followPages } from '../src/io/paging.js';
import { ConnectorError } from '../src/runtime/errors.js';
import { compact, defineOperation, isoDate } from '../src/runtime/operation.js';

export { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, MAX_LIST_PAGE_SIZE } from '../src/io/paging.js';

const byKey = (a: _Object, b: _Object) => Buffer.compare(Buffer.from(a.Key ?? ''), Buffer.from(b.Key ?? ''));

/** Whether the keys from index `from` on rise strictly (UTF-8 byte order), each after the one before. */
function inOrder(objects: _Object[], from: number): boolean {
  for (let i = Math.max(1, from); i < objects.length; i++) if (byKey(objects[i - 1]!, objects[i]!) >= 0) return false;
  return true;
}

export default defineOperation<ListObjectsInput, ListObjectsOutput>(async (input, { s3, signal }) => {
  const objects: _Object[] = [];
  const folders: string[] = [];
  // MaxKeys counts objects and folders alike: followPages asks for no more than the limit leaves,
  // so the token S3 returns resumes exactly after the last entry kept.
  const token = await followPages({ limit: input.limit, pageSize: input.pageSize, start: input.continuationToken }, async (position, maxKeys) => {
    const page = await s3.send(new ListObjectsV2Command({
      Bucket: input.bucket,
      Prefix: input.prefix,
      Delimiter: input.delimiter,
      StartAfter: position ? undefined : input.startAfter,
      ContinuationToken: position,
      FetchOwner: input.fetchOwner || undefined,
      MaxKeys: maxKeys,
    }), { abortSignal: signal });
    const pageStart = objects.length;
    const before = objects.length + folders.length;
    objects.push(...(page.Contents ?? []));
    for (const p of page.CommonPrefixes ?? []) if (p.Prefix && !folders.includes(p.Prefix)) folders.push(p.Prefix);
    const next = page.IsTruncated ? page.NextContinuationToken : undefined;
    // S3 lists in UTF-8 byte order and resumes a page after its last key; a store that lists
    // in another order would make pages skip keys. One complete page is merely sorted here.
    if (!inOrder(objects, pageStart)) {
      if (position !== undefined || next) {
        throw new ConnectorError({ type: 'unsupported', code: 'UnorderedListing', message: 'The store does not list keys in order, so its pages cannot be followed safely: list without paging (a larger pageSize) or use another store.' });
      }
      objects.sort(byKey);
    }
    return { count: objects.length + folders.length - before, next };
  });

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
