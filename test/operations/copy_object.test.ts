// copy_object against moto, cross-checked with the aws cli: what the cli wrote, the connector
// copies on the store, and the cli reads back (bytes, metadata, tags, class, encryption, ACL).
// The requests themselves (which region each was signed for, the parts of a copy in parts) are
// seen through a pass-through proxy in front of moto; the answers moto cannot give (a failing
// part, a copy answered with the wrong ETag) come from that proxy, and the tests say so.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import copyObjectInput from '../../schemas/copy_object.input.json' with { type: 'json' };
import defs from '../../schemas/defs.json' with { type: 'json' };
import { DEFAULT_COPY_PART_SIZE_MB, MAX_SINGLE_COPY_BYTES } from '../../src/io/copies.js';
import { MiB } from '../../src/io/transfers.js';
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
  s3ErrorXml,
  testConnector,
  uniqueBucket,
  until,
} from '../support/helpers.js';
import { interceptProxy, requestKind, signedRegion } from '../support/interceptProxy.js';
import { startIamMoto, type IamMoto } from '../support/iamMoto.js';

const bucket = uniqueBucket('cpo');
const other = uniqueBucket('cpo-dst');
const regional = uniqueBucket('cpo-eu');
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
  dir = await mkdtemp(join(tmpdir(), 'cpo-'));
});

type Out = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const ok = (res: { ok: boolean; output?: unknown; error?: { type: string; code?: string; message: string } }): Out => {
  if (!res.ok) throw new Error(`${res.error!.type} ${res.error!.code}: ${res.error!.message}`);
  return res.output as Out;
};
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/** The aws cli writes an object; its ETag. */
async function cliPut(b: string, key: string, body: Buffer | string, args: string[] = [], cli = aws): Promise<string> {
  const file = join(dir, randomBytes(4).toString('hex'));
  await writeFile(file, body);
  return (
    JSON.parse(await cli(['s3api', 'put-object', '--bucket', b, '--key', key, '--body', file, ...args])) as {
      ETag: string;
    }
  ).ETag;
}

async function cliGet(b: string, key: string, args: string[] = []): Promise<{ bytes: Buffer; head: Out }> {
  const file = join(dir, randomBytes(4).toString('hex'));
  const head = await awsJson(['s3api', 'get-object', '--bucket', b, '--key', key, ...args, file]);
  return { bytes: await readFile(file), head };
}

async function cliTags(b: string, key: string): Promise<Record<string, string>> {
  const { TagSet } = await awsJson<{ TagSet: { Key: string; Value: string }[] }>([
    's3api',
    'get-object-tagging',
    '--bucket',
    b,
    '--key',
    key,
  ]);
  return Object.fromEntries(TagSet.map((t) => [t.Key, t.Value]));
}

const exists = (b: string, key: string) =>
  aws(['s3api', 'head-object', '--bucket', b, '--key', key]).then(
    () => true,
    () => false,
  );
const incompleteUploads = async (b: string) =>
  (await awsJson<{ Uploads?: unknown[] }>(['s3api', 'list-multipart-uploads', '--bucket', b])).Uploads ?? [];

describe('copy_object', () => {
  it('runs each example of its input schema on a bucket of its own', async () => {
    const op = (await testConnector()).operations().find((o) => o.name === 'copy_object')!;
    for (const input of examplesOf(op).map((e) => retarget(e, { bucket }))) {
      await putObjects(bucket, keysOf(input));
      const out = ok(await invoke('copy_object', input));
      expect(out).toMatchObject({
        source: { bucket, key: input.key },
        destination: { bucket, key: input.destinationKey },
        parts: 1,
      });
      expect(await exists(bucket, String(input.destinationKey))).toBe(true);
    }
  });

  it('declares in its schemas the limits the code uses: 5 GiB for one CopyObject, the part size', () => {
    expect(MAX_SINGLE_COPY_BYTES).toBe(5 * 1024 * MiB);
    expect(defs.$defs.multipartCopyThresholdMb.default * MiB).toBe(MAX_SINGLE_COPY_BYTES);
    expect(defs.$defs.multipartCopyThresholdMb.maximum * MiB).toBe(MAX_SINGLE_COPY_BYTES);
    expect(defs.$defs.copyPartSizeMb.default).toBe(DEFAULT_COPY_PART_SIZE_MB);
    expect(copyObjectInput.properties.multipartThresholdMb.$ref).toBe('defs.json#/$defs/multipartCopyThresholdMb');
  });

  it('copies within a bucket, keeping content type, metadata, headers and tags; the aws cli reads the same', async () => {
    const etag = await cliPut(bucket, 'keep/src.csv', 'a,b\n1,2\n', [
      '--content-type',
      'text/csv',
      '--metadata',
      'owner=flows,stage=raw',
      '--cache-control',
      'max-age=60',
      '--content-language',
      'en',
      '--tagging',
      'team=data&stage=raw',
    ]);
    const out = ok(await invoke('copy_object', { bucket, key: 'keep/src.csv', destinationKey: 'keep/dst.csv' }));
    expect(out).toMatchObject({
      source: { bucket, key: 'keep/src.csv', etag, size: 8 },
      destination: { bucket, key: 'keep/dst.csv', etag, size: 8 },
      parts: 1,
    });
    expect(out.source.region).toBeUndefined(); // the same bucket: no region looked up
    const { bytes, head } = await cliGet(bucket, 'keep/dst.csv');
    expect(bytes.toString()).toBe('a,b\n1,2\n');
    expect(head).toMatchObject({
      ContentType: 'text/csv',
      Metadata: { owner: 'flows', stage: 'raw' },
      CacheControl: 'max-age=60',
      ContentLanguage: 'en',
    });
    expect(await cliTags(bucket, 'keep/dst.csv')).toEqual({ team: 'data', stage: 'raw' });
    expect(await exists(bucket, 'keep/src.csv')).toBe(true);
  });

  it("replaces metadata and tags, and sets storage class, encryption and ACL (REPLACE keeps the source's content type)", async () => {
    await cliPut(bucket, 'repl/src.json', '{"a":1}', [
      '--content-type',
      'application/json',
      '--metadata',
      'stage=raw',
      '--cache-control',
      'max-age=60',
      '--tagging',
      'stage=raw',
    ]);
    const out = ok(
      await invoke('copy_object', {
        bucket,
        key: 'repl/src.json',
        destinationBucket: other,
        destinationKey: 'repl/dst.json',
        metadataDirective: 'REPLACE',
        metadata: { stage: 'final' },
        taggingDirective: 'REPLACE',
        tags: { retention: '7y' },
        storageClass: 'STANDARD_IA',
        serverSideEncryption: 'AES256',
        acl: 'public-read',
      }),
    );
    expect(out).toMatchObject({
      destination: { bucket: other, key: 'repl/dst.json', size: 7 },
      serverSideEncryption: 'AES256',
    });
    const { bytes, head } = await cliGet(other, 'repl/dst.json');
    expect(bytes.toString()).toBe('{"a":1}');
    expect(head).toMatchObject({
      ContentType: 'application/json',
      Metadata: { stage: 'final' },
      StorageClass: 'STANDARD_IA',
      ServerSideEncryption: 'AES256',
    });
    expect(head.CacheControl).toBeUndefined(); // replaced: only what was given
    expect(await cliTags(other, 'repl/dst.json')).toEqual({ retention: '7y' });
    const acl = await awsJson<{ Grants: { Grantee: { URI?: string }; Permission: string }[] }>([
      's3api',
      'get-object-acl',
      '--bucket',
      other,
      '--key',
      'repl/dst.json',
    ]);
    expect(acl.Grants).toContainEqual(
      expect.objectContaining({
        Grantee: expect.objectContaining({ URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }),
        Permission: 'READ',
      }),
    );

    // REPLACE with a content type and no tags: that type, and no tags at all.
    ok(
      await invoke('copy_object', {
        bucket,
        key: 'repl/src.json',
        destinationKey: 'repl/bare.txt',
        metadataDirective: 'REPLACE',
        contentType: 'text/plain',
        taggingDirective: 'REPLACE',
      }),
    );
    expect((await cliGet(bucket, 'repl/bare.txt')).head).toMatchObject({ ContentType: 'text/plain', Metadata: {} });
    expect(await cliTags(bucket, 'repl/bare.txt')).toEqual({});
  });

  it("copies from a bucket in another region: asks GetBucketLocation, reads the source in its region, writes in the connection's", async () => {
    const etag = await cliPut(regional, 'eu/data.bin', randomBytes(1000));
    const proxy = await interceptProxy(motoEndpoint());
    try {
      const connection = motoConnection({ endpoint: proxy.endpoint });
      const out = ok(
        await invoke(
          'copy_object',
          { bucket: regional, key: 'eu/data.bin', destinationBucket: other, destinationKey: 'from-eu/data.bin' },
          { connection },
        ),
      );
      expect(out).toMatchObject({
        source: { bucket: regional, region: 'eu-west-1', etag },
        destination: { bucket: other, etag },
      });
      const sent = proxy.seen.map((r) => [requestKind(r), r.url.pathname.split('/')[1], signedRegion(r)]);
      expect(sent).toEqual([
        ['GetBucketLocation', regional, 'us-east-1'],
        ['HeadObject', regional, 'eu-west-1'],
        ['CopyObject', other, 'us-east-1'],
      ]);
      expect(proxy.seen.at(-1)!.headers['x-amz-copy-source']).toBe(`${regional}/eu/data.bin`);
      expect(proxy.seen.at(-1)!.headers['x-amz-copy-source-if-match']).toBe(etag); // pinned to what was read

      // Within one bucket nothing is looked up.
      proxy.seen.length = 0;
      ok(
        await invoke(
          'copy_object',
          { bucket: other, key: 'from-eu/data.bin', destinationKey: 'from-eu/again.bin' },
          { connection },
        ),
      );
      expect(proxy.seen.map(requestKind)).toEqual(['HeadObject', 'CopyObject']);
    } finally {
      await proxy.close();
    }
    expect(md5((await cliGet(other, 'from-eu/data.bin')).bytes)).toBe(etag.replace(/"/g, ''));
  });

  it('copies the version asked for, and says which', async () => {
    const versioned = uniqueBucket('cpo-v');
    await aws(['s3api', 'create-bucket', '--bucket', versioned]);
    await aws([
      's3api',
      'put-bucket-versioning',
      '--bucket',
      versioned,
      '--versioning-configuration',
      'Status=Enabled',
    ]);
    await cliPut(versioned, 'doc.txt', 'version one');
    const v1 = (
      await awsJson<{ Versions: { VersionId: string }[] }>(['s3api', 'list-object-versions', '--bucket', versioned])
    ).Versions[0]!.VersionId;
    await cliPut(versioned, 'doc.txt', 'version two!');
    const out = ok(
      await invoke('copy_object', { bucket: versioned, key: 'doc.txt', versionId: v1, destinationKey: 'restored.txt' }),
    );
    expect(out).toMatchObject({
      source: { versionId: v1, size: 11 },
      destination: { key: 'restored.txt', size: 11, versionId: expect.any(String) },
    });
    expect((await cliGet(versioned, 'restored.txt')).bytes.toString()).toBe('version one');
    expect((await cliGet(versioned, 'doc.txt')).bytes.toString()).toBe('version two!');
  });

  it.each([
    ['ifSourceMatch', '"0123456789abcdef0123456789abcdef"'],
    ['ifSourceNoneMatch', 'ETAG'],
    ['ifSourceUnmodifiedSince', '2000-01-01T00:00:00Z'],
    ['ifSourceModifiedSince', '2999-01-01T00:00:00Z'],
  ])('%s that does not hold is precondition_failed, and nothing is copied', async (field, value) => {
    const etag = await cliPut(bucket, `cond/${field}`, 'conditional');
    const destinationKey = `cond/${field}.copy`;
    const res = await invoke('copy_object', {
      bucket,
      key: `cond/${field}`,
      destinationKey,
      [field]: value === 'ETAG' ? etag : value,
    });
    expect(res.ok ? null : res.error).toMatchObject({
      type: 'precondition_failed',
      code: 'PreconditionFailed',
      retryable: false,
    });
    expect(res.ok ? '' : res.error.message).toContain(field.replace('ifSource', 'ifSource'));
    expect(await exists(bucket, destinationKey)).toBe(false);
    // The same conditions, holding: copied.
    const holding = {
      ifSourceMatch: etag,
      ifSourceNoneMatch: '"0123456789abcdef0123456789abcdef"',
      ifSourceUnmodifiedSince: '2999-01-01T00:00:00Z',
      ifSourceModifiedSince: '2000-01-01T00:00:00Z',
    }[field];
    ok(await invoke('copy_object', { bucket, key: `cond/${field}`, destinationKey, [field]: holding }));
    expect(await exists(bucket, destinationKey)).toBe(true);
  });

  it('copies a 12 MiB object in 5 MiB parts (threshold lowered to 5 MiB): the aws cli reads identical bytes, metadata and tags', async () => {
    const bytes = randomBytes(12 * MiB);
    await cliPut(bucket, 'big/src.bin', bytes, [
      '--content-type',
      'application/x-thing',
      '--metadata',
      'kind=big',
      '--content-disposition',
      'attachment',
      '--tagging',
      'size=large',
    ]);
    const proxy = await interceptProxy(motoEndpoint());
    const progress: number[] = [];
    try {
      const out = ok(
        await invoke(
          'copy_object',
          { bucket, key: 'big/src.bin', destinationKey: 'big/dst.bin', multipartThresholdMb: 5, partSizeMb: 5 },
          {
            connection: motoConnection({ endpoint: proxy.endpoint }),
            onProgress: (p: { loaded: number }) => progress.push(p.loaded),
          },
        ),
      );
      expect(out).toMatchObject({ parts: 3, destination: { size: bytes.length, etag: expect.stringMatching(/-3"$/) } });
      const kinds = proxy.seen.map(requestKind);
      expect(kinds).toEqual([
        'HeadObject',
        'GetObjectTagging',
        'CreateMultipartUpload',
        'UploadPartCopy',
        'UploadPartCopy',
        'UploadPartCopy',
        'CompleteMultipartUpload',
      ]);
      const ranges = proxy.seen
        .filter((r) => requestKind(r) === 'UploadPartCopy')
        .map((r) => r.headers['x-amz-copy-source-range'])
        .sort();
      expect(ranges).toEqual([
        `bytes=0-${5 * MiB - 1}`,
        `bytes=${10 * MiB}-${12 * MiB - 1}`,
        `bytes=${5 * MiB}-${10 * MiB - 1}`,
      ]);
    } finally {
      await proxy.close();
    }
    expect(progress.at(-1)).toBe(bytes.length);
    const { bytes: back, head } = await cliGet(bucket, 'big/dst.bin');
    expect(md5(back)).toBe(md5(bytes));
    expect(head).toMatchObject({
      ContentType: 'application/x-thing',
      Metadata: { kind: 'big' },
      ContentDisposition: 'attachment',
    });
    expect(await cliTags(bucket, 'big/dst.bin')).toEqual({ size: 'large' });

    // At the default threshold (S3's 5 GiB) the same object is one CopyObject.
    const single = ok(await invoke('copy_object', { bucket, key: 'big/src.bin', destinationKey: 'big/one.bin' }));
    expect(single).toMatchObject({ parts: 1, destination: { size: bytes.length } });
  });

  it('a copy in parts whose second part fails is aborted: no incomplete upload is left (a stand-in 500 from the proxy)', async () => {
    await cliPut(bucket, 'big/fail.bin', randomBytes(11 * MiB));
    let parts = 0;
    const proxy = await interceptProxy(motoEndpoint(), (req) =>
      requestKind(req) === 'UploadPartCopy' && req.url.searchParams.get('partNumber') === '2' && ++parts
        ? { status: 500, body: s3ErrorXml('InternalError', 'We encountered an internal error. Please try again.') }
        : undefined,
    );
    try {
      const res = await invoke(
        'copy_object',
        { bucket, key: 'big/fail.bin', destinationKey: 'big/failed.bin', multipartThresholdMb: 5, partSizeMb: 5 },
        { connection: motoConnection({ endpoint: proxy.endpoint, maxAttempts: 1 }) },
      );
      expect(res.ok ? null : res.error).toMatchObject({ type: 'api', status: 500 });
      expect(res.ok ? '' : res.error.message).toContain('big/failed.bin');
      expect(proxy.seen.map(requestKind)).toContain('AbortMultipartUpload');
    } finally {
      await proxy.close();
    }
    await until(async () => (await incompleteUploads(bucket)).length === 0);
    expect(await incompleteUploads(bucket)).toEqual([]);
    expect(await exists(bucket, 'big/failed.bin')).toBe(false);
  });

  it('a copy in parts cancelled after its first part is aborted too', async () => {
    await cliPut(bucket, 'big/cancel.bin', randomBytes(16 * MiB));
    const controller = new AbortController();
    const res = await invoke(
      'copy_object',
      { bucket, key: 'big/cancel.bin', destinationKey: 'big/cancelled.bin', multipartThresholdMb: 5, partSizeMb: 5 },
      { signal: controller.signal, onProgress: () => controller.abort() },
    );
    expect(res.ok ? null : res.error).toMatchObject({ type: 'timeout', code: 'Cancelled' });
    await until(async () => (await incompleteUploads(bucket)).length === 0);
    expect(await incompleteUploads(bucket)).toEqual([]);
    expect(await exists(bucket, 'big/cancelled.bin')).toBe(false);
  });

  it("a copy the store answers with another ETag than the source's is CopyNotVerified (a stand-in answer from the proxy)", async () => {
    await cliPut(bucket, 'lie/src.txt', 'the real bytes');
    const proxy = await interceptProxy(motoEndpoint(), (req) =>
      requestKind(req) === 'CopyObject'
        ? {
            status: 200,
            body: '<?xml version="1.0" encoding="UTF-8"?><CopyObjectResult><ETag>"00000000000000000000000000000000"</ETag><LastModified>2026-01-01T00:00:00.000Z</LastModified></CopyObjectResult>',
          }
        : undefined,
    );
    try {
      const res = await invoke(
        'copy_object',
        { bucket, key: 'lie/src.txt', destinationKey: 'lie/dst.txt' },
        { connection: motoConnection({ endpoint: proxy.endpoint }) },
      );
      expect(res.ok ? null : res.error).toMatchObject({ type: 'api', code: 'CopyNotVerified' });
      expect(res.ok ? '' : res.error.message).toContain(`s3://${bucket}/lie/dst.txt`);
    } finally {
      await proxy.close();
    }
  });

  it('a missing source key, a missing source bucket and a missing destination bucket are not_found, each named', async () => {
    const missingKey = await invoke('copy_object', { bucket, key: 'nope/missing.txt', destinationKey: 'x' });
    expect(missingKey.ok ? null : missingKey.error).toMatchObject({ type: 'not_found', status: 404 });
    expect(missingKey.ok ? '' : missingKey.error.message).toContain('nope/missing.txt');
    const gone = uniqueBucket('gone');
    const missingBucket = await invoke('copy_object', {
      bucket: gone,
      key: 'a.txt',
      destinationBucket: other,
      destinationKey: 'x',
    });
    expect(missingBucket.ok ? null : missingBucket.error).toMatchObject({ type: 'not_found' });
    expect(missingBucket.ok ? '' : missingBucket.error.message).toContain(gone);
    await cliPut(bucket, 'here.txt', 'here');
    const nowhere = uniqueBucket('nowhere');
    const missingDestination = await invoke('copy_object', {
      bucket,
      key: 'here.txt',
      destinationBucket: nowhere,
      destinationKey: 'x',
    });
    expect(missingDestination.ok ? null : missingDestination.error).toMatchObject({
      type: 'not_found',
      code: 'NoSuchBucket',
    });
    expect(missingDestination.ok ? '' : missingDestination.error.message).toContain(nowhere);
  });

  it('bad input is refused before any request: tags or metadata without REPLACE, a copy onto itself that changes nothing', async () => {
    const store = await fakeStore((_req, res) => res.writeHead(500).end());
    try {
      const connection = {
        region: 'us-east-1',
        endpoint: store.endpoint,
        maxAttempts: 1,
        credentials: { type: 'accessKey', accessKeyId: 'AKID', secretAccessKey: 'x' },
      };
      const base = { bucket, key: 'k.txt', destinationKey: 'copy.txt' };
      for (const [input, field] of [
        [{ ...base, tags: { a: '1' } }, 'taggingDirective'],
        [{ ...base, taggingDirective: 'COPY', tags: { a: '1' } }, 'taggingDirective'],
        [{ ...base, metadata: { a: '1' } }, 'metadataDirective'],
        [{ ...base, metadataDirective: 'COPY', contentType: 'text/plain' }, 'metadataDirective'],
        [{ ...base, destinationKey: 'k.txt' }, 'destinationKey'],
        [{ ...base, metadataDirective: 'REPLACE', metadata: { big: 'v'.repeat(2048) } }, 'metadata'],
        [{ ...base, sseKmsKeyId: 'alias/x' }, 'sseKmsKeyId'],
        [{ ...base, multipartThresholdMb: 4 }, 'multipartThresholdMb'],
      ] as const) {
        const res = await invoke('copy_object', input, { connection });
        expect(res.ok ? null : res.error.type, JSON.stringify(input)).toBe('user_input');
        expect(res.ok ? '' : res.error.message, JSON.stringify(input)).toContain(field);
      }
      expect(store.requests).toHaveLength(0);
    } finally {
      await store.close();
    }
  });
});

describe('copy_object under IAM enforcement (a second moto checking signatures and policies)', () => {
  let moto: IamMoto;
  const src = uniqueBucket('cpo-iam');
  const dst = uniqueBucket('cpo-iam-dst');
  const admin = (args: string[]) => moto.admin(args);
  const allowAllBut = (action: string, extra: Record<string, unknown> = {}) =>
    moto.userConnection([{ Effect: 'Allow', NotAction: action, Resource: '*' }]).then((c) => ({ ...c, ...extra }));

  beforeAll(async () => {
    moto = await startIamMoto();
    await admin(['s3api', 'create-bucket', '--bucket', src]);
    await admin(['s3api', 'create-bucket', '--bucket', dst]);
    await cliPut(src, 'tagged.txt', 'tagged', ['--tagging', 'team=data'], admin);
  });
  afterAll(() => moto?.server.stop());

  const adminExists = (b: string, key: string) =>
    admin(['s3api', 'head-object', '--bucket', b, '--key', key]).then(
      () => true,
      () => false,
    );

  it('without s3:PutObject on the destination bucket is forbidden, naming it; nothing is written', async () => {
    const connection = await moto.userConnection([
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Effect: 'Deny', Action: 's3:PutObject', Resource: `arn:aws:s3:::${dst}/*` },
    ]);
    const res = await invoke(
      'copy_object',
      { bucket: src, key: 'tagged.txt', destinationBucket: dst, destinationKey: 'denied.txt' },
      { connection },
    );
    expect(res.ok ? null : res.error).toMatchObject({ type: 'forbidden', retryable: false });
    expect(res.ok ? '' : res.error.message).toContain('s3:PutObject');
    expect(res.ok ? '' : res.error.message).toContain(`s3://${dst}/denied.txt`);
    expect(await adminExists(dst, 'denied.txt')).toBe(false);
    // The same user may copy within the source bucket.
    ok(await invoke('copy_object', { bucket: src, key: 'tagged.txt', destinationKey: 'allowed.txt' }, { connection }));
  });

  it("without s3:GetBucketLocation a copy from another bucket is forbidden, naming it (the source's region is never guessed)", async () => {
    const res = await invoke(
      'copy_object',
      { bucket: src, key: 'tagged.txt', destinationBucket: dst, destinationKey: 'no-location.txt' },
      { connection: await allowAllBut('s3:GetBucketLocation') },
    );
    expect(res.ok ? null : res.error).toMatchObject({ type: 'forbidden' });
    expect(res.ok ? '' : res.error.message).toContain('s3:GetBucketLocation');
    expect(await adminExists(dst, 'no-location.txt')).toBe(false);
  });

  it('without s3:GetObjectTagging (a store that drops tags, tags kept: read by a request of their own) is forbidden, naming it; nothing is copied', async () => {
    const connection = await allowAllBut('s3:GetObjectTagging', { capabilities: { tagsOnPut: false } });
    const res = await invoke(
      'copy_object',
      { bucket: src, key: 'tagged.txt', destinationKey: 'no-tag-read.txt' },
      { connection },
    );
    expect(res.ok ? null : res.error).toMatchObject({ type: 'forbidden' });
    expect(res.ok ? '' : res.error.message).toContain('s3:GetObjectTagging');
    expect(await adminExists(src, 'no-tag-read.txt')).toBe(false);
  });

  it('without s3:PutObjectTagging (a store that drops tags, tags replaced: written by a request of their own) is forbidden, naming it; the copy is there, untagged', async () => {
    const connection = await allowAllBut('s3:PutObjectTagging', { capabilities: { tagsOnPut: false } });
    const res = await invoke(
      'copy_object',
      {
        bucket: src,
        key: 'tagged.txt',
        destinationKey: 'no-tag-write.txt',
        taggingDirective: 'REPLACE',
        tags: { stage: 'copied' },
      },
      { connection },
    );
    expect(res.ok ? null : res.error).toMatchObject({ type: 'forbidden', details: { written: true, tagged: false } });
    expect(res.ok ? '' : res.error.message).toContain('s3:PutObjectTagging');
    expect(await adminExists(src, 'no-tag-write.txt')).toBe(true);
  });
});
