// list_buckets_ddl against moto, cross-checked with the aws cli.
import { beforeAll, describe, expect, it } from 'vitest';
import { aws, motoConnection, testConnector, uniqueBucket } from '../support/helpers.js';

const prefix = uniqueBucket('lb');
const names = [`${prefix}-a`, `${prefix}-b`, `${prefix}-c`, `${prefix}-d`, `${prefix}-e`];

beforeAll(async () => {
  for (const name of names) await aws(['s3api', 'create-bucket', '--bucket', name]);
});

describe('list_buckets_ddl', () => {
  it('returns sorted label/value options narrowed by search', async () => {
    const c = await testConnector();
    const res = await c.invoke('list_buckets_ddl', { search: prefix }, { connection: motoConnection() });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.output).toEqual({ options: names.map((n) => ({ label: n, value: n })) });
  });
});
