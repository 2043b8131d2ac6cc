import type { ObjectEventsAckInput, ObjectEventsAckOutput } from '../src/generated/types.js';
import { defineOperation } from '../src/runtime/operation.js';
import { decodeTokens, settle } from '../src/triggers/leases.js';
import { withSqs } from '../src/triggers/sqs.js';

// Completes (deletes) or hands back events of object_events by their ack tokens, from any worker:
// the token names its queue. An ack whose lease has ended deletes nothing (README, Triggers).
export default defineOperation<ObjectEventsAckInput, ObjectEventsAckOutput>(async (input, ctx) => {
  const acks = decodeTokens(input.ack, 'ack');
  const releases = decodeTokens(input.release, 'release');
  if (acks.length + releases.length === 0) return { ack: [], release: [], deleted: 0, expired: 0 };
  return withSqs(ctx, 0, async (sqs) => {
    const acked = await settle(sqs, acks, 'ack');
    const released = await settle(sqs, releases, 'release');
    return {
      ack: acked.map((s) => s.status as 'deleted' | 'expired'),
      release: released.map((s) => s.status as 'released' | 'expired'),
      deleted: acked.filter((s) => s.status === 'deleted').length,
      expired: [...acked, ...released].filter((s) => s.status === 'expired').length,
    };
  });
});
