// put_object_text against moto, cross-checked with the aws cli.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { aws, awsJson, invoke, motoConnection, testConnector, uniqueBucket } from '../support/helpers.js';

const bucket = uniqueBucket('obj');
let scratch: string;

beforeAll(async () => {
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  scratch = await mkdtemp(join(tmpdir(), 'scratch-'));
});

async function cliGet(key: string): Promise<{ bytes: Buffer; head: Record<string, unknown> }> {
  const out = join(scratch, randomBytes(4).toString('hex'));
  const head = await awsJson(['s3api', 'get-object', '--bucket', bucket, '--key', key, out]);
  return { bytes: await readFile(out), head };
}

describe('put_object_text', () => {
  it('writes what the aws cli reads back: bytes, type, metadata, tags, headers, encryption', async () => {
    const content = 'Grüße, S3 ✓\n';
    const res = await invoke('put_object_text', {
      bucket,
      key: 'text/hello.txt',
      content,
      metadata: { team: 'flows' },
      tags: { env: 'test', 'cost center': 'a+b=c d/é' },
      cacheControl: 'max-age=60',
      contentDisposition: 'attachment; filename="hello.txt"',
      contentLanguage: 'de',
      serverSideEncryption: 'AES256',
      storageClass: 'STANDARD_IA',
    });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.output).toMatchObject({
      bucket,
      key: 'text/hello.txt',
      size: Buffer.byteLength(content),
      contentType: 'text/plain; charset=utf-8',
      serverSideEncryption: 'AES256',
    });
    const { bytes, head } = await cliGet('text/hello.txt');
    expect(bytes.toString('utf8')).toBe(content);
    expect(head).toMatchObject({
      ContentType: 'text/plain; charset=utf-8',
      Metadata: { team: 'flows' },
      CacheControl: 'max-age=60',
      ContentDisposition: 'attachment; filename="hello.txt"',
      ContentLanguage: 'de',
      ETag: res.output.etag,
      StorageClass: 'STANDARD_IA',
    });
    const tagging = await awsJson<{ TagSet: { Key: string; Value: string }[] }>([
      's3api',
      'get-object-tagging',
      '--bucket',
      bucket,
      '--key',
      'text/hello.txt',
    ]);
    expect(Object.fromEntries(tagging.TagSet.map((t) => [t.Key, t.Value]))).toEqual({
      env: 'test',
      'cost center': 'a+b=c d/é',
    });
  });

  it('returns the checksum it asked S3 to verify', async () => {
    const content = 'checksummed';
    const res = await invoke('put_object_text', { bucket, key: 'text/sum.txt', content, checksumAlgorithm: 'SHA256' });
    if (!res.ok) throw new Error(res.error.message);
    expect((res.output.checksum as { sha256: string }).sha256).toBe(
      createHash('sha256').update(content).digest('base64'),
    );
  });

  it('ifNoneMatch "*" refuses to overwrite; ifMatch gives optimistic concurrency', async () => {
    const key = 'text/once.txt';
    const first = await invoke('put_object_text', { bucket, key, content: 'v1', ifNoneMatch: '*' });
    if (!first.ok) throw new Error(first.error.message);
    const again = await invoke('put_object_text', { bucket, key, content: 'v2', ifNoneMatch: '*' });
    expect(again.ok ? null : again.error).toMatchObject({ type: 'precondition_failed', status: 412 });
    const stale = await invoke('put_object_text', {
      bucket,
      key,
      content: 'v2',
      ifMatch: '"0123456789abcdef0123456789abcdef"',
    });
    expect(stale.ok ? null : stale.error).toMatchObject({ type: 'precondition_failed', status: 412 });
    const fresh = await invoke('put_object_text', { bucket, key, content: 'v3', ifMatch: first.output.etag });
    expect(fresh.ok).toBe(true);
    expect((await cliGet(key)).bytes.toString()).toBe('v3');
  });

  it('metadata over 2 KB is refused before any write', async () => {
    const res = await invoke('put_object_text', {
      bucket,
      key: 'text/big-meta.txt',
      content: 'x',
      metadata: { a: 'x'.repeat(2100) },
    });
    expect(res.ok ? null : res.error).toMatchObject({ type: 'user_input', code: 'MetadataTooLarge' });
    await expect(aws(['s3api', 'head-object', '--bucket', bucket, '--key', 'text/big-meta.txt'])).rejects.toThrow(
      /404|Not Found/,
    );
  });

  it('a missing bucket is not_found', async () => {
    const res = await invoke('put_object_text', { bucket: uniqueBucket('nobucket'), key: 'a', content: 'x' });
    expect(res.ok ? null : res.error).toMatchObject({ type: 'not_found', code: 'NoSuchBucket' });
  });
});

describe('put_object_text: content type from the key', () => {
  it('guesses the type from the extension (JSON, CSV), text/plain without one; the aws cli sees it', async () => {
    const c = await testConnector();
    const cases: [string, string][] = [
      ['typed/data.json', 'application/json; charset=utf-8'],
      ['typed/table.csv', 'text/csv; charset=utf-8'],
      ['typed/README', 'text/plain; charset=utf-8'],
      ['typed/h', 'text/plain; charset=utf-8'],
    ];
    for (const [key, type] of cases) {
      const res = await c.invoke(
        'put_object_text',
        { bucket, key, content: '{"a": 1}\n' },
        { connection: motoConnection() },
      );
      expect(res.ok ? res.output.contentType : res.error).toBe(type);
      expect((await awsJson(['s3api', 'head-object', '--bucket', bucket, '--key', key])).ContentType).toBe(type);
    }
  });

  it('an explicit contentType wins over the extension', async () => {
    const c = await testConnector();
    const res = await c.invoke(
      'put_object_text',
      { bucket, key: 'typed/x.json', content: 'plain', contentType: 'text/plain' },
      { connection: motoConnection() },
    );
    expect(res.ok ? res.output.contentType : res.error).toBe('text/plain');
  });
});
