// The store lane's one list of cases, run on every store (suite.ts): every example of every
// input schema in connector.json (so an operation added to the manifest is a case the next
// run), then hand-picked checks that compare bytes and errors. A case throws `Refused` when
// the connector answered an error, and an assertion error when the store answered wrongly;
// the provider file of the store (providers.ts) says which outcome is expected.
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { expect } from 'vitest';
import { CAPABILITY_PROBE_PREFIX } from '../../src/probes/capabilities.js';
import type { Connector, ConnectorErrorInfo, InvokeResult } from '../../src/index.js';
import type { LocalFileStore } from '../../src/io/files.js';
import type { S3Connection } from '../../src/generated/types.js';
import type { Provider } from './providers.js';
import type { RunningStore } from './servers.js';

type Out = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Input = Record<string, unknown>;

/** The connector answered an error (an expected one, if the provider file says so). */
export class Refused extends Error {
  constructor(
    readonly operation: string,
    readonly error: ConnectorErrorInfo,
  ) {
    super(`${operation}: ${error.type} ${error.code ?? ''}: ${error.message}`);
  }
}

/** The store accepted the request but did not do what the option asks (or check what it says). */
export class Ignored extends Error {}

export interface CaseContext {
  store: RunningStore;
  provider: Provider;
  connector: Connector;
  /** The store's own S3 client (the SDK, not the connector): to seed, read back and list. */
  raw: S3Client;
  files: LocalFileStore;
  filesRoot: string;
  connection(overrides?: Partial<S3Connection>): S3Connection;
  invoke(name: string, input: Input, connection?: S3Connection): Promise<InvokeResult<Out>>;
  /** invoke, throwing `Refused` on an error result. */
  ok(name: string, input: Input, connection?: S3Connection): Promise<Out>;
}

export interface Case {
  id: string;
  /** The operation (and option) it proves, as COMPATIBILITY.md's row. */
  row: string;
  /** The bucket whose keys and ETags must be unchanged when the case ends `unsupported`. */
  bucket: string;
  /** Runs before the case (seeding); its failure fails the case. */
  prepare?(ctx: CaseContext): Promise<void>;
  /** Runs after the case, whatever it ended in; its failure is ignored. */
  cleanup?(ctx: CaseContext): Promise<void>;
  run(ctx: CaseContext): Promise<void>;
}

/** The bucket the examples run in: the one they name, so nothing in them is rewritten. */
export const EXAMPLE_BUCKET = 'example-bucket';
export const BYTES_BUCKET = 'lane-bytes';
export const LIST_BUCKET = 'lane-list';
export const BUCKETS = [EXAMPLE_BUCKET, BYTES_BUCKET, LIST_BUCKET];

/** What the examples' keys hold before each example runs. */
export const SEED: Record<string, string> = {
  'reports/2026/summary.csv': 'region,total\neu,42\nus,17\n',
  'reports/2026/old.csv': 'region,total\neu,40\n',
};

export const ODD_KEY = 'odd dir/naïve file+plus&amp=1 %41 ~x.txt';
const MiB = 1024 * 1024;
const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

export async function createBuckets(raw: S3Client): Promise<void> {
  for (const Bucket of BUCKETS) await raw.send(new CreateBucketCommand({ Bucket }));
}

/** Every key with its ETag, listed by the SDK itself (the "nothing written" check); a missing bucket is `{}`. */
export async function snapshot(raw: S3Client, bucket: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  let token: string | undefined;
  do {
    const page = await raw
      .send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }))
      .catch((err: { name?: string }) => {
        if (err?.name === 'NoSuchBucket') return { Contents: [], IsTruncated: false, NextContinuationToken: undefined };
        throw err;
      });
    for (const o of page.Contents ?? []) out[o.Key!] = o.ETag ?? '';
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

async function emptyBucket(raw: S3Client, bucket: string): Promise<void> {
  const keys = Object.keys(await snapshot(raw, bucket));
  for (let i = 0; i < keys.length; i += 1000) {
    await raw.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })) },
      }),
    );
  }
}

async function rawBytes(raw: S3Client, bucket: string, key: string): Promise<Buffer> {
  const res = await raw.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await res.Body!.transformToByteArray());
}

async function putRaw(
  raw: S3Client,
  bucket: string,
  key: string,
  body: string | Buffer,
  contentType = 'text/csv',
): Promise<void> {
  await raw.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
}

async function inFileStore(ctx: CaseContext, bytes: Buffer, name: string): Promise<string> {
  const path = join(ctx.filesRoot, name);
  await writeFile(path, bytes);
  return pathToFileURL(path).href;
}

/** Removes a bucket with every object version in it (best effort: a store without versions is listed plainly). */
async function dropBucket(raw: S3Client, bucket: string): Promise<void> {
  const versions = await raw.send(new ListObjectVersionsCommand({ Bucket: bucket })).catch(() => undefined);
  const objects = versions
    ? [...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? [])].map((v) => ({
        Key: v.Key!,
        VersionId: v.VersionId,
      }))
    : Object.keys(await snapshot(raw, bucket).catch(() => ({}))).map((Key) => ({ Key }));
  if (objects.length)
    await raw.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects } })).catch(() => undefined);
  if (versions?.IsTruncated) await dropBucket(raw, bucket);
  await raw.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
}

/** Operations on a bucket itself (create, delete, versioning): their examples get a scratch bucket of their own. */
const BUCKET_LEVEL = ['s3:CreateBucket', 's3:DeleteBucket', 's3:PutBucketVersioning'];

/** Operations a plain S3 server cannot serve: they talk to SQS. */
const needsSqs = (op: { permissions: string[] }) => op.permissions.some((p) => p.startsWith('sqs:'));

/** The fields of an example besides the bucket and the key, as a row's label says them. */
function options(example: Input): string {
  const fields = Object.keys(example).filter((k) => k !== 'bucket' && k !== 'key');
  return fields.length ? ` (${fields.join(', ')})` : '';
}

/** One case per example of every operation's input schema, in manifest order. */
export function exampleCases(connector: Connector): Case[] {
  return connector.operations().flatMap((op) => {
    const examples = (op.inputSchema.examples ?? []) as Input[];
    const bucketLevel = op.permissions.some((p) => BUCKET_LEVEL.includes(p));
    const creates = op.permissions.includes('s3:CreateBucket');
    return examples.map((example, i): Case => {
      // A bucket-level example acts on a scratch bucket: absent before a create, seeded before anything else.
      const bucket = bucketLevel ? `lane-scratch-${op.name.replace(/_/g, '-')}-${i}` : EXAMPLE_BUCKET;
      const input =
        bucketLevel && 'bucket' in example ? { ...structuredClone(example), bucket } : structuredClone(example);
      return {
        id: `${op.name}#${i}`,
        row: `${op.name}, example ${i + 1}${options(example)}`,
        bucket,
        async prepare(ctx) {
          if (bucketLevel) await dropBucket(ctx.raw, bucket);
          if (creates) return;
          if (bucketLevel) await ctx.raw.send(new CreateBucketCommand({ Bucket: bucket }));
          await emptyBucket(ctx.raw, bucket);
          // A bucket to delete is empty, unless the example asks to empty it first.
          if (op.permissions.includes('s3:DeleteBucket') && example.emptyFirst !== true) return;
          for (const [key, body] of Object.entries(SEED)) await putRaw(ctx.raw, bucket, key, body);
        },
        async run(ctx) {
          if (needsSqs(op)) throw new Error(`${op.name} needs SQS, which an S3 server does not serve`);
          await ctx.ok(op.name, structuredClone(input));
        },
        ...(bucketLevel ? { cleanup: (ctx: CaseContext) => dropBucket(ctx.raw, bucket) } : {}),
      };
    });
  });
}

/** The hand-picked checks: bytes, listings, conditions, capabilities and errors. */
export const CHECKS: Case[] = [
  {
    id: 'text:odd-key',
    row: 'put_object_text / get_object as text / head_object (metadata, an odd key)',
    bucket: BYTES_BUCKET,
    async run(ctx) {
      const content = 'Grüße, 世界 ✓\nline two\n';
      const put = await ctx.ok('put_object_text', {
        bucket: BYTES_BUCKET,
        key: ODD_KEY,
        content,
        contentType: 'text/plain; charset=utf-8',
        metadata: { stage: 'lane', 'x-two': 'b' },
      });
      expect(put.etag).toBe(`"${md5(content)}"`);
      expect((await rawBytes(ctx.raw, BYTES_BUCKET, ODD_KEY)).toString('utf8')).toBe(content);
      const got = await ctx.ok('get_object', { bucket: BYTES_BUCKET, key: ODD_KEY, as: 'text' });
      expect(got.text).toBe(content);
      const head = await ctx.ok('head_object', { bucket: BYTES_BUCKET, key: ODD_KEY });
      expect(head).toMatchObject({
        key: ODD_KEY,
        contentLength: Buffer.byteLength(content),
        metadata: { stage: 'lane', 'x-two': 'b' },
      });
      const listed = await ctx.ok('list_objects', { bucket: BYTES_BUCKET, prefix: 'odd dir/' });
      expect(listed.objects.map((o: Out) => o.key)).toEqual([ODD_KEY]);
    },
  },
  {
    id: 'base64:binary',
    row: 'put_object_file (data: URL) / get_object as base64 (binary bytes)',
    bucket: BYTES_BUCKET,
    async run(ctx) {
      const bytes = randomBytes(64 * 1024);
      await ctx.ok('put_object_file', {
        bucket: BYTES_BUCKET,
        key: 'bin/random.bin',
        file: { url: `data:application/octet-stream;base64,${bytes.toString('base64')}`, name: 'random.bin' },
      });
      expect(md5(await rawBytes(ctx.raw, BYTES_BUCKET, 'bin/random.bin'))).toBe(md5(bytes));
      const got = await ctx.ok('get_object', { bucket: BYTES_BUCKET, key: 'bin/random.bin', as: 'base64' });
      expect(got.base64).toBe(bytes.toString('base64'));
    },
  },
  {
    id: 'range',
    row: 'get_object with range',
    bucket: BYTES_BUCKET,
    async run(ctx) {
      const bytes = randomBytes(4096);
      await putRaw(ctx.raw, BYTES_BUCKET, 'bin/ranged.bin', bytes, 'application/octet-stream');
      const got = await ctx.ok('get_object', {
        bucket: BYTES_BUCKET,
        key: 'bin/ranged.bin',
        as: 'base64',
        range: 'bytes=100-1123',
      });
      expect(Buffer.from(got.base64, 'base64').equals(bytes.subarray(100, 1124))).toBe(true);
      expect(got).toMatchObject({ contentLength: 1024, contentRange: 'bytes 100-1123/4096' });
    },
  },
  {
    id: 'multipart:24MiB',
    row: 'put_object_file multipart (24 MiB, 3 parts) / get_object as a file',
    bucket: BYTES_BUCKET,
    async run(ctx) {
      const bytes = randomBytes(24 * MiB);
      const url = await inFileStore(ctx, bytes, 'big.bin');
      const put = await ctx.ok('put_object_file', {
        bucket: BYTES_BUCKET,
        key: 'big/big.bin',
        file: { url, name: 'big.bin' },
        partSizeMb: 8,
      });
      expect(put).toMatchObject({ size: 24 * MiB, parts: 3 });
      expect(md5(await rawBytes(ctx.raw, BYTES_BUCKET, 'big/big.bin'))).toBe(md5(bytes));
      const got = await ctx.ok('get_object', { bucket: BYTES_BUCKET, key: 'big/big.bin' });
      const back = await readFile(new URL(got.file.url));
      expect(back.length).toBe(bytes.length);
      expect(md5(back)).toBe(md5(bytes));
    },
  },
  {
    id: 'list:paging',
    row: 'list_objects (1,050 keys over pages, limit and continuation, folders) / list_objects_ddl',
    bucket: LIST_BUCKET,
    async prepare(ctx) {
      await emptyBucket(ctx.raw, LIST_BUCKET);
      const keys = Array.from({ length: 1050 }, (_, i) => `many/k-${String(i).padStart(5, '0')}`);
      for (let i = 0; i < keys.length; i += 25)
        await Promise.all(keys.slice(i, i + 25).map((k) => putRaw(ctx.raw, LIST_BUCKET, k, k)));
      await putRaw(ctx.raw, LIST_BUCKET, 'top/a/1.txt', 'x');
      await putRaw(ctx.raw, LIST_BUCKET, 'top/b/2.txt', 'x');
      await putRaw(ctx.raw, LIST_BUCKET, 'top/3.txt', 'x');
    },
    async run(ctx) {
      const all = await ctx.ok('list_objects', { bucket: LIST_BUCKET, prefix: 'many/', limit: 5000 });
      expect(all.count).toBe(1050);
      const keys = all.objects.map((o: Out) => o.key);
      expect(keys).toEqual([...keys].sort());
      expect(new Set(keys).size).toBe(1050);
      const first = await ctx.ok('list_objects', { bucket: LIST_BUCKET, prefix: 'many/', limit: 400, pageSize: 150 });
      expect(first.count).toBe(400);
      expect(first.nextContinuationToken).toBeTruthy();
      const rest = await ctx.ok('list_objects', {
        bucket: LIST_BUCKET,
        prefix: 'many/',
        limit: 5000,
        continuationToken: first.nextContinuationToken,
      });
      expect([...first.objects, ...rest.objects].map((o: Out) => o.key)).toEqual(keys);
      const folders = await ctx.ok('list_objects', { bucket: LIST_BUCKET, prefix: 'top/', delimiter: '/' });
      expect(folders.objects.map((o: Out) => o.key)).toEqual(['top/3.txt']);
      expect(folders.folders).toEqual(['top/a/', 'top/b/']);
      const ddl = await ctx.ok('list_objects_ddl', { bucket: LIST_BUCKET, search: 'top/' });
      expect(ddl.options.length).toBeGreaterThan(0);
    },
  },
  {
    id: 'delete:bulk',
    row: 'delete_objects (1,050 keys in batches)',
    bucket: LIST_BUCKET,
    async run(ctx) {
      const before = Object.keys(await snapshot(ctx.raw, LIST_BUCKET)).filter((k) => k.startsWith('many/'));
      if (before.length !== 1050) throw new Error(`the listing case left ${before.length} keys, not 1050`);
      const out = await ctx.ok('delete_objects', { bucket: LIST_BUCKET, objects: before.map((key) => ({ key })) });
      expect(out.counts).toMatchObject({ deleted: 1050, failed: 0 });
      expect(Object.keys(await snapshot(ctx.raw, LIST_BUCKET)).filter((k) => k.startsWith('many/'))).toEqual([]);
    },
  },
  {
    id: 'signed-url:get-put',
    row: 'get_object_signed_url (GET and PUT, used by plain HTTP)',
    bucket: BYTES_BUCKET,
    async run(ctx) {
      const body = `signed ${randomBytes(8).toString('hex')}`;
      const put = await ctx.ok('get_object_signed_url', {
        bucket: BYTES_BUCKET,
        key: 'signed/odd name+1.txt',
        method: 'PUT',
        contentType: 'text/plain',
        expiresIn: 600,
      });
      const res = await fetch(put.url, { method: 'PUT', body, headers: put.headers });
      expect(res.status, await res.text()).toBe(200);
      expect((await rawBytes(ctx.raw, BYTES_BUCKET, 'signed/odd name+1.txt')).toString()).toBe(body);
      const get = await ctx.ok('get_object_signed_url', {
        bucket: BYTES_BUCKET,
        key: 'signed/odd name+1.txt',
        expiresIn: 600,
      });
      const back = await fetch(get.url);
      expect(back.status).toBe(200);
      expect(await back.text()).toBe(body);
    },
  },
  {
    id: 'tags:on-put',
    row: 'put_object_text with tags (read back with GetObjectTagging)',
    bucket: BYTES_BUCKET,
    async run(ctx) {
      await ctx.ok('put_object_text', {
        bucket: BYTES_BUCKET,
        key: 'tags/tagged.txt',
        content: 'tagged',
        tags: { team: 'lane', year: '2026' },
      });
      const tags = await ctx.raw.send(new GetObjectTaggingCommand({ Bucket: BYTES_BUCKET, Key: 'tags/tagged.txt' }));
      expect(Object.fromEntries((tags.TagSet ?? []).map((t) => [t.Key, t.Value]))).toEqual({
        team: 'lane',
        year: '2026',
      });
    },
  },
  {
    id: 'conditional:if-none-match',
    row: 'put_object_text with ifNoneMatch "*" on an existing key',
    bucket: BYTES_BUCKET,
    async prepare(ctx) {
      await putRaw(ctx.raw, BYTES_BUCKET, 'cond/exists.txt', 'first');
    },
    async run(ctx) {
      const res = await ctx.invoke('put_object_text', {
        bucket: BYTES_BUCKET,
        key: 'cond/exists.txt',
        content: 'second',
        ifNoneMatch: '*',
      });
      if (!res.ok && res.error.type !== 'precondition_failed') throw new Refused('put_object_text', res.error);
      expect(res.ok, 'the store overwrote an existing key despite If-None-Match: *').toBe(false);
      expect((await rawBytes(ctx.raw, BYTES_BUCKET, 'cond/exists.txt')).toString()).toBe('first');
    },
  },
  {
    id: 'sse:aes256',
    row: 'put_object_text with serverSideEncryption AES256',
    bucket: BYTES_BUCKET,
    async run(ctx) {
      const out = await ctx.ok('put_object_text', {
        bucket: BYTES_BUCKET,
        key: 'sse/enc.txt',
        content: 'secret',
        serverSideEncryption: 'AES256',
      });
      expect(out.serverSideEncryption).toBe('AES256');
    },
  },
  {
    id: 'acl:on-put',
    row: 'put_object_text with acl public-read',
    bucket: BYTES_BUCKET,
    async run(ctx) {
      await ctx.ok('put_object_text', {
        bucket: BYTES_BUCKET,
        key: 'acl/public.txt',
        content: 'public',
        acl: 'public-read',
      });
      const acl = await ctx.ok('get_object_acl', { bucket: BYTES_BUCKET, key: 'acl/public.txt' });
      expect(acl.grants).toContainEqual({
        grantee: { type: 'group', uri: 'http://acs.amazonaws.com/groups/global/AllUsers' },
        permission: 'READ',
      });
    },
  },
  {
    id: 'acl:read-and-write-back',
    row: 'get_object_acl, its grants written back with put_object_acl',
    bucket: BYTES_BUCKET,
    async prepare(ctx) {
      await putRaw(ctx.raw, BYTES_BUCKET, 'acl/own.txt', 'mine');
    },
    async run(ctx) {
      const acl = await ctx.ok('get_object_acl', { bucket: BYTES_BUCKET, key: 'acl/own.txt' });
      expect(acl.grants.length).toBeGreaterThan(0);
      await ctx.ok('put_object_acl', { bucket: BYTES_BUCKET, key: 'acl/own.txt', grants: acl.grants });
    },
  },
  {
    id: 'capabilities:probe',
    row: 'testConnection with a bucket: the capability probe (and what it leaves)',
    bucket: BYTES_BUCKET,
    async run(ctx) {
      const res = await ctx.connector.testConnection(ctx.connection(), { bucket: BYTES_BUCKET });
      if (!res.ok) throw new Refused('testConnection', res.error);
      expect(res.output.capabilities).toEqual(ctx.provider.capabilities);
      expect(
        Object.keys(await snapshot(ctx.raw, BYTES_BUCKET)).filter((k) => k.startsWith(CAPABILITY_PROBE_PREFIX)),
      ).toEqual([]);
      const root = await ctx.ok('list_objects', { bucket: BYTES_BUCKET, delimiter: '/' });
      expect(root.folders, "the probe's scratch prefix shows as a folder").not.toContain(CAPABILITY_PROBE_PREFIX);
    },
  },
  {
    id: 'errors:not-found',
    row: 'a missing key and a missing bucket: not_found',
    bucket: BYTES_BUCKET,
    async run(ctx) {
      for (const [op, input] of [
        ['head_object', { bucket: BYTES_BUCKET, key: 'missing/nothing.txt' }],
        ['get_object', { bucket: BYTES_BUCKET, key: 'missing/nothing.txt', as: 'text' }],
        ['list_objects', { bucket: 'lane-no-such-bucket' }],
      ] as const) {
        const res = await ctx.invoke(op, input);
        expect(res.ok, op).toBe(false);
        if (!res.ok) expect(res.error.type, `${op}: ${res.error.message}`).toBe('not_found');
      }
    },
  },
  {
    id: 'errors:wrong-secret',
    row: 'a wrong secret key: auth',
    bucket: BYTES_BUCKET,
    async run(ctx) {
      const conn = ctx.connection({
        credentials: {
          type: 'accessKey',
          accessKeyId: ctx.store.accessKeyId,
          secretAccessKey: 'wrong-secret-0123456789',
        },
      });
      const res = await ctx.invoke('list_buckets', {}, conn);
      expect(res.ok, 'the store accepted a wrong signature').toBe(false);
      if (!res.ok) {
        expect(res.error.type, res.error.message).toBe('auth');
        expect(res.error.message).not.toMatch(/grant the IAM action/i);
      }
    },
  },
  {
    id: 'errors:wrong-region',
    row: 'the wrong region on the connection: region_mismatch naming the real one (head_object, get_object)',
    bucket: BYTES_BUCKET,
    async prepare(ctx) {
      await putRaw(ctx.raw, BYTES_BUCKET, 'region/here.txt', 'here');
    },
    async run(ctx) {
      const wrong = ctx.store.region === 'eu-west-3' ? 'ap-south-1' : 'eu-west-3';
      const answered: string[] = [];
      for (const op of ['head_object', 'get_object']) {
        const res = await ctx.invoke(
          op,
          { bucket: BYTES_BUCKET, key: 'region/here.txt', ...(op === 'get_object' ? { as: 'text' } : {}) },
          ctx.connection({ region: wrong }),
        );
        if (res.ok) {
          answered.push(op);
          continue;
        }
        expect(res.error, `${op}: ${res.error.message}`).toMatchObject({
          type: 'region_mismatch',
          details: { bucketRegion: ctx.store.region },
        });
        expect(res.error.message).toContain(`is in region ${ctx.store.region}`);
      }
      // A store that does not check the region answers both (the provider file says `ignored`).
      if (answered.length) throw new Ignored(`${answered.join(' and ')} answered with the connection set to ${wrong}`);
    },
  },
];
