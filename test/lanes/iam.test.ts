// Credentials and permissions, for real: a moto that checks every request's signature and IAM
// policy (see iamMoto.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConnector, uniqueBucket } from '../support/helpers.js';
import { startIamMoto, type IamMoto } from '../support/iamMoto.js';

let moto: IamMoto;
const bucket = uniqueBucket('iam');
const key = 'secret/report.txt';
let reader: Awaited<ReturnType<IamMoto['userConnection']>>;
let admin: Awaited<ReturnType<IamMoto['userConnection']>>;

beforeAll(async () => {
  moto = await startIamMoto();
  await moto.admin(['s3api', 'create-bucket', '--bucket', bucket]);
  await moto.admin(['s3api', 'put-object', '--bucket', bucket, '--key', key]);
  reader = await moto.userConnection([
    { Effect: 'Allow', Action: ['s3:ListAllMyBuckets', 's3:ListBucket', 's3:GetBucketLocation'], Resource: '*' },
  ]);
  admin = await moto.userConnection([{ Effect: 'Allow', Action: ['s3:*'], Resource: '*' }]);
});
afterAll(() => moto?.server.stop());

const connection = (id: string, secret: string) => ({
  region: 'us-east-1',
  endpoint: moto.server.endpoint,
  credentials: { type: 'accessKey', accessKeyId: id, secretAccessKey: secret },
});
const keyOf = (c: typeof reader) => ({ id: c.credentials.accessKeyId, secret: c.credentials.secretAccessKey });

describe('permissions enforced by moto', () => {
  it('a policy without s3:GetObject gives forbidden naming s3:GetObject', async () => {
    const c = await testConnector();
    const res = await c.invoke(
      'head_object',
      { bucket, key },
      { connection: connection(keyOf(reader).id, keyOf(reader).secret) },
    );
    expect(res.ok ? null : res.error).toMatchObject({
      type: 'forbidden',
      status: 403,
      details: { requiredActions: ['s3:GetObject'] },
    });
    expect(res.ok ? '' : res.error.message).toContain('s3:GetObject');
  });

  it('the same user can do what its policy allows', async () => {
    const c = await testConnector();
    const res = await c.invoke('list_buckets', {}, { connection: connection(keyOf(reader).id, keyOf(reader).secret) });
    expect(res.ok ? (res.output.buckets as { name: string }[]).map((b) => b.name) : res.error).toContain(bucket);
  });

  it('a user with s3:* reads the object', async () => {
    const c = await testConnector();
    const res = await c.invoke(
      'head_object',
      { bucket, key },
      { connection: connection(keyOf(admin).id, keyOf(admin).secret) },
    );
    expect(res.ok ? res.output.contentLength : res.error).toBe(0);
  });
});

describe('bad credentials', () => {
  it('a wrong secret gives auth (SignatureDoesNotMatch), and the secret appears nowhere', async () => {
    const wrong = 'WRONG-secret-do-not-leak-7f3a9';
    const c = await testConnector();
    const res = await c.invoke('list_buckets', {}, { connection: connection(keyOf(admin).id, wrong) });
    expect(res.ok ? null : res.error).toMatchObject({
      type: 'auth',
      code: 'SignatureDoesNotMatch',
      status: 403,
      retryable: false,
    });
    expect(JSON.stringify(res)).not.toContain(wrong);
  });

  it('an unknown access key gives auth (InvalidAccessKeyId)', async () => {
    const c = await testConnector();
    const res = await c.invoke('list_buckets', {}, { connection: connection('AKIAUNKNOWNKEY000000', 'x'.repeat(40)) });
    expect(res.ok ? null : res.error).toMatchObject({ type: 'auth', code: 'InvalidAccessKeyId' });
  });

  it('testConnection proves good credentials and reports bad ones', async () => {
    const c = await testConnector();
    expect(await c.testConnection(connection(keyOf(admin).id, keyOf(admin).secret))).toMatchObject({
      ok: true,
      output: { region: 'us-east-1' },
    });
    expect(await c.testConnection(connection(keyOf(admin).id, keyOf(admin).secret), { bucket })).toMatchObject({
      ok: true,
      output: { bucket },
    });
    const bad = await c.testConnection(connection(keyOf(admin).id, 'nope-nope-nope'));
    expect(bad.ok ? null : bad.error).toMatchObject({ type: 'auth' });
  });
});
