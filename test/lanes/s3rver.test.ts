// The partial-store lane: every operation in connector.json against s3rver 3.7.1, a second and
// deliberately incomplete S3 (test/s3rver.ts starts it in a child process). What s3rver
// implements must come back byte-exact; what it does not must end in a structured error, never
// a thrown exception. Where s3rver silently ignores an option (the connector cannot tell from
// the answer), the test asserts what really happens and says so ("IGNORED" / "GAP"); the
// support table in RELIABILITY.md ("Partial stores (s3rver)") is the summary of this file.
//
// The oracle is s3rver itself over plain HTTP: it serves unsigned requests, so `fetch` reads
// the stored bytes (and ?tagging) without the AWS SDK in the way.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAPABILITY_PROBE_PREFIX } from '../../src/probes/capabilities.js';
import { loadConnector, type Connector, type InvokeResult } from '../../src/index.js';
import { LocalFileStore, type FileStore } from '../../src/io/files.js';
import type { S3Connection } from '../../src/generated/types.js';
import { testConnector } from '../support/helpers.js';
import { S3RVER_KEY_ID, S3RVER_SECRET, startS3rver, type S3rver } from '../support/s3rver.js';

const MiB = 1024 * 1024;
const bucket = 'srv-main';
const listBucket = 'srv-list';
const otherBuckets = ['srv-extra-a', 'srv-extra-b'];

let srv: S3rver;
let root: string;
let files: LocalFileStore;

type Out = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function connection(overrides: Partial<S3Connection> = {}): S3Connection {
  return {
    region: 'us-east-1',
    endpoint: srv.endpoint,
    forcePathStyle: true,
    credentials: { type: 'accessKey', accessKeyId: S3RVER_KEY_ID, secretAccessKey: S3RVER_SECRET },
    ...overrides,
  };
}

async function invoke(
  name: string,
  input: Record<string, unknown>,
  extra: { files?: FileStore; connection?: S3Connection; timeoutMs?: number; connector?: Connector } = {},
): Promise<InvokeResult<Out>> {
  const c = extra.connector ?? (await testConnector());
  try {
    return await c.invoke<Out>(name, input, {
      connection: extra.connection ?? connection(),
      files: extra.files ?? files,
      ...(extra.timeoutMs ? { timeoutMs: extra.timeoutMs } : {}),
    });
  } catch (err) {
    // invoke must never throw: make a throw fail the test loudly, whatever it asserted.
    throw new Error(`invoke(${name}) threw instead of returning a result: ${String(err)}`);
  }
}

async function ok(name: string, input: Record<string, unknown>, extra?: Parameters<typeof invoke>[2]): Promise<Out> {
  const res = await invoke(name, input, extra);
  if (!res.ok) throw new Error(`${name} failed: ${res.error.type} ${res.error.code}: ${res.error.message}`);
  return res.output;
}

async function failed(name: string, input: Record<string, unknown>, extra?: Parameters<typeof invoke>[2]) {
  const res = await invoke(name, input, extra);
  if (res.ok) throw new Error(`${name} succeeded, an error was expected: ${JSON.stringify(res.output).slice(0, 300)}`);
  return res.error;
}

const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');
const objectUrl = (b: string, key: string) =>
  `${srv.endpoint}/${b}/${key.split('/').map(encodeURIComponent).join('/')}`;

/** The stored bytes, read by an unsigned GET straight from s3rver. */
async function rawGet(key: string, b = bucket): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
  const res = await fetch(objectUrl(b, key));
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

/** The object's tags as s3rver stores them (GET ?tagging). */
async function rawTags(key: string, b = bucket): Promise<Record<string, string>> {
  const xml = await (await fetch(`${objectUrl(b, key)}?tagging`)).text();
  return Object.fromEntries(
    [...xml.matchAll(/<Tag><Key>([^<]*)<\/Key><Value>([^<]*)<\/Value><\/Tag>/g)].map((m) => [m[1]!, m[2]!]),
  );
}

/** Keys left under the capability probe's prefix, listed by an unsigned GET straight from s3rver. */
async function probeLeftovers(b = bucket): Promise<string[]> {
  const xml = await (await fetch(`${srv.endpoint}/${b}?prefix=${encodeURIComponent(CAPABILITY_PROBE_PREFIX)}`)).text();
  return [...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]!);
}

/** A connector of its own: nothing an earlier test's probe learned about s3rver carries over. */
const fresh = () => loadConnector({ validateOutput: true });

async function storeFile(bytes: Buffer, name: string): Promise<string> {
  const path = join(root, name);
  await writeFile(path, bytes);
  return pathToFileURL(path).href;
}

async function downloaded(out: Out): Promise<Buffer> {
  return readFile(new URL((out.file as { url: string }).url));
}

beforeAll(async () => {
  srv = await startS3rver();
  root = await mkdtemp(join(tmpdir(), 's3rver-files-'));
  files = new LocalFileStore(root);
  // Buckets are made over plain HTTP (there is no create-bucket operation; s3rver takes unsigned PUTs).
  for (const b of [bucket, listBucket, ...otherBuckets]) {
    const res = await fetch(`${srv.endpoint}/${b}`, { method: 'PUT' });
    expect(res.status, `create ${b}`).toBe(200);
  }
}, 120_000);

afterAll(async () => {
  (await testConnector()).close();
  await srv?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('the s3rver starter', () => {
  it('runs s3rver in a child process on its own port and data folder, and cleans up on stop', async () => {
    const second = await startS3rver();
    expect(second.port).not.toBe(srv.port);
    expect((await stat(second.dir)).isDirectory()).toBe(true);
    const res = await fetch(`${second.endpoint}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<ListAllMyBucketsResult');
    await second.stop();
    await expect(stat(second.dir)).rejects.toThrow(/ENOENT/);
    await expect(fetch(`${second.endpoint}/`)).rejects.toThrow();
  }, 300_000);
});

describe('credentials', () => {
  it('an unknown access key is an auth error', async () => {
    const error = await failed(
      'list_buckets',
      {},
      {
        connection: connection({ credentials: { type: 'accessKey', accessKeyId: 'NOT-S3RVER', secretAccessKey: 'x' } }),
      },
    );
    expect(error).toMatchObject({ type: 'auth', code: 'InvalidAccessKeyId', status: 403, retryable: false });
  });

  it('IGNORED: a wrong secret and anonymous requests are accepted (s3rver never checks SigV4 signatures)', async () => {
    const wrongSecret = await invoke(
      'list_buckets',
      {},
      {
        connection: connection({
          credentials: { type: 'accessKey', accessKeyId: S3RVER_KEY_ID, secretAccessKey: 'wrong' },
        }),
      },
    );
    expect(wrongSecret.ok).toBe(true);
    const anonymous = await invoke(
      'list_buckets',
      {},
      { connection: connection({ credentials: { type: 'anonymous' } }) },
    );
    expect(anonymous.ok).toBe(true);
  });

  it('testConnection with a bucket works, and reports what s3rver cannot do (found by a probe that leaves nothing)', async () => {
    const c = await testConnector();
    const res = await c.testConnection(connection(), { bucket });
    if (!res.ok) throw new Error(res.error.message);
    const report = (res.output as Out).permissions as { method: string; actions: Record<string, boolean | null> };
    expect(report.method).toBe('probes');
    expect(report.actions).toMatchObject({
      's3:ListAllMyBuckets': true,
      's3:ListBucket': true,
      's3:GetObject': true,
      's3:PutObject': true,
      's3:DeleteObject': true,
      's3:GetBucketLocation': true,
      's3:PutObjectAcl': null,
    });
    expect((res.output as Out).capabilities).toEqual({
      conditionalWrites: false,
      versioning: false,
      tagsOnPut: false,
      acl: false,
      serverSideEncryption: false,
    });
    expect(await probeLeftovers()).toEqual([]);
  });
});

describe('buckets: list_buckets, list_buckets_ddl, get_bucket_location', () => {
  const all = [bucket, listBucket, ...otherBuckets].sort();

  it('list_buckets lists every bucket with its owner; list_buckets_ddl feeds a dropdown', async () => {
    const out = await ok('list_buckets', {});
    expect(out.buckets.map((b: { name: string }) => b.name)).toEqual(all);
    expect(out).toMatchObject({ count: all.length, owner: { id: '123456789000', displayName: 'S3rver' } });
    for (const b of out.buckets) expect(Number.isNaN(Date.parse(b.creationDate))).toBe(false);
    const ddl = await ok('list_buckets_ddl', { search: 'srv-extra' });
    expect(ddl.options).toEqual(otherBuckets.map((n) => ({ label: n, value: n })));
  });

  it('prefix works (s3rver ignores Prefix; the connector filters)', async () => {
    const out = await ok('list_buckets', { prefix: 'srv-extra-' });
    expect(out.buckets.map((b: { name: string }) => b.name)).toEqual(otherBuckets);
  });

  it("s3rver ignores MaxBuckets: a limit cuts the list and the connector's own token resumes it", async () => {
    const first = await ok('list_buckets', { limit: 2 });
    expect(first.buckets.map((b: { name: string }) => b.name)).toEqual(all.slice(0, 2));
    expect(first.count).toBe(2);
    expect(first.nextContinuationToken).toBe(`s3-connector:after:${all[1]}`);
    const rest = await ok('list_buckets', { limit: 2, continuationToken: first.nextContinuationToken });
    expect(rest.buckets.map((b: { name: string }) => b.name)).toEqual(all.slice(2, 4));
    expect(rest).not.toHaveProperty('nextContinuationToken'); // the last two: nothing more
    const paged = await ok('list_buckets', { pageSize: 1 });
    expect(paged.count).toBe(all.length); // pageSize ignored: one page with everything, nothing lost
  });

  it('get_bucket_location: always the default location (us-east-1)', async () => {
    expect(await ok('get_bucket_location', { bucket })).toEqual({
      bucket,
      region: 'us-east-1',
      locationConstraint: '',
    });
  });

  it('a missing bucket is not_found', async () => {
    expect(await failed('list_objects', { bucket: 'srv-missing' })).toMatchObject({
      type: 'not_found',
      code: 'NoSuchBucket',
      status: 404,
    });
    expect(await failed('get_bucket_location', { bucket: 'srv-missing' })).toMatchObject({
      type: 'not_found',
      code: 'NoSuchBucket',
    });
  });
});

describe('writes and reads, byte-exact', () => {
  it('put_object_text: bytes, type and metadata read back exactly (raw GET, get_object as text, base64 and file)', async () => {
    const content = 'Grüße, S3 ✓ — partial store\n'.repeat(50);
    const put = await ok('put_object_text', {
      bucket,
      key: 'text/hello.txt',
      content,
      metadata: { team: 'flows', n: '1' },
      cacheControl: 'max-age=60',
      contentDisposition: 'attachment; filename="hello.txt"',
      contentLanguage: 'de',
      contentEncoding: 'identity',
      expires: '2030-01-01T00:00:00Z',
      storageClass: 'STANDARD_IA',
    });
    const bytes = Buffer.from(content, 'utf8');
    expect(put).toMatchObject({
      bucket,
      key: 'text/hello.txt',
      size: bytes.length,
      etag: `"${md5(bytes)}"`,
      contentType: 'text/plain; charset=utf-8',
    });

    const raw = await rawGet('text/hello.txt');
    expect(raw.status).toBe(200);
    expect(md5(raw.bytes)).toBe(md5(bytes));
    const text = await ok('get_object', { bucket, key: 'text/hello.txt', as: 'text' });
    expect(text.text).toBe(content);
    expect(text).toMatchObject({
      contentType: 'text/plain; charset=utf-8',
      contentLength: bytes.length,
      metadata: { team: 'flows', n: '1' },
      cacheControl: 'max-age=60',
      contentDisposition: 'attachment; filename="hello.txt"',
      contentLanguage: 'de',
      contentEncoding: 'identity',
      storageClass: 'STANDARD_IA',
      etag: put.etag,
    });
    const b64 = await ok('get_object', { bucket, key: 'text/hello.txt', as: 'base64' });
    expect(md5(Buffer.from(b64.base64, 'base64'))).toBe(md5(bytes));
    const file = await ok('get_object', { bucket, key: 'text/hello.txt' });
    expect(md5(await downloaded(file))).toBe(md5(bytes));
    expect(file.file).toMatchObject({ name: 'hello.txt', size: bytes.length, mimeType: 'text/plain; charset=utf-8' });

    const head = await ok('head_object', { bucket, key: 'text/hello.txt' });
    expect(head).toMatchObject({
      contentLength: bytes.length,
      etag: put.etag,
      metadata: { team: 'flows', n: '1' },
      storageClass: 'STANDARD_IA',
      expires: 'Tue, 01 Jan 2030 00:00:00 GMT',
    });
  });

  it('empty objects and awkward keys (spaces, +, %, unicode, trailing slash)', async () => {
    for (const key of ['keys/empty.txt', 'keys/sp ace+plus%25.txt', 'keys/ünï ☃.txt', 'keys/folder/']) {
      const content = key.endsWith('empty.txt') ? '' : `content of ${key}`;
      await ok('put_object_text', { bucket, key, content });
      expect((await ok('get_object', { bucket, key, as: 'text' })).text, key).toBe(content);
      expect((await rawGet(key)).bytes.toString('utf8'), key).toBe(content);
      expect(md5(await downloaded(await ok('get_object', { bucket, key }))), key).toBe(md5(content));
    }
  });

  it('put_object_file: a small file and a data: URL in one request', async () => {
    const bytes = randomBytes(300_000);
    const put = await ok('put_object_file', {
      bucket,
      key: 'files/small.bin',
      file: { url: await storeFile(bytes, 'small.bin') },
      metadata: { origin: 'file' },
    });
    expect(put).toMatchObject({ size: bytes.length, parts: 1, etag: `"${md5(bytes)}"` });
    expect(md5((await rawGet('files/small.bin')).bytes)).toBe(md5(bytes));
    const got = await ok('get_object', { bucket, key: 'files/small.bin' });
    expect(md5(await downloaded(got))).toBe(md5(bytes));
    expect(got.metadata).toEqual({ origin: 'file' });

    const json = Buffer.from('{"a":1}');
    await ok('put_object_file', {
      bucket,
      key: 'files/data.json',
      file: { url: `data:application/json;base64,${json.toString('base64')}` },
    });
    expect(await ok('get_object', { bucket, key: 'files/data.json', as: 'base64' })).toMatchObject({
      base64: json.toString('base64'),
      contentType: 'application/json',
    });
  });

  it('put_object_file multipart (partSizeMb 5 over ~11 MiB): three parts, read back byte-exact', async () => {
    const bytes = randomBytes(11 * MiB + 12_345);
    const put = await ok('put_object_file', {
      bucket,
      key: 'files/big.bin',
      file: { url: await storeFile(bytes, 'big.bin') },
      partSizeMb: 5,
      concurrency: 2,
      metadata: { kind: 'big' },
    });
    expect(put).toMatchObject({ size: bytes.length, parts: 3 });
    // s3rver's multipart ETag is the whole object's MD5 (S3's would be "<md5 of part md5s>-3"),
    // so the connector's download check verifies multipart objects here too.
    expect(put.etag).toBe(`"${md5(bytes)}"`);
    expect(md5((await rawGet('files/big.bin')).bytes)).toBe(md5(bytes));
    const got = await ok('get_object', { bucket, key: 'files/big.bin' });
    expect(md5(await downloaded(got))).toBe(md5(bytes));
    expect(got).toMatchObject({ contentLength: bytes.length, metadata: { kind: 'big' } });
    const head = await ok('head_object', { bucket, key: 'files/big.bin' });
    expect(head).not.toHaveProperty('partsCount'); // s3rver keeps no part layout
    // An inline read of the same object stops at the cap with a clear error.
    expect(await failed('get_object', { bucket, key: 'files/big.bin', as: 'base64' })).toMatchObject({
      type: 'user_input',
      code: 'TooLargeForInline',
    });
  }, 300_000);

  it('byte ranges from an offset work, a range past the end is user_input', async () => {
    const bytes = randomBytes(1000);
    await ok('put_object_file', { bucket, key: 'range/r.bin', file: { url: await storeFile(bytes, 'r.bin') } });
    const mid = await ok('get_object', { bucket, key: 'range/r.bin', as: 'base64', range: 'bytes=10-19' });
    expect(Buffer.from(mid.base64, 'base64')).toEqual(bytes.subarray(10, 20));
    expect(mid.contentRange).toBe('bytes 10-19/1000');
    const tail = await ok('get_object', { bucket, key: 'range/r.bin', as: 'base64', range: 'bytes=990-' });
    expect(Buffer.from(tail.base64, 'base64')).toEqual(bytes.subarray(990));
    expect(
      await failed('get_object', { bucket, key: 'range/r.bin', as: 'base64', range: 'bytes=2000-2010' }),
    ).toMatchObject({ type: 'user_input', code: 'InvalidRange', status: 416 });
  });

  it('a suffix range bytes=-N, which s3rver answers with the FIRST N+1 bytes, is refused as unsupported', async () => {
    const bytes = randomBytes(1000);
    await ok('put_object_file', {
      bucket,
      key: 'range/suffix.bin',
      file: { url: await storeFile(bytes, 'suffix.bin') },
    });
    // S3 answers the last 10 bytes (Content-Range: bytes 990-999/1000); s3rver reads "-10" as 0..10,
    // and says so in its Content-Range, which the connector checks against the range asked.
    expect(
      await failed('get_object', { bucket, key: 'range/suffix.bin', as: 'base64', range: 'bytes=-10' }),
    ).toMatchObject({ type: 'unsupported', code: 'RangeNotHonoured' });
    expect(await failed('get_object', { bucket, key: 'range/suffix.bin', range: 'bytes=-10' })).toMatchObject({
      type: 'unsupported',
      code: 'RangeNotHonoured',
    });
    expect((await readdir(root)).filter((n) => n.startsWith('.partial-'))).toEqual([]);
  });

  it('reads: missing key and missing bucket are not_found, head of a missing key too', async () => {
    expect(await failed('get_object', { bucket, key: 'nope' })).toMatchObject({
      type: 'not_found',
      code: 'NoSuchKey',
      status: 404,
    });
    expect(await failed('head_object', { bucket, key: 'nope' })).toMatchObject({
      type: 'not_found',
      code: 'NotFound',
      status: 404,
    });
    expect(await failed('get_object', { bucket: 'srv-missing', key: 'nope' })).toMatchObject({
      type: 'not_found',
      code: 'NoSuchBucket',
    });
    expect(await failed('put_object_text', { bucket: 'srv-missing', key: 'a', content: 'x' })).toMatchObject({
      type: 'not_found',
      code: 'NoSuchBucket',
    });
    expect((await readdir(root)).filter((n) => n.startsWith('.partial-'))).toEqual([]);
  });

  it('response overrides on get_object', async () => {
    await ok('put_object_text', { bucket, key: 'text/override.txt', content: 'x' });
    const res = await ok('get_object', {
      bucket,
      key: 'text/override.txt',
      as: 'base64',
      responseContentType: 'image/png',
      responseContentDisposition: 'inline',
    });
    expect(res).toMatchObject({ contentType: 'image/png', contentDisposition: 'inline' });
  });
});

describe('checksums: s3rver neither verifies nor returns them, and stores no aws-chunked framing', () => {
  for (const algorithm of ['CRC32', 'CRC32C', 'SHA1', 'SHA256', 'CRC64NVME']) {
    it(`put_object_text with checksumAlgorithm ${algorithm}: bytes exact, no checksum in the output`, async () => {
      const key = `sums/${algorithm}.txt`;
      const content = `checksummed with ${algorithm} ✓`;
      const put = await ok('put_object_text', { bucket, key, content, checksumAlgorithm: algorithm });
      expect(put).not.toHaveProperty('checksum'); // IGNORED: nothing verified the upload
      expect((await rawGet(key)).bytes.equals(Buffer.from(content))).toBe(true);
      expect((await rawGet(key)).headers.get('content-encoding')).toBeNull();
    });
  }

  it('put_object_file with checksumAlgorithm, single part and multipart: bytes exact', async () => {
    const small = randomBytes(100_000);
    const one = await ok('put_object_file', {
      bucket,
      key: 'sums/small.bin',
      file: { url: await storeFile(small, 'sum-small.bin') },
      checksumAlgorithm: 'SHA256',
    });
    expect(one).not.toHaveProperty('checksum');
    expect(md5((await rawGet('sums/small.bin')).bytes)).toBe(md5(small));

    const big = randomBytes(11 * MiB);
    const multi = await ok('put_object_file', {
      bucket,
      key: 'sums/big.bin',
      file: { url: await storeFile(big, 'sum-big.bin') },
      partSizeMb: 5,
      concurrency: 2,
      checksumAlgorithm: 'CRC32',
    });
    expect(multi).toMatchObject({ parts: 3, size: big.length });
    expect(multi).not.toHaveProperty('checksum');
    expect(md5((await rawGet('sums/big.bin')).bytes)).toBe(md5(big));
  }, 300_000);

  it('control: an SDK client with default checksums streams aws-chunked, and s3rver stores the framing as data', async () => {
    // Why the connector sets requestChecksumCalculation WHEN_REQUIRED on custom endpoints.
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: srv.endpoint,
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: S3RVER_KEY_ID, secretAccessKey: S3RVER_SECRET },
    });
    try {
      const body = Buffer.from('hello chunked world');
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: 'sums/chunked.txt',
          Body: Readable.from([body]),
          ContentLength: body.length,
        }),
      );
      const stored = await rawGet('sums/chunked.txt');
      expect(stored.bytes.equals(body)).toBe(false);
      expect(stored.bytes.toString()).toMatch(/^13\r\nhello chunked world\r\n0\r\nx-amz-checksum-crc32:.+\r\n\r\n$/);
      expect(stored.headers.get('content-encoding')).toBe('aws-chunked');
    } finally {
      s3.destroy();
    }
  });
});

describe('a connection that declares what s3rver cannot do', () => {
  const partial = () => connection({ capabilities: { conditionalWrites: false, versioning: false } });

  it('conditional writes are refused as unsupported, and nothing is overwritten', async () => {
    const key = 'caps/once.txt';
    await ok('put_object_text', { bucket, key, content: 'v1' }, { connection: partial() });
    for (const condition of [{ ifNoneMatch: '*' }, { ifMatch: '"0123456789abcdef0123456789abcdef"' }]) {
      expect(
        await failed('put_object_text', { bucket, key, content: 'v2', ...condition }, { connection: partial() }),
      ).toMatchObject({ type: 'unsupported', code: 'StoreCapability' });
      expect(
        await failed(
          'put_object_file',
          { bucket, key, file: { url: 'data:text/plain,v2' }, ...condition },
          { connection: partial() },
        ),
      ).toMatchObject({ type: 'unsupported', code: 'StoreCapability' });
    }
    expect((await rawGet(key)).bytes.toString()).toBe('v1');
  });

  it('versioned deletes are refused as unsupported, and the current object stays', async () => {
    const key = 'caps/keep.txt';
    await ok('put_object_text', { bucket, key, content: 'current' }, { connection: partial() });
    expect(
      await failed('delete_object', { bucket, key, versionId: 'no-such-version' }, { connection: partial() }),
    ).toMatchObject({ type: 'unsupported' });
    expect(
      await failed('delete_objects', { bucket, objects: [{ key, versionId: 'v1' }] }, { connection: partial() }),
    ).toMatchObject({ type: 'unsupported' });
    expect((await rawGet(key)).bytes.toString()).toBe('current');
    // Reads of a conditional kind still work: they are checked against the answer.
    expect(
      await failed(
        'get_object',
        { bucket, key, as: 'text', ifMatch: '"ffffffffffffffffffffffffffffffff"' },
        { connection: partial() },
      ),
    ).toMatchObject({ type: 'precondition_failed' });
  });
});

describe('what s3rver silently ignores, detected without any declaration', () => {
  it('conditional writes: s3rver would overwrite; the first one probes the bucket and is refused, nothing is overwritten', async () => {
    const connector = await fresh();
    try {
      const key = 'cond/once.txt';
      await ok('put_object_text', { bucket, key, content: 'v1' }, { connector });
      for (const condition of [{ ifNoneMatch: '*' }, { ifMatch: '"0123456789abcdef0123456789abcdef"' }]) {
        const text = await failed('put_object_text', { bucket, key, content: 'v2', ...condition }, { connector });
        expect(text).toMatchObject({
          type: 'unsupported',
          code: 'StoreCapability',
          retryable: false,
          details: { capability: 'conditionalWrites', detected: true },
        });
        expect(text.message).toMatch(/found by probing bucket srv-main/);
        expect(
          await failed(
            'put_object_file',
            { bucket, key, file: { url: 'data:text/plain,v2' }, ...condition },
            { connector },
          ),
        ).toMatchObject({ type: 'unsupported', code: 'StoreCapability' });
      }
      expect((await rawGet(key)).bytes.toString()).toBe('v1');
      expect(await probeLeftovers()).toEqual([]);
      // Declared on: no probe, and s3rver overwrites, as the declaration asked for.
      const trusted = connection({ capabilities: { conditionalWrites: true } });
      await ok('put_object_text', { bucket, key, content: 'v3', ifNoneMatch: '*' }, { connector, connection: trusted });
      expect((await rawGet(key)).bytes.toString()).toBe('v3');
    } finally {
      connector.close();
    }
  });

  it('a probe that learned nothing (the bucket did not exist yet) is not kept: once the bucket exists, the next call probes and is refused', async () => {
    const connector = await fresh();
    const later = 'srv-later';
    try {
      expect(
        await failed('put_object_text', { bucket: later, key: 'k', content: 'v1', ifNoneMatch: '*' }, { connector }),
      ).toMatchObject({ type: 'not_found', code: 'NoSuchBucket' });
      expect((await fetch(`${srv.endpoint}/${later}`, { method: 'PUT' })).status).toBe(200);
      await ok('put_object_text', { bucket: later, key: 'k', content: 'v1' }, { connector });
      expect(
        await failed('put_object_text', { bucket: later, key: 'k', content: 'v2', ifNoneMatch: '*' }, { connector }),
      ).toMatchObject({ type: 'unsupported', code: 'StoreCapability' });
      expect((await rawGet('k', later)).bytes.toString()).toBe('v1');
      expect(await probeLeftovers(later)).toEqual([]);
    } finally {
      connector.close();
      await fetch(`${srv.endpoint}/${later}/k`, { method: 'DELETE' });
      await fetch(`${srv.endpoint}/${later}`, { method: 'DELETE' });
    }
  });

  it('get_object and head_object ifMatch (wrong ETag) and ifUnmodifiedSince (past), which s3rver ignores, are checked against the answer', async () => {
    const key = 'cond/read.txt';
    const put = await ok('put_object_text', { bucket, key, content: 'current' });
    const wrong = '"ffffffffffffffffffffffffffffffff"';
    const precondition = { type: 'precondition_failed', code: 'PreconditionFailed' };
    expect(await failed('get_object', { bucket, key, as: 'text', ifMatch: wrong })).toMatchObject(precondition);
    expect(await failed('head_object', { bucket, key, ifMatch: wrong })).toMatchObject(precondition);
    expect(
      await failed('get_object', { bucket, key, as: 'text', ifUnmodifiedSince: '2000-01-01T00:00:00Z' }),
    ).toMatchObject(precondition);
    expect(await failed('head_object', { bucket, key, ifUnmodifiedSince: '2000-01-01T00:00:00Z' })).toMatchObject(
      precondition,
    );
    // Conditions that hold still pass.
    expect(
      (
        await ok('get_object', {
          bucket,
          key,
          as: 'text',
          ifMatch: put.etag,
          ifUnmodifiedSince: '2999-01-01T00:00:00Z',
        })
      ).text,
    ).toBe('current');
  });

  it('honoured: ifNoneMatch (matching ETag or "*") and ifModifiedSince (future) give precondition_failed NotModified', async () => {
    const key = 'cond/read.txt';
    const head = await ok('head_object', { bucket, key });
    expect(await failed('get_object', { bucket, key, ifNoneMatch: head.etag })).toMatchObject({
      type: 'precondition_failed',
      code: 'NotModified',
      status: 304,
    });
    expect(await failed('head_object', { bucket, key, ifNoneMatch: '*' })).toMatchObject({
      type: 'precondition_failed',
      code: 'NotModified',
    });
    expect(await failed('get_object', { bucket, key, ifModifiedSince: '2100-01-01T00:00:00Z' })).toMatchObject({
      type: 'precondition_failed',
      code: 'NotModified',
    });
    expect(
      (await ok('get_object', { bucket, key, as: 'text', ifNoneMatch: '"ffffffffffffffffffffffffffffffff"' })).text,
    ).toBe('current');
  });

  it('tags, which s3rver drops from an upload, are written by a separate request: text, file single part and multipart', async () => {
    const connector = await fresh();
    try {
      await ok('put_object_text', { bucket, key: 'tags/text.txt', content: 'x', tags: { env: 'test' } }, { connector });
      expect(await rawTags('tags/text.txt')).toEqual({ env: 'test' });
      await ok(
        'put_object_file',
        {
          bucket,
          key: 'tags/file.bin',
          file: { url: await storeFile(randomBytes(1000), 'tags.bin') },
          tags: { env: 'test', team: 'data' },
        },
        { connector },
      );
      expect(await rawTags('tags/file.bin')).toEqual({ env: 'test', team: 'data' });
      const big = randomBytes(6 * MiB);
      const multi = await ok(
        'put_object_file',
        {
          bucket,
          key: 'tags/multi.bin',
          file: { url: await storeFile(big, 'tags-multi.bin') },
          partSizeMb: 5,
          tags: { size: 'big' },
        },
        { connector },
      );
      expect(multi.parts).toBe(2);
      expect(await rawTags('tags/multi.bin')).toEqual({ size: 'big' });
      expect(md5((await rawGet('tags/multi.bin')).bytes)).toBe(md5(big));
      // Declared off: the probe is skipped and the tags still arrive.
      await ok(
        'put_object_text',
        { bucket, key: 'tags/declared.txt', content: 'y', tags: { declared: 'yes' } },
        { connection: connection({ capabilities: { tagsOnPut: false } }) },
      );
      expect(await rawTags('tags/declared.txt')).toEqual({ declared: 'yes' });
      expect(await probeLeftovers()).toEqual([]);
    } finally {
      connector.close();
    }
  });

  it('a canned acl and server-side encryption on an upload, which s3rver would ignore, are refused; nothing is written', async () => {
    const connector = await fresh();
    try {
      const acl = await failed(
        'put_object_text',
        { bucket, key: 'acl/private.txt', content: 'secret-ish', acl: 'public-read' },
        { connector },
      );
      expect(acl).toMatchObject({
        type: 'unsupported',
        code: 'StoreCapability',
        details: { capability: 'acl', detected: true },
      });
      const sse = await failed(
        'put_object_text',
        { bucket, key: 'acl/private.txt', content: 'secret-ish', serverSideEncryption: 'AES256' },
        { connector },
      );
      expect(sse).toMatchObject({
        type: 'unsupported',
        code: 'StoreCapability',
        details: { capability: 'serverSideEncryption', detected: true },
      });
      expect(sse.message).toMatch(/unencrypted/);
      const kms = await failed(
        'put_object_file',
        {
          bucket,
          key: 'acl/kms.txt',
          file: { url: 'data:text/plain,x' },
          serverSideEncryption: 'aws:kms',
          sseKmsKeyId: 'alias/none',
        },
        { connector },
      );
      expect(kms).toMatchObject({ type: 'unsupported', details: { capability: 'serverSideEncryption' } });
      expect((await rawGet('acl/private.txt')).status).toBe(404);
      expect((await rawGet('acl/kms.txt')).status).toBe(404);
      // IGNORED still: s3rver has no access control at all; any object is readable anonymously.
      await ok('put_object_text', { bucket, key: 'acl/plain.txt', content: 'plain' }, { connector });
      const anonymous = await rawGet('acl/plain.txt'); // no credentials at all
      expect(anonymous.status).toBe(200);
      // put_object_acl: s3rver's own 501 before anything was learned; refused up front after.
      expect(await failed('put_object_acl', { bucket, key: 'acl/plain.txt', acl: 'private' })).toMatchObject({
        type: 'unsupported',
      });
      expect(
        await failed('put_object_acl', { bucket, key: 'acl/plain.txt', acl: 'private' }, { connector }),
      ).toMatchObject({ type: 'unsupported', code: 'StoreCapability', details: { capability: 'acl' } });
      expect(await probeLeftovers()).toEqual([]);
    } finally {
      connector.close();
    }
  });

  it('versionId: checked on get_object and head_object; a versioned delete, which s3rver would apply to the current object, is refused', async () => {
    const connector = await fresh();
    try {
      await ok('put_object_text', { bucket, key: 'versions/a.txt', content: 'current' }, { connector });
      expect(
        await failed(
          'get_object',
          { bucket, key: 'versions/a.txt', as: 'text', versionId: 'no-such-version' },
          { connector },
        ),
      ).toMatchObject({ type: 'unsupported', code: 'VersionIdIgnored' });
      expect(
        await failed('head_object', { bucket, key: 'versions/a.txt', versionId: 'no-such-version' }, { connector }),
      ).toMatchObject({ type: 'unsupported', code: 'VersionIdIgnored' });

      expect(
        await failed('delete_object', { bucket, key: 'versions/a.txt', versionId: 'no-such-version' }, { connector }),
      ).toMatchObject({
        type: 'unsupported',
        code: 'StoreCapability',
        details: { capability: 'versioning', detected: true },
      });
      expect(
        await failed(
          'delete_objects',
          { bucket, objects: [{ key: 'versions/a.txt', versionId: 'no-such-version' }] },
          { connector },
        ),
      ).toMatchObject({ type: 'unsupported', code: 'StoreCapability' });
      expect((await rawGet('versions/a.txt')).bytes.toString()).toBe('current'); // S3 would refuse the unknown version too
      // Once learned, reads that name a version are refused before sending as well.
      expect(
        await failed('get_object', { bucket, key: 'versions/a.txt', as: 'text', versionId: 'v1' }, { connector }),
      ).toMatchObject({ type: 'unsupported', code: 'StoreCapability' });
      // versionId "null" names the unversioned object, i.e. the current one: allowed.
      await ok('delete_object', { bucket, key: 'versions/a.txt', versionId: 'null' }, { connector });
      expect((await rawGet('versions/a.txt')).status).toBe(404);
      expect(await probeLeftovers()).toEqual([]);
    } finally {
      connector.close();
    }
  });
});

describe('ACL operations', () => {
  it('put_object_acl (canned and grants) is unsupported: 501 NotImplemented', async () => {
    // A fresh connector: the shared one learned from testConnection's probe that s3rver has no
    // ACLs, and would refuse before sending (tested above); this is s3rver's own answer.
    const connector = await fresh();
    await ok('put_object_text', { bucket, key: 'acl/target.txt', content: 'x' });
    const canned = await failed('put_object_acl', { bucket, key: 'acl/target.txt', acl: 'public-read' }, { connector });
    expect(canned).toMatchObject({ type: 'unsupported', code: 'NotImplemented', status: 501, retryable: false });
    expect(canned.message).toMatch(/does not implement/);
    const grants = await failed(
      'put_object_acl',
      {
        bucket,
        key: 'acl/target.txt',
        keepOwnerFullControl: false,
        grants: [
          { grantee: { type: 'group', uri: 'http://acs.amazonaws.com/groups/global/AllUsers' }, permission: 'READ' },
        ],
      },
      { connector },
    );
    expect(grants).toMatchObject({ type: 'unsupported', code: 'NotImplemented', status: 501 });
    // With keepOwnerFullControl (the default) the connector reads the ACL first (a stub, below), then fails the same way.
    const kept = await failed(
      'put_object_acl',
      {
        bucket,
        key: 'acl/target.txt',
        grants: [{ grantee: { type: 'canonicalUser', id: 'abc' }, permission: 'READ' }],
      },
      { connector },
    );
    expect(kept).toMatchObject({ type: 'unsupported', code: 'NotImplemented' });
    connector.close();
  });

  it('get_object_acl, which s3rver answers with a fixed stub without permissions, is unsupported', async () => {
    for (const key of ['acl/target.txt', 'acl/does-not-exist.txt']) {
      expect(await failed('get_object_acl', { bucket, key })).toMatchObject({
        type: 'unsupported',
        code: 'InvalidAclResponse',
      });
    }
  });
});

describe('list_objects and list_objects_ddl', () => {
  const flat = Array.from({ length: 7 }, (_, i) => `flat/item-${i}.txt`);
  const tree = [
    'tree/a/1.txt',
    'tree/a/2.txt',
    'tree/b/3.txt',
    'tree/b/deep/4.txt',
    'tree/c/deep/5.txt',
    'tree/top.txt',
    'tree/z ünï.txt',
  ];
  beforeAll(async () => {
    for (const [i, key] of [...flat, ...tree].entries())
      await ok('put_object_text', { bucket: listBucket, key, content: 'x'.repeat(i) });
    for (const key of [
      'order/k/1',
      'order/k-1',
      'order/k.1',
      'dup/a',
      'dup/b/x',
      'dup/c',
      'lim/a',
      'lim/b/x',
      'lim/c/y',
      'lim/d',
    ]) {
      await ok('put_object_text', { bucket: listBucket, key, content: key });
    }
  }, 300_000);

  it('lists with sizes, ETags and dates; prefix and fetchOwner', async () => {
    const out = await ok('list_objects', { bucket: listBucket, prefix: 'flat/', fetchOwner: true });
    expect(out.objects.map((o: Out) => o.key)).toEqual(flat);
    expect(out.objects[3]).toMatchObject({
      key: 'flat/item-3.txt',
      size: 3,
      etag: `"${md5('xxx')}"`,
      storageClass: 'STANDARD',
      owner: { id: '123456789000', displayName: 'S3rver' },
    });
    expect(out).toMatchObject({ count: 7, folders: [] });
    expect(out).not.toHaveProperty('nextContinuationToken');
  });

  it('pages: limit stops mid-listing and the token resumes exactly; pageSize pages through everything', async () => {
    const first = await ok('list_objects', { bucket: listBucket, prefix: 'flat/', pageSize: 2, limit: 5 });
    expect(first.objects.map((o: Out) => o.key)).toEqual(flat.slice(0, 5));
    expect(first.nextContinuationToken).toEqual(expect.any(String));
    const rest = await ok('list_objects', {
      bucket: listBucket,
      prefix: 'flat/',
      pageSize: 2,
      continuationToken: first.nextContinuationToken,
    });
    expect(rest.objects.map((o: Out) => o.key)).toEqual(flat.slice(5));
    expect(rest).not.toHaveProperty('nextContinuationToken');
    const all = await ok('list_objects', { bucket: listBucket, prefix: 'flat/', pageSize: 3 });
    expect(all.objects.map((o: Out) => o.key)).toEqual(flat);
    const after = await ok('list_objects', { bucket: listBucket, prefix: 'flat/', startAfter: 'flat/item-4.txt' });
    expect(after.objects.map((o: Out) => o.key)).toEqual(flat.slice(5));
  });

  it('delimiter: the objects at the level, and the folders that hold an object directly', async () => {
    const out = await ok('list_objects', { bucket: listBucket, prefix: 'tree/', delimiter: '/' });
    expect(out.objects.map((o: Out) => o.key)).toEqual(['tree/top.txt', 'tree/z ünï.txt']);
    expect(out.folders).toEqual(expect.arrayContaining(['tree/a/', 'tree/b/']));
    const b = await ok('list_objects', { bucket: listBucket, prefix: 'tree/b/', delimiter: '/' });
    expect(b).toMatchObject({ objects: [{ key: 'tree/b/3.txt' }], folders: ['tree/b/deep/'] });
  });

  it('GAP (lost folder): a folder whose objects all lie two or more levels down is missing', async () => {
    // S3: folders tree/a/, tree/b/, tree/c/. s3rver does not walk below the first level under
    // the prefix, so it never finds tree/c/deep/5.txt and never reports tree/c/.
    const out = await ok('list_objects', { bucket: listBucket, prefix: 'tree/', delimiter: '/' });
    expect(out.folders).toEqual(['tree/a/', 'tree/b/']);
    const whole = await ok('list_objects', { bucket: listBucket, prefix: 'tree/' });
    expect(whole.objects.map((o: Out) => o.key)).toContain('tree/c/deep/5.txt');
  });

  it('list_objects_ddl feeds a dropdown', async () => {
    const out = await ok('list_objects_ddl', { bucket: listBucket, search: 'tree/a/' });
    expect(out.options).toEqual([
      { label: 'tree/a/1.txt', value: 'tree/a/1.txt' },
      { label: 'tree/a/2.txt', value: 'tree/a/2.txt' },
    ]);
  });

  it('s3rver lists in folder-walk order, not key order: one complete page is sorted, a page cut short is refused', async () => {
    // S3 order is k-1, k.1, k/1 ("-" < "." < "/"); s3rver walks the folder "k" first.
    const whole = await ok('list_objects', { bucket: listBucket, prefix: 'order/' });
    expect(whole.objects.map((o: Out) => o.key)).toEqual(['order/k-1', 'order/k.1', 'order/k/1']);
    // Two keys and a token: resuming after "order/k-1" would skip "order/k.1"; refused instead.
    expect(await failed('list_objects', { bucket: listBucket, prefix: 'order/', limit: 2 })).toMatchObject({
      type: 'unsupported',
      code: 'UnorderedListing',
    });
  });

  it('GAP (lost keys): with pages of one key the disorder cannot be seen, and paging skips keys', async () => {
    // Page 2 starts after "order/k/1", which sorts after the two others: they are never listed.
    const paged = await ok('list_objects', { bucket: listBucket, prefix: 'order/', pageSize: 1 });
    expect(paged.objects.map((o: Out) => o.key)).toEqual(['order/k/1']);
    expect(paged).not.toHaveProperty('nextContinuationToken'); // looks complete; 2 of 3 keys are missing
  });

  it('GAP: with a delimiter, folders repeat across pages (listed once by the connector) and do not count toward the limit', async () => {
    const paged = await ok('list_objects', { bucket: listBucket, prefix: 'dup/', delimiter: '/', pageSize: 1 });
    expect(paged.objects.map((o: Out) => o.key)).toEqual(['dup/a', 'dup/c']);
    expect(paged.folders).toEqual(['dup/b/']); // s3rver sent it on two pages
    const limited = await ok('list_objects', { bucket: listBucket, prefix: 'lim/', delimiter: '/', limit: 2 });
    // S3 stops at 2 entries (lim/a, lim/b/) with a token; s3rver returns 4 entries.
    expect(limited.objects.map((o: Out) => o.key)).toEqual(['lim/a', 'lim/d']);
    expect(limited.folders).toEqual(['lim/b/', 'lim/c/']);
    expect(limited).not.toHaveProperty('nextContinuationToken');
  });
});

describe('deletes', () => {
  it('delete_object removes the object; deleting a missing key succeeds, as on S3', async () => {
    await ok('put_object_text', { bucket, key: 'del/one.txt', content: 'x' });
    expect(await ok('delete_object', { bucket, key: 'del/one.txt' })).toEqual({
      bucket,
      key: 'del/one.txt',
      deleted: true,
      deleteMarker: false,
    });
    expect((await ok('list_objects', { bucket, prefix: 'del/' })).objects).toEqual([]);
    expect(await failed('head_object', { bucket, key: 'del/one.txt' })).toMatchObject({ type: 'not_found' });
    expect((await ok('delete_object', { bucket, key: 'del/never.txt' })).deleted).toBe(true);
  });

  it('delete_objects removes several, reports each, and the listing agrees', async () => {
    const keys = ['del/m/1.txt', 'del/m/2.txt', 'del/m/3 ü.txt', 'del/keep.txt'];
    for (const key of keys) await ok('put_object_text', { bucket, key, content: key });
    const out = await ok('delete_objects', {
      bucket,
      objects: [...keys.slice(0, 3), 'del/m/never.txt'].map((key) => ({ key })),
    });
    expect(out.counts).toEqual({ deleted: 4, failed: 0 });
    expect(out.results.map((r: Out) => r.key)).toEqual([...keys.slice(0, 3), 'del/m/never.txt']);
    const left = await ok('list_objects', { bucket, prefix: 'del/' });
    expect(left.objects.map((o: Out) => o.key)).toEqual(['del/keep.txt']);
    expect(await failed('delete_objects', { bucket: 'srv-missing', objects: [{ key: 'a' }] })).toMatchObject({
      type: 'not_found',
      code: 'NoSuchBucket',
    });
  });
});

describe('signed URLs', () => {
  it('GET and PUT URLs work with fetch, byte-exact', async () => {
    const bytes = randomBytes(50_000);
    await ok('put_object_file', {
      bucket,
      key: 'signed/get.bin',
      file: { url: await storeFile(bytes, 'signed-get.bin') },
    });
    const get = await ok('get_object_signed_url', {
      bucket,
      key: 'signed/get.bin',
      responseContentDisposition: 'attachment',
    });
    const res = await fetch(get.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment');
    expect(md5(Buffer.from(await res.arrayBuffer()))).toBe(md5(bytes));

    const upload = randomBytes(70_000);
    const put = await ok('get_object_signed_url', {
      bucket,
      key: 'signed/put.bin',
      method: 'PUT',
      contentType: 'application/x-test',
    });
    const sent = await fetch(put.url, { method: 'PUT', body: upload, headers: put.headers });
    expect(sent.status).toBe(200);
    const back = await ok('get_object', { bucket, key: 'signed/put.bin' });
    expect(md5(await downloaded(back))).toBe(md5(upload));
    expect(back.contentType).toBe('application/x-test');
  });

  it('an expired URL is refused (403 AccessDenied)', async () => {
    await ok('put_object_text', { bucket, key: 'signed/short.txt', content: 'x' });
    const short = await ok('get_object_signed_url', { bucket, key: 'signed/short.txt', expiresIn: 1 });
    await new Promise((r) => setTimeout(r, 2500));
    const res = await fetch(short.url);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Request has expired');
  });

  it('IGNORED: a tampered signature and a different Content-Type than signed are accepted', async () => {
    const get = await ok('get_object_signed_url', { bucket, key: 'signed/short.txt' });
    const tampered = (get.url as string).replace(/X-Amz-Signature=[0-9a-f]+/, `X-Amz-Signature=${'0'.repeat(64)}`);
    expect((await fetch(tampered)).status).toBe(200);
    const put = await ok('get_object_signed_url', {
      bucket,
      key: 'signed/typed.txt',
      method: 'PUT',
      contentType: 'application/x-test',
    });
    const res = await fetch(put.url, { method: 'PUT', body: '<b>hi</b>', headers: { 'Content-Type': 'text/html' } });
    expect(res.status).toBe(200);
    expect((await rawGet('signed/typed.txt')).headers.get('content-type')).toBe('text/html');
  });
});

describe('failures midway', () => {
  it('a multipart upload whose source fails after 6 MiB: no object, but s3rver cannot abort (405) and keeps the part', async () => {
    const failing: FileStore = {
      open: async () => ({
        stream: Readable.from(
          (async function* () {
            for (let i = 0; i < 6; i++) yield randomBytes(MiB);
            throw Object.assign(new Error('disk read failed'), { code: 'EIO' });
          })(),
        ),
        size: 12 * MiB,
      }),
      create: (name) => files.create(name),
    };
    const error = await failed(
      'put_object_file',
      { bucket, key: 'fail/big.bin', file: { url: 'file:///anything' }, partSizeMb: 5, concurrency: 2 },
      { files: failing },
    );
    // The real cause is reported; the connector's AbortMultipartUpload fails on s3rver (it routes
    // DELETE ?uploadId to 405), which cannot hide it.
    expect(error).toMatchObject({ type: 'internal' });
    expect(error.message).toMatch(/disk read failed/);
    // ...and the result says what was left behind.
    expect(error.message).toMatch(/could not be removed \(AbortMultipartUpload failed: MethodNotAllowed 405\)/);
    expect(error.details?.cleanup).toMatchObject({ code: 'MethodNotAllowed', status: 405, partsMayRemain: true });

    await new Promise((r) => setTimeout(r, 500)); // in-flight part requests settle
    expect(await failed('head_object', { bucket, key: 'fail/big.bin' })).toMatchObject({ type: 'not_found' });
    expect((await rawGet('fail/big.bin')).status).toBe(404);
    expect((await ok('list_objects', { bucket, prefix: 'fail/' })).objects).toEqual([]);
    // ListMultipartUploads is not implemented either: the leftover cannot be seen through the API...
    const uploads = await fetch(`${srv.endpoint}/${bucket}?uploads`);
    expect(uploads.status).toBe(501);
    expect(await uploads.text()).toContain('<Code>NotImplemented</Code>');
    // ...but it is on disk: the upload's folder with the 5 MiB part that was sent.
    const uploadsDir = join(srv.dir, bucket, '._S3rver_uploads');
    const ids = await readdir(uploadsDir);
    expect(ids).toHaveLength(1);
    expect((error.details?.cleanup as { uploadId?: string } | undefined)?.uploadId).toBe(ids[0]);
    const parts = (await readdir(join(uploadsDir, ids[0] ?? ''))).filter((n) => /^\d+$/.test(n));
    expect(parts).toEqual(['1']);
    expect((await stat(join(uploadsDir, ids[0]!, '1'))).size).toBe(5 * MiB);
  }, 300_000);

  it('GAP: a PUT cut midway leaves a truncated object under the previous ETag; every download notices', async () => {
    const key = 'cut/object.txt';
    const before = 'A'.repeat(100_000);
    const first = await ok('put_object_text', { bucket, key, content: before });
    expect(first.etag).toBe(`"${md5(before)}"`);

    // A proxy that forwards the first 64 KiB of each request, then closes both sides.
    const proxy = await cuttingProxy(new URL(srv.endpoint), 64 * 1024);
    try {
      const cut = await failed(
        'put_object_text',
        { bucket, key, content: 'B'.repeat(200_000) },
        { connection: connection({ endpoint: proxy.endpoint, maxAttempts: 1 }) },
      );
      expect(cut.retryable).toBe(true);
      expect([`${cut.type} ${cut.code}`]).toEqual([expect.stringMatching(/^network (ECONNRESET|EPIPE)$/)]);
    } finally {
      await proxy.close();
    }
    await new Promise((r) => setTimeout(r, 500));

    // S3 keeps the old object (a PUT is atomic); s3rver wrote the new bytes in place and stopped.
    const stored = await rawGet(key);
    expect(stored.bytes.length).toBeGreaterThan(0);
    expect(stored.bytes.length).toBeLessThan(64 * 1024);
    expect(stored.bytes.toString()).toMatch(/^B+$/);
    expect(stored.headers.get('etag')).toBe(first.etag); // the old object's MD5
    const head = await ok('head_object', { bucket, key });
    expect(head).toMatchObject({ contentLength: stored.bytes.length, etag: first.etag });
    // A download as a file checks the MD5 and refuses the bytes.
    expect(await failed('get_object', { bucket, key })).toMatchObject({ type: 'api', code: 'ChecksumMismatch' });
    expect((await readdir(root)).filter((n) => n.startsWith('.partial-'))).toEqual([]);
    // So does an inline read.
    expect(await failed('get_object', { bucket, key, as: 'text' })).toMatchObject({
      type: 'api',
      code: 'ChecksumMismatch',
      retryable: true,
    });
  }, 300_000);
});

/** A TCP proxy to `target` that passes the first `limit` bytes a client sends, then closes both sides. */
async function cuttingProxy(target: URL, limit: number): Promise<{ endpoint: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    let passed = 0;
    client.on('data', (chunk: Buffer) => {
      if (passed >= limit) return;
      const take = chunk.subarray(0, limit - passed);
      passed += take.length;
      upstream.write(take);
      if (passed >= limit) {
        upstream.end();
        client.destroy();
      }
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    for (const s of [client, upstream]) {
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        setTimeout(() => upstream.destroy(), 200);
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
