import { ListBucketsCommand, type Bucket } from '../src/runtime/sdk.js';
import type { ListBucketsInput, ListBucketsOutput } from '../src/generated/types.js';
import { compact, defineOperation, isoDate } from '../src/runtime/operation.js';

/**
 * A token of the connector's own, for stores that ignore MaxBuckets and answer every bucket at
 * once: the next call lists again and keeps the names after this one (S3 lists buckets by name).
 */
export const AFTER_TOKEN_PREFIX = 's3-connector:after:';

export default defineOperation<ListBucketsInput, ListBucketsOutput>(async (input, { s3, signal }) => {
  const paged = input.limit !== undefined || input.pageSize !== undefined || input.continuationToken !== undefined;
  const after = input.continuationToken?.startsWith(AFTER_TOKEN_PREFIX)
    ? input.continuationToken.slice(AFTER_TOKEN_PREFIX.length)
    : undefined;
  const wanted = (b: Bucket) =>
    (!input.prefix || b.Name?.startsWith(input.prefix)) && (after === undefined || (b.Name ?? '') > after);
  const buckets: Bucket[] = [];
  let token = after === undefined ? input.continuationToken : undefined;
  let owner: ListBucketsOutput['owner'];
  do {
    const want = input.limit === undefined ? undefined : input.limit - buckets.length;
    const page = await s3.send(
      new ListBucketsCommand({
        Prefix: input.prefix,
        BucketRegion: input.bucketRegion,
        ContinuationToken: token,
        // Without MaxBuckets S3 answers every bucket in one response.
        MaxBuckets: paged ? Math.min(input.pageSize ?? 1000, want ?? Infinity) : undefined,
      }),
      { abortSignal: signal },
    );
    // Some stores ignore Prefix: filter here too so the result means what was asked.
    buckets.push(...(page.Buckets ?? []).filter(wanted));
    owner ??= page.Owner ? compact({ id: page.Owner.ID, displayName: page.Owner.DisplayName }) : undefined;
    token = page.ContinuationToken;
  } while (token && (input.limit === undefined || buckets.length < input.limit));

  const kept = input.limit === undefined ? buckets : buckets.slice(0, input.limit);
  // More buckets than asked for came back (the store ignored MaxBuckets): resume after the last one kept.
  const cut = kept.length < buckets.length ? `${AFTER_TOKEN_PREFIX}${kept.at(-1)!.Name}` : undefined;
  return compact({
    buckets: kept.map((b) =>
      compact({ name: b.Name ?? '', creationDate: isoDate(b.CreationDate), region: b.BucketRegion }),
    ),
    count: kept.length,
    owner,
    nextContinuationToken: cut ?? token,
  });
});
