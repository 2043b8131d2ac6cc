// copy_objects against moto, cross-checked with the aws cli: what the cli wrote under a prefix,
// the connector copies to another prefix (or bucket), a result per key; at most COPY_CONCURRENCY
// copies at once (counted by a pass-through proxy in front of moto, which holds copies until
// that many are waiting: the count does not depend on the machine's speed); a dry run only lists.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import copyObjectsInput from '../../schemas/copy_objects.input.json' with { type: 'json' };
import { COPY_CONCURRENCY, MAX_PREFIX_KEYS } from '../../src/io/copies.js';
import { MiB } from '../../src/io/transfers.js';
import {
  aws,
  awsJson,
  examplesOf,
  fakeStore,
  invoke,
  motoConnection,
  motoEndpoint,
  retarget,
  testConnector,
  uniqueBucket,
} from '../support/helpers.js';
import { interceptProxy, requestKind } from '../support/interceptProxy.js';
import { startIamMoto, type IamMoto } from '../support/iamMoto.js';

const bucket = uniqueBucket('cps');
const other = uniqueBucket('cps-dst');
let dir: string;

beforeAll(async () => {
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  await aws(['s3api', 'create-bucket', '--bucket', other]);
  dir = await mkdtemp(join(tmpdir(), 'cps-'));
});

type Out = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const ok = (res: { ok: boolean; output?: unknown; error?: { type: string; code?: string; message: string } }): Out => {
  if (!res.ok) throw new Error(`${res.error!.type} ${res.error!.code}: ${res.error!.message}`);
  return res.output as Out;
};

/** The aws cli uploads one object per key (its body: the key itself), in one recursive copy. */
async function cliPutKeys(b: string, keys: string[], cli = aws): Promise<void> {
  const root = await mkdtemp(join(dir, 'put-'));
  for (const key of keys) {
    await mkdir(dirname(join(root, key)), { recursive: true });
    await writeFile(join(root, key), `body of ${key}`);
  }
  await cli(['s3', 'cp', '--recursive', '--quiet', root, `s3://${b}/`]);
}

async function cliKeys(b: string, prefix = '', cli = aws): Promise<string[]> {
  const out = JSON.parse((await cli(['s3api', 'list-objects-v2', '--bucket', b, '--prefix', prefix])) || '{}') as {
    Contents?: { Key: string }[];
  };
  return (out.Contents ?? []).map((o) => o.Key).sort();
}

async function cliBody(b: string, key: string): Promise<string> {
  const file = join(dir, randomBytes(4).toString('hex'));
  await aws(['s3api', 'get-object', '--bucket', b, '--key', key, file]);
  return readFile(file, 'utf8');
}

const sorted = (keys: string[]) => [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

describe('copy_objects', () => {
  it('runs each example of its input schema on a bucket of its own', async () => {
    const own = uniqueBucket('cps-ex');
    await aws(['s3api', 'create-bucket', '--bucket', own]);
    await cliPutKeys(own, ['reports/2026/summary.csv', 'reports/2026/old.csv']);
    const op = (await testConnector()).operations().find((o) => o.name === 'copy_objects')!;
    for (const input of examplesOf(op).map((e) => retarget(e, { bucket: own }))) {
      const out = ok(await invoke('copy_objects', input));
      expect(out).toMatchObject({
        bucket: own,
        prefix: 'reports/2026/',
        destinationBucket: own,
        counts: { listed: 2, failed: 0 },
      });
    }
    expect(await cliKeys(own, 'archive/')).toEqual(['archive/2026/old.csv', 'archive/2026/summary.csv']);
  });

  it('declares in its schema the limit the code uses; copies run several at a time', () => {
    expect(copyObjectsInput.properties.limit.maximum).toBe(MAX_PREFIX_KEYS);
    expect(COPY_CONCURRENCY).toBe(8);
  });

  it('copies every key under a prefix to another prefix of the bucket, keys outside untouched; the aws cli reads each copy', async () => {
    const keys = [
      ...Array.from({ length: 20 }, (_, i) => `src/file-${String(i).padStart(2, '0')}.txt`),
      'src/deep/er/still.txt',
      'src/with space+plus.txt',
      'src/ünïcødé.txt',
    ];
    await cliPutKeys(bucket, [...keys, 'srcX/outside.txt', 'elsewhere/src/no.txt']);
    const out = ok(await invoke('copy_objects', { bucket, prefix: 'src/', destinationPrefix: 'dst/' }));
    expect(out).toMatchObject({
      dryRun: false,
      truncated: false,
      counts: { listed: keys.length, copied: keys.length, failed: 0 },
    });
    expect(out.results.map((r: Out) => r.key)).toEqual(sorted(keys));
    for (const r of out.results)
      expect(r).toMatchObject({
        status: 'copied',
        destinationKey: r.key.replace(/^src\//, 'dst/'),
        parts: 1,
        etag: expect.any(String),
      });
    expect(out.counts.bytes).toBe(keys.reduce((n, k) => n + Buffer.byteLength(`body of ${k}`), 0));
    expect(await cliKeys(bucket, 'dst/')).toEqual(keys.map((k) => k.replace(/^src\//, 'dst/')).sort());
    for (const k of ['src/deep/er/still.txt', 'src/with space+plus.txt', 'src/ünïcødé.txt'])
      expect(await cliBody(bucket, k.replace(/^src\//, 'dst/'))).toBe(`body of ${k}`);
    expect(await cliKeys(bucket, 'src/')).toEqual([...keys].sort()); // a copy: the sources stay
    expect(await cliKeys(bucket, 'dstX')).toEqual([]);
  });

  it('copies into another bucket (empty destination prefix) with a storage class; a key over the threshold in parts', async () => {
    await cliPutKeys(bucket, ['tobucket/a.txt', 'tobucket/b/c.txt']);
    const big = join(dir, 'big.bin');
    await writeFile(big, randomBytes(11 * MiB));
    await aws(['s3api', 'put-object', '--bucket', bucket, '--key', 'tobucket/big.bin', '--body', big]);
    const out = ok(
      await invoke('copy_objects', {
        bucket,
        prefix: 'tobucket/',
        destinationBucket: other,
        destinationPrefix: '',
        storageClass: 'STANDARD_IA',
        multipartThresholdMb: 5,
        partSizeMb: 5,
      }),
    );
    expect(out.results.map((r: Out) => [r.destinationKey, r.status, r.parts])).toEqual([
      ['a.txt', 'copied', 1],
      ['b/c.txt', 'copied', 1],
      ['big.bin', 'copied', 3],
    ]);
    expect(await cliKeys(other)).toEqual(expect.arrayContaining(['a.txt', 'b/c.txt', 'big.bin']));
    expect((await awsJson(['s3api', 'head-object', '--bucket', other, '--key', 'b/c.txt'])).StorageClass).toBe(
      'STANDARD_IA',
    );
    expect((await awsJson(['s3api', 'head-object', '--bucket', other, '--key', 'big.bin'])).ContentLength).toBe(
      11 * MiB,
    );
  });

  it(`keeps at most ${COPY_CONCURRENCY} copies in flight`, async () => {
    const keys = Array.from({ length: 20 }, (_, i) => `many/k${String(i).padStart(2, '0')}`);
    await cliPutKeys(bucket, keys);
    let inFlight = 0;
    let maxInFlight = 0;
    let arrived = 0;
    let held: (() => void)[] = [];
    const proxy = await interceptProxy(
      motoEndpoint(),
      async (req) => {
        if (requestKind(req) !== 'CopyObject') return undefined;
        inFlight++;
        arrived++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        // Held until as many copies as may be in flight are waiting (or the last ones have come).
        await new Promise<void>((resolve) => {
          held.push(resolve);
          if (held.length === COPY_CONCURRENCY || arrived === keys.length) {
            for (const release of held) release();
            held = [];
          }
        });
        return undefined;
      },
      (req) => {
        if (requestKind(req) === 'CopyObject') inFlight--;
      },
    );
    try {
      const out = ok(
        await invoke(
          'copy_objects',
          { bucket, prefix: 'many/', destinationPrefix: 'many-copies/' },
          { connection: motoConnection({ endpoint: proxy.endpoint }) },
        ),
      );
      expect(out.counts).toMatchObject({ copied: 20, failed: 0 });
    } finally {
      await proxy.close();
    }
    expect(arrived).toBe(20);
    expect(maxInFlight).toBe(COPY_CONCURRENCY);
  });

  it('a dry run only lists: it counts and plans, and sends no copy', async () => {
    await cliPutKeys(bucket, ['dry/a.txt', 'dry/b.txt', 'dry/c/d.txt']);
    const proxy = await interceptProxy(motoEndpoint());
    try {
      const out = ok(
        await invoke(
          'copy_objects',
          { bucket, prefix: 'dry/', destinationBucket: other, destinationPrefix: 'planned/', dryRun: true },
          { connection: motoConnection({ endpoint: proxy.endpoint }) },
        ),
      );
      expect(out).toMatchObject({
        dryRun: true,
        counts: { listed: 3, copied: 0, failed: 0, bytes: 3 * 'body of dry/a.txt'.length + 2 },
      });
      expect(out.results).toEqual([
        { key: 'dry/a.txt', destinationKey: 'planned/a.txt', size: 17, status: 'planned' },
        { key: 'dry/b.txt', destinationKey: 'planned/b.txt', size: 17, status: 'planned' },
        { key: 'dry/c/d.txt', destinationKey: 'planned/c/d.txt', size: 19, status: 'planned' },
      ]);
      expect(new Set(proxy.seen.map(requestKind))).toEqual(new Set(['GetBucketLocation', 'ListObjectsV2']));
    } finally {
      await proxy.close();
    }
    expect(await cliKeys(other, 'planned/')).toEqual([]);
  });

  it('takes at most `limit` keys per call; nextStartAfter goes on where it stopped, until every key is copied once', async () => {
    const keys = Array.from({ length: 12 }, (_, i) => `paged/p${String(i).padStart(2, '0')}`);
    await cliPutKeys(bucket, keys);
    const calls: Out[] = [];
    let startAfter: string | undefined;
    do {
      const out = ok(
        await invoke('copy_objects', {
          bucket,
          prefix: 'paged/',
          destinationPrefix: 'paged-copy/',
          limit: 5,
          ...(startAfter ? { startAfter } : {}),
        }),
      );
      calls.push(out);
      startAfter = out.nextStartAfter;
      expect(out.truncated).toBe(startAfter !== undefined);
    } while (startAfter && calls.length < 5);
    expect(calls.map((c) => c.counts.copied)).toEqual([5, 5, 2]);
    expect(calls[0]!.nextStartAfter).toBe('paged/p04');
    expect(calls.flatMap((c) => c.results.map((r: Out) => r.key))).toEqual(keys);
    expect(await cliKeys(bucket, 'paged-copy/')).toEqual(keys.map((k) => k.replace('paged/', 'paged-copy/')));
  });

  it('overlapping prefixes in one bucket are refused before any request', async () => {
    const store = await fakeStore((_req, res) => res.writeHead(500).end());
    try {
      const connection = {
        region: 'us-east-1',
        endpoint: store.endpoint,
        maxAttempts: 1,
        credentials: { type: 'accessKey', accessKeyId: 'AKID', secretAccessKey: 'x' },
      };
      for (const [prefix, destinationPrefix] of [
        ['a/', 'a/b/'],
        ['a/b/', 'a/'],
        ['', 'backup/'],
        ['a/', 'a/'],
        ['logs', 'logs-old/'],
      ]) {
        const res = await invoke('copy_objects', { bucket, prefix, destinationPrefix }, { connection });
        expect(res.ok ? null : res.error, `${prefix} → ${destinationPrefix}`).toMatchObject({ type: 'user_input' });
        expect(res.ok ? '' : res.error.message).toContain('destinationPrefix');
      }
      const tagsWithoutReplace = await invoke(
        'copy_objects',
        { bucket, prefix: 'a/', destinationPrefix: 'b/', tags: { a: '1' } },
        { connection },
      );
      expect(tagsWithoutReplace.ok ? null : tagsWithoutReplace.error).toMatchObject({ type: 'user_input' });
      expect(store.requests).toHaveLength(0);
    } finally {
      await store.close();
    }
  });

  it('keys a bucket policy protects fail one by one, with the error in the result; the rest are copied', async () => {
    const guarded = uniqueBucket('cps-pol');
    await aws(['s3api', 'create-bucket', '--bucket', guarded]);
    await cliPutKeys(bucket, ['pol/free-1', 'pol/locked-1', 'pol/free-2', 'pol/locked-2']);
    await aws([
      's3api',
      'put-bucket-policy',
      '--bucket',
      guarded,
      '--policy',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `arn:aws:s3:::${guarded}/locked-*` },
        ],
      }),
    ]);
    const out = ok(
      await invoke('copy_objects', { bucket, prefix: 'pol/', destinationBucket: guarded, destinationPrefix: '' }),
    );
    expect(out.counts).toMatchObject({ listed: 4, copied: 2, failed: 2 });
    expect(out.results.filter((r: Out) => r.status === 'failed').map((r: Out) => [r.key, r.error.type])).toEqual([
      ['pol/locked-1', 'forbidden'],
      ['pol/locked-2', 'forbidden'],
    ]);
    expect(out.results.find((r: Out) => r.key === 'pol/locked-1').error.message).toContain(`s3://${guarded}/locked-1`);
    expect(await cliKeys(guarded)).toEqual(['free-1', 'free-2']);
  });

  it('a key whose copy would be longer than S3 allows (1024 bytes) fails alone, before any request for it', async () => {
    const long = `len/${'k'.repeat(1000)}`;
    await cliPutKeys(bucket, ['len/short.txt']);
    await aws(['s3api', 'put-object', '--bucket', bucket, '--key', long]);
    const proxy = await interceptProxy(motoEndpoint());
    try {
      const out = ok(
        await invoke(
          'copy_objects',
          { bucket, prefix: 'len/', destinationPrefix: `renamed/${'p'.repeat(40)}/` },
          { connection: motoConnection({ endpoint: proxy.endpoint }) },
        ),
      );
      expect(out.counts).toMatchObject({ listed: 2, copied: 1, failed: 1 });
      expect(out.results.find((r: Out) => r.key === long)).toMatchObject({
        status: 'failed',
        error: { type: 'user_input', code: 'KeyTooLong' },
      });
      expect(proxy.seen.filter((r) => decodeURIComponent(r.url.pathname).includes('kkkk'))).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('a missing source bucket is not_found; a missing destination bucket (every key failing alike) is not_found, naming it', async () => {
    const gone = uniqueBucket('gone');
    const missingSource = await invoke('copy_objects', {
      bucket: gone,
      prefix: 'x/',
      destinationBucket: other,
      destinationPrefix: 'y/',
    });
    expect(missingSource.ok ? null : missingSource.error).toMatchObject({ type: 'not_found' });
    await cliPutKeys(bucket, ['nodest/a', 'nodest/b']);
    const nowhere = uniqueBucket('nowhere');
    const missingDestination = await invoke('copy_objects', {
      bucket,
      prefix: 'nodest/',
      destinationBucket: nowhere,
      destinationPrefix: '',
    });
    expect(missingDestination.ok ? null : missingDestination.error).toMatchObject({
      type: 'not_found',
      code: 'NoSuchBucket',
    });
    expect(missingDestination.ok ? '' : missingDestination.error.message).toContain(nowhere);
  });
});

describe('copy_objects under IAM enforcement (a second moto checking signatures and policies)', () => {
  let moto: IamMoto;
  const src = uniqueBucket('cps-iam');
  const dst = uniqueBucket('cps-iam-dst');
  const allowAllBut = (action: string, extra: Record<string, unknown> = {}) =>
    moto.userConnection([{ Effect: 'Allow', NotAction: action, Resource: '*' }]).then((c) => ({ ...c, ...extra }));

  beforeAll(async () => {
    moto = await startIamMoto();
    await moto.admin(['s3api', 'create-bucket', '--bucket', src]);
    await moto.admin(['s3api', 'create-bucket', '--bucket', dst]);
    await cliPutKeys(src, ['in/a.txt', 'in/b.txt'], moto.admin);
    await moto.admin([
      's3api',
      'put-object-tagging',
      '--bucket',
      src,
      '--key',
      'in/a.txt',
      '--tagging',
      'TagSet=[{Key=t,Value=1}]',
    ]);
    await moto.admin([
      's3api',
      'put-object-tagging',
      '--bucket',
      src,
      '--key',
      'in/b.txt',
      '--tagging',
      'TagSet=[{Key=t,Value=2}]',
    ]);
  });
  afterAll(() => moto?.server.stop());

  it('without s3:GetBucketLocation a copy into another bucket is forbidden, naming it', async () => {
    const res = await invoke(
      'copy_objects',
      { bucket: src, prefix: 'in/', destinationBucket: dst, destinationPrefix: 'out/' },
      { connection: await allowAllBut('s3:GetBucketLocation') },
    );
    expect(res.ok ? null : res.error).toMatchObject({ type: 'forbidden' });
    expect(res.ok ? '' : res.error.message).toContain('s3:GetBucketLocation');
    expect(await cliKeys(dst, '', moto.admin)).toEqual([]);
  });

  it('without s3:GetObjectTagging (a store that drops tags, tags kept) is forbidden, naming it; nothing is copied', async () => {
    const res = await invoke(
      'copy_objects',
      { bucket: src, prefix: 'in/', destinationPrefix: 'tags-read/' },
      { connection: await allowAllBut('s3:GetObjectTagging', { capabilities: { tagsOnPut: false } }) },
    );
    expect(res.ok ? null : res.error).toMatchObject({ type: 'forbidden' });
    expect(res.ok ? '' : res.error.message).toContain('s3:GetObjectTagging');
    expect(await cliKeys(src, 'tags-read/', moto.admin)).toEqual([]);
  });

  it('without s3:PutObjectTagging (a store that drops tags, tags replaced) is forbidden, naming it; the copies are there, untagged', async () => {
    const res = await invoke(
      'copy_objects',
      { bucket: src, prefix: 'in/', destinationPrefix: 'tags-write/', taggingDirective: 'REPLACE', tags: { s: 'x' } },
      { connection: await allowAllBut('s3:PutObjectTagging', { capabilities: { tagsOnPut: false } }) },
    );
    expect(res.ok ? null : res.error).toMatchObject({ type: 'forbidden', details: { written: true, tagged: false } });
    expect(res.ok ? '' : res.error.message).toContain('s3:PutObjectTagging');
    expect(await cliKeys(src, 'tags-write/', moto.admin)).toEqual(['tags-write/a.txt', 'tags-write/b.txt']);
  });
});
