import { ListBucketsCommand, type Bucket } from '@aws-sdk/client-s3';
import type { ListBucketsInput, ListBucketsOutput } from '../src/generated/types.js';
import { compact, defineOperation, isoDate } from '../src/operation.js';

export default defineOperation<ListBucketsInput, ListBucketsOutput>(async (input, { s3, signal }) => {
  const paged = input.limit !== undefined || input.pageSize !== undefined || input.continuationToken !== undefined;
  const buckets: Bucket[] = [];
  let token = input.continuationToken;
  let owner: ListBucketsOutput['owner'];
  do {
    const want = input.limit === undefined ? undefined : input.limit - buckets.length;
    const page = await s3.send(new ListBucketsCommand({
      Prefix: input.prefix,
      BucketRegion: input.bucketRegion,
      ContinuationToken: token,
      // Without MaxBuckets S3 answers every bucket in one response.
      MaxBuckets: paged ? Math.min(input.pageSize ?? 1000, want ?? Infinity) : undefined,
    }), { abortSignal: signal });
    const fresh = page.Buckets ?? [];
    // Some stores ignore Prefix: filter here too so the result means what was asked.
    buckets.push(...(input.prefix ? fresh.filter((b) => b.Name?.startsWith(input.prefix!)) : fresh));
    owner ??= page.Owner ? compact({ id: page.Owner.ID, displayName: page.Owner.DisplayName }) : undefined;
    token = page.ContinuationToken;
  } while (token && (input.limit === undefined || buckets.length < input.limit));

  const kept = input.limit === undefined ? buckets : buckets.slice(0, input.limit);
  return compact({
    buckets: kept.map((b) => compact({ name: b.Name ?? '', creationDate: isoDate(b.CreationDate), region: b.BucketRegion })),
    count: kept.length,
    owner,
    nextContinuationToken: token,
  });
});
