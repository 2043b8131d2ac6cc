// list_objects_ddl against moto, cross-checked with the aws cli: keys under the search first,
// then keys that contain it anywhere (any case), within a bounded scan.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import defs from '../../schemas/defs.json' with { type: 'json' };
import { MAX_OPTIONS, MAX_SEARCH_SCAN } from '../../operations/list_objects_ddl.js';
import { aws, fakeStore, motoConnection, testConnector, uniqueBucket, type FakeStore } from '../support/helpers.js';
import { recordingProxy } from '../support/recordingProxy.js';

const bucket = uniqueBucket('lo');
/** 25 keys in one folder, so that pages of 10 need three requests. */
const pageKeys = Array.from({ length: 25 }, (_, i) => `pages/item-${String(i).padStart(2, '0')}.txt`);
const treeKeys = ['tree/a/1.txt', 'tree/a/2.txt', 'tree/b/deep/3.txt', 'tree/top.txt', 'tree/z file ünïcode.txt'];

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

describe('list_objects_ddl', () => {
  it('offers the keys under what the user typed', async () => {
    const c = await testConnector();
    const res = await c.invoke('list_objects_ddl', { bucket, search: 'tree/a' }, { connection: motoConnection() });
    expect(res).toEqual({
      ok: true,
      output: {
        options: [
          { label: 'tree/a/1.txt', value: 'tree/a/1.txt' },
          { label: 'tree/a/2.txt', value: 'tree/a/2.txt' },
        ],
      },
    });
  });

  it('offers keys that contain the search anywhere, in any case, after those that start with it', async () => {
    const c = await testConnector();
    const res = await c.invoke<{ options: { value: string }[] }>(
      'list_objects_ddl',
      { bucket, search: 'ITEM-1' },
      { connection: motoConnection() },
    );
    if (!res.ok) throw new Error(res.error.message);
    expect(res.output.options.map((o) => o.value)).toEqual(pageKeys.slice(10, 20));
    const mixed = await c.invoke<{ options: { value: string }[] }>(
      'list_objects_ddl',
      { bucket, search: 'tree' },
      { connection: motoConnection() },
    );
    if (!mixed.ok) throw new Error(mixed.error.message);
    // Prefix matches first (all of tree/), nothing contains "tree" elsewhere.
    expect(mixed.output.options.map((o) => o.value)).toEqual([...treeKeys].sort());
    const inside = await c.invoke<{ options: { value: string }[] }>(
      'list_objects_ddl',
      { bucket, search: 'ünïcode' },
      { connection: motoConnection() },
    );
    expect(inside.ok ? inside.output.options.map((o) => o.value) : inside.error).toEqual(['tree/z file ünïcode.txt']);
    const nothing = await c.invoke<{ options: unknown[] }>(
      'list_objects_ddl',
      { bucket, search: 'no-such-text' },
      { connection: motoConnection() },
    );
    expect(nothing).toEqual({ ok: true, output: { options: [] } });
  });

  it(`searches inside keys with one prefix request, then pages without a prefix (at most ${MAX_SEARCH_SCAN / MAX_OPTIONS})`, async () => {
    const proxy = await recordingProxy();
    try {
      const c = await testConnector();
      await c.invoke(
        'list_objects_ddl',
        { bucket, search: 'item' },
        { connection: motoConnection({ endpoint: proxy.endpoint }) },
      );
      const lists = proxy.requests.filter((r) => r.method === 'GET' && r.url.startsWith(`/${bucket}`));
      expect(lists[0]!.url).toContain('prefix=item');
      expect(lists.slice(1).every((r) => !/[?&]prefix=/.test(r.url))).toBe(true);
      expect(lists.length).toBeLessThanOrEqual(1 + MAX_SEARCH_SCAN / MAX_OPTIONS);
    } finally {
      await proxy.close();
    }
  });

  it('offers every key without a search', async () => {
    const c = await testConnector();
    const res = await c.invoke<{ options: { value: string }[] }>(
      'list_objects_ddl',
      { bucket },
      { connection: motoConnection() },
    );
    if (!res.ok) throw new Error(res.error.message);
    expect(res.output.options).toHaveLength(31);
  });

  it('reports a missing bucket as not_found', async () => {
    const c = await testConnector();
    const res = await c.invoke('list_objects_ddl', { bucket: uniqueBucket('gone') }, { connection: motoConnection() });
    expect(res.ok ? null : res.error).toMatchObject({ type: 'not_found', code: 'NoSuchBucket' });
  });

  it('feeds every key field, depending on the bucket field', async () => {
    expect(defs.$defs.key['x-lookup']).toEqual({ operation: 'list_objects_ddl', dependsOn: ['bucket'] });
    const c = await testConnector();
    const op = c.operations().find((o) => o.name === 'list_objects_ddl');
    expect(op).toMatchObject({ kind: 'lookup', permissions: ['s3:ListBucket'] });
  });
});
