// Ack tokens and leases of the event triggers. Receiving a message hides it from every other
// worker for the visibility timeout: that is the lease. An event carries an ack token (the queue,
// the receipt handles of its message and of the duplicates folded into it, and when the lease ends
// by the connector's clock); the message is deleted only when the runtime acknowledges the token.
//
// A lease that has ended may already belong to another worker (the message was delivered again),
// and SQS may still accept the old receipt handle (moto does): so an ack that comes after its lease
// (less a margin for the request to arrive) is refused as `expired` and deletes nothing. Of two
// workers given one message, only the one that acknowledges inside its own lease completes it.
import { ConnectorError } from '../runtime/errors.js';
import type { Sqs } from './sqs.js';

/** An ack lands at most this long before its lease ends, or it is refused (ms); a quarter of shorter leases. */
export const LEASE_MARGIN_MS = 1000;
/** Requests in flight at once when acknowledging or releasing. */
const CONCURRENCY = 10;

export interface Lease {
  /** Queue URL. */
  q: string;
  /** Receipt handles: the event's message, and duplicates of it. */
  h: string[];
  /** When the lease ends, ms since the epoch by the connector's clock (the earliest of the handles'). */
  x: number;
  /** The lease's length in seconds (its visibility timeout). */
  v: number;
}

export function encodeToken(lease: Lease): string {
  return Buffer.from(JSON.stringify(lease)).toString('base64url');
}

function decodeToken(token: string, field: string, i: number): Lease {
  let lease: Partial<Lease> | undefined;
  try {
    lease = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<Lease>;
  } catch {
    lease = undefined;
  }
  const ok =
    lease &&
    typeof lease.q === 'string' &&
    /^https?:\/\//.test(lease.q) &&
    Array.isArray(lease.h) &&
    lease.h.length > 0 &&
    lease.h.every((h) => typeof h === 'string' && h.length > 0) &&
    Number.isFinite(lease.x) &&
    Number.isFinite(lease.v);
  if (!ok) {
    throw new ConnectorError({
      type: 'user_input',
      code: 'InvalidAckToken',
      message: `${field}[${i}] is not an ack token of an object_events event: pass the event's ack as it was.`,
      details: { problems: [{ field: `${field}[${i}]`, message: 'not an ack token of an object_events event' }] },
    });
  }
  return lease as Lease;
}

/** Every token checked before any request is sent. */
export function decodeTokens(tokens: readonly string[] | undefined, field: string): Lease[] {
  return (tokens ?? []).map((t, i) => decodeToken(t, field, i));
}

export type SettleStatus = 'deleted' | 'released' | 'expired';
export interface Settled {
  /** Index of the token in its list. */
  index: number;
  status: SettleStatus;
}

const margin = (lease: Lease) => Math.min(LEASE_MARGIN_MS, lease.v * 250);
export const leaseHeld = (lease: Lease, now = Date.now()) => now < lease.x - margin(lease);

async function eachLimited<T>(items: T[], run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, items.length) }, async () => {
      while (next < items.length) await run(items[next++]!);
    }),
  );
}

const invalidHandle = (err: unknown) =>
  ['ReceiptHandleIsInvalid', 'InvalidParameterValue', 'MessageNotInflight'].includes(
    (err as { name?: string }).name ?? '',
  );

/**
 * Acknowledges (deletes) or releases (visible again at once, for another try) the messages of each
 * lease still held; a lease that has ended is `expired` and nothing is sent for it. One request per
 * receipt handle (DeleteMessage / ChangeMessageVisibility: the actions IAM names for them).
 */
export async function settle(sqs: Sqs, leases: Lease[], how: 'ack' | 'release'): Promise<Settled[]> {
  const out: Settled[] = leases.map((_, index) => ({ index, status: 'expired' }));
  const work = leases.flatMap((lease, index) =>
    leaseHeld(lease) ? lease.h.map((handle) => ({ lease, index, handle })) : [],
  );
  const failed = new Set<number>();
  await eachLimited(work, async ({ lease, index, handle }) => {
    try {
      if (how === 'ack')
        await sqs.send(new sqs.mod.DeleteMessageCommand({ QueueUrl: lease.q, ReceiptHandle: handle }), 'queue');
      else
        await sqs.send(
          new sqs.mod.ChangeMessageVisibilityCommand({
            QueueUrl: lease.q,
            ReceiptHandle: handle,
            VisibilityTimeout: 0,
          }),
          'queue',
        );
    } catch (err) {
      // A handle SQS no longer knows: the message went (deleted, or its lease ended there first).
      if (!invalidHandle(err)) throw err;
      if (handle === lease.h[0]) failed.add(index);
    }
  });
  for (const { index } of work) if (!failed.has(index)) out[index]!.status = how === 'ack' ? 'deleted' : 'released';
  return out;
}
