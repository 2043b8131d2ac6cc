// get_object_acl against moto: what the aws cli set, the connector reads back, in the shape
// put_object_acl takes; and what it reads can be applied again as it is.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { aws, awsJson, motoConnection, testConnector, uniqueBucket } from '../support/helpers.js';

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTHENTICATED = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
const LOG_DELIVERY = 'http://acs.amazonaws.com/groups/s3/LogDelivery';
const OTHER = 'a5b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091';

const bucket = uniqueBucket('gacl');
let file = '';
let owner: { ID: string; DisplayName: string };

interface Grant {
  grantee: Record<string, string>;
  permission: string;
}
interface AclOutput {
  bucket: string;
  key: string;
  versionId?: string;
  owner?: { id: string; displayName?: string };
  grants: Grant[];
}

async function getAcl(input: Record<string, unknown>) {
  const c = await testConnector();
  return c.invoke<AclOutput>('get_object_acl', input, { connection: motoConnection() });
}

async function newObject(key: string, args: string[] = [], target = bucket): Promise<string> {
  await aws(['s3api', 'put-object', '--bucket', target, '--key', key, '--body', file, ...args]);
  return key;
}

beforeAll(async () => {
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  file = join(await mkdtemp(join(tmpdir(), 'gacl-')), 'body.txt');
  await writeFile(file, 'hello');
  await newObject('probe.txt');
  owner = (
    await awsJson<{ Owner: { ID: string; DisplayName: string } }>([
      's3api',
      'get-object-acl',
      '--bucket',
      bucket,
      '--key',
      'probe.txt',
    ])
  ).Owner;
});

describe('get_object_acl', () => {
  it('reads the default ACL: the owner with FULL_CONTROL, as the aws cli sees it', async () => {
    const key = await newObject('default.txt');
    const res = await getAcl({ bucket, key });
    expect(res).toEqual({
      ok: true,
      output: {
        bucket,
        key,
        owner: { id: owner.ID, displayName: owner.DisplayName },
        grants: [{ grantee: { type: 'canonicalUser', id: owner.ID }, permission: 'FULL_CONTROL' }],
      },
    });
  });

  it('reads a canned ACL the aws cli set', async () => {
    const key = await newObject('canned.txt');
    await aws(['s3api', 'put-object-acl', '--bucket', bucket, '--key', key, '--acl', 'authenticated-read']);
    const res = await getAcl({ bucket, key });
    expect(res.ok ? res.output.grants : res.error).toEqual([
      { grantee: { type: 'canonicalUser', id: owner.ID }, permission: 'FULL_CONTROL' },
      { grantee: { type: 'group', uri: AUTHENTICATED }, permission: 'READ' },
    ]);
  });

  it('reads explicit grants the aws cli set, one per permission', async () => {
    const key = await newObject('grants.txt');
    await aws([
      's3api',
      'put-object-acl',
      '--bucket',
      bucket,
      '--key',
      key,
      '--grant-full-control',
      `id=${owner.ID}`,
      '--grant-read',
      `uri=${ALL_USERS}`,
      '--grant-read-acp',
      `id=${OTHER}`,
      '--grant-write-acp',
      `uri=${LOG_DELIVERY}`,
    ]);
    const cli = await awsJson<{ Grants: unknown[] }>(['s3api', 'get-object-acl', '--bucket', bucket, '--key', key]);
    const res = await getAcl({ bucket, key });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.output.grants).toHaveLength(cli.Grants.length);
    expect(res.output.grants).toEqual(
      expect.arrayContaining([
        { grantee: { type: 'canonicalUser', id: owner.ID }, permission: 'FULL_CONTROL' },
        { grantee: { type: 'group', uri: ALL_USERS }, permission: 'READ' },
        { grantee: { type: 'canonicalUser', id: OTHER }, permission: 'READ_ACP' },
        { grantee: { type: 'group', uri: LOG_DELIVERY }, permission: 'WRITE_ACP' },
      ]),
    );
  });

  it("gives grants put_object_acl takes as they are: copying one object's ACL onto another", async () => {
    const source = await newObject('copy-from.txt', ['--acl', 'public-read']);
    const target = await newObject('copy-to.txt');
    const read = await getAcl({ bucket, key: source });
    if (!read.ok) throw new Error(read.error.message);
    const c = await testConnector();
    const put = await c.invoke(
      'put_object_acl',
      { bucket, key: target, grants: read.output.grants },
      { connection: motoConnection() },
    );
    expect(put.ok ? null : put.error).toBeNull();
    const copied = await getAcl({ bucket, key: target });
    expect(copied.ok ? copied.output.grants : copied.error).toEqual(read.output.grants);
    expect(read.output.grants).toContainEqual({ grantee: { type: 'group', uri: ALL_USERS }, permission: 'READ' });
  });

  it('reads the ACL of a given version', async () => {
    const versioned = uniqueBucket('gaclv');
    await aws(['s3api', 'create-bucket', '--bucket', versioned]);
    await aws([
      's3api',
      'put-bucket-versioning',
      '--bucket',
      versioned,
      '--versioning-configuration',
      'Status=Enabled',
    ]);
    const { VersionId: v1 } = await awsJson<{ VersionId: string }>([
      's3api',
      'put-object',
      '--bucket',
      versioned,
      '--key',
      'k.txt',
      '--body',
      file,
      '--acl',
      'public-read',
    ]);
    await newObject('k.txt', [], versioned);
    const c = await testConnector();
    const old = await c.invoke<AclOutput>(
      'get_object_acl',
      { bucket: versioned, key: 'k.txt', versionId: v1 },
      { connection: motoConnection() },
    );
    expect(old.ok ? old.output.versionId : old.error).toBe(v1);
    expect(old.ok ? old.output.grants : []).toContainEqual({
      grantee: { type: 'group', uri: ALL_USERS },
      permission: 'READ',
    });
    const latest = await c.invoke<AclOutput>(
      'get_object_acl',
      { bucket: versioned, key: 'k.txt' },
      { connection: motoConnection() },
    );
    expect(latest.ok ? latest.output.grants : latest.error).toEqual([
      { grantee: { type: 'canonicalUser', id: owner.ID }, permission: 'FULL_CONTROL' },
    ]);

    const missingVersion = await c.invoke(
      'get_object_acl',
      { bucket: versioned, key: 'k.txt', versionId: 'no-such-version' },
      { connection: motoConnection() },
    );
    expect(missingVersion.ok ? null : missingVersion.error).toMatchObject({
      type: 'not_found',
      code: 'NoSuchVersion',
      status: 404,
    });
  });

  it('reports a missing key and a missing bucket as not_found', async () => {
    const missingKey = await getAcl({ bucket, key: 'nope.txt' });
    expect(missingKey.ok ? null : missingKey.error).toMatchObject({
      type: 'not_found',
      code: 'NoSuchKey',
      status: 404,
    });
    expect(missingKey.ok ? '' : missingKey.error.message).toContain('nope.txt');
    const missingBucket = await getAcl({ bucket: uniqueBucket('gone'), key: 'nope.txt' });
    expect(missingBucket.ok ? null : missingBucket.error).toMatchObject({
      type: 'not_found',
      code: 'NoSuchBucket',
      status: 404,
    });
  });

  it('refuses a missing key field as user_input', async () => {
    const res = await getAcl({ bucket });
    expect(res.ok ? null : res.error).toMatchObject({ type: 'user_input', code: 'InvalidInput' });
    expect(res.ok ? '' : res.error.message).toContain('key is required');
  });
});
