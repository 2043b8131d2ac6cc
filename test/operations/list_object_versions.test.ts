// list_object_versions against moto, cross-checked with the aws cli's list-object-versions: the
// versions and delete markers, the limit / pageSize model list_objects has, the markers in and out
// (a listing stopped inside one key's versions resumes there), folders, an unversioned bucket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import inputSchema from '../../schemas/list_object_versions.input.json' with { type: 'json' };
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, MAX_LIST_PAGE_SIZE } from '../../src/io/paging.js';
import type { ListObjectVersionsOutput } from '../../src/generated/types.js';
import { aws, awsJson, fakeStore, invoke, motoConnection, uniqueBucket, type FakeStore } from '../support/helpers.js';

const bucket = uniqueBucket('lov');
const plain = uniqueBucket('lovp');

interface CliVersions {
  Versions?: {
    Key: string;
    VersionId: string;
    IsLatest: boolean;
    Size: number;
    ETag: string;
    LastModified: string;
    StorageClass: string;
  }[];
  DeleteMarkers?: { Key: string; VersionId: string; IsLatest: boolean; LastModified: string }[];
  CommonPrefixes?: { Prefix: string }[];
}

let store: FakeStore;
let cli: CliVersions;
beforeAll(async () => {
  store = await fakeStore((_req, res) => res.writeHead(500).end());
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  await aws(['s3api', 'put-bucket-versioning', '--bucket', bucket, '--versioning-configuration', 'Status=Enabled']);
  // a: three versions; b: one version and a delete marker; docs/c: two versions; docs/d: one.
  for (const key of ['a', 'a', 'a', 'b', 'docs/c', 'docs/c', 'docs/d'])
    await aws(['s3api', 'put-object', '--bucket', bucket, '--key', key]);
  await aws(['s3api', 'delete-object', '--bucket', bucket, '--key', 'b']);
  cli = await awsJson<CliVersions>(['s3api', 'list-object-versions', '--bucket', bucket]);

  await aws(['s3api', 'create-bucket', '--bucket', plain]);
  await aws(['s3api', 'put-object', '--bucket', plain, '--key', 'only.txt']);
});
afterAll(() => store.close());

async function list(input: Record<string, unknown>): Promise<ListObjectVersionsOutput> {
  const res = await invoke<ListObjectVersionsOutput>('list_object_versions', input);
  if (!res.ok) throw new Error(`${res.error.type}: ${res.error.message}`);
  return res.output;
}

/** Every entry of a result as "key@version" (versions, then delete markers). */
const ids = (out: {
  versions: { key: string; versionId: string }[];
  deleteMarkers: { key: string; versionId: string }[];
}) => [...out.versions, ...out.deleteMarkers].map((v) => `${v.key}@${v.versionId}`);

describe('list_object_versions', () => {
  it('declares in its schema the limits the paging code uses', () => {
    expect(inputSchema.properties.limit.default).toBe(DEFAULT_LIST_LIMIT);
    expect(inputSchema.properties.limit.maximum).toBe(MAX_LIST_LIMIT);
    expect(inputSchema.properties.pageSize.maximum).toBe(MAX_LIST_PAGE_SIZE);
  });

  it('lists every version and delete marker, as the aws cli does', async () => {
    const out = await list({ bucket });
    expect(out.versions).toEqual(
      cli.Versions!.map((v) => ({
        key: v.Key,
        versionId: v.VersionId,
        isLatest: v.IsLatest,
        size: v.Size,
        etag: v.ETag,
        lastModified: new Date(v.LastModified).toISOString(),
        storageClass: v.StorageClass,
      })),
    );
    expect(out.deleteMarkers).toEqual(
      cli.DeleteMarkers!.map((m) => ({
        key: m.Key,
        versionId: m.VersionId,
        isLatest: m.IsLatest,
        lastModified: new Date(m.LastModified).toISOString(),
      })),
    );
    expect(out).toMatchObject({ count: 8, folders: [] });
    expect(out).not.toHaveProperty('nextKeyMarker');
    expect(out.versions.filter((v) => v.key === 'a').map((v) => v.isLatest)).toEqual([true, false, false]); // newest first
    expect(out.deleteMarkers).toEqual([expect.objectContaining({ key: 'b', isLatest: true })]);
  });

  it('stops at the limit inside a key and resumes there with both markers', async () => {
    // a has three versions: a limit of 2 stops between them.
    const first = await list({ bucket, limit: 2 });
    expect(ids(first)).toEqual(cli.Versions!.slice(0, 2).map((v) => `${v.Key}@${v.VersionId}`));
    expect(first).toMatchObject({ count: 2, nextKeyMarker: 'a', nextVersionIdMarker: cli.Versions![1]!.VersionId });
    const rest = await list({ bucket, keyMarker: first.nextKeyMarker, versionIdMarker: first.nextVersionIdMarker });
    expect(rest.count).toBe(6);
    expect([...ids(first), ...ids(rest)].sort()).toEqual(ids(await list({ bucket })).sort());
  });

  it('walks the whole listing in small calls of small pages, each entry once', async () => {
    const seen: string[] = [];
    let markers: { keyMarker?: string; versionIdMarker?: string } = {};
    let calls = 0;
    do {
      const page = await list({ bucket, limit: 3, pageSize: 2, ...markers });
      expect(page.count).toBeLessThanOrEqual(3);
      seen.push(...ids(page));
      markers = page.nextKeyMarker
        ? {
            keyMarker: page.nextKeyMarker,
            ...(page.nextVersionIdMarker ? { versionIdMarker: page.nextVersionIdMarker } : {}),
          }
        : {};
      calls++;
    } while (markers.keyMarker);
    expect(calls).toBe(3);
    expect(seen.sort()).toEqual(ids(await list({ bucket })).sort());
  });

  it('lists under a prefix, and groups folders with a delimiter, as the aws cli does', async () => {
    const docs = await list({ bucket, prefix: 'docs/' });
    expect(docs.versions.map((v) => v.key)).toEqual(['docs/c', 'docs/c', 'docs/d']);
    const root = await list({ bucket, delimiter: '/' });
    const cliRoot = await awsJson<CliVersions>([
      's3api',
      'list-object-versions',
      '--bucket',
      bucket,
      '--delimiter',
      '/',
    ]);
    expect(root.folders).toEqual(cliRoot.CommonPrefixes!.map((p) => p.Prefix));
    expect(root.folders).toEqual(['docs/']);
    expect(root.versions.map((v) => v.key)).toEqual(['a', 'a', 'a', 'b']);
  });

  it("lists an unversioned bucket's objects once each, as version null", async () => {
    const out = await list({ bucket: plain });
    expect(out.versions).toEqual([
      expect.objectContaining({ key: 'only.txt', versionId: 'null', isLatest: true, size: 0 }),
    ]);
    expect(out.deleteMarkers).toEqual([]);
  });

  it('reports a missing bucket as not_found', async () => {
    expect(await invoke('list_object_versions', { bucket: uniqueBucket('gone') })).toMatchObject({
      ok: false,
      error: { type: 'not_found', code: 'NoSuchBucket' },
    });
  });

  it.each([
    [{ versionIdMarker: 'v1' }, 'keyMarker', /required when versionIdMarker is set/],
    [{ pageSize: 1001 }, 'pageSize', /1000/],
    [{ limit: 0 }, 'limit', />= 1/],
    [{ limit: MAX_LIST_LIMIT + 1 }, 'limit', /100000/],
    [{ delimiter: '' }, 'delimiter', /must not be empty/],
    [{ continuationToken: 'x' }, 'continuationToken', /not a known field/],
  ])('rejects %j before any request', async (extra, field, words) => {
    const before = store.requests.length;
    const res = await invoke(
      'list_object_versions',
      { bucket, ...extra },
      { connection: motoConnection({ endpoint: store.endpoint }) },
    );
    expect(res.ok ? null : res.error.type).toBe('user_input');
    const problems = (res.ok ? [] : res.error.details?.problems) as { field: string; message: string }[];
    expect(problems.find((p) => p.field === field)?.message, JSON.stringify(problems)).toMatch(words);
    expect(store.requests.length).toBe(before);
  });
});
