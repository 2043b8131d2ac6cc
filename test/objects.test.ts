// get_object, put_object_text and put_object_file against moto, cross-checked with the aws cli.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, writeFile, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { LocalFileStore } from '../src/files.js';
import { aws, awsJson, motoConnection, testConnector, uniqueBucket } from './helpers.js';

const bucket = uniqueBucket('obj');
let root: string;
let files: LocalFileStore;
let scratch: string;

beforeAll(async () => {
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  root = await mkdtemp(join(tmpdir(), 'store-'));
  files = new LocalFileStore(root);
  scratch = await mkdtemp(join(tmpdir(), 'scratch-'));
});

async function invoke(name: string, input: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const c = await testConnector();
  return c.invoke(name, input, { connection: motoConnection(), files, ...extra });
}

async function cliGet(key: string): Promise<{ bytes: Buffer; head: Record<string, unknown> }> {
  const out = join(scratch, randomBytes(4).toString('hex'));
  const head = await awsJson(['s3api', 'get-object', '--bucket', bucket, '--key', key, out]);
  return { bytes: await readFile(out), head };
}

async function storeFile(bytes: Buffer, name: string): Promise<string> {
  const path = join(root, name);
  await writeFile(path, bytes);
  return pathToFileURL(path).href;
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

describe('put_object_text', () => {
  it('writes what the aws cli reads back: bytes, type, metadata, tags, headers, encryption', async () => {
    const content = 'Grüße, S3 ✓\n';
    const res = await invoke('put_object_text', {
      bucket, key: 'text/hello.txt', content,
      metadata: { team: 'flows' }, tags: { env: 'test', 'cost center': 'a+b=c d/é' },
      cacheControl: 'max-age=60', contentDisposition: 'attachment; filename="hello.txt"', contentLanguage: 'de',
      serverSideEncryption: 'AES256', storageClass: 'STANDARD_IA',
    });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.output).toMatchObject({ bucket, key: 'text/hello.txt', size: Buffer.byteLength(content), contentType: 'text/plain; charset=utf-8', serverSideEncryption: 'AES256' });
    const { bytes, head } = await cliGet('text/hello.txt');
    expect(bytes.toString('utf8')).toBe(content);
    expect(head).toMatchObject({
      ContentType: 'text/plain; charset=utf-8', Metadata: { team: 'flows' }, CacheControl: 'max-age=60',
      ContentDisposition: 'attachment; filename="hello.txt"', ContentLanguage: 'de', ETag: res.output.etag, StorageClass: 'STANDARD_IA',
    });
    const tagging = await awsJson<{ TagSet: { Key: string; Value: string }[] }>(['s3api', 'get-object-tagging', '--bucket', bucket, '--key', 'text/hello.txt']);
    expect(Object.fromEntries(tagging.TagSet.map((t) => [t.Key, t.Value]))).toEqual({ env: 'test', 'cost center': 'a+b=c d/é' });
  });

  it('returns the checksum it asked S3 to verify', async () => {
    const content = 'checksummed';
    const res = await invoke('put_object_text', { bucket, key: 'text/sum.txt', content, checksumAlgorithm: 'SHA256' });
    if (!res.ok) throw new Error(res.error.message);
    expect((res.output.checksum as { sha256: string }).sha256).toBe(createHash('sha256').update(content).digest('base64'));
  });

  it('ifNoneMatch "*" refuses to overwrite; ifMatch gives optimistic concurrency', async () => {
    const key = 'text/once.txt';
    const first = await invoke('put_object_text', { bucket, key, content: 'v1', ifNoneMatch: '*' });
    if (!first.ok) throw new Error(first.error.message);
    const again = await invoke('put_object_text', { bucket, key, content: 'v2', ifNoneMatch: '*' });
    expect(again.ok ? null : again.error).toMatchObject({ type: 'precondition_failed', status: 412 });
    const stale = await invoke('put_object_text', { bucket, key, content: 'v2', ifMatch: '"0123456789abcdef0123456789abcdef"' });
    expect(stale.ok ? null : stale.error).toMatchObject({ type: 'precondition_failed', status: 412 });
    const fresh = await invoke('put_object_text', { bucket, key, content: 'v3', ifMatch: first.output.etag });
    expect(fresh.ok).toBe(true);
    expect((await cliGet(key)).bytes.toString()).toBe('v3');
  });

  it('metadata over 2 KB is refused before any write', async () => {
    const res = await invoke('put_object_text', { bucket, key: 'text/big-meta.txt', content: 'x', metadata: { a: 'x'.repeat(2100) } });
    expect(res.ok ? null : res.error).toMatchObject({ type: 'user_input', code: 'MetadataTooLarge' });
    await expect(aws(['s3api', 'head-object', '--bucket', bucket, '--key', 'text/big-meta.txt'])).rejects.toThrow(/404|Not Found/);
  });

  it('a missing bucket is not_found', async () => {
    const res = await invoke('put_object_text', { bucket: uniqueBucket('nobucket'), key: 'a', content: 'x' });
    expect(res.ok ? null : res.error).toMatchObject({ type: 'not_found', code: 'NoSuchBucket' });
  });
});

describe('get_object', () => {
  const key = 'cli/data.bin';
  const bytes = randomBytes(300_000);
  beforeAll(async () => {
    const path = join(scratch, 'data.bin');
    await writeFile(path, bytes);
    await aws(['s3api', 'put-object', '--bucket', bucket, '--key', key, '--body', path, '--content-type', 'application/x-test', '--metadata', 'origin=cli']);
    await aws(['s3api', 'put-object', '--bucket', bucket, '--key', 'cli/latin1.txt', '--body', await (async () => { const p = join(scratch, 'l1'); await writeFile(p, Buffer.from([0x63, 0x61, 0x66, 0xe9])); return p; })()]);
  });

  it('downloads what the aws cli wrote into the file store, verified', async () => {
    const progress: number[] = [];
    const res = await invoke('get_object', { bucket, key }, { onProgress: (p: { loaded: number }) => progress.push(p.loaded) });
    if (!res.ok) throw new Error(res.error.message);
    const file = res.output.file as { url: string; name: string; mimeType: string; size: number };
    expect(file).toMatchObject({ name: 'data.bin', mimeType: 'application/x-test', size: bytes.length });
    expect(md5(await readFile(new URL(file.url)))).toBe(md5(bytes));
    expect(new URL(file.url).pathname.startsWith(root)).toBe(true);
    expect(res.output).toMatchObject({ contentLength: bytes.length, metadata: { origin: 'cli' }, contentType: 'application/x-test' });
    expect(progress.at(-1)).toBe(bytes.length);
  });

  it('reads inline as text (with a charset) and base64, and a byte range', async () => {
    const text = await invoke('get_object', { bucket, key: 'text/hello.txt', as: 'text' });
    expect(text.ok ? text.output.text : text.error).toBe('Grüße, S3 ✓\n');
    const latin = await invoke('get_object', { bucket, key: 'cli/latin1.txt', as: 'text', charset: 'latin1' });
    expect(latin.ok ? latin.output.text : latin.error).toBe('café');
    const range = await invoke('get_object', { bucket, key, as: 'base64', range: 'bytes=10-19' });
    if (!range.ok) throw new Error(range.error.message);
    expect(Buffer.from(range.output.base64 as string, 'base64')).toEqual(bytes.subarray(10, 20));
    expect(range.output).toMatchObject({ contentLength: 10, contentRange: `bytes 10-19/${bytes.length}` });
  });

  it('applies response overrides', async () => {
    const res = await invoke('get_object', { bucket, key, as: 'base64', range: 'bytes=0-0', responseContentType: 'image/png', responseContentDisposition: 'inline' });
    expect(res.ok ? res.output : res.error).toMatchObject({ contentType: 'image/png', contentDisposition: 'inline' });
  });

  it('refuses an inline read over the cap, and leaves no file behind', async () => {
    const before = await readdir(root);
    const res = await invoke('get_object', { bucket, key, as: 'text', maxInlineBytes: 1000 });
    expect(res.ok ? null : res.error).toMatchObject({ type: 'user_input', code: 'TooLargeForInline' });
    expect(res.ok ? '' : res.error.message).toMatch(/as: "file"/);
    expect(await readdir(root)).toEqual(before);
  });

  it('a range past the end is a user_input error', async () => {
    const res = await invoke('get_object', { bucket, key, as: 'base64', range: `bytes=${bytes.length + 10}-${bytes.length + 20}` });
    expect(res.ok ? null : res.error).toMatchObject({ type: 'user_input', status: 416 });
  });

  it('conditional reads, a missing key and bucket', async () => {
    const head = await awsJson<{ ETag: string }>(['s3api', 'head-object', '--bucket', bucket, '--key', key]);
    const notModified = await invoke('get_object', { bucket, key, ifNoneMatch: head.ETag });
    expect(notModified.ok ? null : notModified.error).toMatchObject({ type: 'precondition_failed', code: 'NotModified' });
    const changed = await invoke('get_object', { bucket, key, ifMatch: '"ffffffffffffffffffffffffffffffff"' });
    expect(changed.ok ? null : changed.error).toMatchObject({ type: 'precondition_failed', status: 412 });
    const missing = await invoke('get_object', { bucket, key: 'nope' });
    expect(missing.ok ? null : missing.error).toMatchObject({ type: 'not_found', code: 'NoSuchKey' });
    const noBucket = await invoke('get_object', { bucket: uniqueBucket('gone'), key });
    expect(noBucket.ok ? null : noBucket.error).toMatchObject({ type: 'not_found', code: 'NoSuchBucket' });
    expect((await readdir(root)).filter((n) => n.startsWith('.partial-'))).toEqual([]);
  });

  it('a key like ../x is stored literally and downloads stay inside the store', async () => {
    const put = await invoke('put_object_text', { bucket, key: '../../escape.txt', content: 'inside' });
    if (!put.ok) throw new Error(put.error.message);
    const cli = await awsJson<{ Contents: { Key: string }[] }>(['s3api', 'list-objects-v2', '--bucket', bucket, '--prefix', '../']);
    expect(cli.Contents.map((o) => o.Key)).toEqual(['../../escape.txt']);
    const got = await invoke('get_object', { bucket, key: '../../escape.txt' });
    if (!got.ok) throw new Error(got.error.message);
    const path = new URL((got.output.file as { url: string }).url).pathname;
    expect(path.startsWith(root + '/')).toBe(true);
    expect(await readFile(path, 'utf8')).toBe('inside');
  });
});

describe('put_object_file', () => {
  it('streams a multi-part upload from the file store, with progress; the aws cli reads the same bytes', async () => {
    const bytes = randomBytes(23 * 1024 * 1024);
    const url = await storeFile(bytes, 'big.csv');
    const progress: number[] = [];
    const res = await invoke('put_object_file', { bucket, key: 'files/big.csv', file: { url }, partSizeMb: 5, concurrency: 3, metadata: { kind: 'big' }, tags: { t: '1' } },
      { onProgress: (p: { loaded: number }) => progress.push(p.loaded) });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.output).toMatchObject({ size: bytes.length, parts: 5, contentType: 'text/csv; charset=utf-8' });
    expect(String(res.output.etag)).toMatch(/-5"$/); // a multipart ETag
    const { bytes: back, head } = await cliGet('files/big.csv');
    expect(md5(back)).toBe(md5(bytes));
    expect(head).toMatchObject({ ContentType: 'text/csv; charset=utf-8', Metadata: { kind: 'big' } });
    expect(progress.at(-1)).toBe(bytes.length);
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1]!);
    const tagging = await awsJson<{ TagSet: { Key: string; Value: string }[] }>(['s3api', 'get-object-tagging', '--bucket', bucket, '--key', 'files/big.csv']);
    expect(tagging.TagSet).toEqual([{ Key: 't', Value: '1' }]);
  });

  it('uploads a data: URL in one request, type from the URL', async () => {
    const res = await invoke('put_object_file', { bucket, key: 'files/small', file: { url: `data:application/json;base64,${Buffer.from('{"a":1}').toString('base64')}` } });
    expect(res.ok ? res.output : res.error).toMatchObject({ size: 7, parts: 1, contentType: 'application/json' });
    expect((await cliGet('files/small')).bytes.toString()).toBe('{"a":1}');
  });

  it('refuses sources outside the store, unallowed hosts, and other schemes, sending nothing', async () => {
    const outside = join(scratch, 'outside.txt');
    await writeFile(outside, 'secret');
    await symlink(outside, join(root, 'link.txt'));
    const dotdot = `${pathToFileURL(root).href}/../${basename(scratch)}/outside.txt`;
    for (const url of [pathToFileURL(outside).href, dotdot, pathToFileURL(join(root, 'link.txt')).href, 'https://example.com/x.bin']) {
      const res = await invoke('put_object_file', { bucket, key: 'files/refused', file: { url } });
      expect(res.ok ? null : res.error, url).toMatchObject({ type: 'user_input' });
    }
    const ftp = await invoke('put_object_file', { bucket, key: 'files/refused', file: { url: 'ftp://x/y' } });
    expect(ftp.ok ? null : ftp.error).toMatchObject({ type: 'user_input', code: 'InvalidInput' });
    await expect(aws(['s3api', 'head-object', '--bucket', bucket, '--key', 'files/refused'])).rejects.toThrow();
  });

  it('a multipart upload whose source fails midway is aborted: no incomplete upload is left', async () => {
    // An injected fault: a runtime file store whose stream breaks after 12 MiB (moto cannot
    // fail a part by itself, and ignores IfMatch on CompleteMultipartUpload).
    const failing = {
      open: async () => ({
        stream: Readable.from((async function* () {
          for (let i = 0; i < 12; i++) yield randomBytes(1024 * 1024);
          throw Object.assign(new Error('disk read failed'), { code: 'EIO' });
        })()),
        size: 30 * 1024 * 1024,
      }),
      create: () => files.create('unused'),
    };
    const res = await invoke('put_object_file', { bucket, key: 'files/fail.bin', file: { url: 'file:///anything' }, partSizeMb: 5 }, { files: failing });
    expect(res.ok ? null : res.error).toMatchObject({ type: 'internal', message: expect.stringContaining('disk read failed') });
    await new Promise((r) => setTimeout(r, 1000)); // in-flight part requests settle
    await expect(aws(['s3api', 'head-object', '--bucket', bucket, '--key', 'files/fail.bin'])).rejects.toThrow();
    const uploads = await awsJson<{ Uploads?: unknown[] }>(['s3api', 'list-multipart-uploads', '--bucket', bucket]);
    expect(uploads.Uploads ?? []).toEqual([]);
  });

  it('cancelling through the AbortSignal stops the upload and leaves nothing', async () => {
    const url = await storeFile(randomBytes(40 * 1024 * 1024), 'cancel.bin');
    const controller = new AbortController();
    const res = await invoke('put_object_file', { bucket, key: 'files/cancel.bin', file: { url }, partSizeMb: 5, concurrency: 1 },
      { signal: controller.signal, onProgress: (p: { loaded: number }) => { if (p.loaded > 6 * 1024 * 1024) controller.abort(); } });
    expect(res.ok ? null : res.error).toMatchObject({ type: 'timeout', code: 'Cancelled' });
    await new Promise((r) => setTimeout(r, 1500)); // in-flight part requests settle
    const uploads = await awsJson<{ Uploads?: unknown[] }>(['s3api', 'list-multipart-uploads', '--bucket', bucket]);
    expect(uploads.Uploads ?? []).toEqual([]);
    await expect(aws(['s3api', 'head-object', '--bucket', bucket, '--key', 'files/cancel.bin'])).rejects.toThrow();
  });
});
