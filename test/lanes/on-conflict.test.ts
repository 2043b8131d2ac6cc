// onConflict on both puts against moto, the aws cli reading what was stored: overwrite as
// before, fail without touching the object there, rename to a fresh django-storages-style name
// with If-None-Match: *, racing writers keeping every object, and a store declared without
// conditional writes refusing fail and rename before anything is sent.
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { LocalFileStore } from '../../src/io/files.js';
import { alternativeKey, RENAME_ATTEMPTS, RENAME_RANDOM_CHARS } from '../../src/io/writes.js';
import {
  aws,
  awsJson,
  fakeStore,
  invoke,
  motoConnection,
  motoEndpoint,
  s3ErrorXml,
  uniqueBucket,
} from '../support/helpers.js';
import { interceptProxy, oneAtATime, type InterceptProxy } from '../support/interceptProxy.js';

const bucket = uniqueBucket('cnf');
let root: string;
let files: LocalFileStore;

async function bucketKeys(prefix = ''): Promise<string[]> {
  const out = await awsJson<{ Contents?: { Key: string }[] }>([
    's3api',
    'list-objects-v2',
    '--bucket',
    bucket,
    '--prefix',
    prefix,
  ]);
  return (out.Contents ?? []).map((o) => o.Key).sort();
}

async function cliText(key: string): Promise<string> {
  return aws(['s3', 'cp', `s3://${bucket}/${key}`, '-']);
}

async function storeFile(bytes: Buffer, name: string): Promise<string> {
  const path = join(root, name);
  await writeFile(path, bytes);
  return pathToFileURL(path).href;
}

/**
 * moto 5.2.5's If-None-Match is not atomic (it checks, then stores, unlocked, where S3 decides
 * atomically): both writers' puts of `key` are held until both were sent, then reach moto one at
 * a time (oneAtATime), so the race on the connector's side is real and the store's is S3's.
 */
async function racingGate(key: string) {
  const gate = oneAtATime(
    2,
    (req) => req.method === 'PUT' && decodeURIComponent(req.url.pathname) === `/${bucket}/${key}`,
  );
  const proxy = await interceptProxy(motoEndpoint(), gate.hook, gate.answered);
  return { proxy, connection: motoConnection({ endpoint: proxy.endpoint, capabilities: { conditionalWrites: true } }) };
}

const firstPuts = (proxy: InterceptProxy, key: string) =>
  proxy.seen.filter((r) => r.method === 'PUT' && decodeURIComponent(r.url.pathname) === `/${bucket}/${key}`);

beforeAll(async () => {
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  root = await mkdtemp(join(tmpdir(), 'store-'));
  files = new LocalFileStore(root);
});

describe('fresh names', () => {
  it('has django-storages’ shape: name_<7 letters or digits> and every suffix kept', () => {
    const random = `[A-Za-z0-9]{${RENAME_RANDOM_CHARS}}`;
    expect(alternativeKey('docs/report.csv')).toMatch(new RegExp(`^docs/report_${random}\\.csv$`));
    expect(alternativeKey('a/b/archive.tar.gz')).toMatch(new RegExp(`^a/b/archive_${random}\\.tar\\.gz$`));
    expect(alternativeKey('README')).toMatch(new RegExp(`^README_${random}$`));
    expect(alternativeKey('dir.v2/.env')).toMatch(new RegExp(`^dir\\.v2/\\.env_${random}$`));
    expect(new Set(Array.from({ length: 50 }, () => alternativeKey('x.txt'))).size).toBe(50);
  });
});

describe('onConflict on put_object_text', () => {
  it('overwrite (the default) replaces the object', async () => {
    await aws(['s3api', 'put-object', '--bucket', bucket, '--key', 'over/a.txt']);
    const res = await invoke('put_object_text', { bucket, key: 'over/a.txt', content: 'new' });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.output.renamed).toBeUndefined();
    expect(await cliText('over/a.txt')).toBe('new');
  });

  it('fail gives a conflict error and leaves the object there as it was', async () => {
    await invoke('put_object_text', { bucket, key: 'fail/a.txt', content: 'first' });
    const res = await invoke('put_object_text', { bucket, key: 'fail/a.txt', content: 'second', onConflict: 'fail' });
    expect(res.ok).toBe(false);
    if (!res.ok) expect([res.error.type, res.error.code]).toEqual(['conflict', 'ObjectExists']);
    expect(await cliText('fail/a.txt')).toBe('first');
    expect(await bucketKeys('fail/')).toEqual(['fail/a.txt']);
    const free = await invoke('put_object_text', { bucket, key: 'fail/b.txt', content: 'b', onConflict: 'fail' });
    expect(free.ok && free.output.key).toBe('fail/b.txt');
  });

  it('rename writes a free key as it is, and a taken one under a fresh name, saying which', async () => {
    const free = await invoke('put_object_text', {
      bucket,
      key: 'ren/report.csv',
      content: 'one',
      onConflict: 'rename',
    });
    if (!free.ok) throw new Error(free.error.message);
    expect(free.output).toMatchObject({ key: 'ren/report.csv', renamed: false });
    const taken = await invoke('put_object_text', {
      bucket,
      key: 'ren/report.csv',
      content: 'two',
      onConflict: 'rename',
    });
    if (!taken.ok) throw new Error(taken.error.message);
    expect(taken.output.renamed).toBe(true);
    expect(taken.output.key).toMatch(/^ren\/report_[A-Za-z0-9]{7}\.csv$/);
    expect(await cliText('ren/report.csv')).toBe('one');
    expect(await cliText(taken.output.key)).toBe('two');
    expect(await bucketKeys('ren/')).toEqual(['ren/report.csv', taken.output.key].sort());
  });

  it('under a connection key prefix, the fresh name is relative to it and stored under it', async () => {
    const connection = motoConnection({ defaults: { keyPrefix: 'tenants/7' } });
    const input = { bucket, key: 'pfx/a.txt', content: 'first', onConflict: 'rename' };
    const first = await invoke('put_object_text', input, { connection });
    if (!first.ok) throw new Error(first.error.message);
    const second = await invoke('put_object_text', { ...input, content: 'second' }, { connection });
    if (!second.ok) throw new Error(second.error.message);
    expect(second.output.key).toMatch(/^pfx\/a_[A-Za-z0-9]{7}\.txt$/);
    expect(second.output.storedKey).toBe(`tenants/7/${second.output.key}`);
    expect(await cliText(`tenants/7/${second.output.key}`)).toBe('second');
    // The same key outside the prefix is free: fail writes it there, then refuses a second time.
    const outside = await invoke('put_object_text', { ...input, onConflict: 'fail' });
    expect(outside.ok).toBe(true);
    const again = await invoke('put_object_text', { ...input, onConflict: 'fail' }, { connection });
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.error).toMatchObject({ type: 'conflict', code: 'ObjectExists' });
    expect(await cliText('tenants/7/pfx/a.txt')).toBe('first');
  });

  it('two rename writers racing for one name keep both objects, round after round', async () => {
    const rounds = 12;
    for (let round = 0; round < rounds; round++) {
      const key = `race/r${round}.txt`;
      const { proxy, connection } = await racingGate(key);
      try {
        const [a, b] = await Promise.all(
          ['A', 'B'].map((content) =>
            invoke('put_object_text', { bucket, key, content, onConflict: 'rename' }, { connection }),
          ),
        );
        if (!a?.ok || !b?.ok) throw new Error(`round ${round}: a writer failed`);
        expect(a.output.key).not.toBe(b.output.key);
        expect([a.output.renamed, b.output.renamed].filter(Boolean)).toHaveLength(1);
        expect(firstPuts(proxy, key).map((r) => r.headers['if-none-match'])).toEqual(['*', '*']);
        expect(await cliText(a.output.key)).toBe('A');
        expect(await cliText(b.output.key)).toBe('B');
        expect(await bucketKeys(`race/r${round}`)).toHaveLength(2);
      } finally {
        await proxy.close();
      }
    }
  });

  it('rename gives up after its names are all taken, each tried once with If-None-Match: *', async () => {
    // A stand-in store where every name is taken: it answers every put 412, as S3 does then.
    const store = await fakeStore((req, res) => {
      req.resume();
      res.writeHead(412, { 'content-type': 'application/xml' });
      res.end(s3ErrorXml('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold'));
    });
    try {
      const connection = motoConnection({ endpoint: store.endpoint, capabilities: { conditionalWrites: true } });
      const res = await invoke(
        'put_object_text',
        { bucket, key: 'full/name.txt', content: 'x', onConflict: 'rename' },
        { connection },
      );
      expect(res.ok ? 'written' : [res.error.type, res.error.code]).toEqual(['conflict', 'NoFreeName']);
      const tried = res.ok ? [] : (res.error.details?.tried as string[]);
      expect(tried).toHaveLength(RENAME_ATTEMPTS);
      expect(new Set(tried).size).toBe(RENAME_ATTEMPTS);
      expect(store.requests.map((r) => [r.method, r.headers['if-none-match']])).toEqual(
        Array.from({ length: RENAME_ATTEMPTS }, () => ['PUT', '*']),
      );
      expect(store.requests.map((r) => decodeURIComponent(r.url!.split('?')[0]!))).toEqual(
        tried.map((k) => `/${bucket}/${k}`),
      );
    } finally {
      await store.close();
    }
  });

  it('fail and rename refuse ifMatch, which would overwrite', async () => {
    const res = await invoke('put_object_text', {
      bucket,
      key: 'fail/a.txt',
      content: 'x',
      onConflict: 'rename',
      ifMatch: '"abc"',
    });
    expect(res.ok ? 'written' : res.error.type).toBe('user_input');
    expect(await cliText('fail/a.txt')).toBe('first');
  });

  it('a store without conditional writes refuses fail and rename as unsupported, sending nothing', async () => {
    const connection = motoConnection({ capabilities: { conditionalWrites: false } });
    for (const onConflict of ['fail', 'rename'] as const) {
      const res = await invoke(
        'put_object_text',
        { bucket, key: 'nocond/a.txt', content: 'x', onConflict },
        { connection },
      );
      expect(res.ok ? 'written' : res.error.type, onConflict).toBe('unsupported');
    }
    expect(await bucketKeys('nocond/')).toEqual([]);
    const plain = await invoke('put_object_text', { bucket, key: 'nocond/a.txt', content: 'x' }, { connection });
    expect(plain.ok).toBe(true);
  });
});

describe('onConflict on put_object_file', () => {
  it('rename and fail hold on a multipart upload too (If-None-Match on CompleteMultipartUpload)', async () => {
    const big = randomBytes(11 * 1024 * 1024);
    const url = await storeFile(big, 'big.bin');
    const input = { bucket, key: 'mp/big.bin', file: { url }, partSizeMb: 5 };
    const first = await invoke('put_object_file', { ...input, onConflict: 'fail' }, { files });
    if (!first.ok) throw new Error(first.error.message);
    expect(first.output.parts).toBe(3);

    const failed = await invoke('put_object_file', { ...input, onConflict: 'fail' }, { files });
    expect(failed.ok ? 'written' : [failed.error.type, failed.error.code]).toEqual(['conflict', 'ObjectExists']);

    const renamed = await invoke('put_object_file', { ...input, onConflict: 'rename' }, { files });
    if (!renamed.ok) throw new Error(renamed.error.message);
    expect(renamed.output).toMatchObject({ renamed: true, parts: 3, size: big.length });
    expect(renamed.output.key).toMatch(/^mp\/big_[A-Za-z0-9]{7}\.bin$/);
    expect(await bucketKeys('mp/')).toEqual(['mp/big.bin', renamed.output.key].sort());
    const head = await awsJson(['s3api', 'head-object', '--bucket', bucket, '--key', renamed.output.key]);
    expect(head.ContentLength).toBe(big.length);
    // The refused multipart upload left no parts behind.
    const uploads = await awsJson<{ Uploads?: unknown[] }>(['s3api', 'list-multipart-uploads', '--bucket', bucket]);
    expect(uploads.Uploads ?? []).toEqual([]);
  });

  it('two rename writers of one file racing for one name keep both objects', async () => {
    const url = await storeFile(Buffer.from('small file'), 'small.txt');
    const key = 'filerace/s.txt';
    const { proxy, connection } = await racingGate(key);
    try {
      const [a, b] = await Promise.all(
        [1, 2].map(() =>
          invoke('put_object_file', { bucket, key, file: { url }, onConflict: 'rename' }, { files, connection }),
        ),
      );
      if (!a?.ok || !b?.ok) throw new Error('a writer failed');
      expect(a.output.key).not.toBe(b.output.key);
      expect(firstPuts(proxy, key).map((r) => r.headers['if-none-match'])).toEqual(['*', '*']);
      expect(await bucketKeys('filerace/')).toHaveLength(2);
    } finally {
      await proxy.close();
    }
  });
});
