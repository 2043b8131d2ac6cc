// move_object against moto, cross-checked with the aws cli: the copy is made, checked against
// the source, and only then is the source deleted. A copy that does not check out (answered
// by a stand-in proxy in front of moto: moto itself never lies) leaves the source where it is.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aws,
  awsJson,
  examplesOf,
  fakeStore,
  invoke,
  keysOf,
  motoConnection,
  motoEndpoint,
  putObjects,
  retarget,
  testConnector,
  uniqueBucket,
} from '../support/helpers.js';
import { interceptProxy, requestKind, signedRegion } from '../support/interceptProxy.js';
import { startIamMoto, type IamMoto } from '../support/iamMoto.js';

const bucket = uniqueBucket('mvo');
const other = uniqueBucket('mvo-dst');
const regional = uniqueBucket('mvo-eu');
let dir: string;

beforeAll(async () => {
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  await aws(['s3api', 'create-bucket', '--bucket', other]);
  await aws([
    's3api',
    'create-bucket',
    '--bucket',
    regional,
    '--create-bucket-configuration',
    'LocationConstraint=eu-west-1',
  ]);
  dir = await mkdtemp(join(tmpdir(), 'mvo-'));
});

type Out = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const ok = (res: { ok: boolean; output?: unknown; error?: { type: string; code?: string; message: string } }): Out => {
  if (!res.ok) throw new Error(`${res.error!.type} ${res.error!.code}: ${res.error!.message}`);
  return res.output as Out;
};

async function cliPut(b: string, key: string, body: Buffer | string, args: string[] = [], cli = aws): Promise<string> {
  const file = join(dir, randomBytes(4).toString('hex'));
  await writeFile(file, body);
  return (
    JSON.parse(await cli(['s3api', 'put-object', '--bucket', b, '--key', key, '--body', file, ...args])) as {
      ETag: string;
    }
  ).ETag;
}

async function cliGet(b: string, key: string): Promise<{ bytes: Buffer; head: Out }> {
  const file = join(dir, randomBytes(4).toString('hex'));
  const head = await awsJson(['s3api', 'get-object', '--bucket', b, '--key', key, file]);
  return { bytes: await readFile(file), head };
}

const exists = (b: string, key: string) =>
  aws(['s3api', 'head-object', '--bucket', b, '--key', key]).then(
    () => true,
    () => false,
  );
const versions = (b: string) =>
  awsJson<{ Versions?: { Key: string; VersionId: string }[]; DeleteMarkers?: { Key: string; VersionId: string }[] }>([
    's3api',
    'list-object-versions',
    '--bucket',
    b,
  ]);

/** A CopyObject answered by the proxy, not moto: "copied", with the ETag given, and nothing done. */
const fakeCopy = (etag: string) => ({
  status: 200,
  body: `<?xml version="1.0" encoding="UTF-8"?><CopyObjectResult><ETag>${etag}</ETag><LastModified>2026-01-01T00:00:00.000Z</LastModified></CopyObjectResult>`,
});

describe('move_object', () => {
  it('runs each example of its input schema on a bucket of its own', async () => {
    const op = (await testConnector()).operations().find((o) => o.name === 'move_object')!;
    for (const input of examplesOf(op).map((e) => retarget(e, { bucket }))) {
      await putObjects(bucket, keysOf(input));
      const out = ok(await invoke('move_object', input));
      expect(out).toMatchObject({
        source: { bucket, key: input.key },
        destination: { bucket, key: input.destinationKey },
        verified: true,
        sourceDeleted: true,
      });
      expect(await exists(bucket, String(input.key))).toBe(false);
      expect(await exists(bucket, String(input.destinationKey))).toBe(true);
    }
  });

  it('renames within a bucket: copy, check (HEAD of the copy), then a delete of the source only if it is still what was copied', async () => {
    const etag = await cliPut(bucket, 'inbox/report.csv', 'a,b\n1,2\n', [
      '--content-type',
      'text/csv',
      '--metadata',
      'owner=flows',
      '--tagging',
      'team=data',
    ]);
    const proxy = await interceptProxy(motoEndpoint());
    try {
      const out = ok(
        await invoke(
          'move_object',
          { bucket, key: 'inbox/report.csv', destinationKey: 'done/report.csv' },
          { connection: motoConnection({ endpoint: proxy.endpoint }) },
        ),
      );
      expect(out).toMatchObject({
        source: { bucket, key: 'inbox/report.csv', etag, size: 8 },
        destination: { bucket, key: 'done/report.csv', etag, size: 8 },
        parts: 1,
        verified: true,
        sourceDeleted: true,
      });
      expect(proxy.seen.map(requestKind)).toEqual(['HeadObject', 'CopyObject', 'HeadObject', 'DeleteObject']);
      expect(proxy.seen[2]!.url.pathname).toBe(`/${bucket}/done/report.csv`);
      expect(proxy.seen[3]!.url.pathname).toBe(`/${bucket}/inbox/report.csv`);
      expect(proxy.seen[3]!.headers['if-match']).toBe(etag);
    } finally {
      await proxy.close();
    }
    const { bytes, head } = await cliGet(bucket, 'done/report.csv');
    expect(bytes.toString()).toBe('a,b\n1,2\n');
    expect(head).toMatchObject({ ContentType: 'text/csv', Metadata: { owner: 'flows' } });
    expect(
      (
        await awsJson<{ TagSet: unknown[] }>([
          's3api',
          'get-object-tagging',
          '--bucket',
          bucket,
          '--key',
          'done/report.csv',
        ])
      ).TagSet,
    ).toEqual([{ Key: 'team', Value: 'data' }]);
    expect(await exists(bucket, 'inbox/report.csv')).toBe(false);
  });

  it('moves out of a bucket in another region: the source is read and deleted in its own region', async () => {
    await cliPut(regional, 'eu/m.bin', randomBytes(500));
    const proxy = await interceptProxy(motoEndpoint());
    try {
      const out = ok(
        await invoke(
          'move_object',
          { bucket: regional, key: 'eu/m.bin', destinationBucket: other, destinationKey: 'moved/m.bin' },
          { connection: motoConnection({ endpoint: proxy.endpoint }) },
        ),
      );
      expect(out).toMatchObject({
        source: { bucket: regional, region: 'eu-west-1' },
        destination: { bucket: other, key: 'moved/m.bin', size: 500 },
      });
      expect(proxy.seen.map((r) => [requestKind(r), signedRegion(r)])).toEqual([
        ['GetBucketLocation', 'us-east-1'],
        ['HeadObject', 'eu-west-1'],
        ['CopyObject', 'us-east-1'],
        ['HeadObject', 'us-east-1'],
        ['DeleteObject', 'eu-west-1'],
      ]);
    } finally {
      await proxy.close();
    }
    expect(await exists(regional, 'eu/m.bin')).toBe(false);
    expect(await exists(other, 'moved/m.bin')).toBe(true);
  });

  it('in a versioned bucket: the latest version gets a delete marker; a named version is copied, then deleted for good', async () => {
    const versioned = uniqueBucket('mvo-v');
    await aws(['s3api', 'create-bucket', '--bucket', versioned]);
    await aws([
      's3api',
      'put-bucket-versioning',
      '--bucket',
      versioned,
      '--versioning-configuration',
      'Status=Enabled',
    ]);
    await cliPut(versioned, 'a.txt', 'latest a');
    const latest = ok(await invoke('move_object', { bucket: versioned, key: 'a.txt', destinationKey: 'b.txt' }));
    expect(latest).toMatchObject({
      deleteMarker: true,
      deleteMarkerVersionId: expect.any(String),
      destination: { versionId: expect.any(String) },
    });
    const after = await versions(versioned);
    expect(after.DeleteMarkers?.map((d) => d.Key)).toEqual(['a.txt']);
    expect(after.Versions?.filter((v) => v.Key === 'a.txt')).toHaveLength(1); // the old version is still there

    await cliPut(versioned, 'c.txt', 'first c');
    const v1 = (await versions(versioned)).Versions!.find((v) => v.Key === 'c.txt')!.VersionId;
    await cliPut(versioned, 'c.txt', 'second c');
    const named = ok(
      await invoke('move_object', { bucket: versioned, key: 'c.txt', versionId: v1, destinationKey: 'c-first.txt' }),
    );
    expect(named).toMatchObject({ source: { versionId: v1 }, sourceDeleted: true });
    expect(named.deleteMarker).toBeUndefined();
    expect((await versions(versioned)).Versions!.some((v) => v.VersionId === v1)).toBe(false);
    expect((await cliGet(versioned, 'c-first.txt')).bytes.toString()).toBe('first c');
    expect((await cliGet(versioned, 'c.txt')).bytes.toString()).toBe('second c');
  });

  it.each([
    ['a different size', 'a longer object already there'],
    ['a different ETag (same size)', 'the-real-bytes'],
  ])(
    'a copy the store says it made, but whose check finds %s, leaves the source (a stand-in copy answer)',
    async (_what, already) => {
      const key = `verify/${randomBytes(3).toString('hex')}`;
      const etag = await cliPut(bucket, key, 'the real bytes');
      await cliPut(bucket, `${key}.moved`, already);
      const proxy = await interceptProxy(motoEndpoint(), (req) =>
        requestKind(req) === 'CopyObject' ? fakeCopy(etag) : undefined,
      );
      try {
        const res = await invoke(
          'move_object',
          { bucket, key, destinationKey: `${key}.moved` },
          { connection: motoConnection({ endpoint: proxy.endpoint }) },
        );
        expect(res.ok ? null : res.error).toMatchObject({
          type: 'api',
          code: 'CopyNotVerified',
          details: { copied: true, sourceDeleted: false },
        });
        expect(res.ok ? '' : res.error.message).toContain('was not deleted');
        expect(proxy.seen.map(requestKind)).not.toContain('DeleteObject');
      } finally {
        await proxy.close();
      }
      expect((await cliGet(bucket, key)).bytes.toString()).toBe('the real bytes');
    },
  );

  it('a source overwritten between the copy and the delete is not deleted (If-Match): precondition_failed, both stay', async () => {
    await cliPut(bucket, 'race/src.txt', 'as copied');
    const proxy = await interceptProxy(motoEndpoint(), async (req) => {
      // Someone else writes the source just before the delete reaches the store.
      if (requestKind(req) === 'DeleteObject') await cliPut(bucket, 'race/src.txt', 'written meanwhile');
      return undefined;
    });
    try {
      const res = await invoke(
        'move_object',
        { bucket, key: 'race/src.txt', destinationKey: 'race/dst.txt' },
        { connection: motoConnection({ endpoint: proxy.endpoint }) },
      );
      expect(res.ok ? null : res.error).toMatchObject({
        type: 'precondition_failed',
        code: 'SourceChanged',
        details: { copied: true, sourceDeleted: false },
      });
    } finally {
      await proxy.close();
    }
    expect((await cliGet(bucket, 'race/src.txt')).bytes.toString()).toBe('written meanwhile');
    expect((await cliGet(bucket, 'race/dst.txt')).bytes.toString()).toBe('as copied');
  });

  it('errors: a missing source is not_found, a missing destination bucket is not_found with the source kept, a failed ifSourceMatch moves nothing', async () => {
    const missing = await invoke('move_object', { bucket, key: 'nope.txt', destinationKey: 'x.txt' });
    expect(missing.ok ? null : missing.error).toMatchObject({ type: 'not_found' });
    expect(missing.ok ? '' : missing.error.message).toContain('nope.txt');

    await cliPut(bucket, 'stay.txt', 'stay');
    const nowhere = uniqueBucket('nowhere');
    const noBucket = await invoke('move_object', {
      bucket,
      key: 'stay.txt',
      destinationBucket: nowhere,
      destinationKey: 'x.txt',
    });
    expect(noBucket.ok ? null : noBucket.error).toMatchObject({ type: 'not_found', code: 'NoSuchBucket' });
    expect(noBucket.ok ? '' : noBucket.error.message).toContain(nowhere);

    const condition = await invoke('move_object', {
      bucket,
      key: 'stay.txt',
      destinationKey: 'x.txt',
      ifSourceMatch: '"0123456789abcdef0123456789abcdef"',
    });
    expect(condition.ok ? null : condition.error).toMatchObject({ type: 'precondition_failed' });
    expect(await exists(bucket, 'stay.txt')).toBe(true);
    expect(await exists(bucket, 'x.txt')).toBe(false);
  });

  it('a move onto itself is refused before any request (it would delete the object)', async () => {
    const store = await fakeStore((_req, res) => res.writeHead(500).end());
    try {
      const connection = {
        region: 'us-east-1',
        endpoint: store.endpoint,
        maxAttempts: 1,
        credentials: { type: 'accessKey', accessKeyId: 'AKID', secretAccessKey: 'x' },
      };
      for (const input of [
        { bucket, key: 'k.txt', destinationKey: 'k.txt' },
        {
          bucket,
          key: 'k.txt',
          destinationBucket: bucket,
          destinationKey: 'k.txt',
          metadataDirective: 'REPLACE',
          metadata: { a: '1' },
        },
      ]) {
        const res = await invoke('move_object', input, { connection });
        expect(res.ok ? null : res.error).toMatchObject({ type: 'user_input' });
        expect(res.ok ? '' : res.error.message).toContain('destinationKey');
      }
      expect(store.requests).toHaveLength(0);
    } finally {
      await store.close();
    }
  });
});

describe('move_object under IAM enforcement (a second moto checking signatures and policies)', () => {
  let moto: IamMoto;
  const src = uniqueBucket('mvo-iam');
  const dst = uniqueBucket('mvo-iam-dst');
  const admin = (args: string[]) => moto.admin(args);
  const allowAllBut = (action: string, extra: Record<string, unknown> = {}) =>
    moto.userConnection([{ Effect: 'Allow', NotAction: action, Resource: '*' }]).then((c) => ({ ...c, ...extra }));
  const adminExists = (b: string, key: string) =>
    admin(['s3api', 'head-object', '--bucket', b, '--key', key]).then(
      () => true,
      () => false,
    );

  beforeAll(async () => {
    moto = await startIamMoto();
    await admin(['s3api', 'create-bucket', '--bucket', src]);
    await admin(['s3api', 'create-bucket', '--bucket', dst]);
  });
  afterAll(() => moto?.server.stop());

  it('without s3:DeleteObject is forbidden, naming it: the checked copy stays, and so does the source', async () => {
    await cliPut(src, 'keep.txt', 'keep', [], admin);
    const res = await invoke(
      'move_object',
      { bucket: src, key: 'keep.txt', destinationKey: 'keep-copy.txt' },
      { connection: await allowAllBut('s3:DeleteObject') },
    );
    expect(res.ok ? null : res.error).toMatchObject({
      type: 'forbidden',
      details: { copied: true, sourceDeleted: false },
    });
    expect(res.ok ? '' : res.error.message).toContain('s3:DeleteObject');
    expect(res.ok ? '' : res.error.message).toContain('the source was not deleted');
    expect(await adminExists(src, 'keep.txt')).toBe(true);
    expect(await adminExists(src, 'keep-copy.txt')).toBe(true);
  });

  it('without s3:GetBucketLocation a move from another bucket is forbidden, naming it; nothing moves', async () => {
    await cliPut(src, 'loc.txt', 'loc', [], admin);
    const res = await invoke(
      'move_object',
      { bucket: src, key: 'loc.txt', destinationBucket: dst, destinationKey: 'loc.txt' },
      { connection: await allowAllBut('s3:GetBucketLocation') },
    );
    expect(res.ok ? null : res.error).toMatchObject({ type: 'forbidden' });
    expect(res.ok ? '' : res.error.message).toContain('s3:GetBucketLocation');
    expect(await adminExists(src, 'loc.txt')).toBe(true);
    expect(await adminExists(dst, 'loc.txt')).toBe(false);
  });

  it('without s3:GetObjectTagging (a store that drops tags, tags kept) is forbidden, naming it; nothing moves', async () => {
    await cliPut(src, 'tags-read.txt', 'x', ['--tagging', 'a=1'], admin);
    const res = await invoke(
      'move_object',
      { bucket: src, key: 'tags-read.txt', destinationKey: 'tags-read.moved' },
      { connection: await allowAllBut('s3:GetObjectTagging', { capabilities: { tagsOnPut: false } }) },
    );
    expect(res.ok ? null : res.error).toMatchObject({ type: 'forbidden' });
    expect(res.ok ? '' : res.error.message).toContain('s3:GetObjectTagging');
    expect(await adminExists(src, 'tags-read.txt')).toBe(true);
    expect(await adminExists(src, 'tags-read.moved')).toBe(false);
  });

  it('without s3:PutObjectTagging (a store that drops tags, tags replaced) is forbidden, naming it; the source stays', async () => {
    await cliPut(src, 'tags-write.txt', 'x', [], admin);
    const res = await invoke(
      'move_object',
      {
        bucket: src,
        key: 'tags-write.txt',
        destinationKey: 'tags-write.moved',
        taggingDirective: 'REPLACE',
        tags: { b: '2' },
      },
      { connection: await allowAllBut('s3:PutObjectTagging', { capabilities: { tagsOnPut: false } }) },
    );
    expect(res.ok ? null : res.error).toMatchObject({ type: 'forbidden', details: { written: true, tagged: false } });
    expect(res.ok ? '' : res.error.message).toContain('s3:PutObjectTagging');
    expect(await adminExists(src, 'tags-write.txt')).toBe(true);
  });
});
