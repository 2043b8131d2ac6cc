import { HeadBucketCommand } from '../src/runtime/sdk.js';
import type { HeadBucketInput, HeadBucketOutput } from '../src/generated/types.js';
import { compact, defineOperation } from '../src/runtime/operation.js';

/** The region header of a HEAD answer, which AWS sends on 200, 301 and 403 alike. */
function regionOf(err: unknown): string | undefined {
  return (err as { $response?: { headers?: Record<string, string | undefined> } })?.$response?.headers?.[
    'x-amz-bucket-region'
  ];
}

export default defineOperation<HeadBucketInput, HeadBucketOutput>(
  async (input, { s3, connection, operation, signal, describeError }) => {
    const bucket = input.bucket;
    let failure: unknown;
    try {
      const answer = await s3.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: signal });
      return compact({ bucket, exists: true, accessible: true, region: answer.BucketRegion });
    } catch (err) {
      failure = err;
    }
    const info = describeError(failure);
    const region = regionOf(failure);
    // Missing, denied or elsewhere is the answer; anything else (network, throttling, 5xx) is not.
    if (info.type === 'not_found') {
      return { bucket, exists: false, accessible: false, note: `There is no bucket named ${bucket} on this store.` };
    }
    if (info.type === 'forbidden') {
      return compact({
        bucket,
        exists: true,
        accessible: false,
        region,
        note: `The bucket exists, but the store refused to let these credentials list it (HTTP 403): they need ${operation.permissions.join(', ')} on it, or it belongs to another account. A HEAD answer carries no error code, so wrong credentials look the same: if the permission is there, check them.`,
      });
    }
    if (info.type === 'region_mismatch') {
      const where = typeof info.details?.bucketRegion === 'string' ? info.details.bucketRegion : region;
      return compact({
        bucket,
        exists: true,
        accessible: false,
        region: where,
        note: `The bucket is in region ${where ?? 'another region'}, but the connection is set to ${connection.region}: use a connection for ${where ?? 'its region'}.`,
      });
    }
    throw failure;
  },
);
