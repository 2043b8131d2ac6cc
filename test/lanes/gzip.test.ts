// gzip on both puts and decode on get_object, against moto with the aws cli and gunzip as the
// oracles: what the connector compressed is stored with Content-Encoding: gzip and gunzips to
// the original bytes; get_object gives the bytes as stored unless asked to decode; a multipart
// upload of compressed bytes (length unknown until the end) round-trips; the connection's
// content-type list, an input's gzip winning; contradictions refused before anything is sent;
// a gzip bomb refused at the inline cap without the memory it would take; corrupt gzip a clear
// error leaving no file.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { createGzip, gunzipSync, gzipSync } from 'node:zlib';
import { createWriteStream } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LocalFileStore } from '../../src/io/files.js';
import { aws, awsJson, invoke, motoConnection, uniqueBucket } from '../support/helpers.js';

const run = promisify(execFile);
const bucket = uniqueBucket('gz');
let root: string;
let scratch: string;
let files: LocalFileStore;

/** django-storages' GZIP_CONTENT_TYPES default. */
const DJANGO_TYPES = [
  'text/css',
  'text/javascript',
  'application/javascript',
  'application/x-javascript',
  'image/svg+xml',
];

/** The object's bytes as stored, downloaded by the aws cli. */
async function cliBytes(key: string): Promise<Buffer> {
  const path = join(scratch, `${randomBytes(4).toString('hex')}.bin`);
  await aws(['s3', 'cp', `s3://${bucket}/${key}`, path]);
  return readFile(path);
}

/** The object downloaded by the aws cli and piped through Debian's gunzip. */
async function cliGunzipped(key: string): Promise<Buffer> {
  const path = join(scratch, `${randomBytes(4).toString('hex')}.gz`);
  await aws(['s3', 'cp', `s3://${bucket}/${key}`, path]);
  const { stdout } = await run('gunzip', ['-c', path], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

async function head(key: string) {
  return awsJson<{ ContentEncoding?: string; ContentType?: string; ContentLength: number; ETag: string }>([
    's3api',
    'head-object',
    '--bucket',
    bucket,
    '--key',
    key,
  ]);
}

async function bucketKeys(prefix: string): Promise<string[]> {
  const out = await awsJson<{ Contents?: { Key: string }[] }>([
    's3api',
    'list-objects-v2',
    '--bucket',
    bucket,
    '--prefix',
    prefix,
  ]);
  return (out.Contents ?? []).map((o) => o.Key);
}

async function storeFile(bytes: Buffer, name: string): Promise<string> {
  const path = join(root, name);
  await writeFile(path, bytes);
  return pathToFileURL(path).href;
}

/** Every file under the file store's root (drafts included), relative to it. */
async function storeFiles(): Promise<string[]> {
  return (await readdir(root, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1));
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const css = 'body { color: #333; margin: 0 auto; }\n'.repeat(400);

beforeAll(async () => {
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  root = await mkdtemp(join(tmpdir(), 'gz-store-'));
  scratch = await mkdtemp(join(tmpdir(), 'gz-scratch-'));
  files = new LocalFileStore(root);
});

describe('a gzip bomb from the store', () => {
  // First in the file, so the process's peak RSS so far is not already above what a bomb would take.
  it('decoded inline is refused at maxInlineBytes, counted on the decoded bytes, without the memory it expands to', async () => {
    const expands = 512 * 1024 * 1024;
    const path = join(scratch, 'bomb.gz');
    const zeros = Buffer.alloc(1024 * 1024);
    await pipeline(
      Readable.from(
        (function* () {
          for (let i = 0; i < expands / zeros.length; i++) yield zeros;
        })(),
      ),
      createGzip({ level: 9 }),
      createWriteStream(path),
    );
    const stored = (await readFile(path)).length;
    expect(stored).toBeLessThan(2 * 1024 * 1024);
    await aws([
      's3api',
      'put-object',
      '--bucket',
      bucket,
      '--key',
      'bomb/zeros.txt',
      '--body',
      path,
      '--content-encoding',
      'gzip',
      '--content-type',
      'text/plain',
    ]);

    const peakBefore = process.resourceUsage().maxRSS; // KiB, the process's high-water mark
    const res = await invoke('get_object', { bucket, key: 'bomb/zeros.txt', as: 'text', decode: true });
    const grewKiB = process.resourceUsage().maxRSS - peakBefore;
    expect(res.ok).toBe(false);
    if (!res.ok) expect([res.error.type, res.error.code]).toEqual(['user_input', 'TooLargeForInline']);
    // 512 MiB decoded would be held if the cap counted the stored bytes (under 2 MiB) instead.
    expect(grewKiB).toBeLessThan(128 * 1024);

    // As stored (no decode), the same object fits inline: the cap is on what is returned.
    const raw = await invoke('get_object', { bucket, key: 'bomb/zeros.txt', as: 'base64' });
    if (!raw.ok) throw new Error(raw.error.message);
    expect(raw.output).toMatchObject({ decoded: false, contentEncoding: 'gzip', contentLength: stored });
  });
});

describe('put_object_text with gzip', () => {
  it('stores the text gzip-compressed with Content-Encoding gzip; the aws cli and gunzip get the text back', async () => {
    const res = await invoke('put_object_text', { bucket, key: 'text/site.css', content: css, gzip: true });
    if (!res.ok) throw new Error(res.error.message);
    const stored = await head('text/site.css');
    expect(stored.ContentEncoding).toBe('gzip');
    expect(stored.ContentType).toBe('text/css; charset=utf-8');
    expect(res.output).toMatchObject({
      contentEncoding: 'gzip',
      originalSize: Buffer.byteLength(css),
      size: stored.ContentLength,
    });
    expect(stored.ContentLength).toBeLessThan(Buffer.byteLength(css) / 10);
    expect((await cliGunzipped('text/site.css')).toString('utf8')).toBe(css);
    // The store verified what it stored: the compressed bytes (Content-MD5, and the ETag is their MD5).
    expect(JSON.parse(stored.ETag)).toBe(md5(await cliBytes('text/site.css')));
    expect(res.output.etag).toBe(stored.ETag);
  });

  it('get_object returns the bytes as stored by default, saying so, and the text when asked to decode', async () => {
    await invoke('put_object_text', { bucket, key: 'text/app.js', content: css, gzip: true });
    const asStored = await invoke('get_object', { bucket, key: 'text/app.js', as: 'base64' });
    if (!asStored.ok) throw new Error(asStored.error.message);
    expect(asStored.output).toMatchObject({ decoded: false, contentEncoding: 'gzip' });
    expect(Buffer.from(asStored.output.base64, 'base64').equals(await cliBytes('text/app.js'))).toBe(true);

    const text = await invoke('get_object', { bucket, key: 'text/app.js', as: 'text', decode: true });
    if (!text.ok) throw new Error(text.error.message);
    expect(text.output.text).toBe(css);
    expect(text.output).toMatchObject({
      decoded: true,
      contentEncoding: 'gzip',
      contentLength: Buffer.byteLength(css),
      storedLength: (await head('text/app.js')).ContentLength,
    });

    const b64 = await invoke('get_object', { bucket, key: 'text/app.js', as: 'base64', decode: true });
    if (!b64.ok) throw new Error(b64.error.message);
    expect(Buffer.from(b64.output.base64, 'base64').toString('utf8')).toBe(css);

    const file = await invoke('get_object', { bucket, key: 'text/app.js', decode: true }, { files });
    if (!file.ok) throw new Error(file.error.message);
    expect(file.output).toMatchObject({ decoded: true, contentLength: Buffer.byteLength(css) });
    expect(file.output.file.size).toBe(Buffer.byteLength(css));
    expect((await readFile(fileURLToPath(file.output.file.url))).toString('utf8')).toBe(css);

    // The inline cap counts the decoded bytes: the compressed object is far below it, the text is not.
    const capped = await invoke('get_object', {
      bucket,
      key: 'text/app.js',
      as: 'text',
      decode: true,
      maxInlineBytes: Buffer.byteLength(css) - 1,
    });
    expect(!capped.ok && capped.error.code).toBe('TooLargeForInline');
  });

  it('decode on an object that is not gzip returns it as stored, decoded: false', async () => {
    const path = join(scratch, 'plain.txt');
    await writeFile(path, 'plain');
    await aws(['s3api', 'put-object', '--bucket', bucket, '--key', 'plain/a.txt', '--body', path]);
    const res = await invoke('get_object', { bucket, key: 'plain/a.txt', as: 'text', decode: true });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.output).toMatchObject({ text: 'plain', decoded: false, contentLength: 5 });
    expect(res.output.contentEncoding).toBeUndefined();
  });
});

describe('put_object_file with gzip', () => {
  it('a file above the part size round-trips byte-exact through a multipart upload of unknown length', async () => {
    // 8 MiB that does not compress and 4 MiB that does: the compressed stream still spans two 5 MiB parts.
    const original = Buffer.concat([randomBytes(8 * 1024 * 1024), Buffer.from('0123456789abcdef'.repeat(256 * 1024))]);
    const url = await storeFile(original, 'big.bin');
    const progress: { loaded: number; total?: number }[] = [];
    const res = await invoke(
      'put_object_file',
      { bucket, key: 'file/big.bin', file: { url }, gzip: true, partSizeMb: 5, checksumAlgorithm: 'SHA256' },
      { files, onProgress: (p) => progress.push(p) },
    );
    if (!res.ok) throw new Error(res.error.message);
    const stored = await head('file/big.bin');
    expect(stored.ContentEncoding).toBe('gzip');
    expect(res.output).toMatchObject({
      contentEncoding: 'gzip',
      originalSize: original.length,
      size: stored.ContentLength,
    });
    expect(res.output.parts).toBeGreaterThanOrEqual(2);
    expect(stored.ETag).toMatch(/-\d+"$/); // a multipart object
    expect(stored.ContentLength).toBeLessThan(original.length);
    // Progress counts the file's own bytes, against its size.
    expect(progress.at(-1)).toEqual({ loaded: original.length, total: original.length });

    expect((await cliGunzipped('file/big.bin')).equals(original)).toBe(true);

    const got = await invoke('get_object', { bucket, key: 'file/big.bin', decode: true }, { files });
    if (!got.ok) throw new Error(got.error.message);
    expect(got.output).toMatchObject({
      decoded: true,
      contentLength: original.length,
      storedLength: stored.ContentLength,
    });
    expect((await readFile(fileURLToPath(got.output.file.url))).equals(original)).toBe(true);

    const asStored = await invoke('get_object', { bucket, key: 'file/big.bin' }, { files });
    if (!asStored.ok) throw new Error(asStored.error.message);
    expect((await readFile(fileURLToPath(asStored.output.file.url))).equals(await cliBytes('file/big.bin'))).toBe(true);
  });

  it('a single-request upload carries the checksum of the compressed bytes, which the store verified', async () => {
    const url = await storeFile(Buffer.from(css), 'site.css');
    const res = await invoke(
      'put_object_file',
      { bucket, key: 'file/site.css', file: { url }, gzip: true, checksumAlgorithm: 'SHA256' },
      { files },
    );
    if (!res.ok) throw new Error(res.error.message);
    const storedBytes = await cliBytes('file/site.css');
    expect(res.output.checksum.sha256).toBe(createHash('sha256').update(storedBytes).digest('base64'));
    expect(JSON.parse((await head('file/site.css')).ETag)).toBe(md5(storedBytes));
    expect(gunzipSync(storedBytes).toString('utf8')).toBe(css);
    expect(res.output).toMatchObject({ parts: 1, originalSize: Buffer.byteLength(css) });
  });

  it('onConflict rename compresses the source opened again for the fresh name', async () => {
    const url = await storeFile(Buffer.from(css), 'again.css');
    const input = { bucket, key: 'file/again.css', file: { url }, gzip: true, onConflict: 'rename' };
    const first = await invoke('put_object_file', input, { files });
    const second = await invoke('put_object_file', input, { files });
    if (!first.ok || !second.ok) throw new Error('a put failed');
    expect(second.output.renamed).toBe(true);
    expect(second.output).toMatchObject({ contentEncoding: 'gzip', originalSize: Buffer.byteLength(css) });
    for (const key of [first.output.key, second.output.key]) {
      expect((await head(key)).ContentEncoding).toBe('gzip');
      expect((await cliGunzipped(key)).toString('utf8')).toBe(css);
    }
  });
});

describe('the connection’s content-type list (django-storages’ GZIP_CONTENT_TYPES)', () => {
  const connection = motoConnection({ defaults: { gzipContentTypes: DJANGO_TYPES } });

  it('compresses the listed types, any parameters, and stores the others as given; an input gzip: false wins', async () => {
    const listed = await invoke('put_object_text', { bucket, key: 'list/site.css', content: css }, { connection });
    if (!listed.ok) throw new Error(listed.error.message);
    expect(listed.output.contentEncoding).toBe('gzip');
    expect((await head('list/site.css')).ContentEncoding).toBe('gzip');
    expect((await cliGunzipped('list/site.css')).toString('utf8')).toBe(css);

    const svg = await invoke(
      'put_object_file',
      { bucket, key: 'list/logo.svg', file: { url: await storeFile(Buffer.from('<svg/>'.repeat(100)), 'logo.svg') } },
      { connection, files },
    );
    if (!svg.ok) throw new Error(svg.error.message);
    expect((await head('list/logo.svg')).ContentEncoding).toBe('gzip');

    const other = await invoke('put_object_text', { bucket, key: 'list/notes.txt', content: css }, { connection });
    if (!other.ok) throw new Error(other.error.message);
    expect(other.output.contentEncoding).toBeUndefined();
    expect((await head('list/notes.txt')).ContentEncoding).toBeUndefined();

    const off = await invoke(
      'put_object_text',
      { bucket, key: 'list/off.css', content: css, gzip: false },
      { connection },
    );
    if (!off.ok) throw new Error(off.error.message);
    expect((await head('list/off.css')).ContentEncoding).toBeUndefined();
    expect((await cliBytes('list/off.css')).toString('utf8')).toBe(css);

    // Bytes that say they are already encoded are never compressed by the list.
    const br = await invoke(
      'put_object_text',
      { bucket, key: 'list/pre.css', content: 'x', contentEncoding: 'identity' },
      { connection },
    );
    if (!br.ok) throw new Error(br.error.message);
    expect((await cliBytes('list/pre.css')).toString('utf8')).toBe('x');

    // An input's own list replaces the connection's; type/* takes a whole type.
    const own = await invoke(
      'put_object_text',
      { bucket, key: 'list/own.txt', content: css, gzipContentTypes: ['text/*'] },
      { connection },
    );
    if (!own.ok) throw new Error(own.error.message);
    expect(own.output.contentEncoding).toBe('gzip');
  });
});

describe('refused before anything is sent', () => {
  it('gzip: true with a contentEncoding, on both puts, names both fields and writes nothing', async () => {
    const text = await invoke('put_object_text', {
      bucket,
      key: 'bad/a.css',
      content: css,
      gzip: true,
      contentEncoding: 'br',
    });
    const file = await invoke(
      'put_object_file',
      {
        bucket,
        key: 'bad/b.css',
        file: { url: await storeFile(Buffer.from(css), 'b.css') },
        gzip: true,
        contentEncoding: 'gzip',
      },
      { files },
    );
    for (const res of [text, file]) {
      expect(res.ok).toBe(false);
      if (res.ok) continue;
      expect(res.error.type).toBe('user_input');
      expect(res.error.details?.problems?.map((p: { field: string }) => p.field).sort()).toEqual([
        'contentEncoding',
        'gzip',
      ]);
    }
    expect(await bucketKeys('bad/')).toEqual([]);
  });

  it('decode with a range', async () => {
    const res = await invoke('get_object', { bucket, key: 'text/site.css', decode: true, range: 'bytes=0-9' });
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error.type).toBe('user_input');
    expect(res.error.details?.problems?.map((p: { field: string }) => p.field).sort()).toEqual(['decode', 'range']);
  });

  it('a content-type list entry that is not a media type', async () => {
    const res = await invoke('put_object_text', { bucket, key: 'bad/c.txt', content: 'x', gzipContentTypes: ['css'] });
    expect(!res.ok && res.error.type).toBe('user_input');
    expect(await bucketKeys('bad/')).toEqual([]);
  });
});

describe('a store holding corrupt gzip', () => {
  it('decode is api / InvalidGzip, as a file leaving nothing in the file store, inline returning nothing', async () => {
    const good = gzipSync(Buffer.from(css));
    const cases = {
      'corrupt/garbage.txt': randomBytes(4096),
      'corrupt/cut.txt': good.subarray(0, Math.floor(good.length / 2)),
      'corrupt/flipped.txt': Buffer.concat([good.subarray(0, 40), Buffer.from([good[40]! ^ 0xff]), good.subarray(41)]),
    };
    for (const [key, bytes] of Object.entries(cases)) {
      const path = join(scratch, 'corrupt.bin');
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
        '--content-encoding',
        'gzip',
      ]);
      const before = await storeFiles();
      const asFile = await invoke('get_object', { bucket, key, decode: true }, { files });
      expect(asFile.ok).toBe(false);
      if (!asFile.ok) expect([key, asFile.error.type, asFile.error.code]).toEqual([key, 'api', 'InvalidGzip']);
      expect(await storeFiles()).toEqual(before);
      const inline = await invoke('get_object', { bucket, key, as: 'text', decode: true });
      expect(!inline.ok && inline.error.code).toBe('InvalidGzip');
      // As stored, it is just bytes.
      const raw = await invoke('get_object', { bucket, key, as: 'base64' });
      expect(raw.ok && Buffer.from(raw.output.base64, 'base64').equals(bytes)).toBe(true);
    }
  });
});
