// move_objects against moto, cross-checked with the aws cli: every key under a prefix is copied,
// its copy checked, and only then its source deleted, a result per key. A copy that does not
// check out (a stand-in answer from a proxy in front of moto) keeps its own source, and only it.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import moveObjectsInput from '../../schemas/move_objects.input.json' with { type: 'json' };
import { MAX_PREFIX_KEYS } from '../../src/io/copies.js';
import {
  aws,
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

const bucket = uniqueBucket('mvs');
const other = uniqueBucket('mvs-dst');
let dir: string;

beforeAll(async () => {
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  await aws(['s3api', 'create-bucket', '--bucket', other]);
  dir = await mkdtemp(join(tmpdir(), 'mvs-'));
});

type Out = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const ok = (res: { ok: boolean; output?: unknown; error?: { type: string; code?: string; message: string } }): Out => {
  if (!res.ok) throw new Error(`${res.error!.type} ${res.error!.code}: ${res.error!.message}`);
  return res.output as Out;
};

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

describe('move_objects', () => {
  it('runs each example of its input schema on a bucket of its own', async () => {
    const own = uniqueBucket('mvs-ex');
    await aws(['s3api', 'create-bucket', '--bucket', own]);
    await cliPutKeys(own, ['reports/2026/summary.csv', 'reports/2026/old.csv']);
    const op = (await testConnector()).operations().find((o) => o.name === 'move_objects')!;
    for (const input of examplesOf(op).map((e) => retarget(e, { bucket: own }))) {
      const out = ok(await invoke('move_objects', input));
      expect(out).toMatchObject({ bucket: own, destinationBucket: own, counts: { listed: 2, moved: 2, failed: 0 } });
    }
    expect(await cliKeys(own)).toEqual(['archive/2026/old.csv', 'archive/2026/summary.csv']);
  });

  it('declares in its schema the limit the code uses', () => {
    expect(moveObjectsInput.properties.limit.maximum).toBe(MAX_PREFIX_KEYS);
  });

  it('moves every key under a prefix into another bucket: copies there, sources gone, keys outside untouched', async () => {
    const keys = [
      ...Array.from({ length: 15 }, (_, i) => `out/k${String(i).padStart(2, '0')}.txt`),
      'out/sub/deep.txt',
    ];
    await cliPutKeys(bucket, [...keys, 'outside/keep.txt', 'outX.txt']);
    const proxy = await interceptProxy(motoEndpoint());
    try {
      const out = ok(
        await invoke(
          'move_objects',
          { bucket, prefix: 'out/', destinationBucket: other, destinationPrefix: 'in/' },
          { connection: motoConnection({ endpoint: proxy.endpoint }) },
        ),
      );
      expect(out).toMatchObject({ dryRun: false, truncated: false, counts: { listed: 16, moved: 16, failed: 0 } });
      for (const r of out.results)
        expect(r).toMatchObject({
          status: 'moved',
          copied: true,
          sourceDeleted: true,
          destinationKey: r.key.replace(/^out\//, 'in/'),
        });
      // Per key: HEAD of the source, the copy, HEAD of the copy, and the delete of the source, in that order.
      const perKey = (key: string) =>
        proxy.seen
          .filter(
            (r) =>
              decodeURIComponent(r.url.pathname).endsWith(key.replace(/^out\//, '')) &&
              requestKind(r) !== 'ListObjectsV2',
          )
          .map(requestKind);
      expect(perKey('out/sub/deep.txt')).toEqual(['HeadObject', 'CopyObject', 'HeadObject', 'DeleteObject']);
    } finally {
      await proxy.close();
    }
    expect(await cliKeys(bucket, 'out/')).toEqual([]);
    expect(await cliKeys(other, 'in/')).toEqual(keys.map((k) => k.replace(/^out\//, 'in/')).sort());
    expect(await cliKeys(bucket, 'outside/')).toEqual(['outside/keep.txt']);
    expect(await cliKeys(bucket, 'outX')).toEqual(['outX.txt']);
  });

  it('a key whose copy does not check out keeps its source; the other keys move (a stand-in copy answer for that key)', async () => {
    await cliPutKeys(bucket, ['chk/a.txt', 'chk/b.txt', 'chk/c.txt']);
    // What is really at b's destination: another object.
    await writeFile(join(dir, 'longer'), 'something much longer than the source');
    await aws(['s3api', 'put-object', '--bucket', bucket, '--key', 'chk-done/b.txt', '--body', join(dir, 'longer')]);
    const proxy = await interceptProxy(motoEndpoint(), (req) =>
      requestKind(req) === 'CopyObject' && req.url.pathname.endsWith('/chk-done/b.txt')
        ? {
            status: 200,
            body: '<?xml version="1.0" encoding="UTF-8"?><CopyObjectResult><ETag>"0123456789abcdef0123456789abcdef"</ETag><LastModified>2026-01-01T00:00:00.000Z</LastModified></CopyObjectResult>',
          }
        : undefined,
    );
    try {
      const out = ok(
        await invoke(
          'move_objects',
          { bucket, prefix: 'chk/', destinationPrefix: 'chk-done/' },
          { connection: motoConnection({ endpoint: proxy.endpoint }) },
        ),
      );
      expect(out.counts).toMatchObject({ listed: 3, moved: 2, failed: 1 });
      expect(out.results[1]).toMatchObject({
        key: 'chk/b.txt',
        status: 'failed',
        copied: true,
        sourceDeleted: false,
        error: { type: 'api', code: 'CopyNotVerified' },
      });
      expect(
        proxy.seen
          .filter((r) => requestKind(r) === 'DeleteObject')
          .map((r) => r.url.pathname)
          .sort(),
      ).toEqual([`/${bucket}/chk/a.txt`, `/${bucket}/chk/c.txt`]);
    } finally {
      await proxy.close();
    }
    expect(await cliKeys(bucket, 'chk/')).toEqual(['chk/b.txt']);
  });

  it('a dry run only lists: nothing is copied or deleted', async () => {
    await cliPutKeys(bucket, ['plan/a.txt', 'plan/b.txt']);
    const proxy = await interceptProxy(motoEndpoint());
    try {
      const out = ok(
        await invoke(
          'move_objects',
          { bucket, prefix: 'plan/', destinationPrefix: 'planned/', dryRun: true },
          { connection: motoConnection({ endpoint: proxy.endpoint }) },
        ),
      );
      expect(out).toMatchObject({ dryRun: true, counts: { listed: 2, moved: 0, failed: 0, bytes: 36 } });
      expect(out.results.map((r: Out) => [r.key, r.destinationKey, r.status, r.copied, r.sourceDeleted])).toEqual([
        ['plan/a.txt', 'planned/a.txt', 'planned', false, false],
        ['plan/b.txt', 'planned/b.txt', 'planned', false, false],
      ]);
      expect(proxy.seen.map(requestKind)).toEqual(['ListObjectsV2']);
    } finally {
      await proxy.close();
    }
    expect(await cliKeys(bucket, 'plan/')).toEqual(['plan/a.txt', 'plan/b.txt']);
  });

  it('overlapping prefixes in one bucket, the same prefix included, are refused before any request', async () => {
    const store = await fakeStore((_req, res) => res.writeHead(500).end());
    try {
      const connection = {
        region: 'us-east-1',
        endpoint: store.endpoint,
        maxAttempts: 1,
        credentials: { type: 'accessKey', accessKeyId: 'AKID', secretAccessKey: 'x' },
      };
      for (const [prefix, destinationPrefix] of [
        ['a/', 'a/'],
        ['a/', 'a/b/'],
        ['a/b/', 'a/'],
        ['', 'x/'],
      ]) {
        const res = await invoke('move_objects', { bucket, prefix, destinationPrefix }, { connection });
        expect(res.ok ? null : res.error, `${prefix} → ${destinationPrefix}`).toMatchObject({ type: 'user_input' });
      }
      expect(store.requests).toHaveLength(0);
    } finally {
      await store.close();
    }
  });

  it('a missing destination bucket is not_found, naming it, and every source stays', async () => {
    await cliPutKeys(bucket, ['stay/a', 'stay/b']);
    const nowhere = uniqueBucket('nowhere');
    const res = await invoke('move_objects', {
      bucket,
      prefix: 'stay/',
      destinationBucket: nowhere,
      destinationPrefix: '',
    });
    expect(res.ok ? null : res.error).toMatchObject({ type: 'not_found', code: 'NoSuchBucket' });
    expect(res.ok ? '' : res.error.message).toContain(nowhere);
    expect(await cliKeys(bucket, 'stay/')).toEqual(['stay/a', 'stay/b']);
  });
});

describe('move_objects under IAM enforcement (a second moto checking signatures and policies)', () => {
  let moto: IamMoto;
  const src = uniqueBucket('mvs-iam');
  const dst = uniqueBucket('mvs-iam-dst');
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
  });
  afterAll(() => moto?.server.stop());

  it('without s3:DeleteObject is forbidden, naming it: the checked copies are made, every source stays', async () => {
    const res = await invoke(
      'move_objects',
      { bucket: src, prefix: 'in/', destinationPrefix: 'no-delete/' },
      { connection: await allowAllBut('s3:DeleteObject') },
    );
    expect(res.ok ? null : res.error).toMatchObject({
      type: 'forbidden',
      details: { copied: true, sourceDeleted: false },
    });
    expect(res.ok ? '' : res.error.message).toContain('s3:DeleteObject');
    expect(await cliKeys(src, 'in/', moto.admin)).toEqual(['in/a.txt', 'in/b.txt']);
    expect(await cliKeys(src, 'no-delete/', moto.admin)).toEqual(['no-delete/a.txt', 'no-delete/b.txt']);
  });

  it('without s3:GetBucketLocation a move into another bucket is forbidden, naming it; nothing moves', async () => {
    const res = await invoke(
      'move_objects',
      { bucket: src, prefix: 'in/', destinationBucket: dst, destinationPrefix: '' },
      { connection: await allowAllBut('s3:GetBucketLocation') },
    );
    expect(res.ok ? null : res.error).toMatchObject({ type: 'forbidden' });
    expect(res.ok ? '' : res.error.message).toContain('s3:GetBucketLocation');
    expect(await cliKeys(src, 'in/', moto.admin)).toEqual(['in/a.txt', 'in/b.txt']);
  });

  it('without s3:GetObjectTagging (a store that drops tags, tags kept) is forbidden, naming it; nothing moves', async () => {
    const res = await invoke(
      'move_objects',
      { bucket: src, prefix: 'in/', destinationPrefix: 'tags-read/' },
      { connection: await allowAllBut('s3:GetObjectTagging', { capabilities: { tagsOnPut: false } }) },
    );
    expect(res.ok ? null : res.error).toMatchObject({ type: 'forbidden' });
    expect(res.ok ? '' : res.error.message).toContain('s3:GetObjectTagging');
    expect(await cliKeys(src, 'in/', moto.admin)).toEqual(['in/a.txt', 'in/b.txt']);
    expect(await cliKeys(src, 'tags-read/', moto.admin)).toEqual([]);
  });

  it('without s3:PutObjectTagging (a store that drops tags, tags replaced) is forbidden, naming it; every source stays', async () => {
    const res = await invoke(
      'move_objects',
      { bucket: src, prefix: 'in/', destinationPrefix: 'tags-write/', taggingDirective: 'REPLACE', tags: { s: 'x' } },
      { connection: await allowAllBut('s3:PutObjectTagging', { capabilities: { tagsOnPut: false } }) },
    );
    expect(res.ok ? null : res.error).toMatchObject({
      type: 'forbidden',
      details: { written: true, tagged: false, copied: true, sourceDeleted: false },
    });
    expect(res.ok ? '' : res.error.message).toContain('s3:PutObjectTagging');
    expect(await cliKeys(src, 'in/', moto.admin)).toEqual(['in/a.txt', 'in/b.txt']);
  });
});
