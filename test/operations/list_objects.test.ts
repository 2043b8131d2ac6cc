// list_objects against moto, cross-checked with the aws cli; its filters (glob, modification
// times), sorting over the limited set, and filtered listings resumed exactly.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import listObjectsInput from '../../schemas/list_objects.input.json' with { type: 'json' };
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, MAX_LIST_PAGE_SIZE } from '../../operations/list_objects.js';
import type { ListObjectsOutput } from '../../src/generated/types.js';
import {
  aws,
  awsJson,
  fakeStore,
  motoConnection,
  testConnector,
  uniqueBucket,
  until,
  type FakeStore,
} from '../support/helpers.js';

const bucket = uniqueBucket('lo');
/** 25 keys in one folder, so that pages of 10 need three requests. */
const pageKeys = Array.from({ length: 25 }, (_, i) => `pages/item-${String(i).padStart(2, '0')}.txt`);
const treeKeys = ['tree/a/1.txt', 'tree/a/2.txt', 'tree/b/deep/3.txt', 'tree/top.txt', 'tree/z file ünïcode.txt'];

interface CliListing {
  Contents?: {
    Key: string;
    Size: number;
    ETag: string;
    LastModified: string;
    StorageClass: string;
    Owner?: { ID: string };
  }[];
  CommonPrefixes?: { Prefix: string }[];
}

let store: FakeStore;
beforeAll(async () => {
  store = await fakeStore((_req, res) => res.writeHead(500).end());
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  // The aws cli uploads a local tree: one file per key, contents of different sizes.
  const dir = await mkdtemp(join(tmpdir(), 'lo-'));
  for (const [i, key] of [...pageKeys, ...treeKeys].entries()) {
    await mkdir(dirname(join(dir, key)), { recursive: true });
    await writeFile(join(dir, key), 'x'.repeat(i));
  }
  await aws(['s3', 'cp', '--recursive', '--quiet', dir, `s3://${bucket}/`]);
  await aws(['s3api', 'put-object', '--bucket', bucket, '--key', 'cold/archive.bin', '--storage-class', 'STANDARD_IA']);
});
afterAll(() => store.close());

async function list(input: Record<string, unknown>): Promise<ListObjectsOutput> {
  const c = await testConnector();
  const res = await c.invoke<ListObjectsOutput>('list_objects', input, { connection: motoConnection() });
  if (!res.ok) throw new Error(`${res.error.type}: ${res.error.message}`);
  return res.output;
}

describe('list_objects', () => {
  it('declares in its schema the limits the handler uses', () => {
    expect(listObjectsInput.properties.limit.default).toBe(DEFAULT_LIST_LIMIT);
    expect(listObjectsInput.properties.limit.maximum).toBe(MAX_LIST_LIMIT);
    expect(listObjectsInput.properties.pageSize.maximum).toBe(MAX_LIST_PAGE_SIZE);
  });

  it('lists what the aws cli wrote, with the same sizes, ETags, dates and classes as its own listing', async () => {
    const out = await list({ bucket });
    const cli = await awsJson<CliListing>(['s3api', 'list-objects-v2', '--bucket', bucket]);
    expect(out.count).toBe(31);
    expect(out.folders).toEqual([]);
    expect(out).not.toHaveProperty('nextContinuationToken');
    expect(out.objects).toEqual(
      cli.Contents!.map((o) => ({
        key: o.Key,
        size: o.Size,
        etag: o.ETag,
        lastModified: new Date(o.LastModified).toISOString(),
        storageClass: o.StorageClass,
      })),
    );
    expect(out.objects.find((o) => o.key === 'cold/archive.bin')?.storageClass).toBe('STANDARD_IA');
    expect(out.objects.find((o) => o.key === 'pages/item-03.txt')?.size).toBe(3);
    expect(out.objects.map((o) => o.key)).toContain('tree/z file ünïcode.txt');
  });

  it('follows pages up to the limit and resumes exactly where it stopped', async () => {
    // 25 keys, 10 per page: the limit stops mid-page, the token picks up from key 16.
    const first = await list({ bucket, prefix: 'pages/', pageSize: 10, limit: 15 });
    expect(first.objects.map((o) => o.key)).toEqual(pageKeys.slice(0, 15));
    expect(first.nextContinuationToken).toEqual(expect.any(String));
    const rest = await list({ bucket, prefix: 'pages/', pageSize: 10, continuationToken: first.nextContinuationToken });
    expect(rest.objects.map((o) => o.key)).toEqual(pageKeys.slice(15));
    expect(rest).not.toHaveProperty('nextContinuationToken');
  });

  it('follows every page when the limit allows (three pages of at most 10)', async () => {
    const all = await list({ bucket, prefix: 'pages/', pageSize: 10 });
    expect(all.count).toBe(25);
    expect(all.objects.map((o) => o.key)).toEqual(pageKeys);
    expect(all).not.toHaveProperty('nextContinuationToken');
  });

  it('walks a listing one small call at a time with the token', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let calls = 0;
    do {
      const page = await list({ bucket, prefix: 'pages/', limit: 7, ...(token ? { continuationToken: token } : {}) });
      expect(page.count).toBeLessThanOrEqual(7);
      seen.push(...page.objects.map((o) => o.key));
      token = page.nextContinuationToken;
      calls++;
    } while (token);
    expect(calls).toBe(4);
    expect(seen).toEqual(pageKeys);
  });

  it('starts after a key', async () => {
    const out = await list({ bucket, prefix: 'pages/', startAfter: 'pages/item-21.txt' });
    expect(out.objects.map((o) => o.key)).toEqual(pageKeys.slice(22));
  });

  it('groups keys into folders with a delimiter, as the aws cli sees them', async () => {
    const out = await list({ bucket, prefix: 'tree/', delimiter: '/' });
    expect(out.objects.map((o) => o.key)).toEqual(['tree/top.txt', 'tree/z file ünïcode.txt']);
    expect(out.folders).toEqual(['tree/a/', 'tree/b/']);
    expect(out).toMatchObject({ prefix: 'tree/', delimiter: '/', count: 2 });
    const cli = await awsJson<CliListing>([
      's3api',
      'list-objects-v2',
      '--bucket',
      bucket,
      '--prefix',
      'tree/',
      '--delimiter',
      '/',
    ]);
    expect(out.folders).toEqual(cli.CommonPrefixes!.map((p) => p.Prefix));

    const root = await list({ bucket, delimiter: '/' });
    expect(root.objects).toEqual([]);
    expect(root.folders).toEqual(['cold/', 'pages/', 'tree/']);
  });

  it('counts folders towards the limit, as S3 counts them towards a page', async () => {
    const out = await list({ bucket, prefix: 'tree/', delimiter: '/', limit: 3 });
    expect([...out.folders, ...out.objects.map((o) => o.key)].sort()).toEqual(['tree/a/', 'tree/b/', 'tree/top.txt']);
    const rest = await list({ bucket, prefix: 'tree/', delimiter: '/', continuationToken: out.nextContinuationToken });
    expect(rest.objects.map((o) => o.key)).toEqual(['tree/z file ünïcode.txt']);
    expect(rest.folders).toEqual([]);
  });

  it('returns owners only when asked, the same owner the aws cli sees', async () => {
    const plain = await list({ bucket, prefix: 'tree/a/' });
    expect(plain.objects[0]).not.toHaveProperty('owner');
    const withOwner = await list({ bucket, prefix: 'tree/a/', fetchOwner: true });
    const cli = await awsJson<CliListing>([
      's3api',
      'list-objects-v2',
      '--bucket',
      bucket,
      '--prefix',
      'tree/a/',
      '--fetch-owner',
    ]);
    expect(withOwner.objects.map((o) => o.owner?.id)).toEqual(cli.Contents!.map((o) => o.Owner!.ID));
    expect(withOwner.objects[0]!.owner?.id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers an empty listing for a prefix that matches nothing', async () => {
    const out = await list({ bucket, prefix: 'nothing-here/' });
    expect(out).toEqual({ bucket, prefix: 'nothing-here/', objects: [], folders: [], count: 0 });
  });

  it('reports a missing bucket as not_found', async () => {
    const c = await testConnector();
    const res = await c.invoke('list_objects', { bucket: uniqueBucket('gone') }, { connection: motoConnection() });
    expect(res.ok ? null : res.error).toMatchObject({ type: 'not_found', code: 'NoSuchBucket', status: 404 });
  });

  it.each([
    [{ pageSize: 1001 }, 'pageSize', /at most 1000|<= 1000/],
    [{ limit: 0 }, 'limit', />= 1/],
    [{ limit: MAX_LIST_LIMIT + 1 }, 'limit', /<= 100000/],
    [{ delimiter: '' }, 'delimiter', /must not be empty/],
  ])('rejects %j before any request', async (extra, field, words) => {
    const c = await testConnector();
    const before = store.requests.length;
    const res = await c.invoke(
      'list_objects',
      { bucket, ...extra },
      { connection: motoConnection({ endpoint: store.endpoint }) },
    );
    expect(res.ok ? null : res.error.type).toBe('user_input');
    const problems = (res.ok ? [] : res.error.details?.problems) as { field: string; message: string }[];
    expect(problems.find((p) => p.field === field)?.message).toMatch(words);
    expect(store.requests.length).toBe(before);
  });
});

describe('list_objects filters and sorting', () => {
  const keysOf = (out: ListObjectsOutput) => out.objects.map((o) => o.key);

  /** Every entry of a listing walked call by call: objects and folders, in the order met, and the calls made. */
  async function walk(input: Record<string, unknown>): Promise<{ entries: string[]; calls: number }> {
    const entries: string[] = [];
    let token: string | undefined;
    let calls = 0;
    do {
      const page = await list({ ...input, ...(token ? { continuationToken: token } : {}) });
      entries.push(...page.folders, ...keysOf(page));
      token = page.nextContinuationToken;
      calls++;
    } while (token && calls < 100);
    return { entries, calls };
  }

  it('keeps the keys a glob matches: * within a folder, ** across folders (none too), ? one character', async () => {
    expect(keysOf(await list({ bucket, glob: 'tree/*/1.txt' }))).toEqual(['tree/a/1.txt']);
    expect(keysOf(await list({ bucket, glob: 'tree/**/*.txt' }))).toEqual(
      treeKeys.slice().sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))),
    );
    expect(keysOf(await list({ bucket, glob: 'tree/*.txt' }))).toEqual(['tree/top.txt', 'tree/z file ünïcode.txt']);
    expect(keysOf(await list({ bucket, glob: 'pages/item-0?.txt' }))).toEqual(pageKeys.slice(0, 10));
    expect(keysOf(await list({ bucket, glob: 'tree/z file ünïcode.txt' }))).toEqual(['tree/z file ünïcode.txt']);
    expect(keysOf(await list({ bucket, glob: '**/?.txt' }))).toEqual([
      'tree/a/1.txt',
      'tree/a/2.txt',
      'tree/b/deep/3.txt',
    ]);
  });

  it("narrows the listing by the glob's text before its first wildcard, and answers a glob outside the prefix with one request", async () => {
    const out = await list({ bucket, glob: 'pages/item-1*' });
    expect(out).toMatchObject({ count: 10, scanned: 10 }); // only pages/item-1… were listed
    const none = await list({ bucket, prefix: 'pages/', glob: 'tree/*' });
    expect(none).toMatchObject({ objects: [], count: 0 });
    expect(none.scanned).toBeLessThanOrEqual(1);
  });

  it('resumes a filtered listing exactly after the last key looked at, each match once', async () => {
    const { entries, calls } = await walk({ bucket, glob: 'pages/*-1?.txt', pageSize: 4, limit: 3 });
    expect(entries).toEqual(pageKeys.slice(10, 20));
    expect(calls).toBe(4);
  });

  it('stops at maxScanned keys with a token to go on, even without a match yet', async () => {
    const first = await list({ bucket, prefix: 'pages/', glob: '*/item-2?.txt', maxScanned: 5, pageSize: 3 });
    expect(first).toMatchObject({ objects: [], count: 0, scanned: 5, nextContinuationToken: expect.any(String) });
    const { entries, calls } = await walk({
      bucket,
      prefix: 'pages/',
      glob: '*/item-2?.txt',
      maxScanned: 5,
      pageSize: 3,
    });
    expect(entries).toEqual(pageKeys.slice(20));
    expect(calls).toBe(5); // 25 keys, 5 a call
  });

  it('resumes past a folder kept at the limit, without listing it again', async () => {
    const { entries } = await walk({
      bucket,
      prefix: 'tree/',
      delimiter: '/',
      modifiedAfter: '2000-01-01T00:00:00Z',
      limit: 1,
    });
    expect(entries).toEqual(['tree/a/', 'tree/b/', 'tree/top.txt', 'tree/z file ünïcode.txt']);
  });

  it('resumes past a folder on a store that groups keys after StartAfter into that folder again, as S3 does', async () => {
    // A stand-in listing with S3's rules: keys after StartAfter (or the token), grouped by the
    // delimiter, MaxKeys entries a page. moto leaves a folder out when StartAfter is its prefix.
    const keys = ['tree/a/1.txt', 'tree/a/2.txt', 'tree/b/3.txt', 'tree/top.txt'];
    const s3like = await fakeStore((req, res) => {
      const q = new URL(req.url ?? '/', 'http://x').searchParams;
      const prefix = q.get('prefix') ?? '';
      const after = q.get('continuation-token') ?? q.get('start-after') ?? '';
      const max = Number(q.get('max-keys') ?? 1000);
      const entries: { key?: string; folder?: string }[] = [];
      for (const key of keys.filter(
        (k) => k.startsWith(prefix) && Buffer.compare(Buffer.from(k), Buffer.from(after)) > 0,
      )) {
        const rest = key.slice(prefix.length);
        const cut = rest.indexOf('/');
        const folder = cut >= 0 ? prefix + rest.slice(0, cut + 1) : undefined;
        if (folder) {
          if (!entries.some((e) => e.folder === folder)) entries.push({ folder });
        } else entries.push({ key });
      }
      const page = entries.slice(0, max);
      const truncated = entries.length > max;
      const lastKey = (e: { key?: string; folder?: string }) =>
        e.key ?? keys.filter((k) => k.startsWith(e.folder!)).at(-1)!;
      res
        .writeHead(200, { 'content-type': 'application/xml' })
        .end(
          `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>b</Name><Prefix>${prefix}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${truncated ? `<NextContinuationToken>${lastKey(page.at(-1)!)}</NextContinuationToken>` : ''}${page.map((e) => (e.key ? `<Contents><Key>${e.key}</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>"x"</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass></Contents>` : `<CommonPrefixes><Prefix>${e.folder}</Prefix></CommonPrefixes>`)).join('')}</ListBucketResult>`,
        );
    });
    try {
      const c = await testConnector();
      const entries: string[] = [];
      let token: string | undefined;
      do {
        const res = await c.invoke<ListObjectsOutput>(
          'list_objects',
          {
            bucket: 'any-bucket',
            prefix: 'tree/',
            delimiter: '/',
            modifiedAfter: '2000-01-01T00:00:00Z',
            limit: 1,
            ...(token ? { continuationToken: token } : {}),
          },
          { connection: motoConnection({ endpoint: s3like.endpoint }) },
        );
        if (!res.ok) throw new Error(res.error.message);
        entries.push(...res.output.folders, ...keysOf(res.output));
        token = res.output.nextContinuationToken;
      } while (token && entries.length < 10);
      expect(entries).toEqual(['tree/a/', 'tree/b/', 'tree/top.txt']);
    } finally {
      await s3like.close();
    }
  });

  it('keeps objects modified after and before a time (both exclusive), as their LastModified says', async () => {
    const timed = uniqueBucket('lot');
    await aws(['s3api', 'create-bucket', '--bucket', timed]);
    await aws(['s3api', 'put-object', '--bucket', timed, '--key', 'old.txt']);
    const oldAt = (
      await awsJson<{ LastModified: string }>(['s3api', 'head-object', '--bucket', timed, '--key', 'old.txt'])
    ).LastModified;
    // Write until the store's clock (second precision) has moved on: an event, not a sleep.
    let n = 0;
    await until(async () => {
      await aws(['s3api', 'put-object', '--bucket', timed, '--key', `new-${++n}.txt`]);
      const at = (
        await awsJson<{ LastModified: string }>(['s3api', 'head-object', '--bucket', timed, '--key', `new-${n}.txt`])
      ).LastModified;
      return Date.parse(at) > Date.parse(oldAt);
    });
    const newest = `new-${n}.txt`;
    const newAt = (
      await awsJson<{ LastModified: string }>(['s3api', 'head-object', '--bucket', timed, '--key', newest])
    ).LastModified;

    expect(keysOf(await list({ bucket: timed, modifiedAfter: new Date(oldAt).toISOString() }))).toContain(newest);
    expect(keysOf(await list({ bucket: timed, modifiedAfter: new Date(oldAt).toISOString() }))).not.toContain(
      'old.txt',
    );
    expect(keysOf(await list({ bucket: timed, modifiedBefore: new Date(newAt).toISOString() }))).toContain('old.txt');
    expect(keysOf(await list({ bucket: timed, modifiedBefore: new Date(newAt).toISOString() }))).not.toContain(newest);
    expect(keysOf(await list({ bucket: timed, modifiedAfter: new Date(newAt).toISOString() }))).toEqual([]);

    const newestFirst = await list({ bucket: timed, sort: 'lastModified', sortOrder: 'desc' });
    expect(newestFirst.objects[0]!.key).toBe(newest);
    expect(newestFirst.objects.at(-1)!.key).toBe('old.txt');
  });

  it('sorts by size, and only the objects of this call (the limited set)', async () => {
    const bySize = await list({ bucket, prefix: 'pages/', sort: 'size', sortOrder: 'desc' });
    expect(bySize.objects.map((o) => o.size)).toEqual([...Array(25).keys()].reverse());
    const limited = await list({ bucket, prefix: 'pages/', sort: 'size', sortOrder: 'desc', limit: 5 });
    expect(keysOf(limited)).toEqual(pageKeys.slice(0, 5).reverse()); // the first five keys, largest first
    const ascending = await list({ bucket, prefix: 'pages/', sort: 'size' });
    expect(keysOf(ascending)).toEqual(pageKeys);
    const keysDown = await list({ bucket, prefix: 'pages/', sortOrder: 'desc' });
    expect(keysOf(keysDown)).toEqual([...pageKeys].reverse());
  });

  it.each([
    [{ glob: '' }, 'glob', /must not be empty/],
    [{ modifiedAfter: 'yesterday' }, 'modifiedAfter', /date/],
    [{ sort: 'name' }, 'sort', /./],
    [{ sortOrder: 'down' }, 'sortOrder', /./],
    [{ maxScanned: 0 }, 'maxScanned', />= 1/],
  ])('rejects %j before any request', async (extra, field, words) => {
    const c = await testConnector();
    const before = store.requests.length;
    const res = await c.invoke(
      'list_objects',
      { bucket, ...extra },
      { connection: motoConnection({ endpoint: store.endpoint }) },
    );
    expect(res.ok ? null : res.error.type).toBe('user_input');
    const problems = (res.ok ? [] : res.error.details?.problems) as { field: string; message: string }[];
    expect(problems.find((p) => p.field === field)?.message).toMatch(words);
    expect(store.requests.length).toBe(before);
  });
});
