// get_object_signed_url against moto: URLs used with Node fetch and with curl, the aws cli as
// oracle for what was uploaded. moto does not verify presigned URLs at all (not the signature,
// not the expiry), so what a real S3 refuses is proved with botocore's signer in
// test/support/presigned_check.py, an implementation independent of the JS SDK.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  aws,
  awsJson,
  motoConnection,
  TEST_KEY_ID,
  TEST_SECRET,
  testConnector,
  uniqueBucket,
} from '../support/helpers.js';

const run = promisify(execFile);
const python = fileURLToPath(new URL('../../.venv/bin/python', import.meta.url));
const checker = fileURLToPath(new URL('../support/presigned_check.py', import.meta.url));

const bucket = uniqueBucket('url');
const key = 'reports/2026/naïve summary (final).csv';
const body = 'a,b\n1,2\n';
let dir = '';

interface SignedUrl {
  url: string;
  method: 'GET' | 'PUT';
  expiresAt: string;
  headers: Record<string, string>;
}

async function sign(input: Record<string, unknown>, connection = motoConnection()): Promise<SignedUrl> {
  const c = await testConnector();
  const res = await c.invoke<SignedUrl>('get_object_signed_url', input, { connection });
  if (!res.ok) throw new Error(`${res.error.type}: ${res.error.message}`);
  return res.output;
}

/** What a real S3 answers to this use of a presigned URL (see presigned_check.py). */
async function s3Verdict(
  method: string,
  url: string,
  headers: Record<string, string> = {},
  now = new Date(),
): Promise<{ ok: boolean; reason: string }> {
  const child = execFile(python, [checker]);
  const out = new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (d: Buffer) => {
      text += d.toString();
    });
    child.stderr!.on('data', (d: Buffer) => {
      text += d.toString();
    });
    child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(text))));
  });
  child.stdin!.end(
    JSON.stringify({
      method,
      url,
      headers,
      accessKeyId: TEST_KEY_ID,
      secretAccessKey: TEST_SECRET,
      region: 'us-east-1',
      now: now.toISOString(),
    }),
  );
  return JSON.parse(await out) as { ok: boolean; reason: string };
}

/** curl, an HTTP client outside Node: returns the status and the bytes it received. */
async function curl(url: string, args: string[] = []): Promise<{ status: number; body: Buffer }> {
  const out = join(dir, `curl-${randomBytes(4).toString('hex')}`);
  const { stdout } = await run('curl', ['-sS', '-o', out, '-w', '%{http_code}', ...args, url]);
  return { status: Number(stdout), body: await readFile(out).catch(() => Buffer.alloc(0)) };
}

/** The object as the aws cli reads it back: its bytes and content type. */
async function cliObject(objectKey: string, versionId?: string): Promise<{ bytes: Buffer; contentType: string }> {
  const out = join(dir, `cli-${randomBytes(4).toString('hex')}`);
  const meta = await awsJson<{ ContentType: string }>([
    's3api',
    'get-object',
    '--bucket',
    bucket,
    '--key',
    objectKey,
    ...(versionId ? ['--version-id', versionId] : []),
    out,
  ]);
  return { bytes: await readFile(out), contentType: meta.ContentType };
}

function param(url: string, name: string): string | null {
  return new URL(url).searchParams.get(name);
}

/** X-Amz-Date (yyyymmddThhmmssZ) as a Date. */
function signedAt(url: string): Date {
  const d = param(url, 'X-Amz-Date')!;
  return new Date(
    `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${d.slice(9, 11)}:${d.slice(11, 13)}:${d.slice(13, 15)}Z`,
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'signed-url-'));
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  const file = join(dir, 'body.csv');
  await writeFile(file, body);
  await aws(['s3api', 'put-object', '--bucket', bucket, '--key', key, '--body', file, '--content-type', 'text/csv']);
});

describe('get_object_signed_url: GET', () => {
  it('downloads with fetch and with curl what the aws cli wrote; expiresAt is signing time + 3600 s by default', async () => {
    const before = Date.now();
    const out = await sign({ bucket, key });
    expect(out.method).toBe('GET');
    expect(out.headers).toEqual({});
    expect(param(out.url, 'X-Amz-Expires')).toBe('3600');
    expect(new Date(out.expiresAt).getTime()).toBe(signedAt(out.url).getTime() + 3600_000);
    expect(new Date(out.expiresAt).getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 3600_000);

    const fetched = await fetch(out.url);
    expect(fetched.status).toBe(200);
    expect(await fetched.text()).toBe(body);
    expect(fetched.headers.get('content-type')).toBe('text/csv');
    const curled = await curl(out.url);
    expect(curled).toEqual({ status: 200, body: Buffer.from(body) });
    expect(await s3Verdict('GET', out.url)).toEqual({ ok: true, reason: 'valid' });
    // The signature binds the method: the same URL cannot be used to upload.
    expect((await s3Verdict('PUT', out.url)).reason).toBe('SignatureDoesNotMatch');
  });

  it('makes S3 answer with the response overrides', async () => {
    const out = await sign({
      bucket,
      key,
      responseContentType: 'application/octet-stream',
      responseContentDisposition: 'attachment; filename="summary.csv"',
      responseCacheControl: 'no-store',
      responseContentLanguage: 'fr',
      responseContentEncoding: 'identity',
      responseExpires: '2030-01-02T03:04:05Z',
    });
    const res = await fetch(out.url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(body);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="summary.csv"');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-language')).toBe('fr');
    expect(res.headers.get('content-encoding')).toBe('identity');
    expect(new Date(res.headers.get('expires')!).toISOString()).toBe('2030-01-02T03:04:05.000Z');
    expect(await s3Verdict('GET', out.url)).toEqual({ ok: true, reason: 'valid' });
  });

  it('downloads an older version with versionId', async () => {
    const versioned = uniqueBucket('urlv');
    await aws(['s3api', 'create-bucket', '--bucket', versioned]);
    await aws([
      's3api',
      'put-bucket-versioning',
      '--bucket',
      versioned,
      '--versioning-configuration',
      'Status=Enabled',
    ]);
    const file = join(dir, 'v.txt');
    await writeFile(file, 'first');
    const v1 = await awsJson<{ VersionId: string }>([
      's3api',
      'put-object',
      '--bucket',
      versioned,
      '--key',
      'v.txt',
      '--body',
      file,
    ]);
    await writeFile(file, 'second');
    await aws(['s3api', 'put-object', '--bucket', versioned, '--key', 'v.txt', '--body', file]);

    const old = await sign({ bucket: versioned, key: 'v.txt', versionId: v1.VersionId });
    expect(param(old.url, 'versionId')).toBe(v1.VersionId);
    expect(await (await fetch(old.url)).text()).toBe('first');
    const latest = await sign({ bucket: versioned, key: 'v.txt' });
    expect(await (await fetch(latest.url)).text()).toBe('second');
  });

  it('is made without a request: a URL for a missing key is signed, and fetching it gives 404', async () => {
    const out = await sign({ bucket, key: 'not/there.txt' });
    const res = await fetch(out.url);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('NoSuchKey');
  });
});

describe('get_object_signed_url: PUT', () => {
  it('uploads with fetch, sending the returned headers; the aws cli reads back the bytes and the type', async () => {
    const target = 'uploads/from fetch.csv';
    const out = await sign({ bucket, key: target, method: 'PUT', contentType: 'text/csv', expiresIn: 600 });
    expect(out.method).toBe('PUT');
    expect(out.headers).toEqual({ 'Content-Type': 'text/csv' });
    expect(param(out.url, 'X-Amz-Expires')).toBe('600');
    expect(new Date(out.expiresAt).getTime()).toBe(signedAt(out.url).getTime() + 600_000);

    const content = 'id,name\n7,Ada Lovelace\n';
    const res = await fetch(out.url, { method: 'PUT', headers: out.headers, body: content });
    expect(res.status).toBe(200);
    const stored = await cliObject(target);
    expect(stored.bytes.toString()).toBe(content);
    expect(stored.contentType).toBe('text/csv');
  });

  it('uploads binary bytes with curl; the aws cli reads back the same bytes and type', async () => {
    const target = 'uploads/from curl.bin';
    const out = await sign({ bucket, key: target, method: 'PUT', contentType: 'application/octet-stream' });
    const bytes = randomBytes(300 * 1024);
    const file = join(dir, 'upload.bin');
    await writeFile(file, bytes);
    const headerArgs = Object.entries(out.headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
    const res = await curl(out.url, ['--upload-file', file, ...headerArgs]);
    expect(res.status).toBe(200);
    const stored = await cliObject(target);
    expect(stored.bytes.equals(bytes)).toBe(true);
    expect(stored.contentType).toBe('application/octet-stream');
  });

  it('signs the content type: S3 refuses an upload with another type or none (moto does not check, botocore does)', async () => {
    const out = await sign({ bucket, key: 'uploads/typed.csv', method: 'PUT', contentType: 'text/csv' });
    expect(param(out.url, 'X-Amz-SignedHeaders')).toBe('content-type;host');
    expect(await s3Verdict('PUT', out.url, { 'Content-Type': 'text/csv' })).toEqual({ ok: true, reason: 'valid' });
    expect((await s3Verdict('PUT', out.url, { 'Content-Type': 'text/html' })).reason).toBe('SignatureDoesNotMatch');
    expect((await s3Verdict('PUT', out.url, {})).reason).toContain('SignatureDoesNotMatch');
  });

  it('without contentType signs no header: any type goes, and the store keeps the one sent', async () => {
    const target = 'uploads/untyped.json';
    const out = await sign({ bucket, key: target, method: 'PUT' });
    expect(out.headers).toEqual({});
    expect(param(out.url, 'X-Amz-SignedHeaders')).toBe('host');
    expect(await s3Verdict('PUT', out.url, { 'Content-Type': 'application/json' })).toEqual({
      ok: true,
      reason: 'valid',
    });
    const res = await fetch(out.url, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: '{"a":1}',
    });
    expect(res.status).toBe(200);
    expect(await cliObject(target)).toEqual({ bytes: Buffer.from('{"a":1}'), contentType: 'application/json' });
  });

  it('carries no checksum of the empty body, even with the SDK default checksums used against AWS', async () => {
    // Against AWS itself (no custom endpoint) the client keeps the SDK's default WHEN_SUPPORTED
    // checksums. Signing needs no network, so this runs offline.
    const awsConnection = motoConnection({ endpoint: undefined });
    const out = await sign({ bucket, key: 'a.bin', method: 'PUT', contentType: 'image/png' }, awsConnection);
    expect(new URL(out.url).host).toBe(`${bucket}.s3.us-east-1.amazonaws.com`);
    expect([...new URL(out.url).searchParams.keys()].filter((k) => /checksum/i.test(k))).toEqual([]);
    expect(await s3Verdict('PUT', out.url, out.headers)).toEqual({ ok: true, reason: 'valid' });
    // Why the handler strips them: the bare SDK signs CRC32("") = AAAAAA== into the URL, so any
    // real upload would not match it. (If this starts failing, the SDK stopped doing that.)
    const bare = new S3Client({
      region: 'us-east-1',
      credentials: { accessKeyId: TEST_KEY_ID, secretAccessKey: TEST_SECRET },
    });
    const bareUrl = await getSignedUrl(bare, new PutObjectCommand({ Bucket: bucket, Key: 'a.bin' }), { expiresIn: 60 });
    expect(param(bareUrl, 'x-amz-checksum-crc32')).toBe('AAAAAA==');
    bare.destroy();
  });
});

describe('get_object_signed_url: expiry', () => {
  it('an expired URL is refused by S3; moto 5.2.5 does not check expiry and still serves it', async () => {
    const out = await sign({ bucket, key, expiresIn: 1 });
    expect(param(out.url, 'X-Amz-Expires')).toBe('1');
    const expiresAt = new Date(out.expiresAt);
    expect(expiresAt.getTime()).toBe(signedAt(out.url).getTime() + 1000);
    // Before expiresAt S3 accepts it...
    expect(await s3Verdict('GET', out.url, {}, new Date(expiresAt.getTime() - 500))).toEqual({
      ok: true,
      reason: 'valid',
    });
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt.getTime() + 1000 - Date.now())));
    // ...after it, S3 refuses it, and the expiry cannot be stretched: it is part of the signature.
    expect(await s3Verdict('GET', out.url)).toEqual({ ok: false, reason: 'AccessDenied: Request has expired' });
    const stretched = new URL(out.url);
    stretched.searchParams.set('X-Amz-Expires', '3600');
    expect((await s3Verdict('GET', stretched.toString())).reason).toBe('SignatureDoesNotMatch');
    // moto ignores X-Amz-Expires (and presigned signatures altogether): it answers 200. If this
    // starts failing, moto checks expiry now: assert its 403 here instead.
    const res = await fetch(out.url);
    expect(res.status).toBe(200);
  });

  it('caps expiresAt at the expiry of temporary credentials', async () => {
    // Assumed-role credentials from moto's STS last durationSeconds (900 here).
    const connection = motoConnection({
      credentials: {
        type: 'assumeRole',
        roleArn: 'arn:aws:iam::123456789012:role/url-signer',
        durationSeconds: 900,
        accessKeyId: TEST_KEY_ID,
        secretAccessKey: TEST_SECRET,
      },
    });
    const before = Date.now();
    const out = await sign({ bucket, key, expiresIn: 604800 }, connection);
    expect(param(out.url, 'X-Amz-Security-Token')).toBeTruthy();
    expect(param(out.url, 'X-Amz-Expires')).toBe('604800');
    const expiresAt = new Date(out.expiresAt).getTime();
    expect(expiresAt).toBeGreaterThan(before + 800_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 900_000);
    expect(await (await fetch(out.url)).text()).toBe(body);
  });
});

describe('get_object_signed_url: refused input', () => {
  it.each([
    [604801, 'must be <= 604800'],
    [0, 'must be >= 1'],
    [1.5, 'must be an integer'],
  ])('expiresIn %s is user_input before anything is signed', async (expiresIn, message) => {
    const c = await testConnector();
    const res = await c.invoke('get_object_signed_url', { bucket, key, expiresIn }, { connection: motoConnection() });
    expect(res.ok ? null : res.error).toMatchObject({ type: 'user_input', code: 'InvalidInput', retryable: false });
    expect(res.ok ? '' : res.error.message).toContain(`expiresIn ${message}`);
  });

  it('accepts the 7-day maximum', async () => {
    const out = await sign({ bucket, key, expiresIn: 604800 });
    expect(new Date(out.expiresAt).getTime()).toBe(signedAt(out.url).getTime() + 604800_000);
  });

  it.each([
    [{ method: 'PUT', versionId: 'abc' }, ['versionId']],
    [
      { method: 'PUT', responseContentType: 'text/plain', responseCacheControl: 'no-cache' },
      ['responseContentType', 'responseCacheControl'],
    ],
    [{ contentType: 'text/plain' }, ['contentType']],
  ])('refuses fields of the other method: %j', async (extra, fields) => {
    const c = await testConnector();
    const res = await c.invoke('get_object_signed_url', { bucket, key, ...extra }, { connection: motoConnection() });
    expect(res.ok ? null : res.error).toMatchObject({
      type: 'user_input',
      code: 'FieldNotForMethod',
      details: { fields },
    });
  });

  it('refuses an anonymous connection: there is nothing to sign with', async () => {
    const c = await testConnector();
    const res = await c.invoke(
      'get_object_signed_url',
      { bucket, key },
      { connection: motoConnection({ credentials: { type: 'anonymous' } }) },
    );
    expect(res.ok ? null : res.error).toMatchObject({ type: 'user_input', code: 'CredentialsRequired' });
  });
});
