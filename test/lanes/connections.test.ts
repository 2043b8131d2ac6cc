// Clients are cached per distinct connection and bounded; assume-role credentials come from STS
// (moto serves STS on the same endpoint); testConnection against the local server.
import { afterAll, describe, expect, it } from 'vitest';
import { ClientCache, MAX_CACHED_CLIENTS } from '../../src/runtime/clients.js';
import type { S3Connection } from '../../src/generated/types.js';
import { aws, motoConnection, motoEndpoint, testConnector, uniqueBucket } from '../support/helpers.js';

const cache = new ClientCache();
afterAll(() => cache.close());

describe('client cache', () => {
  const conn = (secret: string): S3Connection => ({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:1',
    credentials: { type: 'accessKey', accessKeyId: 'AKID', secretAccessKey: secret },
  });

  it('reuses one client per distinct connection, keyed by content', () => {
    const a = cache.get(conn('s1'));
    expect(cache.get(conn('s1'))).toBe(a);
    expect(cache.get(conn('s2'))).not.toBe(a);
    expect(cache.get(conn('s1'), 'eu-west-1')).not.toBe(a);
  });

  it('a frozen (checked) connection keeps its client per region, and per proxy the environment gives it', () => {
    const fresh = new ClientCache();
    const checked = Object.freeze(conn('frozen'));
    const a = fresh.get(checked);
    expect(fresh.get(checked)).toBe(a);
    expect(fresh.get(conn('frozen'))).toBe(a); // the same data, not frozen: the same key
    expect(fresh.get(checked, 'eu-west-1')).not.toBe(a);
    expect(fresh.get(checked)).toBe(a);
    // A default-chain connection's identity includes the environment's proxy, read on every call.
    const chain: S3Connection = Object.freeze({ region: 'us-east-1', endpoint: 'https://store.example' });
    const saved = process.env.HTTPS_PROXY;
    try {
      delete process.env.HTTPS_PROXY;
      const direct = fresh.get(chain);
      expect(fresh.get(chain)).toBe(direct);
      process.env.HTTPS_PROXY = 'http://127.0.0.1:9';
      const proxied = fresh.get(chain);
      expect(proxied).not.toBe(direct);
      expect(fresh.get(chain)).toBe(proxied);
      delete process.env.HTTPS_PROXY;
      expect(fresh.get(chain)).toBe(direct);
    } finally {
      if (saved === undefined) delete process.env.HTTPS_PROXY;
      else process.env.HTTPS_PROXY = saved;
      fresh.close();
    }
  });

  it('is bounded: the least recently used client is closed', () => {
    cache.close();
    const first = cache.get(conn('first'));
    let destroyed = false;
    const original = first.destroy.bind(first);
    first.destroy = () => {
      destroyed = true;
      original();
    };
    for (let i = 0; i < MAX_CACHED_CLIENTS + 5; i++) cache.get(conn(`secret-${i}`));
    expect(cache.size).toBe(MAX_CACHED_CLIENTS);
    expect(destroyed).toBe(true);
    expect(cache.get(conn('first'))).not.toBe(first);
  });

  it("adds the runtime's SDK overrides to every client", async () => {
    const withOverrides = new ClientCache({ maxAttempts: 7 });
    expect(await withOverrides.get(conn('o')).config.maxAttempts()).toBe(7);
    withOverrides.close();
  });

  it('a connection without endpoint ignores AWS_ENDPOINT_URL in the environment', async () => {
    const saved = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
    try {
      const fresh = new ClientCache();
      const s3 = fresh.get({ region: 'eu-west-1', credentials: { type: 'anonymous' } });
      const endpoint = await s3.config.endpointProvider({
        Region: 'eu-west-1',
        Bucket: 'my-bucket',
        UseFIPS: false,
        UseDualStack: false,
        ForcePathStyle: false,
        Accelerate: false,
        UseGlobalEndpoint: false,
        UseArnRegion: false,
        DisableMultiRegionAccessPoints: false,
      });
      expect(endpoint.url.href).toMatch(/amazonaws\.com/);
      expect(await s3.config.ignoreConfiguredEndpointUrls).toBe(true);
      fresh.close();
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL;
      else process.env.AWS_ENDPOINT_URL = saved;
    }
  });

  it('sends no aws-chunked checksums to custom endpoints', async () => {
    const custom = cache.get(conn('x'));
    expect(await custom.config.requestChecksumCalculation()).toBe('WHEN_REQUIRED');
    const amazon = cache.get({ region: 'us-east-1', credentials: { type: 'anonymous' } });
    expect(await amazon.config.requestChecksumCalculation()).toBe('WHEN_SUPPORTED');
  });
});

describe('credential kinds against moto', () => {
  it('assume role: credentials from STS sign the S3 calls', async () => {
    const bucket = uniqueBucket('role');
    await aws(['s3api', 'create-bucket', '--bucket', bucket]);
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }],
    });
    const role = JSON.parse(
      await aws(['iam', 'create-role', '--role-name', `r-${bucket}`, '--assume-role-policy-document', trust]),
    ) as { Role: { Arn: string } };
    const c = await testConnector();
    const res = await c.invoke(
      'list_buckets',
      { prefix: bucket },
      {
        connection: {
          region: 'us-east-1',
          endpoint: motoEndpoint(),
          credentials: {
            type: 'assumeRole',
            roleArn: role.Role.Arn,
            externalId: 'flow-42',
            accessKeyId: 'testing',
            secretAccessKey: 'testing',
          },
        },
      },
    );
    expect(res.ok ? (res.output.buckets as { name: string }[]).map((b) => b.name) : res.error).toEqual([bucket]);
  });

  it('testConnection succeeds, and names a missing bucket', async () => {
    const c = await testConnector();
    expect(await c.testConnection(motoConnection())).toMatchObject({ ok: true });
    const res = await c.testConnection(motoConnection(), { bucket: uniqueBucket('absent') });
    expect(res.ok ? null : res.error).toMatchObject({ type: 'not_found' });
  });
});
