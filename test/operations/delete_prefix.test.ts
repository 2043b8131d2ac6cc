// delete_prefix against moto, the aws cli writing and checking: every key under the prefix goes
// (and only those), in batches of at most 1000 seen through a recording proxy; a dry run only
// counts; versions and delete markers with allVersions; per-key failures listed (at most 1000);
// an empty prefix needs confirmEntireBucket, refused before any request.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LISTED_FAILURES } from '../../operations/delete_prefix.js';
import { DELETE_BATCH_SIZE } from '../../src/io/batches.js';
import type { DeletePrefixOutput } from '../../src/generated/types.js';
import {
  aws,
  awsJson,
  fakeStore,
  invoke,
  motoConnection,
  uniqueBucket,
  type FakeStore,
  problemFields,
} from '../support/helpers.js';
import { recordingProxy, type Recorder } from '../support/recordingProxy.js';

let proxy: Recorder;
let store: FakeStore;
beforeAll(async () => {
  proxy = await recordingProxy();
  store = await fakeStore((_req, res) => res.writeHead(500).end());
});
afterAll(async () => {
  await proxy.close();
  await store.close();
});

const through = () => ({ connection: motoConnection({ endpoint: proxy.endpoint }) });
const deletesOf = (bucket: string) =>
  proxy.requests.filter((r) => r.method === 'POST' && r.url.startsWith(`/${bucket}`) && /[?&]delete/.test(r.url));

/** The aws cli uploads one small file per key. */
async function cliPut(bucket: string, keys: string[]): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'dp-'));
  for (const key of keys) {
    await mkdir(dirname(join(dir, key)), { recursive: true });
    await writeFile(join(dir, key), key);
  }
  await aws(['s3', 'cp', '--recursive', '--quiet', dir, `s3://${bucket}/`]);
}

async function cliKeys(bucket: string): Promise<string[]> {
  const out = await awsJson<{ Contents?: { Key: string }[] }>(['s3api', 'list-objects-v2', '--bucket', bucket]);
  return (out.Contents ?? []).map((o) => o.Key);
}

async function newBucket(prefix: string, versioned = false): Promise<string> {
  const bucket = uniqueBucket(prefix);
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  if (versioned)
    await aws(['s3api', 'put-bucket-versioning', '--bucket', bucket, '--versioning-configuration', 'Status=Enabled']);
  return bucket;
}

async function run(input: Record<string, unknown>): Promise<DeletePrefixOutput> {
  const res = await invoke<DeletePrefixOutput>('delete_prefix', input, through());
  if (!res.ok) throw new Error(`${res.error.type}: ${res.error.message}`);
  return res.output;
}

const kept = ['logs-old.txt', 'other/logs/1.txt', 'log'];

describe('delete_prefix', () => {
  it('deletes every key under the prefix and nothing else, in batches of at most 1000', async () => {
    const bucket = await newBucket('dp');
    const logs = Array.from({ length: 1100 }, (_, i) => `logs/${i % 3}/f${String(i).padStart(4, '0')}.txt`);
    await cliPut(bucket, [...logs, ...kept]);
    const out = await run({ bucket, prefix: 'logs/' });
    expect(out).toEqual({
      bucket,
      prefix: 'logs/',
      dryRun: false,
      counts: { found: 1100, deleted: 1100, failed: 0 },
      failures: [],
      batches: 2,
    });
    const batches = deletesOf(bucket).map((r) => r.body.split('<Object>').length - 1);
    // Each page's last key goes with the next batch (it is where the next page resumes).
    expect(
      batches.every((n) => n <= DELETE_BATCH_SIZE),
      String(batches),
    ).toBe(true);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(1100);
    expect((await cliKeys(bucket)).sort()).toEqual([...kept].sort());
  });

  it('only counts in a dry run: nothing deleted, no delete sent', async () => {
    const bucket = await newBucket('dpd');
    await cliPut(bucket, ['logs/a.txt', 'logs/b/c.txt', ...kept]);
    const out = await run({ bucket, prefix: 'logs/', dryRun: true });
    expect(out).toEqual({
      bucket,
      prefix: 'logs/',
      dryRun: true,
      counts: { found: 2, deleted: 0, failed: 0 },
      failures: [],
    });
    expect(deletesOf(bucket)).toEqual([]);
    expect((await cliKeys(bucket)).length).toBe(5);
  });

  it('in a versioned bucket leaves delete markers by default, and deletes every version and marker with allVersions', async () => {
    const bucket = await newBucket('dpv', true);
    for (const key of ['logs/a', 'logs/a', 'logs/b', 'keep/x'])
      await aws(['s3api', 'put-object', '--bucket', bucket, '--key', key]);
    const hidden = await run({ bucket, prefix: 'logs/' });
    expect(hidden.counts).toEqual({ found: 2, deleted: 2, failed: 0, deleteMarkers: 2 });
    const versions = () =>
      awsJson<{ Versions?: { Key: string }[]; DeleteMarkers?: { Key: string }[] }>([
        's3api',
        'list-object-versions',
        '--bucket',
        bucket,
      ]);
    expect((await versions()).Versions?.map((v) => v.Key).sort()).toEqual(['keep/x', 'logs/a', 'logs/a', 'logs/b']);
    expect((await versions()).DeleteMarkers?.map((m) => m.Key).sort()).toEqual(['logs/a', 'logs/b']);

    expect((await run({ bucket, prefix: 'logs/', allVersions: true, dryRun: true })).counts.found).toBe(5);
    const gone = await run({ bucket, prefix: 'logs/', allVersions: true });
    expect(gone.counts).toEqual({ found: 5, deleted: 5, failed: 0 });
    const after = await versions();
    expect(after.Versions?.map((v) => v.Key)).toEqual(['keep/x']);
    expect(after.DeleteMarkers ?? []).toEqual([]);
  });

  it(`lists the keys it could not delete with the store's reason, at most ${MAX_LISTED_FAILURES}, and deletes the rest`, async () => {
    const bucket = await newBucket('dpf');
    const locked = Array.from(
      { length: MAX_LISTED_FAILURES + 1 },
      (_, i) => `logs/locked-${String(i).padStart(4, '0')}`,
    );
    await cliPut(bucket, [...locked, 'logs/free-1', 'logs/free-2']);
    await aws([
      's3api',
      'put-bucket-policy',
      '--bucket',
      bucket,
      '--policy',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:DeleteObject',
            Resource: `arn:aws:s3:::${bucket}/logs/locked-*`,
          },
        ],
      }),
    ]);
    const out = await run({ bucket, prefix: 'logs/' });
    expect(out.counts).toEqual({ found: locked.length + 2, deleted: 2, failed: locked.length });
    expect(out.failures).toHaveLength(MAX_LISTED_FAILURES);
    expect(out.failuresTruncated).toBe(true);
    expect(out.failures[0]).toEqual({
      key: expect.stringMatching(/^logs\/locked-/),
      error: { code: 'AccessDenied', message: expect.any(String) },
    });
    expect((await cliKeys(bucket)).length).toBe(locked.length);
  });

  it('answers forbidden when every key is refused for want of permission', async () => {
    const bucket = await newBucket('dpa');
    await cliPut(bucket, ['logs/1', 'logs/2']);
    await aws([
      's3api',
      'put-bucket-policy',
      '--bucket',
      bucket,
      '--policy',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Deny', Principal: '*', Action: 's3:DeleteObject', Resource: `arn:aws:s3:::${bucket}/*` },
        ],
      }),
    ]);
    const res = await invoke('delete_prefix', { bucket, prefix: 'logs/' }, through());
    expect(res.ok ? null : res.error).toMatchObject({
      type: 'forbidden',
      details: { requiredActions: expect.arrayContaining(['s3:DeleteObject']) },
    });
    expect((await cliKeys(bucket)).length).toBe(2);
  });

  it("deletes the whole bucket's objects only with confirmEntireBucket", async () => {
    const bucket = await newBucket('dpe');
    await cliPut(bucket, ['a', 'b/c']);
    const refused = await invoke('delete_prefix', { bucket, prefix: '' }, through());
    expect(refused.ok ? null : refused.error).toMatchObject({ type: 'user_input' });
    expect(problemFields(refused)).toContain('confirmEntireBucket');
    expect(proxy.requests.filter((r) => r.url.startsWith(`/${bucket}`))).toEqual([]);
    const out = await run({ bucket, prefix: '', confirmEntireBucket: true });
    expect(out.counts).toEqual({ found: 2, deleted: 2, failed: 0 });
    expect(await cliKeys(bucket)).toEqual([]);
  });

  it('answers zero for a prefix with nothing under it, without a delete', async () => {
    const bucket = await newBucket('dpz');
    await cliPut(bucket, kept);
    expect((await run({ bucket, prefix: 'nothing/' })).counts).toEqual({ found: 0, deleted: 0, failed: 0 });
    expect(deletesOf(bucket)).toEqual([]);
  });

  it('reports a missing bucket as not_found', async () => {
    for (const extra of [{}, { dryRun: true }, { allVersions: true }]) {
      const res = await invoke('delete_prefix', { bucket: uniqueBucket('gone'), prefix: 'logs/', ...extra }, through());
      expect(res.ok ? null : res.error).toMatchObject({ type: 'not_found', code: 'NoSuchBucket' });
    }
  });

  it.each([
    ['an empty prefix alone', { prefix: '' }, 'confirmEntireBucket'],
    ['an empty prefix, not confirmed', { prefix: '', confirmEntireBucket: false }, 'confirmEntireBucket'],
    ['no prefix', {}, 'prefix'],
    ['a prefix of 1025 characters', { prefix: 'x'.repeat(1025) }, 'prefix'],
    ['a dry run that is not a boolean', { prefix: 'logs/', dryRun: 'yes' }, 'dryRun'],
  ])('refuses %s before any request', async (_label, extra, field) => {
    const before = store.requests.length;
    const res = await invoke(
      'delete_prefix',
      { bucket: 'my-bucket', ...extra },
      { connection: motoConnection({ endpoint: store.endpoint }) },
    );
    expect(res.ok ? null : res.error.type).toBe('user_input');
    expect(problemFields(res)).toContain(field);
    expect(store.requests.length).toBe(before);
  });
});
