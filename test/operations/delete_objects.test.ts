// delete_objects against moto: what the aws cli wrote, the connector deletes in batches of at
// most 1000, and the aws cli no longer sees; per-key and whole-batch failures; bad input.
// moto does not enforce S3's 1000-keys-per-request limit, so batching and concurrency are
// observed through a recording pass-through proxy in front of moto (test/support/recordingProxy.ts).
// The batching itself is src/io/batches.ts, shared with delete_prefix and delete_bucket.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import deleteObjectsInput from '../../schemas/delete_objects.input.json' with { type: 'json' };
import { DELETE_BATCH_SIZE, DELETE_CONCURRENCY, MAX_DELETE_OBJECTS } from '../../operations/delete_objects.js';
import type { DeleteObjectsOutput } from '../../src/generated/types.js';
import {
  aws,
  awsJson,
  fakeStore,
  motoConnection,
  testConnector,
  uniqueBucket,
  type FakeStore,
} from '../support/helpers.js';
import { recordingProxy } from '../support/recordingProxy.js';

/** Has the aws cli upload one small object per key. */
async function cliPut(bucket: string, keys: string[]): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'dos-'));
  for (const key of keys) await writeFile(join(dir, key), key);
  await aws(['s3', 'cp', '--recursive', '--quiet', dir, `s3://${bucket}/`]);
}

async function cliKeys(bucket: string, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await awsJson<{ Contents?: { Key: string }[]; NextContinuationToken?: string }>([
      's3api',
      'list-objects-v2',
      '--bucket',
      bucket,
      '--prefix',
      prefix,
      '--no-paginate',
      ...(token ? ['--continuation-token', token] : []),
    ]);
    keys.push(...(page.Contents ?? []).map((o) => o.Key));
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}

async function deleteMany(input: Record<string, unknown>, endpoint?: string): Promise<DeleteObjectsOutput> {
  const c = await testConnector();
  const res = await c.invoke<DeleteObjectsOutput>('delete_objects', input, {
    connection: motoConnection(endpoint ? { endpoint } : {}),
  });
  if (!res.ok) throw new Error(`${res.error.type}: ${res.error.message}`);
  return res.output;
}

let store: FakeStore;
beforeAll(async () => {
  store = await fakeStore((_req, res) => res.writeHead(500).end());
});
afterAll(() => store.close());

describe('delete_objects', () => {
  it('declares in its schema the limit the handler uses', () => {
    expect(deleteObjectsInput.properties.objects.maxItems).toBe(MAX_DELETE_OBJECTS);
    expect(DELETE_BATCH_SIZE).toBe(1000);
    expect(DELETE_CONCURRENCY).toBeGreaterThan(1);
  });

  it('deletes 2500 keys the aws cli wrote, in batches of at most 1000; missing keys count as deleted', async () => {
    const bucket = uniqueBucket('dos');
    await aws(['s3api', 'create-bucket', '--bucket', bucket]);
    const keys = Array.from({ length: 2500 }, (_, i) => `k${String(i).padStart(4, '0')}.txt`);
    await cliPut(bucket, [...keys, 'keep.txt']);
    expect(await cliKeys(bucket)).toHaveLength(2501);

    // Missing keys mixed in, one in each batch: S3 reports them deleted too.
    const asked = [...keys];
    asked.splice(10, 0, 'missing-1');
    asked.splice(1500, 0, 'missing-2');
    asked.splice(2400, 0, 'missing-3');
    const proxy = await recordingProxy();
    try {
      const out = await deleteMany({ bucket, objects: asked.map((key) => ({ key })) }, proxy.endpoint);
      expect(out.counts).toEqual({ deleted: 2503, failed: 0 });
      expect(out.results.map((r) => r.key)).toEqual(asked); // in the order given
      expect(out.results.every((r) => r.deleted && !r.error)).toBe(true);
      expect(proxy.batches.sort((a, b) => b - a)).toEqual([1000, 1000, 503]);
    } finally {
      await proxy.close();
    }
    expect(await cliKeys(bucket)).toEqual(['keep.txt']);
  });

  it(`keeps at most ${DELETE_CONCURRENCY} batches in flight`, async () => {
    const bucket = uniqueBucket('doc');
    await aws(['s3api', 'create-bucket', '--bucket', bucket]);
    const proxy = await recordingProxy(300);
    try {
      const objects = Array.from({ length: 9 * DELETE_BATCH_SIZE }, (_, i) => ({ key: `none/${i}` }));
      const out = await deleteMany({ bucket, objects }, proxy.endpoint);
      expect(out.counts).toEqual({ deleted: 9000, failed: 0 });
      expect(proxy.batches).toEqual(Array(9).fill(1000));
      expect(proxy.maxInFlight).toBe(DELETE_CONCURRENCY);
    } finally {
      await proxy.close();
    }
  });

  it('reports the keys a bucket policy protects as failed, with the S3 code, and deletes the rest', async () => {
    const bucket = uniqueBucket('dop');
    await aws(['s3api', 'create-bucket', '--bucket', bucket]);
    await cliPut(bucket, ['free-1', 'free-2', 'free-3', 'locked-1', 'locked-2']);
    await aws([
      's3api',
      'put-bucket-policy',
      '--bucket',
      bucket,
      '--policy',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Deny', Principal: '*', Action: 's3:DeleteObject', Resource: `arn:aws:s3:::${bucket}/locked-*` },
        ],
      }),
    ]);
    const asked = ['free-1', 'locked-1', 'free-2', 'locked-2', 'free-3'];
    const out = await deleteMany({ bucket, objects: asked.map((key) => ({ key })) });
    expect(out.counts).toEqual({ deleted: 3, failed: 2 });
    expect(out.results.map((r) => [r.key, r.deleted, r.error?.code])).toEqual([
      ['free-1', true, undefined],
      ['locked-1', false, 'AccessDenied'],
      ['free-2', true, undefined],
      ['locked-2', false, 'AccessDenied'],
      ['free-3', true, undefined],
    ]);
    expect(out.results[1]!.error?.message).toMatch(/denied/i);
    expect(await cliKeys(bucket)).toEqual(['locked-1', 'locked-2']);
  });

  it("fails every key of a batch the store refuses as a whole, and keeps the other batches' results", async () => {
    const bucket = uniqueBucket('dob');
    await aws(['s3api', 'create-bucket', '--bucket', bucket]);
    const first = Array.from({ length: 10 }, (_, i) => `first-${i}`);
    const second = Array.from({ length: 5 }, (_, i) => `second-${i}`);
    await cliPut(bucket, [...first, ...second]);
    // Batch 1: ten real keys plus fillers; batch 2: five real keys and one key that XML 1.0
    // cannot carry, so the store rejects that whole request (moto: HTTP 500; S3: MalformedXML).
    const fillers = Array.from({ length: DELETE_BATCH_SIZE - first.length }, (_, i) => `filler-${i}`);
    const bad = 'bad\u0001key';
    const objects = [...first, ...fillers, ...second, bad].map((key) => ({ key }));
    const out = await deleteMany({ bucket, objects });
    expect(out.counts).toEqual({ deleted: DELETE_BATCH_SIZE, failed: 6 });
    const failed = out.results.slice(DELETE_BATCH_SIZE);
    expect(failed.map((r) => r.key)).toEqual([...second, bad]);
    const codes = new Set(failed.map((r) => r.error?.code));
    expect(codes.size).toBe(1);
    expect(failed.every((r) => !r.deleted && r.error && r.error.message.length > 0)).toBe(true);
    expect(await cliKeys(bucket)).toEqual(second);
  });

  it('throws the error when every batch fails the same way: a missing bucket is not_found', async () => {
    const c = await testConnector();
    const objects = Array.from({ length: 2500 }, (_, i) => ({ key: `k${i}` }));
    const res = await c.invoke(
      'delete_objects',
      { bucket: uniqueBucket('gone'), objects },
      { connection: motoConnection() },
    );
    expect(res.ok ? null : res.error).toMatchObject({ type: 'not_found', code: 'NoSuchBucket', status: 404 });
  });

  it('deletes versions for good with versionId, and leaves delete markers without', async () => {
    const bucket = uniqueBucket('dov');
    await aws(['s3api', 'create-bucket', '--bucket', bucket]);
    await aws(['s3api', 'put-bucket-versioning', '--bucket', bucket, '--versioning-configuration', 'Status=Enabled']);
    const a1 = await awsJson<{ VersionId: string }>(['s3api', 'put-object', '--bucket', bucket, '--key', 'a']);
    const a2 = await awsJson<{ VersionId: string }>(['s3api', 'put-object', '--bucket', bucket, '--key', 'a']);
    const b1 = await awsJson<{ VersionId: string }>(['s3api', 'put-object', '--bucket', bucket, '--key', 'b']);
    const out = await deleteMany({ bucket, objects: [{ key: 'a', versionId: a2.VersionId }, { key: 'b' }] });
    expect(out.counts).toEqual({ deleted: 2, failed: 0 });
    expect(out.results[0]).toEqual({ key: 'a', versionId: a2.VersionId, deleted: true });
    expect(out.results[1]).toEqual({
      key: 'b',
      deleted: true,
      deleteMarker: true,
      deleteMarkerVersionId: expect.any(String),
    });

    const versions = await awsJson<{
      Versions?: { Key: string; VersionId: string }[];
      DeleteMarkers?: { Key: string; VersionId: string }[];
    }>(['s3api', 'list-object-versions', '--bucket', bucket]);
    expect(versions.Versions?.map((v) => [v.Key, v.VersionId]).sort()).toEqual(
      [
        ['a', a1.VersionId],
        ['b', b1.VersionId],
      ].sort(),
    );
    expect(versions.DeleteMarkers?.map((m) => [m.Key, m.VersionId])).toEqual([
      ['b', out.results[1]!.deleteMarkerVersionId],
    ]);
    expect(await cliKeys(bucket)).toEqual(['a']); // a1 is the latest again; b is hidden by its marker
  });

  it.each([
    ['an empty list', { objects: [] }, 'objects', /at least 1 item/],
    [
      `over ${MAX_DELETE_OBJECTS} objects`,
      { objects: Array.from({ length: MAX_DELETE_OBJECTS + 1 }, (_, i) => ({ key: `k${i}` })) },
      'objects',
      /at most 100000 items/,
    ],
    ['an object without a key', { objects: [{ key: 'a' }, { versionId: 'v1' }] }, 'objects.1.key', /is required/],
    ['an unknown field', { objects: [{ key: 'a', size: 3 }] }, 'objects.0.size', /not a known field/],
    ['plain strings', { objects: ['a'] }, 'objects.0', /must be an object/],
  ])('rejects %s before any request', async (_label, extra, field, words) => {
    const c = await testConnector();
    const before = store.requests.length;
    const res = await c.invoke(
      'delete_objects',
      { bucket: 'my-bucket', ...extra },
      { connection: motoConnection({ endpoint: store.endpoint }) },
    );
    expect(res.ok ? null : res.error.type).toBe('user_input');
    const problems = (res.ok ? [] : res.error.details?.problems) as { field: string; message: string }[];
    expect(problems.find((p) => p.field === field)?.message).toMatch(words);
    expect(store.requests.length).toBe(before);
  });
});
