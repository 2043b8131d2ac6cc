// head_object against moto: what the aws cli wrote, the connector reads; conditions and misses.
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { restoreStatus } from '../../operations/head_object.js';
import { aws, awsJson, motoConnection, testConnector, uniqueBucket } from '../support/helpers.js';

const bucket = uniqueBucket('head');
const key = 'reports/2026/summary.csv';
let etag = '';
let lastModified = '';

beforeAll(async () => {
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  const dir = await mkdtemp(join(tmpdir(), 'head-'));
  const file = join(dir, 'body.csv');
  await writeFile(file, 'a,b\n1,2\n');
  await aws([
    's3api',
    'put-object',
    '--bucket',
    bucket,
    '--key',
    key,
    '--body',
    file,
    '--content-type',
    'text/csv',
    '--metadata',
    'owner=flows,stage=raw',
    '--server-side-encryption',
    'AES256',
    '--storage-class',
    'STANDARD_IA',
    '--cache-control',
    'max-age=60',
    '--content-language',
    'en',
  ]);
  const head = await awsJson<{ ETag: string; LastModified: string }>([
    's3api',
    'head-object',
    '--bucket',
    bucket,
    '--key',
    key,
  ]);
  etag = head.ETag;
  lastModified = new Date(head.LastModified).toISOString();
});

describe('head_object restore status', () => {
  it.each([
    ['ongoing-request="true"', { ongoing: true }],
    [
      'ongoing-request="false", expiry-date="Fri, 23 Dec 2026 00:00:00 GMT"',
      { ongoing: false, expiry: '2026-12-23T00:00:00.000Z' },
    ],
    ['ongoing-request="false"', { ongoing: false }],
    ['ongoing-request="false", expiry-date="not a date"', { ongoing: false }],
    ['something else', undefined],
    [undefined, undefined],
  ])('reads x-amz-restore %j', (header, expected) => {
    expect(restoreStatus(header)).toEqual(expected);
  });
});

describe('head_object', () => {
  it('reads what the aws cli wrote: type, length, ETag, dates, metadata, class, encryption', async () => {
    const c = await testConnector();
    const res = await c.invoke('head_object', { bucket, key }, { connection: motoConnection() });
    expect(res).toEqual({
      ok: true,
      output: {
        bucket,
        key,
        contentType: 'text/csv',
        contentLength: 8,
        etag,
        lastModified,
        metadata: { owner: 'flows', stage: 'raw' },
        storageClass: 'STANDARD_IA',
        serverSideEncryption: 'AES256',
        cacheControl: 'max-age=60',
        contentLanguage: 'en',
      },
    });
  });

  it('succeeds when the conditions hold', async () => {
    const c = await testConnector();
    const res = await c.invoke(
      'head_object',
      {
        bucket,
        key,
        ifMatch: etag,
        ifNoneMatch: '"0000"',
        ifModifiedSince: '2000-01-01T00:00:00Z',
        ifUnmodifiedSince: '2999-01-01T00:00:00Z',
      },
      { connection: motoConnection() },
    );
    expect(res.ok).toBe(true);
  });

  it.each([
    ['ifMatch', '"not-the-etag"', 'PreconditionFailed', 412],
    ['ifUnmodifiedSince', '2000-01-01T00:00:00Z', 'PreconditionFailed', 412],
    ['ifNoneMatch', 'ETAG', 'NotModified', 304],
    ['ifModifiedSince', '2999-01-01T00:00:00Z', 'NotModified', 304],
  ])('%s that does not hold gives precondition_failed', async (field, value, code, status) => {
    const c = await testConnector();
    const res = await c.invoke(
      'head_object',
      { bucket, key, [field]: value === 'ETAG' ? etag : value },
      { connection: motoConnection() },
    );
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error).toMatchObject({ type: 'precondition_failed', code, status, retryable: false });
  });

  it('reports a missing key and a missing bucket as not_found', async () => {
    const c = await testConnector();
    const missingKey = await c.invoke('head_object', { bucket, key: 'nope.txt' }, { connection: motoConnection() });
    expect(missingKey.ok ? null : missingKey.error).toMatchObject({ type: 'not_found', code: 'NotFound', status: 404 });
    expect(missingKey.ok ? '' : missingKey.error.message).toContain('nope.txt');
    const missingBucket = await c.invoke(
      'head_object',
      { bucket: uniqueBucket('gone'), key },
      { connection: motoConnection() },
    );
    expect(missingBucket.ok ? null : missingBucket.error).toMatchObject({ type: 'not_found', status: 404 });
  });

  it('reads keys with spaces, unicode and slashes', async () => {
    const odd = 'dir one/naïve ünïcode/🙂 file.txt';
    await aws(['s3api', 'put-object', '--bucket', bucket, '--key', odd]);
    const c = await testConnector();
    const res = await c.invoke('head_object', { bucket, key: odd }, { connection: motoConnection() });
    expect(res.ok ? res.output.contentLength : res.error).toBe(0);
  });
});
