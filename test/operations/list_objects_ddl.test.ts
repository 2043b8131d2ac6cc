// list_objects_ddl against moto, cross-checked with the aws cli.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import defs from '../../schemas/defs.json' with { type: 'json' };
import { aws,  fakeStore, motoConnection, testConnector, uniqueBucket, type FakeStore } from '../support/helpers.js';

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
    expect(res).toEqual({ ok: true, output: { options: [
      { label: 'tree/a/1.txt', value: 'tree/a/1.txt' },
      { label: 'tree/a/2.txt', value: 'tree/a/2.txt' },
    ] } });
  });

  it('offers every key without a search', async () => {
    const c = await testConnector();
    const res = await c.invoke<{ options: { value: string }[] }>('list_objects_ddl', { bucket }, { connection: motoConnection() });
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
