// put_object_file against moto, cross-checked with the aws cli.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { LocalFileStore } from '../../src/io/files.js';
import { aws, awsJson, invoke, uniqueBucket, until } from '../support/helpers.js';

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

async function incompleteUploads(): Promise<unknown[]> {
  return (
    (await awsJson<{ Uploads?: unknown[] }>(['s3api', 'list-multipart-uploads', '--bucket', bucket])).Uploads ?? []
  );
}

describe('put_object_file', () => {
  it('streams a multi-part upload from the file store, with progress; the aws cli reads the same bytes', async () => {
    const bytes = randomBytes(23 * 1024 * 1024);
    const url = await storeFile(bytes, 'big.csv');
    const progress: number[] = [];
    const res = await invoke(
      'put_object_file',
      {
        bucket,
        key: 'files/big.csv',
        file: { url },
        partSizeMb: 5,
        concurrency: 3,
        metadata: { kind: 'big' },
        tags: { t: '1' },
      },
      { files, onProgress: (p: { loaded: number }) => progress.push(p.loaded) },
    );
    if (!res.ok) throw new Error(res.error.message);
    expect(res.output).toMatchObject({ size: bytes.length, parts: 5, contentType: 'text/csv; charset=utf-8' });
    expect(String(res.output.etag)).toMatch(/-5"$/); // a multipart ETag
    const { bytes: back, head } = await cliGet('files/big.csv');
    expect(md5(back)).toBe(md5(bytes));
    expect(head).toMatchObject({ ContentType: 'text/csv; charset=utf-8', Metadata: { kind: 'big' } });
    expect(progress.at(-1)).toBe(bytes.length);
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1]!);
    const tagging = await awsJson<{ TagSet: { Key: string; Value: string }[] }>([
      's3api',
      'get-object-tagging',
      '--bucket',
      bucket,
      '--key',
      'files/big.csv',
    ]);
    expect(tagging.TagSet).toEqual([{ Key: 't', Value: '1' }]);
  });

  it('uploads a data: URL in one request, type from the URL', async () => {
    const res = await invoke(
      'put_object_file',
      {
        bucket,
        key: 'files/small',
        file: { url: `data:application/json;base64,${Buffer.from('{"a":1}').toString('base64')}` },
      },
      { files },
    );
    expect(res.ok ? res.output : res.error).toMatchObject({ size: 7, parts: 1, contentType: 'application/json' });
    expect((await cliGet('files/small')).bytes.toString()).toBe('{"a":1}');
  });

  it('refuses sources outside the store, unallowed hosts, and other schemes, sending nothing', async () => {
    const outside = join(scratch, 'outside.txt');
    await writeFile(outside, 'secret');
    await symlink(outside, join(root, 'link.txt'));
    const dotdot = `${pathToFileURL(root).href}/../${basename(scratch)}/outside.txt`;
    for (const url of [
      pathToFileURL(outside).href,
      dotdot,
      pathToFileURL(join(root, 'link.txt')).href,
      'https://example.com/x.bin',
    ]) {
      const res = await invoke('put_object_file', { bucket, key: 'files/refused', file: { url } }, { files });
      expect(res.ok ? null : res.error, url).toMatchObject({ type: 'user_input' });
    }
    const ftp = await invoke(
      'put_object_file',
      { bucket, key: 'files/refused', file: { url: 'ftp://x/y' } },
      { files },
    );
    expect(ftp.ok ? null : ftp.error).toMatchObject({ type: 'user_input', code: 'InvalidInput' });
    await expect(aws(['s3api', 'head-object', '--bucket', bucket, '--key', 'files/refused'])).rejects.toThrow();
  });

  it('a multipart upload whose source fails midway is aborted: no incomplete upload is left', async () => {
    // An injected fault: a runtime file store whose stream breaks after 12 MiB (moto cannot
    // fail a part by itself, and ignores IfMatch on CompleteMultipartUpload).
    const failing = {
      open: async () => ({
        stream: Readable.from(
          (async function* () {
            for (let i = 0; i < 12; i++) yield randomBytes(1024 * 1024);
            throw Object.assign(new Error('disk read failed'), { code: 'EIO' });
          })(),
        ),
        size: 30 * 1024 * 1024,
      }),
      create: () => files.create('unused'),
    };
    const res = await invoke(
      'put_object_file',
      { bucket, key: 'files/fail.bin', file: { url: 'file:///anything' }, partSizeMb: 5 },
      { files: failing },
    );
    expect(res.ok ? null : res.error).toMatchObject({
      type: 'internal',
      message: expect.stringContaining('disk read failed'),
    });
    // The abort may land a moment after the result: wait for it (an event), then check.
    await until(async () => (await incompleteUploads()).length === 0);
    expect(await incompleteUploads()).toEqual([]);
    await expect(aws(['s3api', 'head-object', '--bucket', bucket, '--key', 'files/fail.bin'])).rejects.toThrow();
  });

  it('cancelling through the AbortSignal stops the upload and leaves nothing', async () => {
    const url = await storeFile(randomBytes(40 * 1024 * 1024), 'cancel.bin');
    const controller = new AbortController();
    const res = await invoke(
      'put_object_file',
      { bucket, key: 'files/cancel.bin', file: { url }, partSizeMb: 5, concurrency: 1 },
      {
        files,
        signal: controller.signal,
        onProgress: (p: { loaded: number }) => {
          if (p.loaded > 6 * 1024 * 1024) controller.abort();
        },
      },
    );
    expect(res.ok ? null : res.error).toMatchObject({ type: 'timeout', code: 'Cancelled' });
    await until(async () => (await incompleteUploads()).length === 0);
    expect(await incompleteUploads()).toEqual([]);
    await expect(aws(['s3api', 'head-object', '--bucket', bucket, '--key', 'files/cancel.bin'])).rejects.toThrow();
  });
});
