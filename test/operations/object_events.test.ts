// object_events against moto, which serves SQS on the same endpoint and sends S3's event
// notifications to it. Objects are written with the aws cli; the queue is checked with it too.
// Every wait is for something to happen (until), never a fixed sleep: a lease that must run out is
// waited out by polling until the message is delivered again.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import objectEventsInput from '../../schemas/object_events.input.json' with { type: 'json' };
import {
  DEFAULT_MAX_EVENTS,
  DEFAULT_VISIBILITY_TIMEOUT,
  DEFAULT_WAIT_SECONDS,
  MAX_EVENTS,
  MAX_WAIT_SECONDS,
} from '../../operations/object_events.js';
import type { ObjectEventsAckOutput, ObjectEventsOutput } from '../../src/generated/types.js';
import {
  aws,
  awsJson,
  fakeStore,
  invoke,
  motoConnection,
  uniqueBucket,
  until,
  type FakeStore,
} from '../support/helpers.js';

type Event = ObjectEventsOutput['events'][number];

async function poll(input: Record<string, unknown>): Promise<ObjectEventsOutput> {
  const res = await invoke<ObjectEventsOutput>('object_events', input);
  if (!res.ok) throw new Error(`${res.error.type}: ${res.error.message}`);
  return res.output;
}

async function ack(tokens: string[]): Promise<ObjectEventsAckOutput> {
  const res = await invoke<ObjectEventsAckOutput>('object_events_ack', { ack: tokens });
  if (!res.ok) throw new Error(`${res.error.type}: ${res.error.message}`);
  return res.output;
}

/** Polls (long polling, 1 s) until `enough` holds for the events gathered, and gives them. */
async function gather(input: Record<string, unknown>, enough: (events: Event[]) => boolean): Promise<Event[]> {
  const events: Event[] = [];
  await until(async () => {
    events.push(...(await poll({ waitSeconds: 1, ...input })).events);
    return enough(events);
  });
  return events;
}

async function write(bucket: string, key: string, content = 'x'): Promise<void> {
  const file = join(await mkdtemp(join(tmpdir(), 'oe-')), 'body');
  await writeFile(file, content);
  await aws(['s3api', 'put-object', '--bucket', bucket, '--key', key, '--body', file]);
}

/** Messages on the queue, visible or leased, as SQS counts them (moto counts exactly). */
async function onQueue(url: string): Promise<number> {
  const { Attributes } = await awsJson<{ Attributes: Record<string, string> }>([
    'sqs',
    'get-queue-attributes',
    '--queue-url',
    url,
    '--attribute-names',
    'ApproximateNumberOfMessages',
    'ApproximateNumberOfMessagesNotVisible',
  ]);
  return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
}

/** A bucket sending its events to a new queue (set up by configure_object_events). */
async function watched(prefix: string): Promise<{ bucket: string; queueUrl: string; queueArn: string }> {
  const bucket = uniqueBucket(prefix);
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  const res = await invoke<{ queueUrl: string; queueArn: string }>('configure_object_events', {
    bucket,
    queue: `${bucket}-events`,
    createQueue: true,
  });
  if (!res.ok) throw new Error(res.error.message);
  return { bucket, ...res.output };
}

/** A queue of its own, no bucket: messages are sent to it with the aws cli. */
async function bareQueue(): Promise<string> {
  return (await awsJson<{ QueueUrl: string }>(['sqs', 'create-queue', '--queue-name', uniqueBucket('oe-q')])).QueueUrl;
}

/** An S3 event record as S3 sends it, with a sequencer. */
function s3Message(bucket: string, key: string, sequencer: string, eventName = 'ObjectCreated:Put'): string {
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: '2026-01-01T00:00:00.000Z',
        eventName,
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'c',
          bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
          object: { key, size: 1, eTag: 'abc', sequencer },
        },
      },
    ],
  });
}

let store: FakeStore;
beforeAll(async () => {
  store = await fakeStore((_req, res) => res.writeHead(500).end());
});
afterAll(() => store.close());

describe('object_events', () => {
  it('declares in its schema the limits the handler uses', () => {
    expect(objectEventsInput.properties.waitSeconds.default).toBe(DEFAULT_WAIT_SECONDS);
    expect(objectEventsInput.properties.waitSeconds.maximum).toBe(MAX_WAIT_SECONDS);
    expect(objectEventsInput.properties.maxEvents.default).toBe(DEFAULT_MAX_EVENTS);
    expect(objectEventsInput.properties.maxEvents.maximum).toBe(MAX_EVENTS);
    expect(objectEventsInput.properties.visibilityTimeout.default).toBe(DEFAULT_VISIBILITY_TIMEOUT);
  });

  it('put, copy and delete events arrive, keys decoded (+ is a space), the test event ignored; acked, the queue is empty', async () => {
    const { bucket, queueUrl, queueArn } = await watched('oe-kinds');
    const key = 'in/a b+c ü.txt';
    await write(bucket, key, 'hello');
    await aws([
      's3api',
      'copy-object',
      '--bucket',
      bucket,
      '--key',
      'in/copy.txt',
      '--copy-source',
      `${bucket}/in/a b+c ü.txt`,
    ]);
    await aws(['s3api', 'delete-object', '--bucket', bucket, '--key', 'in/copy.txt']);
    let ignored = 0;
    const events: Event[] = [];
    await until(async () => {
      const out = await poll({ queue: queueArn, waitSeconds: 1 });
      ignored += out.ignored;
      events.push(...out.events);
      return events.length >= 3;
    });
    expect(events.map((e) => [e.eventName, e.key])).toEqual([
      ['ObjectCreated:Put', key],
      ['ObjectCreated:Copy', 'in/copy.txt'],
      ['ObjectRemoved:Delete', 'in/copy.txt'],
    ]);
    expect(ignored).toBe(1); // the s3:TestEvent of the configuration, deleted
    const head = await awsJson<{ ETag: string; ContentLength: number }>([
      's3api',
      'head-object',
      '--bucket',
      bucket,
      '--key',
      key,
    ]);
    expect(events[0]).toMatchObject({
      bucket,
      etag: head.ETag,
      size: head.ContentLength,
      region: 'us-east-1',
      receiveCount: 1,
    });
    expect(await onQueue(queueUrl)).toBe(3); // leased, not gone: nothing is deleted before its ack
    const done = await ack(events.map((e) => e.ack));
    expect(done).toEqual({ ack: ['deleted', 'deleted', 'deleted'], release: [], deleted: 3, expired: 0 });
    expect(await onQueue(queueUrl)).toBe(0);
  });

  it('a worker that stops mid-batch loses nothing: its events come back after its lease, and its late ack deletes nothing', async () => {
    const { bucket, queueArn, queueUrl } = await watched('oe-crash');
    for (const k of ['c/1.txt', 'c/2.txt', 'c/3.txt']) await write(bucket, k);
    // Worker A takes them with a 1 s lease, then "crashes": it never acknowledges.
    const a = await gather({ queue: queueArn, visibilityTimeout: 1 }, (e) => e.length >= 3);
    expect(a.map((e) => e.key)).toEqual(['c/1.txt', 'c/2.txt', 'c/3.txt']);
    // Worker B gets the same messages once A's lease has run out.
    const b = await gather({ queue: queueArn, visibilityTimeout: 60 }, (e) => e.length >= 3);
    expect(b.map((e) => e.messageId).sort()).toEqual(a.map((e) => e.messageId).sort());
    expect(b.every((e) => e.receiveCount === 2)).toBe(true);
    // A comes back and acknowledges: its leases have ended, so nothing is deleted (B holds them now).
    expect(await ack(a.map((e) => e.ack))).toMatchObject({
      ack: ['expired', 'expired', 'expired'],
      deleted: 0,
      expired: 3,
    });
    expect(await onQueue(queueUrl)).toBe(3);
    // B completes them.
    expect(await ack(b.map((e) => e.ack))).toMatchObject({ deleted: 3 });
    expect(await onQueue(queueUrl)).toBe(0);
  });

  it('two workers sharing one queue never both get one event; together they get all', async () => {
    const { bucket, queueArn, queueUrl } = await watched('oe-two');
    const keys = Array.from({ length: 12 }, (_, i) => `w/${String(i).padStart(2, '0')}.txt`);
    for (const k of keys) await write(bucket, k);
    const got: Record<'one' | 'two', Event[]> = { one: [], two: [] };
    const worker = async (name: 'one' | 'two') => {
      await until(async () => {
        const out = await poll({ queue: queueArn, waitSeconds: 1, maxEvents: 3, visibilityTimeout: 300 });
        got[name].push(...out.events);
        return got.one.length + got.two.length >= keys.length;
      });
    };
    await Promise.all([worker('one'), worker('two')]);
    const one = new Set(got.one.map((e) => e.messageId));
    expect(got.two.filter((e) => one.has(e.messageId))).toEqual([]);
    expect([...got.one, ...got.two].map((e) => e.key).sort()).toEqual(keys);
    const acked = await ack([...got.one, ...got.two].map((e) => e.ack));
    expect(acked.deleted).toBe(keys.length);
    expect(await onQueue(queueUrl)).toBe(0);
  });

  it('the next poll acknowledges and releases: an acked event is gone, a released one comes back at once', async () => {
    const { bucket, queueArn, queueUrl } = await watched('oe-next');
    await write(bucket, 'n/done.txt');
    await write(bucket, 'n/retry.txt');
    const first = await gather({ queue: queueArn, visibilityTimeout: 300 }, (e) => e.length >= 2);
    const [done, retry] = [first.find((e) => e.key === 'n/done.txt')!, first.find((e) => e.key === 'n/retry.txt')!];
    const next = await poll({
      queue: queueArn,
      waitSeconds: 1,
      visibilityTimeout: 300,
      ack: [done.ack],
      release: [retry.ack],
    });
    expect(next.settled).toEqual({ ack: ['deleted'], release: ['released'] });
    // Released: delivered again without waiting out its 300 s lease (this poll, or the next).
    const again = [
      ...next.events,
      ...(next.events.length ? [] : await gather({ queue: queueArn }, (e) => e.length >= 1)),
    ];
    expect(again.map((e) => [e.key, e.receiveCount])).toEqual([['n/retry.txt', 2]]);
    await ack(again.map((e) => e.ack));
    expect(await onQueue(queueUrl)).toBe(0);
  });

  it('a duplicate delivery (same key and sequencer) is one event; its ack deletes both messages', async () => {
    const url = await bareQueue();
    for (const body of [
      s3Message('b', 'dup.txt', '0A1'),
      s3Message('b', 'dup.txt', '0A1'),
      s3Message('b', 'dup.txt', '0A2', 'ObjectRemoved:Delete'),
    ]) {
      await aws(['sqs', 'send-message', '--queue-url', url, '--message-body', body]);
    }
    const events = await gather({ queue: url, visibilityTimeout: 300 }, (e) => e.length >= 2);
    expect(events.map((e) => [e.key, e.sequencer, e.eventName])).toEqual([
      ['dup.txt', '0A1', 'ObjectCreated:Put'],
      ['dup.txt', '0A2', 'ObjectRemoved:Delete'],
    ]);
    expect(await onQueue(url)).toBe(3);
    await ack([events[0]!.ack]);
    expect(await onQueue(url)).toBe(1);
    await ack([events[1]!.ack]);
    expect(await onQueue(url)).toBe(0);
  });

  it('reads events wrapped by SNS; leaves what is not an S3 event on the queue', async () => {
    const url = await bareQueue();
    await aws([
      'sqs',
      'send-message',
      '--queue-url',
      url,
      '--message-body',
      JSON.stringify({ Type: 'Notification', Message: s3Message('b', 'via%2Fsns+file.txt', '01') }),
    ]);
    await aws(['sqs', 'send-message', '--queue-url', url, '--message-body', 'not json at all']);
    let unrecognized = 0;
    const events: Event[] = [];
    await until(async () => {
      const out = await poll({ queue: url, waitSeconds: 1, visibilityTimeout: 300 });
      unrecognized += out.unrecognized ?? 0;
      events.push(...out.events);
      return events.length >= 1 && unrecognized >= 1;
    });
    expect(events.map((e) => e.key)).toEqual(['via/sns file.txt']);
    expect(unrecognized).toBe(1);
    await ack(events.map((e) => e.ack));
    expect(await onQueue(url)).toBe(1);
  });

  it('waits for an event with long polling and answers as soon as it comes', async () => {
    const { bucket, queueArn } = await watched('oe-wait');
    await gather({ queue: queueArn }, () => true); // the test event, out of the way
    const pending = poll({ queue: queueArn, waitSeconds: 20 });
    await write(bucket, 'late.txt');
    const out = await pending;
    // One long poll, started before the write, gave it (or, on a slow machine, nothing was lost: the next does).
    const events = out.events.length ? out.events : await gather({ queue: queueArn }, (e) => e.length >= 1);
    expect(events.map((e) => e.key)).toEqual(['late.txt']);
  });

  it('a token that is not an ack token is refused before any request', async () => {
    const before = store.requests.length;
    const res = await invoke(
      'object_events',
      { queue: 'arn:aws:sqs:us-east-1:123456789012:q', ack: ['bm90LWEtdG9rZW4'] },
      { connection: motoConnection({ endpoint: store.endpoint }) },
    );
    expect(res.ok ? null : res.error).toMatchObject({ type: 'user_input', code: 'InvalidAckToken' });
    expect(store.requests.length).toBe(before);
  });

  it('a queue that does not exist is not_found', async () => {
    for (const queue of [uniqueBucket('no-queue'), `arn:aws:sqs:us-east-1:123456789012:${uniqueBucket('no-queue')}`]) {
      const res = await invoke('object_events', { queue, waitSeconds: 0 });
      expect(res.ok ? null : res.error, queue).toMatchObject({ type: 'not_found', code: 'QueueDoesNotExist' });
    }
  });

  it('anonymous connections are refused: SQS needs credentials', async () => {
    const res = await invoke(
      'object_events',
      { queue: 'q', waitSeconds: 0 },
      { connection: motoConnection({ credentials: { type: 'anonymous' } }) },
    );
    expect(res.ok ? null : res.error).toMatchObject({ type: 'user_input', code: 'CredentialsRequired' });
  });
});
