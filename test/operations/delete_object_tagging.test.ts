// delete_object_tagging against moto, with the aws cli reading back: every tag goes, the object
// stays; one version only; misses and bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aws,
  awsJson,
  fakeStore,
  invoke,
  motoConnection,
  s3ErrorXml,
  uniqueBucket,
  type FakeStore,
} from '../support/helpers.js';

const bucket = uniqueBucket('dot');

async function cliTags(where: string, key: string, versionId?: string): Promise<Record<string, string>> {
  const out = await awsJson<{ TagSet: { Key: string; Value: string }[] }>([
    's3api',
    'get-object-tagging',
    '--bucket',
    where,
    '--key',
    key,
    ...(versionId ? ['--version-id', versionId] : []),
  ]);
  return Object.fromEntries(out.TagSet.map((t) => [t.Key, t.Value]));
}

let store: FakeStore;
beforeAll(async () => {
  store = await fakeStore((_req, res) => res.writeHead(500).end());
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
});
afterAll(() => store.close());

describe('delete_object_tagging', () => {
  it('removes every tag and leaves the object as it was', async () => {
    await aws([
      's3api',
      'put-object',
      '--bucket',
      bucket,
      '--key',
      'a.txt',
      '--tagging',
      'team=ops&year=2026',
      '--content-type',
      'text/plain',
    ]);
    const before = await awsJson<{ ETag: string }>(['s3api', 'head-object', '--bucket', bucket, '--key', 'a.txt']);
    expect(await cliTags(bucket, 'a.txt')).toEqual({ team: 'ops', year: '2026' });
    const res = await invoke('delete_object_tagging', { bucket, key: 'a.txt' });
    expect(res).toEqual({ ok: true, output: { bucket, key: 'a.txt' } });
    expect(await cliTags(bucket, 'a.txt')).toEqual({});
    const after = await awsJson<{ ETag: string; ContentType: string }>([
      's3api',
      'head-object',
      '--bucket',
      bucket,
      '--key',
      'a.txt',
    ]);
    expect(after).toMatchObject({ ETag: before.ETag, ContentType: 'text/plain' });
    // Again: nothing left to remove is still a success.
    expect(await invoke('delete_object_tagging', { bucket, key: 'a.txt' })).toMatchObject({ ok: true });
  });

  it('removes the tags of the version asked for only', async () => {
    const versioned = uniqueBucket('dotv');
    await aws(['s3api', 'create-bucket', '--bucket', versioned]);
    await aws([
      's3api',
      'put-bucket-versioning',
      '--bucket',
      versioned,
      '--versioning-configuration',
      'Status=Enabled',
    ]);
    const v1 = (
      await awsJson<{ VersionId: string }>([
        's3api',
        'put-object',
        '--bucket',
        versioned,
        '--key',
        'k',
        '--tagging',
        'stage=draft',
      ])
    ).VersionId;
    const v2 = (
      await awsJson<{ VersionId: string }>([
        's3api',
        'put-object',
        '--bucket',
        versioned,
        '--key',
        'k',
        '--tagging',
        'stage=final',
      ])
    ).VersionId;
    const res = await invoke('delete_object_tagging', { bucket: versioned, key: 'k', versionId: v1 });
    expect(res).toEqual({ ok: true, output: { bucket: versioned, key: 'k', versionId: v1 } });
    expect(await cliTags(versioned, 'k', v1)).toEqual({});
    expect(await cliTags(versioned, 'k', v2)).toEqual({ stage: 'final' });
  });

  it('reports a missing object and a missing bucket as not_found', async () => {
    // moto 5.2.5 fails with HTTP 500 on a missing key here: a stand-in answers as S3 does.
    const s3 = await fakeStore((_req, res) =>
      res
        .writeHead(404, { 'content-type': 'application/xml' })
        .end(s3ErrorXml('NoSuchKey', 'The specified key does not exist.')),
    );
    try {
      const res = await invoke(
        'delete_object_tagging',
        { bucket, key: 'missing.txt' },
        { connection: motoConnection({ endpoint: s3.endpoint }) },
      );
      expect(res).toMatchObject({ ok: false, error: { type: 'not_found', code: 'NoSuchKey', status: 404 } });
      expect(res.ok ? '' : res.error.message).toContain('missing.txt');
      expect(s3.requests.map((r) => `${r.method} ${r.url}`)).toEqual([`DELETE /${bucket}/missing.txt?tagging=`]);
    } finally {
      await s3.close();
    }
    expect(await invoke('delete_object_tagging', { bucket: uniqueBucket('gone'), key: 'k' })).toMatchObject({
      ok: false,
      error: { type: 'not_found', code: 'NoSuchBucket' },
    });
  });

  it.each([
    [{}, 'key', /is required/],
    [{ key: 'k', versionId: '' }, 'versionId', /must not be empty/],
    [{ key: 'k', tags: { a: '1' } }, 'tags', /not a known field/],
  ])('rejects %j before any request', async (extra, field, words) => {
    const before = store.requests.length;
    const res = await invoke(
      'delete_object_tagging',
      { bucket, ...extra },
      { connection: motoConnection({ endpoint: store.endpoint }) },
    );
    expect(res.ok ? null : res.error.type).toBe('user_input');
    const problems = (res.ok ? [] : res.error.details?.problems) as { field: string; message: string }[];
    expect(problems.find((p) => p.field === field)?.message).toMatch(words);
    expect(store.requests.length).toBe(before);
  });
});
