// get_object against moto, cross-checked with the aws cli.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LocalFileStore } from '../../src/io/files.js';
import { aws, awsJson, invoke, motoConnection, testConnector, uniqueBucket } from '../support/helpers.js';

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

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

async function scratchFile(content: string): Promise<string> {
  const path = join(scratch, randomBytes(4).toString('hex'));
  await writeFile(path, content);
  return path;
}

describe('get_object', () => {
  const key = 'cli/data.bin';
  const bytes = randomBytes(300_000);
  beforeAll(async () => {
    const path = join(scratch, 'data.bin');
    await writeFile(path, bytes);
    await aws([
      's3api',
      'put-object',
      '--bucket',
      bucket,
      '--key',
      key,
      '--body',
      path,
      '--content-type',
      'application/x-test',
      '--metadata',
      'origin=cli',
    ]);
    await aws([
      's3api',
      'put-object',
      '--bucket',
      bucket,
      '--key',
      'cli/latin1.txt',
      '--body',
      await (async () => {
        const p = join(scratch, 'l1');
        await writeFile(p, Buffer.from([0x63, 0x61, 0x66, 0xe9]));
        return p;
      })(),
    ]);
  });

  it('downloads what the aws cli wrote into the file store, verified', async () => {
    const progress: number[] = [];
    const res = await invoke(
      'get_object',
      { bucket, key },
      { files, onProgress: (p: { loaded: number }) => progress.push(p.loaded) },
    );
    if (!res.ok) throw new Error(res.error.message);
    const file = res.output.file as { url: string; name: string; mimeType: string; size: number };
    expect(file).toMatchObject({ name: 'data.bin', mimeType: 'application/x-test', size: bytes.length });
    expect(md5(await readFile(new URL(file.url)))).toBe(md5(bytes));
    expect(new URL(file.url).pathname.startsWith(root)).toBe(true);
    expect(res.output).toMatchObject({
      contentLength: bytes.length,
      metadata: { origin: 'cli' },
      contentType: 'application/x-test',
    });
    expect(progress.at(-1)).toBe(bytes.length);
  });

  it('reads inline as text (with a charset) and base64, and a byte range', async () => {
    await aws([
      's3api',
      'put-object',
      '--bucket',
      bucket,
      '--key',
      'text/hello.txt',
      '--body',
      await scratchFile('Grüße, S3 ✓\n'),
    ]);
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
    const res = await invoke('get_object', {
      bucket,
      key,
      as: 'base64',
      range: 'bytes=0-0',
      responseContentType: 'image/png',
      responseContentDisposition: 'inline',
    });
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
    const res = await invoke('get_object', {
      bucket,
      key,
      as: 'base64',
      range: `bytes=${bytes.length + 10}-${bytes.length + 20}`,
    });
    expect(res.ok ? null : res.error).toMatchObject({ type: 'user_input', status: 416 });
  });

  it('conditional reads, a missing key and bucket', async () => {
    const head = await awsJson<{ ETag: string }>(['s3api', 'head-object', '--bucket', bucket, '--key', key]);
    const notModified = await invoke('get_object', { bucket, key, ifNoneMatch: head.ETag }, { files });
    expect(notModified.ok ? null : notModified.error).toMatchObject({
      type: 'precondition_failed',
      code: 'NotModified',
    });
    const changed = await invoke(
      'get_object',
      { bucket, key, ifMatch: '"ffffffffffffffffffffffffffffffff"' },
      { files },
    );
    expect(changed.ok ? null : changed.error).toMatchObject({ type: 'precondition_failed', status: 412 });
    const missing = await invoke('get_object', { bucket, key: 'nope' }, { files });
    expect(missing.ok ? null : missing.error).toMatchObject({ type: 'not_found', code: 'NoSuchKey' });
    const noBucket = await invoke('get_object', { bucket: uniqueBucket('gone'), key }, { files });
    expect(noBucket.ok ? null : noBucket.error).toMatchObject({ type: 'not_found', code: 'NoSuchBucket' });
    expect((await readdir(root)).filter((n) => n.startsWith('.partial-'))).toEqual([]);
  });

  it('a key like ../x is stored literally and downloads stay inside the store', async () => {
    const put = await invoke('put_object_text', { bucket, key: '../../escape.txt', content: 'inside' });
    if (!put.ok) throw new Error(put.error.message);
    const cli = await awsJson<{ Contents: { Key: string }[] }>([
      's3api',
      'list-objects-v2',
      '--bucket',
      bucket,
      '--prefix',
      '../',
    ]);
    expect(cli.Contents.map((o) => o.Key)).toEqual(['../../escape.txt']);
    const got = await invoke('get_object', { bucket, key: '../../escape.txt' }, { files });
    if (!got.ok) throw new Error(got.error.message);
    const path = new URL((got.output.file as { url: string }).url).pathname;
    expect(path.startsWith(root + '/')).toBe(true);
    expect(await readFile(path, 'utf8')).toBe('inside');
  });
});

describe('get_object: text that is not text', () => {
  it('binary bytes read as UTF-8 text are refused (NotText), not turned into U+FFFD; base64 reads them', async () => {
    const binary = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe, 0x00, 0xc3]);
    const path = join(scratch, 'binary.png');
    await writeFile(path, binary);
    await aws(['s3api', 'put-object', '--bucket', bucket, '--key', 'bin/image.png', '--body', path]);
    const c = await testConnector();
    const text = await c.invoke(
      'get_object',
      { bucket, key: 'bin/image.png', as: 'text' },
      { connection: motoConnection() },
    );
    expect(text.ok ? text.output : text.error).toMatchObject({
      type: 'user_input',
      code: 'NotText',
      message: expect.stringContaining('base64'),
    });
    const ascii = await c.invoke(
      'get_object',
      { bucket, key: 'bin/image.png', as: 'text', charset: 'ascii' },
      { connection: motoConnection() },
    );
    expect(ascii.ok ? ascii.output : ascii.error).toMatchObject({ type: 'user_input', code: 'NotText' });
    const b64 = await c.invoke(
      'get_object',
      { bucket, key: 'bin/image.png', as: 'base64' },
      { connection: motoConnection() },
    );
    expect(b64.ok ? Buffer.from(b64.output.base64 ?? '', 'base64') : b64.error).toEqual(binary);
    // Latin-1 has a character for every byte: nothing to refuse.
    const latin = await c.invoke(
      'get_object',
      { bucket, key: 'bin/image.png', as: 'text', charset: 'latin1' },
      { connection: motoConnection() },
    );
    expect(latin.ok ? latin.output.text : latin.error).toBe(binary.toString('latin1'));
  });
});
