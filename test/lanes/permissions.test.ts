// For each operation, a policy missing exactly one action it needs gives `forbidden` naming
// that action, with moto enforcing signatures and IAM policies (see iamMoto.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConnector, uniqueBucket } from '../support/helpers.js';
import { startIamMoto, type IamMoto } from '../support/iamMoto.js';

let moto: IamMoto;
const bucket = uniqueBucket('perm');
const key = 'data/report.txt';

/** A user allowed everything but the one action: nothing else stands in the way. */
const userMissing = (action: string) => moto.userConnection([{ Effect: 'Allow', NotAction: action, Resource: '*' }]);

beforeAll(async () => {
  moto = await startIamMoto();
  await moto.admin(['s3api', 'create-bucket', '--bucket', bucket]);
  await moto.admin(['s3api', 'put-object', '--bucket', bucket, '--key', key]);
});
afterAll(() => moto?.server.stop());

const CASES: [string, Record<string, unknown>, string][] = [
  ['list_buckets', {}, 's3:ListAllMyBuckets'],
  ['list_buckets_ddl', {}, 's3:ListAllMyBuckets'],
  ['get_bucket_location', { bucket }, 's3:GetBucketLocation'],
  ['head_object', { bucket, key }, 's3:GetObject'],
  ['get_object', { bucket, key, as: 'text' }, 's3:GetObject'],
  ['put_object_text', { bucket, key: 'new.txt', content: 'x' }, 's3:PutObject'],
  ['put_object_file', { bucket, key: 'new.bin', file: { url: 'data:text/plain,x' } }, 's3:PutObject'],
  ['list_objects', { bucket }, 's3:ListBucket'],
  ['list_objects_ddl', { bucket }, 's3:ListBucket'],
  ['delete_object', { bucket, key }, 's3:DeleteObject'],
  ['delete_objects', { bucket, objects: [{ key }, { key: 'other.txt' }] }, 's3:DeleteObject'],
  ['get_object_acl', { bucket, key }, 's3:GetObjectAcl'],
  ['put_object_acl', { bucket, key, acl: 'private' }, 's3:PutObjectAcl'],
  ['put_object_acl', { bucket, key, grants: [{ grantee: { type: 'group', uri: 'http://acs.amazonaws.com/groups/global/AllUsers' }, permission: 'READ' }] }, 's3:GetObjectAcl'],
];

describe('a policy missing exactly one required action', () => {
  it('covers every operation but the signed URL, which is signed locally and needs no request', async () => {
    const c = await testConnector();
    const covered = new Set(CASES.map(([op]) => op));
    const uncovered = c.operations().map((o) => o.name).filter((n) => !covered.has(n));
    expect(uncovered).toEqual(['get_object_signed_url']);
  });

  it.each(CASES.map(([operation, input, action]) => ({ operation, input, action })))('$operation without $action is forbidden, naming it', async ({ operation, input, action }) => {
    const c = await testConnector();
    const op = c.operations().find((o) => o.name === operation)!;
    expect(op.permissions).toContain(action);
    const connection = await userMissing(action);
    const res = await c.invoke(operation, input, { connection });
    expect(res.ok ? null : res.error, JSON.stringify(res)).toMatchObject({ type: 'forbidden', retryable: false });
    expect(res.ok ? '' : res.error.message).toContain(action);
    // moto says only "Access Denied"; the action named comes from the manifest (see errors.test.ts
    // for AWS's "not authorized to perform: s3:..." messages, where exactly the denied one is named).
  });

  it('the same users can run what their policy allows (the denial is that one action)', async () => {
    const c = await testConnector();
    const connection = await userMissing('s3:PutObject');
    const res = await c.invoke('head_object', { bucket, key }, { connection });
    expect(res.ok).toBe(true);
  });
});
