// object_events_ack against moto's SQS: a token acknowledged within its lease deletes its message,
// one whose lease has ended deletes nothing, a release makes the message visible again at once.
import { describe, expect, it } from 'vitest';
import { encodeToken } from '../../src/triggers/leases.js';
import { aws, awsJson, fakeStore, invoke, motoConnection, uniqueBucket, until } from '../support/helpers.js';

async function queueWith(body: string): Promise<string> {
  const url = (await awsJson<{ QueueUrl: string }>(['sqs', 'create-queue', '--queue-name', uniqueBucket('oea')]))
    .QueueUrl;
  await aws(['sqs', 'send-message', '--queue-url', url, '--message-body', body]);
  return url;
}

async function receipt(url: string): Promise<string> {
  let handle: string | undefined;
  await until(async () => {
    const out = await awsJson<{ Messages?: { ReceiptHandle: string }[] }>([
      'sqs',
      'receive-message',
      '--queue-url',
      url,
      '--visibility-timeout',
      '300',
      '--wait-time-seconds',
      '1',
    ]);
    handle = out.Messages?.[0]?.ReceiptHandle;
    return handle !== undefined;
  });
  return handle!;
}

const count = async (url: string) => {
  const { Attributes } = await awsJson<{ Attributes: Record<string, string> }>([
    'sqs',
    'get-queue-attributes',
    '--queue-url',
    url,
    '--attribute-names',
    'ApproximateNumberOfMessages',
    'ApproximateNumberOfMessagesNotVisible',
  ]);
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages),
    leased: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
  };
};

describe('object_events_ack', () => {
  it('an ack within the lease deletes the message; one after it deletes nothing and says expired', async () => {
    const url = await queueWith('one');
    const handle = await receipt(url);
    const late = await invoke('object_events_ack', {
      ack: [encodeToken({ q: url, h: [handle], x: Date.now() - 1, v: 300 })],
    });
    expect(late.ok ? late.output : late.error).toEqual({ ack: ['expired'], release: [], deleted: 0, expired: 1 });
    expect(await count(url)).toEqual({ visible: 0, leased: 1 });
    const res = await invoke('object_events_ack', {
      ack: [encodeToken({ q: url, h: [handle], x: Date.now() + 300_000, v: 300 })],
    });
    expect(res.ok ? res.output : res.error).toEqual({ ack: ['deleted'], release: [], deleted: 1, expired: 0 });
    expect(await count(url)).toEqual({ visible: 0, leased: 0 });
  });

  it('a release makes the message visible again at once', async () => {
    const url = await queueWith('two');
    const handle = await receipt(url);
    expect(await count(url)).toEqual({ visible: 0, leased: 1 });
    const res = await invoke('object_events_ack', {
      release: [encodeToken({ q: url, h: [handle], x: Date.now() + 300_000, v: 300 })],
    });
    expect(res.ok ? res.output : res.error).toEqual({ ack: [], release: ['released'], deleted: 0, expired: 0 });
    expect(await count(url)).toEqual({ visible: 1, leased: 0 });
  });

  it('a token that is not one is refused before any request', async () => {
    const store = await fakeStore((_req, res) => res.writeHead(500).end());
    try {
      const res = await invoke(
        'object_events_ack',
        { ack: ['e30'] },
        { connection: motoConnection({ endpoint: store.endpoint }) },
      );
      expect(res.ok ? null : res.error).toMatchObject({ type: 'user_input', code: 'InvalidAckToken' });
      expect(store.requests.length).toBe(0);
    } finally {
      await store.close();
    }
  });
});
