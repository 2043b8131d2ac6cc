// Credentials and permissions, for real: a second moto with INITIAL_NO_AUTH_ACTION_COUNT checks
// every request's signature and IAM policy once the setup window has passed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type LocalS3 } from '../src/localS3.js';
import { aws, testConnector, uniqueBucket } from './helpers.js';

/** Requests the setup below makes before moto starts enforcing (one per aws cli call). */
const SETUP_REQUESTS = 8;
let server: LocalS3;
const bucket = uniqueBucket('iam');
const key = 'secret/report.txt';
let reader: { id: string; secret: string };
let admin: { id: string; secret: string };

async function userWithPolicy(name: string, actions: string[]) {
  const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });
  await aws(['iam', 'create-user', '--user-name', name], server.endpoint);
  await aws(['iam', 'put-user-policy', '--user-name', name, '--policy-name', 'p', '--policy-document', policy], server.endpoint);
  const out = JSON.parse(await aws(['iam', 'create-access-key', '--user-name', name], server.endpoint)) as { AccessKey: { AccessKeyId: string; SecretAccessKey: string } };
  return { id: out.AccessKey.AccessKeyId, secret: out.AccessKey.SecretAccessKey };
}

beforeAll(async () => {
  server = await startMoto({ initialNoAuthActionCount: SETUP_REQUESTS });
  await aws(['s3api', 'create-bucket', '--bucket', bucket], server.endpoint);
  await aws(['s3api', 'put-object', '--bucket', bucket, '--key', key], server.endpoint);
  reader = await userWithPolicy('reader-without-get', ['s3:ListAllMyBuckets', 's3:ListBucket', 's3:GetBucketLocation']);
  admin = await userWithPolicy('admin', ['s3:*']);
});
afterAll(() => server?.stop());

const connection = (id: string, secret: string) => ({
  region: 'us-east-1',
  endpoint: server.endpoint,
  credentials: { type: 'accessKey', accessKeyId: id, secretAccessKey: secret },
});

describe('permissions enforced by moto', () => {
  it('a policy without s3:GetObject gives forbidden naming s3:GetObject', async () => {
    const c = await testConnector();
    const res = await c.invoke('head_object', { bucket, key }, { connection: connection(reader.id, reader.secret) });
    expect(res.ok ? null : res.error).toMatchObject({ type: 'forbidden', status: 403, details: { requiredActions: ['s3:GetObject'] } });
    expect(res.ok ? '' : res.error.message).toContain('s3:GetObject');
  });

  it('the same user can do what its policy allows', async () => {
    const c = await testConnector();
    const res = await c.invoke('list_buckets', {}, { connection: connection(reader.id, reader.secret) });
    expect(res.ok ? (res.output.buckets as { name: string }[]).map((b) => b.name) : res.error).toContain(bucket);
  });

  it('a user with s3:* reads the object', async () => {
    const c = await testConnector();
    const res = await c.invoke('head_object', { bucket, key }, { connection: connection(admin.id, admin.secret) });
    expect(res.ok ? res.output.contentLength : res.error).toBe(0);
  });
});

describe('bad credentials', () => {
  it('a wrong secret gives auth (SignatureDoesNotMatch), and the secret appears nowhere', async () => {
    const wrong = 'WRONG-secret-do-not-leak-7f3a9';
    const c = await testConnector();
    const res = await c.invoke('list_buckets', {}, { connection: connection(admin.id, wrong) });
    expect(res.ok ? null : res.error).toMatchObject({ type: 'auth', code: 'SignatureDoesNotMatch', status: 403, retryable: false });
    expect(JSON.stringify(res)).not.toContain(wrong);
  });

  it('an unknown access key gives auth (InvalidAccessKeyId)', async () => {
    const c = await testConnector();
    const res = await c.invoke('list_buckets', {}, { connection: connection('AKIAUNKNOWNKEY000000', 'x'.repeat(40)) });
    expect(res.ok ? null : res.error).toMatchObject({ type: 'auth', code: 'InvalidAccessKeyId' });
  });

  it('testConnection proves good credentials and reports bad ones', async () => {
    const c = await testConnector();
    expect(await c.testConnection(connection(admin.id, admin.secret))).toMatchObject({ ok: true, output: { region: 'us-east-1' } });
    expect(await c.testConnection(connection(admin.id, admin.secret), { bucket })).toMatchObject({ ok: true, output: { bucket } });
    const bad = await c.testConnection(connection(admin.id, 'nope-nope-nope'));
    expect(bad.ok ? null : bad.error).toMatchObject({ type: 'auth' });
  });
});
