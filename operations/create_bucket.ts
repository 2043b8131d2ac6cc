import { CreateBucketCommand, HeadBucketCommand, type BucketLocationConstraint } from '../src/runtime/sdk.js';
import type { CreateBucketInput, CreateBucketOutput } from '../src/generated/types.js';
import { ConnectorError, type ConnectorErrorInfo } from '../src/runtime/errors.js';
import { compact, defineOperation } from '../src/runtime/operation.js';
import { checkRegion } from '../src/runtime/regions.js';

/** The region whose buckets are created without a LocationConstraint (S3 refuses one naming it). */
export const DEFAULT_S3_REGION = 'us-east-1';

const exists = (
  bucket: string,
  how: string,
  code: 'BucketAlreadyOwnedByYou' | 'BucketAlreadyExists',
  details: Record<string, unknown> = {},
) =>
  new ConnectorError({
    type: 'conflict',
    code,
    message: `Bucket ${bucket} already exists${how}: nothing was created or changed. Choose another name, or use the bucket as it is.`,
    details: { bucket, ...details },
  });

/**
 * A store with one region (Versity Gateway's --region, Garage's s3_region) refuses a request
 * signed for the bucket's region and names its own. The bucket does not exist, and the
 * connection's region is not what was wrong, so the generic region_mismatch words ("bucket B
 * is in region X, but the connection is set to X") would mislead: say what was asked and what
 * the store serves.
 */
function regionRefused(bucket: string, region: string, connectionRegion: string, info: ConnectorErrorInfo) {
  const served = typeof info.details?.bucketRegion === 'string' ? info.details.bucketRegion : undefined;
  const advice = !served
    ? 'Ask for the region the store serves'
    : served === connectionRegion
      ? `Leave region out (the connection's, ${served}) or set it to ${served}`
      : `Set region to ${served}`;
  return new ConnectorError({
    ...info,
    message: `The store serves ${served ? `region ${served}` : 'another region'}, not ${region}: bucket ${bucket} cannot be created in ${region} there, and nothing was created. ${advice}.`,
    details: { ...info.details, bucket, requestedRegion: region, connectionRegion },
  });
}

export default defineOperation<CreateBucketInput, CreateBucketOutput>(
  async (input, { s3, connection, signal, clientFor, describeError }) => {
    const region = input.region ?? connection.region;
    try {
      checkRegion({ ...connection, region });
    } catch (err) {
      if (!(err instanceof ConnectorError)) throw err;
      const problems = [{ field: 'region', rule: 'awsRegion', message: `region "${region}" is not an AWS region` }];
      throw new ConnectorError({
        ...err.info,
        message: err.info.message.replace(/^Invalid connection/, 'Invalid input'),
        details: { ...err.info.details, problems },
      });
    }
    // A bucket is created through its own region's endpoint (another region's would refuse the constraint).
    const client = region === connection.region ? s3 : clientFor(region);
    const inDefaultRegion = region === DEFAULT_S3_REGION;

    if (inDefaultRegion) {
      // us-east-1 answers a second CreateBucket of one's own bucket with 200 and resets its ACL:
      // look first, so an existing bucket is reported and left alone.
      const found = await client.send(new HeadBucketCommand({ Bucket: input.bucket }), { abortSignal: signal }).then(
        () => 'yours' as const,
        (err: unknown) => {
          const info = describeError(err);
          if (info.type === 'not_found') return 'absent' as const;
          if (info.type === 'forbidden') return 'denied' as const;
          if (info.type === 'region_mismatch') return { region: info.details?.bucketRegion };
          throw err;
        },
      );
      if (found === 'yours')
        throw exists(
          input.bucket,
          ' and these credentials can list it (it is yours, or shared with you)',
          'BucketAlreadyOwnedByYou',
        );
      if (found === 'denied')
        throw exists(
          input.bucket,
          ', and it is not yours (or these credentials may not list it)',
          'BucketAlreadyExists',
        );
      if (typeof found === 'object')
        throw exists(input.bucket, ` in region ${String(found.region ?? 'another region')}`, 'BucketAlreadyExists', {
          bucketRegion: found.region,
        });
    }

    try {
      const answer = await client.send(
        new CreateBucketCommand({
          Bucket: input.bucket,
          // The SDK's type lists the regions it knew when released; S3 takes any region name.
          CreateBucketConfiguration:
            inDefaultRegion || region === 'auto'
              ? undefined
              : { LocationConstraint: region as BucketLocationConstraint },
          ObjectOwnership: input.objectOwnership,
          ACL: input.acl,
          ObjectLockEnabledForBucket: input.objectLock || undefined,
        }),
        { abortSignal: signal },
      );
      return compact({ bucket: input.bucket, region, location: answer.Location, created: true as const });
    } catch (err) {
      const info = describeError(err);
      if (info.type === 'region_mismatch' && region !== connection.region)
        throw regionRefused(input.bucket, region, connection.region, info);
      if (info.code === 'BucketAlreadyOwnedByYou')
        throw exists(input.bucket, ' and is yours', 'BucketAlreadyOwnedByYou');
      if (info.code === 'BucketAlreadyExists')
        throw exists(
          input.bucket,
          ' and belongs to another account (bucket names are shared by every account)',
          'BucketAlreadyExists',
        );
      throw err;
    }
  },
);
