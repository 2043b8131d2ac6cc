import type { Message } from '@aws-sdk/client-sqs';
import type { ObjectEventsInput, ObjectEventsOutput } from '../src/generated/types.js';
import { compact, defineOperation } from '../src/runtime/operation.js';
import { decodeTokens, encodeToken, settle, type Lease } from '../src/triggers/leases.js';
import { eventIdentity, inPrefix, parseMessage, type S3Event } from '../src/triggers/s3Events.js';
import { withSqs, type Sqs } from '../src/triggers/sqs.js';

/** Long-poll wait when none is given (s); the schema's default. SQS allows at most 20. */
export const DEFAULT_WAIT_SECONDS = 10;
export const MAX_WAIT_SECONDS = 20;
/** Messages per poll when no maxEvents is given; the schema's default and maximum. */
export const DEFAULT_MAX_EVENTS = 10;
export const MAX_EVENTS = 100;
/** The lease (visibility timeout) when none is given (s). */
export const DEFAULT_VISIBILITY_TIMEOUT = 60;
/** Most messages one ReceiveMessage returns. */
const RECEIVE_BATCH = 10;
/** A receive that took longer than this restarts its leases, so they are counted from a known moment (ms). */
const LEASE_RESTART_AFTER_MS = 1000;

interface Received {
  message: Message;
  /** When its lease ends, by our clock. */
  expires: number;
}

/**
 * Receives up to `max` messages: the first request long-polls, the next ones take only what is
 * waiting. A lease is counted from before the request that gave it (its lower bound); after a long
 * wait it is restarted (ChangeMessageVisibility) so that bound is not too early.
 */
async function receive(sqs: Sqs, url: string, max: number, wait: number, visibility: number): Promise<Received[]> {
  const out: Received[] = [];
  while (out.length < max) {
    const ask = Math.min(RECEIVE_BATCH, max - out.length);
    const sent = Date.now();
    const answer = await sqs.send<{ Messages?: Message[] }>(
      new sqs.mod.ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: ask,
        WaitTimeSeconds: out.length === 0 ? wait : 0,
        VisibilityTimeout: visibility,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
      'queue',
    );
    const messages = answer.Messages ?? [];
    let start = sent;
    if (messages.length > 0 && Date.now() - sent > LEASE_RESTART_AFTER_MS) {
      start = Date.now();
      await Promise.all(
        messages.map((m) =>
          sqs.send(
            new sqs.mod.ChangeMessageVisibilityCommand({
              QueueUrl: url,
              ReceiptHandle: m.ReceiptHandle!,
              VisibilityTimeout: visibility,
            }),
            'queue',
          ),
        ),
      );
    }
    out.push(...messages.map((message) => ({ message, expires: start + visibility * 1000 })));
    if (messages.length < ask) break;
  }
  return out;
}

export default defineOperation<ObjectEventsInput, ObjectEventsOutput>(async (input, ctx) => {
  // Every token checked before any request.
  const acks = decodeTokens(input.ack, 'ack');
  const releases = decodeTokens(input.release, 'release');
  const wait = input.waitSeconds ?? DEFAULT_WAIT_SECONDS;
  const visibility = input.visibilityTimeout ?? DEFAULT_VISIBILITY_TIMEOUT;
  return withSqs(ctx, wait, async (sqs) => {
    const url = await sqs.queueUrl(input.queue);
    const acked = await settle(sqs, acks, 'ack');
    const released = await settle(sqs, releases, 'release');
    const received = await receive(sqs, url, input.maxEvents ?? DEFAULT_MAX_EVENTS, wait, visibility);

    interface Pending {
      event: S3Event;
      lease: Lease;
      message: Message;
    }
    const pending: Pending[] = [];
    const byIdentity = new Map<string, Pending>();
    const tests: string[] = [];
    let unrecognized = 0;
    let outsidePrefix = 0;
    for (const { message, expires } of received) {
      const parsed = inPrefix(parseMessage(message.Body), ctx.keys);
      if (parsed.kind === 'outside') outsidePrefix++;
      if (parsed.kind === 'test') tests.push(message.ReceiptHandle!);
      if (parsed.kind === 'unrecognized') unrecognized++;
      if (parsed.kind !== 'events') continue;
      const lease: Lease = { q: url, h: [message.ReceiptHandle!], x: expires, v: visibility };
      const fresh = parsed.events.filter((e) => !byIdentity.has(eventIdentity(e)));
      if (fresh.length === 0) {
        // Every event of this message came already (S3 delivers at least once): it goes with the
        // first of them, deleted when that one is acknowledged; the others' messages still hold them.
        const original = byIdentity.get(eventIdentity(parsed.events[0]!))!;
        original.lease.h.push(message.ReceiptHandle!);
        original.lease.x = Math.min(original.lease.x, expires);
        continue;
      }
      // Events of one message share its ack (S3 sends one record per message).
      for (const event of fresh) {
        const p = { event, lease, message };
        byIdentity.set(eventIdentity(event), p);
        pending.push(p);
      }
    }
    // The test event S3 sends when a notification is set up carries nothing: deleted here.
    if (tests.length > 0) await settle(sqs, [{ q: url, h: tests, x: Infinity, v: visibility }], 'ack');

    return compact({
      queueUrl: url,
      events: pending.map(({ event, lease, message }) =>
        compact({
          ...event,
          ack: encodeToken(lease),
          leaseExpiresAt: new Date(lease.x).toISOString(),
          messageId: message.MessageId ?? '',
          receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 1),
        }),
      ),
      ignored: tests.length,
      unrecognized: unrecognized || undefined,
      outsidePrefix: outsidePrefix || undefined,
      settled: {
        ack: acked.map((s) => s.status as 'deleted' | 'expired'),
        release: released.map((s) => s.status as 'released' | 'expired'),
      },
    });
  });
});
