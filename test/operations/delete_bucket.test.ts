// delete_bucket against moto, the aws cli writing and checking: an empty bucket goes; one that
// is not is a conflict and keeps everything; emptyFirst deletes every version and delete marker
// in batches of at most 1000 (seen through a recording proxy, as moto takes more), counts them,
// and only starts once S3 answered BucketNotEmpty; per-key failures keep the bucket. Answers moto
// cannot give (a denied DeleteBucket, a bucket refilled while it is emptied) come from stand-ins.
import { mkdtemp, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_EMPTY_ROUNDS } from '../../operations/delete_bucket.js';
import { DELETE_BATCH_SIZE } from '../../src/io/batches.js';
import type { DeleteBucketOutput } from '../../src/generated/types.js';
import {
  aws,
  awsJson,
  fakeStore,
  invoke,
  motoConnection,
  s3ErrorXml,
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

const seen = (bucket: string) => proxy.requests.filter((r) => r.url.startsWith(`/${bucket}`));
const through = () => ({ connection: motoConnection({ endpoint: proxy.endpoint }) });

async function exists(bucket: string): Promise<boolean> {
  return aws(['s3api', 'head-bucket', '--bucket', bucket]).then(
    () => true,
    () => false,
  );
}

async function cliCount(bucket: string): Promise<number> {
  const out = await awsJson<{ Versions?: unknown[]; DeleteMarkers?: unknown[] }>([
    's3api',
    'list-object-versions',
    '--bucket',
    bucket,
  ]);
  return (out.Versions?.length ?? 0) + (out.DeleteMarkers?.length ?? 0);
}

/** The aws cli uploads `n` small files under `prefix`. */
async function cliUpload(bucket: string, n: number, prefix = ''): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'db-'));
  for (let i = 0; i < n; i++) await writeFile(join(dir, `f${String(i).padStart(5, '0')}.txt`), String(i));
  await aws(['s3', 'cp', '--recursive', '--quiet', dir, `s3://${bucket}/${prefix}`]);
}

async function remove(input: Record<string, unknown>): Promise<DeleteBucketOutput> {
  const res = await invoke<DeleteBucketOutput>('delete_bucket', input, through());
  if (!res.ok) throw new Error(`${res.error.type}: ${res.error.message}`);
  return res.output;
}

describe('delete_bucket', () => {
  it('deletes an empty bucket', async () => {
    const bucket = uniqueBucket('db');
    await aws(['s3api', 'create-bucket', '--bucket', bucket]);
    expect(await remove({ bucket })).toEqual({ bucket, deleted: true, objectsDeleted: 0 });
    expect(await exists(bucket)).toBe(false);
  });

  it('refuses a bucket that is not empty as a conflict, and deletes nothing', async () => {
    const bucket = uniqueBucket('dbn');
    await aws(['s3api', 'create-bucket', '--bucket', bucket]);
    await aws(['s3api', 'put-object', '--bucket', bucket, '--key', 'keep.txt']);
    const res = await invoke('delete_bucket', { bucket }, through());
    expect(res.ok ? null : res.error).toMatchObject({
      type: 'conflict',
      code: 'BucketNotEmpty',
      status: 409,
      retryable: false,
    });
    expect(res.ok ? '' : res.error.message).toMatch(/is not empty.*emptyFirst/);
    expect(
      seen(bucket)
        .filter((r) => r.method !== 'PUT')
        .map((r) => r.method),
    ).toEqual(['DELETE']);
    expect(await cliCount(bucket)).toBe(1);
  });

  it('empties a versioned bucket first: every version and delete marker, in batches of at most 1000, counted', async () => {
    const bucket = uniqueBucket('dbv');
    await aws(['s3api', 'create-bucket', '--bucket', bucket]);
    await aws(['s3api', 'put-bucket-versioning', '--bucket', bucket, '--versioning-configuration', 'Status=Enabled']);
    await cliUpload(bucket, 1100); // 1100 versions
    await cliUpload(bucket, 1100); // 1100 more, the first ones now older versions
    await aws(['s3', 'rm', '--recursive', '--quiet', `s3://${bucket}/`]); // 1100 delete markers
    const total = await cliCount(bucket);
    expect(total).toBe(3300);

    const out = await remove({ bucket, emptyFirst: true });
    expect(out).toEqual({ bucket, deleted: true, objectsDeleted: total, batches: expect.any(Number) });
    const batches = proxy.batches.slice(-out.batches!);
    expect(
      batches.every((n) => n > 0 && n <= DELETE_BATCH_SIZE),
      String(batches),
    ).toBe(true);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(total);
    // One pass: a DeleteBucket refused for its contents, the emptying, a DeleteBucket that succeeds.
    expect(seen(bucket).filter((r) => r.method === 'DELETE').length).toBe(2);
    expect(await exists(bucket)).toBe(false);
  });

  it('empties an unversioned bucket (its objects listed as the null version)', async () => {
    const bucket = uniqueBucket('dbu');
    await aws(['s3api', 'create-bucket', '--bucket', bucket]);
    await cliUpload(bucket, 5, 'a/');
    expect(await remove({ bucket, emptyFirst: true })).toEqual({
      bucket,
      deleted: true,
      objectsDeleted: 5,
      batches: 1,
    });
    expect(await exists(bucket)).toBe(false);
  });

  it('keeps the bucket, and says which, when some objects cannot be deleted', async () => {
    const bucket = uniqueBucket('dbp');
    await aws(['s3api', 'create-bucket', '--bucket', bucket]);
    for (const key of ['free-1', 'free-2', 'locked-1'])
      await aws(['s3api', 'put-object', '--bucket', bucket, '--key', key]);
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
    const res = await invoke('delete_bucket', { bucket, emptyFirst: true }, through());
    expect(res.ok ? null : res.error).toMatchObject({
      type: 'conflict',
      code: 'BucketNotEmptied',
      details: {
        objectsDeleted: 2,
        failed: 1,
        failures: [{ key: 'locked-1', versionId: 'null', deleted: false, error: { code: 'AccessDenied' } }],
      },
    });
    expect(res.ok ? '' : res.error.message).toMatch(
      /could not be emptied: 1 objects .*"locked-1".*The bucket was not deleted/,
    );
    expect(await exists(bucket)).toBe(true);
    expect(await cliCount(bucket)).toBe(1);
  });

  it('deletes nothing when the bucket itself may not be deleted (the first DeleteBucket is refused)', async () => {
    const denied = await fakeStore((_req, res) =>
      res.writeHead(403, { 'content-type': 'application/xml' }).end(s3ErrorXml('AccessDenied', 'Access Denied')),
    );
    try {
      const res = await invoke(
        'delete_bucket',
        { bucket: 'guarded', emptyFirst: true },
        { connection: motoConnection({ endpoint: denied.endpoint }) },
      );
      expect(res.ok ? null : res.error).toMatchObject({
        type: 'forbidden',
        details: { requiredActions: expect.arrayContaining(['s3:DeleteBucket']) },
      });
      expect(denied.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['DELETE /guarded/']);
    } finally {
      await denied.close();
    }
  });

  it(`gives up after emptying ${MAX_EMPTY_ROUNDS} times a bucket that keeps being written to`, async () => {
    // A stand-in: DeleteBucket always BucketNotEmpty, and every listing finds one new object.
    let n = 0;
    const busy = await fakeStore((req: IncomingMessage, res: ServerResponse) => {
      const xml = (status: number, body: string) =>
        res.writeHead(status, { 'content-type': 'application/xml' }).end(body);
      if (req.method === 'DELETE')
        return xml(409, s3ErrorXml('BucketNotEmpty', 'The bucket you tried to delete is not empty'));
      if (req.method === 'GET') {
        n++;
        return xml(
          200,
          `<?xml version="1.0" encoding="UTF-8"?><ListVersionsResult><Name>busy</Name><IsTruncated>false</IsTruncated><Version><Key>new-${n}</Key><VersionId>v${n}</VersionId><IsLatest>true</IsLatest></Version></ListVersionsResult>`,
        );
      }
      xml(
        200,
        `<?xml version="1.0" encoding="UTF-8"?><DeleteResult><Deleted><Key>new-${n}</Key><VersionId>v${n}</VersionId></Deleted></DeleteResult>`,
      );
    });
    try {
      const res = await invoke(
        'delete_bucket',
        { bucket: 'busy-bucket', emptyFirst: true },
        { connection: motoConnection({ endpoint: busy.endpoint }) },
      );
      expect(res.ok ? null : res.error).toMatchObject({
        type: 'conflict',
        code: 'BucketNotEmpty',
        details: { objectsDeleted: MAX_EMPTY_ROUNDS, rounds: MAX_EMPTY_ROUNDS },
      });
      expect(busy.requests.filter((r) => r.method === 'DELETE').length).toBe(MAX_EMPTY_ROUNDS + 1);
    } finally {
      await busy.close();
    }
  });

  it('reports a missing bucket as not_found', async () => {
    for (const emptyFirst of [false, true]) {
      const res = await invoke('delete_bucket', { bucket: uniqueBucket('gone'), emptyFirst }, through());
      expect(res.ok ? null : res.error).toMatchObject({ type: 'not_found', code: 'NoSuchBucket' });
    }
  });

  it.each([
    [{ bucket: 'Not_A_Bucket' }, 'bucket'],
    [{ bucket: 'my-bucket', emptyFirst: 'yes' }, 'emptyFirst'],
    [{ bucket: 'my-bucket', force: true }, 'force'],
  ])('refuses %j before any request', async (input, field) => {
    const before = store.requests.length;
    const res = await invoke('delete_bucket', input, { connection: motoConnection({ endpoint: store.endpoint }) });
    expect(res.ok ? null : res.error.type).toBe('user_input');
    expect(problemFields(res)).toContain(field);
    expect(store.requests.length).toBe(before);
  });
});
