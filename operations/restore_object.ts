import { RestoreObjectCommand } from '../src/runtime/sdk.js';
import type { RestoreObjectInput, RestoreObjectOutput } from '../src/generated/types.js';
import { compact, defineOperation } from '../src/runtime/operation.js';

type Status = RestoreObjectOutput['status'];

export default defineOperation<RestoreObjectInput, RestoreObjectOutput>(
  async (input, { s3, signal, describeError }) => {
    const tier = input.tier ?? 'Standard';
    const days = input.intelligentTiering ? undefined : (input.days ?? 1);
    const answer = (status: Status) =>
      compact({
        bucket: input.bucket,
        key: input.key,
        versionId: input.versionId,
        status,
        readable: status === 'alreadyRestored' || status === 'notArchived',
        days,
        tier,
      });
    try {
      const result = await s3.send(
        new RestoreObjectCommand({
          Bucket: input.bucket,
          Key: input.key,
          VersionId: input.versionId,
          RestoreRequest: { Days: days, GlacierJobParameters: { Tier: tier } },
        }),
        { abortSignal: signal },
      );
      // S3 answers 202 when a restore starts, 200 when a restored copy exists (its expiry renewed).
      return answer(result.$metadata.httpStatusCode === 200 ? 'alreadyRestored' : 'started');
    } catch (err) {
      const info = describeError(err);
      if (info.code === 'RestoreAlreadyInProgress') return answer('inProgress');
      // Not archived (STANDARD and the like): nothing to restore, it can be read as it is.
      if (info.code === 'InvalidObjectState') return answer('notArchived');
      throw err;
    }
  },
);
