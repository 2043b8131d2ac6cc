// restore_object against moto (which restores at once), with the aws cli as the oracle: an
// object it archived cannot be read until restored; head_object then reports the restore and
// its expiry; a second restore renews it; the days and tier go in the request (seen through a
// recording proxy); not-archived, in-progress (a stand-in), missing and bad input.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeadObjectOutput, RestoreObjectOutput } from '../../src/generated/types.js';
import {
  aws,
  awsJson,
  fakeStore,
  invoke,
  motoConnection,
  s3ErrorXml,
  uniqueBucket,
  type FakeStore,
} from '../support/helpers.js';
import { recordingProxy, type Recorder } from '../support/recordingProxy.js';

const bucket = uniqueBucket('ro');
let proxy: Recorder;
let store: FakeStore;
let body = '';

beforeAll(async () => {
  proxy = await recordingProxy();
  store = await fakeStore((_req, res) => res.writeHead(500).end());
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  const dir = await mkdtemp(join(tmpdir(), 'ro-'));
  body = join(dir, 'body.txt');
  await writeFile(body, 'archived bytes');
  for (const [key, cls] of [
    ['cold/a.txt', 'GLACIER'],
    ['cold/b.txt', 'GLACIER'],
    ['deep/c.txt', 'DEEP_ARCHIVE'],
    ['warm/d.txt', 'STANDARD'],
  ]) {
    await aws(['s3api', 'put-object', '--bucket', bucket, '--key', key!, '--body', body, '--storage-class', cls!]);
  }
});
afterAll(async () => {
  await proxy.close();
  await store.close();
});

const through = () => ({ connection: motoConnection({ endpoint: proxy.endpoint }) });
const restoreRequests = (key: string) =>
  proxy.requests.filter((r) => r.method === 'POST' && r.url.startsWith(`/${bucket}/${key}?restore`));

async function restore(input: Record<string, unknown>): Promise<RestoreObjectOutput> {
  const res = await invoke<RestoreObjectOutput>('restore_object', input, through());
  if (!res.ok) throw new Error(`${res.error.type}: ${res.error.message}`);
  return res.output;
}

async function head(key: string): Promise<HeadObjectOutput> {
  const res = await invoke<HeadObjectOutput>('head_object', { bucket, key });
  if (!res.ok) throw new Error(`${res.error.type}: ${res.error.message}`);
  return res.output;
}

const cliGet = async (key: string) => {
  const out = join(await mkdtemp(join(tmpdir(), 'ro-get-')), 'out');
  await aws(['s3api', 'get-object', '--bucket', bucket, '--key', key, out]);
  return readFile(out, 'utf8');
};

describe('restore_object', () => {
  it('restores a Glacier object the aws cli cannot read yet; head_object then reports the restore as the cli sees it', async () => {
    await expect(cliGet('cold/a.txt')).rejects.toThrow(/InvalidObjectState/);
    expect((await head('cold/a.txt')).restore).toBeUndefined();

    const out = await restore({ bucket, key: 'cold/a.txt', days: 2, tier: 'Standard' });
    expect(out).toEqual({ bucket, key: 'cold/a.txt', status: 'started', readable: false, days: 2, tier: 'Standard' });
    expect(restoreRequests('cold/a.txt')[0]!.body).toMatch(/<Days>2<\/Days>.*<Tier>Standard<\/Tier>/s);

    const after = await head('cold/a.txt');
    const cli = await awsJson<{ Restore: string; StorageClass: string }>([
      's3api',
      'head-object',
      '--bucket',
      bucket,
      '--key',
      'cold/a.txt',
    ]);
    const cliExpiry = new Date(/expiry-date="([^"]+)"/.exec(cli.Restore)![1]!).toISOString();
    expect(after).toMatchObject({ storageClass: 'GLACIER', restore: { ongoing: false, expiry: cliExpiry } });
    // Two days out, give or take the clock: the days asked for went through.
    const inDays = (Date.parse(after.restore!.expiry!) - Date.now()) / 86_400_000;
    expect(inDays).toBeGreaterThan(1);
    expect(inDays).toBeLessThan(3);
    expect(await cliGet('cold/a.txt')).toBe('archived bytes');
  });

  it('answers alreadyRestored for a restored object, and moves its expiry by the days asked', async () => {
    await restore({ bucket, key: 'cold/b.txt', days: 1 });
    const first = (await head('cold/b.txt')).restore!.expiry!;
    const again = await restore({ bucket, key: 'cold/b.txt', days: 5 });
    expect(again).toMatchObject({ status: 'alreadyRestored', readable: true, days: 5 });
    const renewed = (await head('cold/b.txt')).restore!.expiry!;
    expect(Date.parse(renewed) - Date.parse(first)).toBeGreaterThan(3 * 86_400_000);
  });

  it('sends the tier and the days for Deep Archive, and no days for an Intelligent-Tiering archive', async () => {
    expect(await restore({ bucket, key: 'deep/c.txt', days: 3, tier: 'Bulk' })).toMatchObject({
      status: 'started',
      tier: 'Bulk',
      days: 3,
    });
    expect(restoreRequests('deep/c.txt')[0]!.body).toMatch(/<Days>3<\/Days>.*<Tier>Bulk<\/Tier>/s);
    const it = await fakeStore((_req, res) => res.writeHead(202).end());
    try {
      const res = await invoke(
        'restore_object',
        { bucket, key: 'tiered.bin', intelligentTiering: true },
        { connection: motoConnection({ endpoint: it.endpoint }) },
      );
      expect(res).toMatchObject({ ok: true, output: { status: 'started', tier: 'Standard' } });
      expect(res.ok && 'days' in res.output).toBe(false);
    } finally {
      await it.close();
    }
  });

  it('answers notArchived, readable, for an object in a storage class that needs no restore', async () => {
    expect(await restore({ bucket, key: 'warm/d.txt' })).toEqual({
      bucket,
      key: 'warm/d.txt',
      status: 'notArchived',
      readable: true,
      days: 1,
      tier: 'Standard',
    });
  });

  it('answers inProgress when a restore is already under way (a stand-in answers 409, as S3 does), and head_object says ongoing', async () => {
    const busy = await fakeStore((req, res) => {
      if (req.method === 'HEAD') {
        res
          .writeHead(200, {
            'content-length': '3',
            'x-amz-storage-class': 'GLACIER',
            'x-amz-restore': 'ongoing-request="true"',
            etag: '"abc"',
          })
          .end();
      } else {
        res
          .writeHead(409, { 'content-type': 'application/xml' })
          .end(s3ErrorXml('RestoreAlreadyInProgress', 'Object restore is already in progress'));
      }
    });
    try {
      const connection = motoConnection({ endpoint: busy.endpoint, maxAttempts: 1 });
      expect(await invoke('restore_object', { bucket, key: 'cold/x.txt' }, { connection })).toMatchObject({
        ok: true,
        output: { status: 'inProgress', readable: false },
      });
      expect(await invoke('head_object', { bucket, key: 'cold/x.txt' }, { connection })).toMatchObject({
        ok: true,
        output: { storageClass: 'GLACIER', restore: { ongoing: true } },
      });
    } finally {
      await busy.close();
    }
  });

  it('reports a missing object and a missing bucket as not_found', async () => {
    expect(await invoke('restore_object', { bucket, key: 'cold/missing.txt' })).toMatchObject({
      ok: false,
      error: { type: 'not_found', code: 'NoSuchKey' },
    });
    expect(await invoke('restore_object', { bucket: uniqueBucket('gone'), key: 'k' })).toMatchObject({
      ok: false,
      error: { type: 'not_found' },
    });
  });

  it.each([
    [{ days: 0 }, 'days', />= 1/],
    [{ days: 30001 }, 'days', /<= 30000/],
    [{ days: 1.5 }, 'days', /integer/],
    [{ tier: 'Fast' }, 'tier', /./],
    [{ key: undefined }, 'key', /is required/],
  ])('rejects %j before any request', async (extra, field, words) => {
    const before = store.requests.length;
    const res = await invoke(
      'restore_object',
      { bucket, key: 'cold/a.txt', ...extra },
      { connection: motoConnection({ endpoint: store.endpoint }) },
    );
    expect(res.ok ? null : res.error.type).toBe('user_input');
    const problems = (res.ok ? [] : res.error.details?.problems) as { field: string; message: string }[];
    expect(problems.find((p) => p.field === field)?.message, JSON.stringify(problems)).toMatch(words);
    expect(store.requests.length).toBe(before);
  });
});
