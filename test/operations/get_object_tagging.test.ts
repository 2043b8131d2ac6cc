// get_object_tagging against moto: the tags the aws cli wrote (on an object, and on one version
// of it), the connector reads; a store that ignores the version; misses and bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GetObjectTaggingOutput } from '../../src/generated/types.js';
import { aws, awsJson, fakeStore, invoke, motoConnection, uniqueBucket, type FakeStore } from '../support/helpers.js';

const bucket = uniqueBucket('got');
const versioned = uniqueBucket('gotv');
const key = 'reports/2026/summary.csv';
const tagging = (tags: Record<string, string>) =>
  JSON.stringify({ TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) });
let v1 = '';
let v2 = '';

let store: FakeStore;
beforeAll(async () => {
  store = await fakeStore((_req, res) => {
    // Answers every tagging read about version "current", whatever version was asked for.
    res
      .writeHead(200, { 'content-type': 'application/xml', 'x-amz-version-id': 'current' })
      .end(
        '<?xml version="1.0" encoding="UTF-8"?><Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet></Tagging>',
      );
  });
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  await aws(['s3api', 'put-object', '--bucket', bucket, '--key', key]);
  await aws([
    's3api',
    'put-object-tagging',
    '--bucket',
    bucket,
    '--key',
    key,
    '--tagging',
    tagging({ team: 'finance', 'cost centre': 'a/b=c+d@e', year: '2026' }),
  ]);
  await aws(['s3api', 'put-object', '--bucket', bucket, '--key', 'untagged.txt']);

  await aws(['s3api', 'create-bucket', '--bucket', versioned]);
  await aws(['s3api', 'put-bucket-versioning', '--bucket', versioned, '--versioning-configuration', 'Status=Enabled']);
  v1 = (
    await awsJson<{ VersionId: string }>([
      's3api',
      'put-object',
      '--bucket',
      versioned,
      '--key',
      key,
      '--tagging',
      'stage=draft',
    ])
  ).VersionId;
  v2 = (
    await awsJson<{ VersionId: string }>([
      's3api',
      'put-object',
      '--bucket',
      versioned,
      '--key',
      key,
      '--tagging',
      'stage=final&by=me',
    ])
  ).VersionId;
});
afterAll(() => store.close());

async function get(input: Record<string, unknown>): Promise<GetObjectTaggingOutput> {
  const res = await invoke<GetObjectTaggingOutput>('get_object_tagging', input);
  if (!res.ok) throw new Error(`${res.error.type}: ${res.error.message}`);
  return res.output;
}

describe('get_object_tagging', () => {
  it('reads the tags the aws cli wrote, the same set the cli reads back', async () => {
    const out = await get({ bucket, key });
    expect(out).toEqual({ bucket, key, tags: { team: 'finance', 'cost centre': 'a/b=c+d@e', year: '2026' }, count: 3 });
    const cli = await awsJson<{ TagSet: { Key: string; Value: string }[] }>([
      's3api',
      'get-object-tagging',
      '--bucket',
      bucket,
      '--key',
      key,
    ]);
    expect(out.tags).toEqual(Object.fromEntries(cli.TagSet.map((t) => [t.Key, t.Value])));
  });

  it('answers an empty map for an object without tags', async () => {
    expect(await get({ bucket, key: 'untagged.txt' })).toEqual({ bucket, key: 'untagged.txt', tags: {}, count: 0 });
  });

  it('reads the tags of the version asked for, and the latest version without one', async () => {
    expect(await get({ bucket: versioned, key, versionId: v1 })).toEqual({
      bucket: versioned,
      key,
      versionId: v1,
      tags: { stage: 'draft' },
      count: 1,
    });
    expect(await get({ bucket: versioned, key })).toEqual({
      bucket: versioned,
      key,
      versionId: v2,
      tags: { stage: 'final', by: 'me' },
      count: 2,
    });
  });

  it('refuses the answer of a store that ignores the version asked for', async () => {
    const res = await invoke(
      'get_object_tagging',
      { bucket, key, versionId: 'v-old' },
      { connection: motoConnection({ endpoint: store.endpoint }) },
    );
    expect(res.ok ? null : res.error).toMatchObject({ type: 'unsupported', code: 'VersionIdIgnored' });
    expect(store.requests.at(-1)?.url).toContain('versionId=v-old');
    // The same store, asked without a version, is simply answered.
    const plain = await invoke(
      'get_object_tagging',
      { bucket, key },
      { connection: motoConnection({ endpoint: store.endpoint }) },
    );
    expect(plain).toMatchObject({ ok: true, output: { tags: { a: '1' }, versionId: 'current' } });
  });

  it('reports a missing object, version and bucket as not_found', async () => {
    expect(await invoke('get_object_tagging', { bucket, key: 'missing.txt' })).toMatchObject({
      ok: false,
      error: { type: 'not_found', code: 'NoSuchKey' },
    });
    expect(await invoke('get_object_tagging', { bucket: versioned, key, versionId: 'no-such-version' })).toMatchObject({
      ok: false,
      error: { type: 'not_found' },
    });
    expect(await invoke('get_object_tagging', { bucket: uniqueBucket('gone'), key })).toMatchObject({
      ok: false,
      error: { type: 'not_found', code: 'NoSuchBucket' },
    });
  });

  it.each([
    [{ bucket }, 'key', /is required/],
    [{ bucket, key, versionId: '' }, 'versionId', /must not be empty/],
    [{ bucket, key, tags: {} }, 'tags', /not a known field/],
  ])('rejects %j before any request', async (input, field, words) => {
    const before = store.requests.length;
    const res = await invoke('get_object_tagging', input, { connection: motoConnection({ endpoint: store.endpoint }) });
    expect(res.ok ? null : res.error.type).toBe('user_input');
    const problems = (res.ok ? [] : res.error.details?.problems) as { field: string; message: string }[];
    expect(problems.find((p) => p.field === field)?.message).toMatch(words);
    expect(store.requests.length).toBe(before);
  });
});
