// list_buckets against moto, cross-checked with the aws cli.
import { beforeAll, describe, expect, it } from 'vitest';
import { aws, awsJson, motoConnection, testConnector, uniqueBucket } from '../support/helpers.js';

const prefix = uniqueBucket('lb');
const names = [`${prefix}-a`, `${prefix}-b`, `${prefix}-c`, `${prefix}-d`, `${prefix}-e`];

beforeAll(async () => {
  for (const name of names) await aws(['s3api', 'create-bucket', '--bucket', name]);
});

describe('list_buckets', () => {
  it('lists the buckets the aws cli created, filtered by prefix', async () => {
    const c = await testConnector();
    const res = await c.invoke('list_buckets', { prefix }, { connection: motoConnection() });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    const got = (res.output.buckets as { name: string; creationDate: string }[]).map((b) => b.name);
    expect(got.sort()).toEqual(names);
    expect(res.output.count).toBe(5);
    expect(res.output).not.toHaveProperty('nextContinuationToken');
    // The same set the aws cli sees.
    const cli = await awsJson<{ Buckets: { Name: string }[] }>(['s3api', 'list-buckets']);
    const cliNames = cli.Buckets.map((b) => b.Name).filter((n) => n.startsWith(prefix));
    expect(cliNames.sort()).toEqual(got.sort());
  });

  it('stops at limit (moto truncates and gives no token; token paging is proved against a stand-in store in stand-in.test.ts)', async () => {
    const c = await testConnector();
    const res = await c.invoke('list_buckets', { prefix, limit: 2 }, { connection: motoConnection() });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.output.count).toBe(2);
    const got = (res.output.buckets as { name: string }[]).map((b) => b.name);
    for (const name of got) expect(names).toContain(name);
  });
});
