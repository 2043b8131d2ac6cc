// list_buckets, list_buckets_ddl and get_bucket_location against moto, with the aws cli as oracle.
import { beforeAll, describe, expect, it } from 'vitest';
import { aws, awsJson, motoConnection, testConnector, uniqueBucket } from './helpers.js';

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

describe('list_buckets_ddl', () => {
  it('returns sorted label/value options narrowed by search', async () => {
    const c = await testConnector();
    const res = await c.invoke('list_buckets_ddl', { search: prefix }, { connection: motoConnection() });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.output).toEqual({ options: names.map((n) => ({ label: n, value: n })) });
  });
});

describe('get_bucket_location', () => {
  const eu = uniqueBucket('loc-eu');
  const use1 = uniqueBucket('loc-use1');
  beforeAll(async () => {
    await aws(['s3api', 'create-bucket', '--bucket', eu, '--create-bucket-configuration', 'LocationConstraint=eu-west-2']);
    await aws(['s3api', 'create-bucket', '--bucket', use1]);
  });

  it('names the region of a bucket elsewhere, whatever the connection region', async () => {
    const c = await testConnector();
    for (const region of ['us-east-1', 'ap-southeast-2']) {
      const res = await c.invoke('get_bucket_location', { bucket: eu }, { connection: motoConnection({ region }) });
      expect(res).toEqual({ ok: true, output: { bucket: eu, region: 'eu-west-2', locationConstraint: 'eu-west-2' } });
    }
  });

  it('maps the empty constraint to us-east-1', async () => {
    const c = await testConnector();
    const res = await c.invoke('get_bucket_location', { bucket: use1 }, { connection: motoConnection() });
    expect(res).toEqual({ ok: true, output: { bucket: use1, region: 'us-east-1', locationConstraint: '' } });
  });

  it('reports a missing bucket as not_found', async () => {
    const c = await testConnector();
    const res = await c.invoke('get_bucket_location', { bucket: uniqueBucket('missing') }, { connection: motoConnection() });
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.error.type).toBe('not_found');
      expect(res.error.code).toBe('NoSuchBucket');
      expect(res.error.status).toBe(404);
    }
  });
});
