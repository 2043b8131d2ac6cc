import { ListObjectsV2Command } from '../src/runtime/sdk.js';
import type { ListObjectsDropdownInput, ListObjectsDropdownOutput } from '../src/generated/types.js';
import { followPages } from '../src/io/paging.js';
import { defineOperation } from '../src/runtime/operation.js';

/** Most options a dropdown gets (one S3 page); a search narrows the list. */
export const MAX_OPTIONS = 1000;
/** Most keys a search looks at for keys that contain it (ten S3 pages): beyond, type more of the key's start. */
export const MAX_SEARCH_SCAN = 10_000;

export default defineOperation<ListObjectsDropdownInput, ListObjectsDropdownOutput>(async (input, { s3, signal }) => {
  const search = input.search || undefined;
  const list = (params: { Prefix?: string; ContinuationToken?: string; MaxKeys: number }) =>
    s3.send(new ListObjectsV2Command({ Bucket: input.bucket, ...params }), { abortSignal: signal });

  // Keys that start with the search first (S3 finds them by prefix, however large the bucket).
  const first = await list({ Prefix: search, MaxKeys: MAX_OPTIONS });
  const keys = (first.Contents ?? []).map((o) => o.Key ?? '').filter((k) => k && (!search || k.startsWith(search)));
  if (search && keys.length < MAX_OPTIONS) {
    // Then keys that contain it anywhere, in any case, among the bucket's first MAX_SEARCH_SCAN.
    const seen = new Set(keys);
    const needle = search.toLowerCase();
    await followPages<string>({ limit: MAX_SEARCH_SCAN, pageSize: MAX_OPTIONS }, async (token, maxKeys) => {
      const page = await list({ ContinuationToken: token, MaxKeys: maxKeys });
      for (const o of page.Contents ?? []) {
        const key = o.Key ?? '';
        if (key && !seen.has(key) && key.toLowerCase().includes(needle) && keys.length < MAX_OPTIONS) {
          seen.add(key);
          keys.push(key);
        }
      }
      return {
        count: page.Contents?.length ?? 0,
        next: page.IsTruncated ? page.NextContinuationToken : undefined,
        stop: keys.length >= MAX_OPTIONS,
      };
    });
  }
  return { options: keys.map((key) => ({ label: key, value: key })) };
});
