// put_object_tagging against moto, with the aws cli reading the tags back: replace, merge (kept,
// overridden, and refused past S3's 10 with nothing changed), one version only; bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import putInput from '../../schemas/put_object_tagging.input.json' with { type: 'json' };
import defs from '../../schemas/defs.json' with { type: 'json' };
import { MAX_OBJECT_TAGS } from '../../src/io/tagging.js';
import type { PutObjectTaggingOutput } from '../../src/generated/types.js';
import { aws, awsJson, fakeStore, invoke, motoConnection, uniqueBucket, type FakeStore } from '../support/helpers.js';

const bucket = uniqueBucket('pot');
const tagging = (tags: Record<string, string>) =>
  JSON.stringify({ TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) });

async function cliTags(key: string, versionId?: string, where = bucket): Promise<Record<string, string>> {
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

/** An object the aws cli wrote with these tags. */
async function tagged(key: string, tags: Record<string, string>): Promise<void> {
  await aws(['s3api', 'put-object', '--bucket', bucket, '--key', key]);
  if (Object.keys(tags).length)
    await aws(['s3api', 'put-object-tagging', '--bucket', bucket, '--key', key, '--tagging', tagging(tags)]);
}

async function put(input: Record<string, unknown>): Promise<PutObjectTaggingOutput> {
  const res = await invoke<PutObjectTaggingOutput>('put_object_tagging', input);
  if (!res.ok) throw new Error(`${res.error.type}: ${res.error.message}`);
  return res.output;
}

let store: FakeStore;
beforeAll(async () => {
  store = await fakeStore((_req, res) => res.writeHead(500).end());
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
});
afterAll(() => store.close());

describe('put_object_tagging', () => {
  it('keeps the limit its schema declares', () => {
    expect(defs.$defs.tagSet.maxProperties).toBe(MAX_OBJECT_TAGS);
    expect(putInput.properties.tags.$ref).toBe('defs.json#/$defs/tagSet');
  });

  it('replaces every tag by default: the aws cli reads exactly the new set', async () => {
    await tagged('replace.txt', { old: '1', team: 'ops' });
    const out = await put({ bucket, key: 'replace.txt', tags: { team: 'finance', year: '2026' } });
    expect(out).toEqual({ bucket, key: 'replace.txt', tags: { team: 'finance', year: '2026' }, count: 2 });
    expect(await cliTags('replace.txt')).toEqual({ team: 'finance', year: '2026' });
  });

  it('merges: the existing tags are kept, a name given again takes the new value', async () => {
    await tagged('merge.txt', { team: 'ops', keep: 'me' });
    const out = await put({ bucket, key: 'merge.txt', tags: { team: 'finance', status: 'reviewed' }, mode: 'merge' });
    expect(out).toEqual({
      bucket,
      key: 'merge.txt',
      tags: { team: 'finance', keep: 'me', status: 'reviewed' },
      count: 3,
    });
    expect(await cliTags('merge.txt')).toEqual({ team: 'finance', keep: 'me', status: 'reviewed' });
  });

  it(`refuses a merge that would make more than ${MAX_OBJECT_TAGS} tags, and changes nothing`, async () => {
    const existing = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`t${i}`, String(i)]));
    await tagged('full.txt', existing);
    const res = await invoke('put_object_tagging', {
      bucket,
      key: 'full.txt',
      tags: { t0: 'new', x: '1', y: '2', z: '3' },
      mode: 'merge',
    });
    expect(res.ok ? null : res.error).toMatchObject({
      type: 'user_input',
      code: 'TooManyTags',
      retryable: false,
      details: { existing: 8, given: 4, merged: 11, limit: MAX_OBJECT_TAGS },
    });
    expect(res.ok ? '' : res.error.message).toMatch(/11 tags .*more than S3's 10/);
    expect(await cliTags('full.txt')).toEqual(existing);
    // Up to the limit is fine (a name given again does not count twice).
    const ok = await put({ bucket, key: 'full.txt', tags: { t0: 'new', x: '1', y: '2' }, mode: 'merge' });
    expect(ok.count).toBe(10);
    expect(await cliTags('full.txt')).toEqual({ ...existing, t0: 'new', x: '1', y: '2' });
  });

  it('tags only the version asked for', async () => {
    const versioned = uniqueBucket('potv');
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
    const res = await invoke<PutObjectTaggingOutput>('put_object_tagging', {
      bucket: versioned,
      key: 'k',
      versionId: v1,
      tags: { archived: 'yes' },
      mode: 'merge',
    });
    expect(res).toEqual({
      ok: true,
      output: { bucket: versioned, key: 'k', versionId: v1, tags: { stage: 'draft', archived: 'yes' }, count: 2 },
    });
    expect(await cliTags('k', v1, versioned)).toEqual({ stage: 'draft', archived: 'yes' });
    expect(await cliTags('k', v2, versioned)).toEqual({ stage: 'final' });
  });

  it('reports a missing object and a missing bucket as not_found', async () => {
    expect(await invoke('put_object_tagging', { bucket, key: 'missing.txt', tags: { a: '1' } })).toMatchObject({
      ok: false,
      error: { type: 'not_found', code: 'NoSuchKey' },
    });
    expect(
      await invoke('put_object_tagging', { bucket, key: 'missing.txt', tags: { a: '1' }, mode: 'merge' }),
    ).toMatchObject({ ok: false, error: { type: 'not_found', code: 'NoSuchKey' } });
    expect(
      await invoke('put_object_tagging', { bucket: uniqueBucket('gone'), key: 'k', tags: { a: '1' } }),
    ).toMatchObject({ ok: false, error: { type: 'not_found', code: 'NoSuchBucket' } });
  });

  it.each([
    [
      '11 tags',
      { tags: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`t${i}`, 'v'])) },
      'tags',
      /at most 10/,
    ],
    ['a key of 129 characters', { tags: { ['k'.repeat(129)]: 'v' } }, 'tags', /./],
    ['a value of 257 characters', { tags: { k: 'v'.repeat(257) } }, 'tags.k', /257|256|at most/],
    ['a character S3 does not take', { tags: { 'a&b': 'v' } }, 'tags', /./],
    ['no tags', {}, 'tags', /is required/],
    ['an empty set (delete_object_tagging removes every tag)', { tags: {} }, 'tags', /at least 1/],
    ['an unknown mode', { tags: { a: '1' }, mode: 'append' }, 'mode', /./],
  ])('rejects %s before any request', async (_label, extra, field, words) => {
    const before = store.requests.length;
    const res = await invoke(
      'put_object_tagging',
      { bucket, key: 'k', ...extra },
      { connection: motoConnection({ endpoint: store.endpoint }) },
    );
    expect(res.ok ? null : res.error.type).toBe('user_input');
    const problems = (res.ok ? [] : res.error.details?.problems) as { field: string; message: string }[];
    expect(
      problems.find((p) => p.field === field || p.field.startsWith(`${field}.`))?.message,
      JSON.stringify(problems),
    ).toMatch(words);
    expect(store.requests.length).toBe(before);
  });
});
