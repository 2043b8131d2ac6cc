// get_bucket_location against moto, cross-checked with the aws cli.
import { beforeAll, describe, expect, it } from 'vitest';
import { aws, fakeStore, motoConnection, testConnector, uniqueBucket } from '../support/helpers.js';

const prefix = uniqueBucket('lb');
const names = [`${prefix}-a`, `${prefix}-b`, `${prefix}-c`, `${prefix}-d`, `${prefix}-e`];

beforeAll(async () => {
  for (const name of names) await aws(['s3api', 'create-bucket', '--bucket', name]);
});

describe('get_bucket_location', () => {
  const eu = uniqueBucket('loc-eu');
  const use1 = uniqueBucket('loc-use1');
  beforeAll(async () => {
    await aws([
      's3api',
      'create-bucket',
      '--bucket',
      eu,
      '--create-bucket-configuration',
      'LocationConstraint=eu-west-2',
    ]);
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

  it('maps S3Mock\'s literal "null" constraint to us-east-1 (a stand-in answering as S3Mock 4 does)', async () => {
    const store = await fakeStore((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">null</LocationConstraint>',
      );
    });
    try {
      const c = await testConnector();
      const res = await c.invoke(
        'get_bucket_location',
        { bucket: 'mock-bucket' },
        { connection: motoConnection({ endpoint: store.endpoint }) },
      );
      expect(res).toEqual({
        ok: true,
        output: { bucket: 'mock-bucket', region: 'us-east-1', locationConstraint: 'null' },
      });
      expect(store.requests.map((r) => r.url)).toEqual(['/mock-bucket/?location=']);
    } finally {
      await store.close();
    }
  });

  it('reports a missing bucket as not_found', async () => {
    const c = await testConnector();
    const res = await c.invoke(
      'get_bucket_location',
      { bucket: uniqueBucket('missing') },
      { connection: motoConnection() },
    );
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.error.type).toBe('not_found');
      expect(res.error.code).toBe('NoSuchBucket');
      expect(res.error.status).toBe(404);
    }
  });
});
