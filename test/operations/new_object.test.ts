// new_object against moto, cross-checked with the aws cli. The cases that need a store to answer
// in a particular way (every object dated the same second, an object dated long before it shows
// up, a write landing between two pages of one listing) go through a small proxy of this suite's
// own in front of the same moto, which rewrites Last-Modified in listings or writes between pages.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import newObjectInput from '../../schemas/new_object.input.json' with { type: 'json' };
import { DEFAULT_LATE_ARRIVAL_SECONDS, DEFAULT_MAX_PER_POLL, MAX_PER_POLL } from '../../operations/new_object.js';
import type { NewObjectOutput } from '../../src/generated/types.js';
import { loadConnector } from '../../src/index.js';
import {
  aws,
  awsJson,
  fakeStore,
  invoke,
  motoConnection,
  motoEndpoint,
  uniqueBucket,
  type FakeStore,
} from '../support/helpers.js';

type Event = NewObjectOutput['events'][number];
type Cursor = NewObjectOutput['cursor'];

async function poll(input: Record<string, unknown>, connection = motoConnection()): Promise<NewObjectOutput> {
  const res = await invoke<NewObjectOutput>('new_object', input, { connection });
  if (!res.ok) throw new Error(`${res.error.type}: ${res.error.message}`);
  return res.output;
}

/** Polls until nothing is left (hasMore false), passing the cursor back: every event, in order. */
async function drain(
  input: Record<string, unknown>,
  connection = motoConnection(),
): Promise<{ events: Event[]; cursor: Cursor; polls: number }> {
  const events: Event[] = [];
  let cursor = input.cursor as Cursor | undefined;
  let polls = 0;
  for (;;) {
    const out = await poll({ ...input, ...(cursor ? { cursor } : {}) }, connection);
    polls++;
    events.push(...out.events);
    cursor = out.cursor;
    if (!out.hasMore) return { events, cursor, polls };
  }
}

/** Writes `content` at `key` with the aws cli (the object's body is the content's bytes). */
async function write(bucket: string, key: string, content = 'x'): Promise<void> {
  const { writeFile, mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const file = join(await mkdtemp(join(tmpdir(), 'no-')), 'body');
  await writeFile(file, content);
  await aws(['s3api', 'put-object', '--bucket', bucket, '--key', key, '--body', file]);
}

async function createBucket(prefix: string): Promise<string> {
  const bucket = uniqueBucket(prefix);
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  return bucket;
}

interface CliListing {
  Contents?: { Key: string; Size: number; ETag: string; LastModified: string }[];
}

/**
 * A proxy in front of moto. `lastModified(key, listed)` may give a listed object another date;
 * `beforeForward` runs before a request is passed on (a write between two pages of a listing).
 */
interface Proxy {
  endpoint: string;
  close(): Promise<void>;
}
async function proxy(hooks: {
  lastModified?: (key: string, listed: string) => string;
  beforeForward?: (url: URL) => Promise<void>;
}): Promise<Proxy> {
  const target = new URL(motoEndpoint());
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://proxy');
      await hooks.beforeForward?.(url);
      const upstream = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer: IncomingMessage) => {
          const body: Buffer[] = [];
          answer.on('data', (c: Buffer) => body.push(c));
          answer.on('end', () => {
            let text = Buffer.concat(body);
            if (hooks.lastModified && url.searchParams.get('list-type') === '2') {
              text = Buffer.from(
                text.toString('utf8').replace(/<Contents>([\s\S]*?)<\/Contents>/g, (block) => {
                  const key = /<Key>([\s\S]*?)<\/Key>/.exec(block)![1]!;
                  return block.replace(
                    /<LastModified>([^<]*)<\/LastModified>/,
                    (_, listed: string) => `<LastModified>${hooks.lastModified!(key, listed)}</LastModified>`,
                  );
                }),
              );
            }
            const headers = { ...answer.headers, 'content-length': String(text.length) };
            delete headers['transfer-encoding'];
            res.writeHead(answer.statusCode ?? 500, headers).end(text);
          });
        },
      );
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const keys = (events: Event[]) => events.map((e) => e.key);

let store: FakeStore;
beforeAll(async () => {
  store = await fakeStore((_req, res) => res.writeHead(500).end());
});
afterAll(() => store.close());

describe('new_object', () => {
  it('declares in its schema the limits the handler uses', () => {
    expect(newObjectInput.properties.maxPerPoll.default).toBe(DEFAULT_MAX_PER_POLL);
    expect(newObjectInput.properties.maxPerPoll.maximum).toBe(MAX_PER_POLL);
    expect(newObjectInput.properties.lateArrivalSeconds.default).toBe(DEFAULT_LATE_ARRIVAL_SECONDS);
  });

  it('the first poll starts now: what is already there is not replayed; what comes after is reported once, as the aws cli sees it', async () => {
    const bucket = await createBucket('no-now');
    for (const key of ['old/a.txt', 'old/b.txt', 'old/c.txt']) await write(bucket, key);
    const first = await poll({ bucket });
    expect(first).toMatchObject({ bucket, events: [], hasMore: false });

    await write(bucket, 'new/report.csv', 'hello, world\n');
    const second = await poll({ bucket, cursor: first.cursor });
    const cli = await awsJson<CliListing>(['s3api', 'list-objects-v2', '--bucket', bucket, '--prefix', 'new/']);
    expect(second.events).toEqual(
      cli.Contents!.map((o) => ({
        key: o.Key,
        size: o.Size,
        etag: o.ETag,
        lastModified: new Date(o.LastModified).toISOString(),
        storageClass: 'STANDARD',
      })),
    );
    expect(second.events[0]!.size).toBe(13);

    const third = await poll({ bucket, cursor: second.cursor });
    expect(third.events).toEqual([]);
  });

  it('since replays from that time, oldest first, maxPerPoll at a time, each object once', async () => {
    const bucket = await createBucket('no-since');
    const written = Array.from({ length: 7 }, (_, i) => `batch/item-${i}.txt`);
    for (const key of written) await write(bucket, key);
    const first = await poll({ bucket, since: '2000-01-01T00:00:00Z', maxPerPoll: 3 });
    expect(first.events).toHaveLength(3);
    expect(first.hasMore).toBe(true);
    const { events, polls } = await drain({ bucket, maxPerPoll: 3, cursor: first.cursor });
    const all = [...first.events, ...events];
    expect(polls).toBe(2); // 3 + 3 + 1
    expect(keys(all).sort()).toEqual(written);
    expect(new Set(keys(all)).size).toBe(7);
    const order = all.map((e) => [e.lastModified, Buffer.from(e.key).toString('hex')].join(' '));
    expect(order).toEqual([...order].sort());

    const future = await poll({ bucket, since: '2999-01-01T00:00:00Z' });
    expect(future.events).toEqual([]);
  });

  it('keys that share a Last-Modified second are each reported, including those written after that second was polled', async () => {
    // Every listed object dated the same second, as a burst of uploads within one second is.
    const frozen = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
    const p = await proxy({ lastModified: () => frozen });
    try {
      const bucket = await createBucket('no-same');
      const connection = motoConnection({ endpoint: p.endpoint });
      await write(bucket, 'same/a.txt');
      const one = await poll({ bucket, since: frozen }, connection);
      expect(keys(one.events)).toEqual(['same/a.txt']);
      await write(bucket, 'same/b.txt');
      await write(bucket, 'same/0.txt'); // sorts before a.txt
      const two = await poll({ bucket, cursor: one.cursor }, connection);
      expect(keys(two.events)).toEqual(['same/0.txt', 'same/b.txt']);
      expect(two.events.every((e) => e.lastModified === frozen)).toBe(true);
      const three = await poll({ bucket, cursor: two.cursor }, connection);
      expect(three.events).toEqual([]);

      // Written again with other content in the same second: a new ETag, so a new event.
      await write(bucket, 'same/a.txt', 'changed');
      const four = await poll({ bucket, cursor: three.cursor }, connection);
      expect(keys(four.events)).toEqual(['same/a.txt']);
      expect(four.events[0]!.etag).not.toBe(one.events[0]!.etag);
      expect((await poll({ bucket, cursor: four.cursor }, connection)).events).toEqual([]);
    } finally {
      await p.close();
    }
  });

  it('an object written again with new content is reported again; objects left alone are not', async () => {
    const bucket = await createBucket('no-over');
    await write(bucket, 'doc.txt', 'v1');
    await write(bucket, 'other.txt', 'stays');
    const start = await poll({ bucket });
    await write(bucket, 'doc.txt', 'version two');
    const next = await poll({ bucket, cursor: start.cursor });
    expect(keys(next.events)).toEqual(['doc.txt']);
    const head = await awsJson<{ ETag: string; ContentLength: number }>([
      's3api',
      'head-object',
      '--bucket',
      bucket,
      '--key',
      'doc.txt',
    ]);
    expect(next.events[0]).toMatchObject({ etag: head.ETag, size: head.ContentLength });
    expect((await poll({ bucket, cursor: next.cursor })).events).toEqual([]);
  });

  it('keys written during a poll, between the pages of its listing, are reported by the next poll, none twice', async () => {
    const bucket = await createBucket('no-during');
    for (const key of ['m/1', 'm/2', 'm/3', 'm/4', 'm/5']) await write(bucket, key);
    let wrote = false;
    const p = await proxy({
      beforeForward: async (url) => {
        // The second page of the listing: one key lands behind the listing's position, one ahead of it.
        if (!wrote && url.searchParams.has('continuation-token')) {
          wrote = true;
          await write(bucket, 'a/behind.txt');
          await write(bucket, 'z/ahead.txt');
        }
      },
    });
    try {
      const connection = motoConnection({ endpoint: p.endpoint });
      const base = await poll({ bucket, pageSize: 2 });
      expect(wrote).toBe(false);
      const during = await poll({ bucket, pageSize: 2, cursor: base.cursor }, connection);
      expect(wrote).toBe(true);
      expect(keys(during.events)).toEqual(['z/ahead.txt']);
      const after = await poll({ bucket, pageSize: 2, cursor: during.cursor }, connection);
      expect(keys(after.events)).toEqual(['a/behind.txt']);
      expect((await poll({ bucket, pageSize: 2, cursor: after.cursor }, connection)).events).toEqual([]);
    } finally {
      await p.close();
    }
  });

  it('a fresh connector given the cursor goes on exactly where the last poll stopped (a restart)', async () => {
    const bucket = await createBucket('no-restart');
    await write(bucket, 'before.txt');
    const start = await poll({ bucket });
    await write(bucket, 'one.txt');
    const one = await poll({ bucket, cursor: start.cursor });
    expect(keys(one.events)).toEqual(['one.txt']);
    await write(bucket, 'two.txt');

    const stored = JSON.parse(JSON.stringify(one.cursor)) as Cursor; // as the runtime keeps it
    const fresh = await loadConnector({ validateOutput: true });
    try {
      const res = await fresh.invoke('new_object', { bucket, cursor: stored }, { connection: motoConnection() });
      if (!res.ok) throw new Error(res.error.message);
      expect(keys(res.output.events)).toEqual(['two.txt']);
      const again = await fresh.invoke(
        'new_object',
        { bucket, cursor: res.output.cursor },
        { connection: motoConnection() },
      );
      expect(again.ok ? again.output.events : again.error).toEqual([]);
    } finally {
      fresh.close();
    }
  });

  it('objects that show up late, dated before objects already reported, are reported within the late-arrival window', async () => {
    // A long upload is dated by its start: it appears after objects dated later. The proxy dates
    // two objects back: one 60 s, inside a 120 s window, and one 600 s, outside it (missed: the limit).
    const now = Date.now();
    const back = (s: number) => new Date(Math.floor(now / 1000) * 1000 - s * 1000).toISOString();
    const p = await proxy({
      lastModified: (key, listed) =>
        key === 'late/inside.bin' ? back(60) : key === 'late/outside.bin' ? back(600) : listed,
    });
    try {
      const bucket = await createBucket('no-late');
      const connection = motoConnection({ endpoint: p.endpoint });
      const start = await poll({ bucket, lateArrivalSeconds: 120 }, connection);
      await write(bucket, 'late/newer.txt');
      const one = await poll({ bucket, lateArrivalSeconds: 120, cursor: start.cursor }, connection);
      expect(keys(one.events)).toEqual(['late/newer.txt']);
      await write(bucket, 'late/inside.bin');
      await write(bucket, 'late/outside.bin');
      const two = await poll({ bucket, lateArrivalSeconds: 120, cursor: one.cursor }, connection);
      expect(keys(two.events)).toEqual(['late/inside.bin']);
      expect(two.events[0]!.lastModified).toBe(back(60));
    } finally {
      await p.close();
    }
  });

  it('prefix, suffix and glob choose the keys; folder markers are not objects', async () => {
    const bucket = await createBucket('no-filter');
    const start = await poll({ bucket, prefix: 'in/' });
    for (const key of [
      'in/2026/invoice-1.pdf',
      'in/2026/invoice-2.csv',
      'in/2026/deep/invoice-3.pdf',
      'in/notes.pdf',
      'out/invoice-4.pdf',
      'in/folder/',
    ])
      await write(bucket, key, key.endsWith('/') ? '' : 'x');
    const suffix = await poll({ bucket, prefix: 'in/', suffix: '.pdf', cursor: start.cursor });
    expect(keys(suffix.events).sort()).toEqual(['in/2026/deep/invoice-3.pdf', 'in/2026/invoice-1.pdf', 'in/notes.pdf']);
    const glob = await poll({ bucket, prefix: 'in/', glob: 'in/*/invoice-*.pdf', cursor: start.cursor });
    expect(keys(glob.events)).toEqual(['in/2026/invoice-1.pdf']);
    const deep = await poll({ bucket, glob: 'in/**/invoice-?.pdf', cursor: { ...start.cursor } });
    expect(keys(deep.events).sort()).toEqual(['in/2026/deep/invoice-3.pdf', 'in/2026/invoice-1.pdf']);
    const all = await poll({ bucket, cursor: start.cursor });
    expect(keys(all.events)).not.toContain('in/folder/');
    expect(keys(all.events)).toContain('out/invoice-4.pdf');
  });

  it('versionIds: the version each event names, the one the aws cli sees', async () => {
    const bucket = await createBucket('no-ver');
    await aws(['s3api', 'put-bucket-versioning', '--bucket', bucket, '--versioning-configuration', 'Status=Enabled']);
    const start = await poll({ bucket, versionIds: true });
    await write(bucket, 'v.txt', 'one');
    const out = await poll({ bucket, versionIds: true, cursor: start.cursor });
    const head = await awsJson<{ VersionId: string }>(['s3api', 'head-object', '--bucket', bucket, '--key', 'v.txt']);
    expect(out.events).toEqual([expect.objectContaining({ key: 'v.txt', versionId: head.VersionId })]);
    const plain = await poll({ bucket, cursor: start.cursor });
    expect(plain.events[0]).not.toHaveProperty('versionId');
  });

  it.each([
    ['not an object of ours', { hello: 'world' }],
    ['another version', { v: 2, b: 'x', t: '2026-01-01T00:00:00Z', seen: [] }],
    ['another bucket', { v: 1, b: 'some-other-bucket', t: '2026-01-01T00:00:00Z', seen: [] }],
    ['a time that is not one', { v: 1, b: 'BUCKET', t: 'yesterday', seen: [] }],
    ['seen entries it did not write', { v: 1, b: 'BUCKET', t: '2026-01-01T00:00:00Z', seen: ['reports/a.csv'] }],
  ])('a cursor that is %s is refused before any request', async (_label, cursor) => {
    const bucket = 'cursor-check-bucket';
    const before = store.requests.length;
    const res = await invoke(
      'new_object',
      { bucket, cursor: JSON.parse(JSON.stringify(cursor).replace('BUCKET', bucket)) },
      { connection: motoConnection({ endpoint: store.endpoint }) },
    );
    expect(res.ok ? null : res.error).toMatchObject({ type: 'user_input', code: 'InvalidCursor' });
    expect(res.ok ? '' : res.error.message).toMatch(/pass back the cursor/);
    expect(store.requests.length).toBe(before);
  });

  it('reports a missing bucket as not_found', async () => {
    const res = await invoke('new_object', { bucket: uniqueBucket('gone') });
    expect(res.ok ? null : res.error).toMatchObject({ type: 'not_found', code: 'NoSuchBucket' });
  });
});
