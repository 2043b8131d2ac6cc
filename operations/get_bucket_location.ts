import { GetBucketLocationCommand } from '../src/runtime/sdk.js';
import type { GetBucketLocationInput, GetBucketLocationOutput } from '../src/generated/types.js';
import { compact, defineOperation } from '../src/runtime/operation.js';

/**
 * Location constraints that are not region names. S3Mock answers a bucket made without one
 * with the word `null` (a Java null printed): no constraint, as an empty one.
 */
const LEGACY_CONSTRAINTS: Record<string, string> = { '': 'us-east-1', null: 'us-east-1', EU: 'eu-west-1' };

export default defineOperation<GetBucketLocationInput, GetBucketLocationOutput>(
  async (input, { s3, signal, describeError }) => {
    try {
      const answer = await s3.send(new GetBucketLocationCommand({ Bucket: input.bucket }), { abortSignal: signal });
      const constraint = answer.LocationConstraint ?? '';
      return compact({
        bucket: input.bucket,
        region: LEGACY_CONSTRAINTS[constraint] ?? constraint,
        locationConstraint: constraint,
      });
    } catch (err) {
      // Asked in the wrong region, S3 still tells where the bucket is: that is the answer.
      const info = describeError(err);
      const region = info.type === 'region_mismatch' ? info.details?.bucketRegion : undefined;
      if (typeof region === 'string') return { bucket: input.bucket, region };
      throw err;
    }
  },
);
