// Clients are cached per distinct connection and bounded; assume-role credentials come from STS
// (moto serves STS on the same endpoint); testConnection against the local server.
import { afterAll, describe, expect, it } from 'vitest';
import { cachedClientCount, clientFor, closeAllClients, MAX_CACHED_CLIENTS } from '../src/clients.js';
import type { S3Connection } from '../src/generated/types.js';
import { aws, motoConnection, motoEndpoint, testConnector, uniqueBucket } from './helpers.js';

afterAll(() => closeAllClients());

describe('client cache', () => {
  const conn = (secret: string): S3Connection => ({ region: 'us-east-1', endpoint: 'http://127.0.0.1:1', credentials: { type: 'accessKey', accessKeyId: 'AKID', secretAccessKey: secret } });

  it('reuses one client per distinct connection, keyed by content', () => {
    const a = clientFor(conn('s1'));
    expect(clientFor(conn('s1'))).toBe(a);
    expect(clientFor(conn('s2'))).not.toBe(a);
    expect(clientFor(conn('s1'), 'eu-west-1')).not.toBe(a);
  });

  it('is bounded: the least recently used client is closed', () => {
    closeAllClients();
    const first = clientFor(conn('first'));
    let destroyed = false;
    const original = first.destroy.bind(first);
    first.destroy = () => { destroyed = true; original(); };
    for (let i = 0; i < MAX_CACHED_CLIENTS + 5; i++) clientFor(conn(`secret-${i}`));
    expect(cachedClientCount()).toBe(MAX_CACHED_CLIENTS);
    expect(destroyed).toBe(true);
    expect(clientFor(conn('first'))).not.toBe(first);
  });

  it('sends no aws-chunked checksums to custom endpoints', async () => {
    const custom = clientFor(conn('x'));
    expect(await custom.config.requestChecksumCalculation()).toBe('WHEN_REQUIRED');
    const amazon = clientFor({ region: 'us-east-1', credentials: { type: 'anonymous' } });
    expect(await amazon.config.requestChecksumCalculation()).toBe('WHEN_SUPPORTED');
  });
});

describe('credential kinds against moto', () => {
  it('assume role: credentials from STS sign the S3 calls', async () => {
    const bucket = uniqueBucket('role');
    await aws(['s3api', 'create-bucket', '--bucket', bucket]);
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] });
    const role = JSON.parse(await aws(['iam', 'create-role', '--role-name', `r-${bucket}`, '--assume-role-policy-document', trust])) as { Role: { Arn: string } };
    const c = await testConnector();
    const res = await c.invoke('list_buckets', { prefix: bucket }, {
      connection: {
        region: 'us-east-1',
        endpoint: motoEndpoint(),
        credentials: { type: 'assumeRole', roleArn: role.Role.Arn, externalId: 'flow-42', accessKeyId: 'testing', secretAccessKey: 'testing' },
      },
    });
    expect(res.ok ? (res.output.buckets as { name: string }[]).map((b) => b.name) : res.error).toEqual([bucket]);
  });

  it('testConnection succeeds, and names a missing bucket', async () => {
    const c = await testConnector();
    expect(await c.testConnection(motoConnection())).toMatchObject({ ok: true });
    const res = await c.testConnection(motoConnection(), { bucket: uniqueBucket('absent') });
    expect(res.ok ? null : res.error).toMatchObject({ type: 'not_found' });
  });
});
