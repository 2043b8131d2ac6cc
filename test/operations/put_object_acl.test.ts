// put_object_acl against moto, with the aws cli reading back what was applied, and a stand-in
// store to see the exact request (and that invalid input sends none).
//
// Grants are sent as x-amz-grant-* headers: moto 5.2.5 ignores an AccessControlPolicy body on
// PutObjectAcl (models.put_object_acl: "TODO: Support the XML-based ACL format") and, given no
// headers, silently copies the bucket's ACL onto the object, so a body could not be proved here.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aws,
  awsJson,
  fakeStore,
  motoConnection,
  motoEndpoint,
  testConnector,
  uniqueBucket,
  type FakeStore,
} from '../support/helpers.js';

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTHENTICATED = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
const LOG_DELIVERY = 'http://acs.amazonaws.com/groups/s3/LogDelivery';
const OTHER = 'a5b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091';

const bucket = uniqueBucket('acl');
let ownerId = '';
let file = '';

interface CliGrant {
  Grantee: { Type: string; ID?: string; URI?: string; EmailAddress?: string };
  Permission: string;
}
interface Grant {
  grantee: { type: string; id?: string; uri?: string; emailAddress?: string; displayName?: string };
  permission: string;
}

/** The object's grants as the aws cli reads them, as sorted "Type who PERMISSION" lines. */
async function cliGrants(key: string): Promise<string[]> {
  const acl = await awsJson<{ Grants: CliGrant[] }>(['s3api', 'get-object-acl', '--bucket', bucket, '--key', key]);
  return acl.Grants.map(
    (g) => `${g.Grantee.Type} ${g.Grantee.ID ?? g.Grantee.URI ?? g.Grantee.EmailAddress} ${g.Permission}`,
  ).sort();
}

const S3_TYPE: Record<string, string> = {
  canonicalUser: 'CanonicalUser',
  group: 'Group',
  email: 'AmazonCustomerByEmail',
};
function lines(grants: Grant[]): string[] {
  return grants
    .map((g) => `${S3_TYPE[g.grantee.type]} ${g.grantee.id ?? g.grantee.uri ?? g.grantee.emailAddress} ${g.permission}`)
    .sort();
}

async function newObject(key: string): Promise<string> {
  await aws(['s3api', 'put-object', '--bucket', bucket, '--key', key, '--body', file]);
  return key;
}

async function putAcl(input: Record<string, unknown>, connection = motoConnection()) {
  const c = await testConnector();
  return c.invoke<{ bucket: string; key: string; acl?: string; grants?: Grant[]; owner?: { id: string } }>(
    'put_object_acl',
    input,
    { connection },
  );
}

/** HTTP status of an unsigned GET, as an anonymous browser would make it. */
async function anonymousGet(key: string): Promise<number> {
  const res = await fetch(`${motoEndpoint()}/${bucket}/${encodeURIComponent(key)}`);
  await res.arrayBuffer();
  return res.status;
}

beforeAll(async () => {
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  file = join(await mkdtemp(join(tmpdir(), 'acl-')), 'body.txt');
  await writeFile(file, 'hello');
  // The object owner as S3 reports it (moto's ListBuckets owner ID differs from its ACL owner ID).
  await newObject('owner-probe.txt');
  ownerId = (
    await awsJson<{ Owner: { ID: string } }>([
      's3api',
      'get-object-acl',
      '--bucket',
      bucket,
      '--key',
      'owner-probe.txt',
    ])
  ).Owner.ID;
});

describe('put_object_acl: canned ACLs', () => {
  it('public-read opens the object to anonymous reads, private closes it again', async () => {
    const key = await newObject('canned/public.txt');
    expect(await anonymousGet(key)).toBe(403);

    const opened = await putAcl({ bucket, key, acl: 'public-read' });
    expect(opened).toEqual({ ok: true, output: { bucket, key, acl: 'public-read' } });
    expect(await cliGrants(key)).toEqual([`CanonicalUser ${ownerId} FULL_CONTROL`, `Group ${ALL_USERS} READ`]);
    expect(await anonymousGet(key)).toBe(200);

    const closed = await putAcl({ bucket, key, acl: 'private' });
    expect(closed.ok).toBe(true);
    expect(await cliGrants(key)).toEqual([`CanonicalUser ${ownerId} FULL_CONTROL`]);
    expect(await anonymousGet(key)).toBe(403);
  });

  it('public-read-write opens the object to anonymous reads', async () => {
    const key = await newObject('canned/public-read-write.txt');
    const res = await putAcl({ bucket, key, acl: 'public-read-write' });
    expect(res.ok ? res.output : res.error).toEqual({ bucket, key, acl: 'public-read-write' });
    // S3 lists AllUsers READ and AllUsers WRITE; moto 5.2.5 keeps them as one grant and reports
    // only its first permission, so only READ can be checked through the aws cli.
    expect(await cliGrants(key)).toEqual(
      expect.arrayContaining([`CanonicalUser ${ownerId} FULL_CONTROL`, `Group ${ALL_USERS} READ`]),
    );
    expect(await anonymousGet(key)).toBe(200);
  });

  it.each([
    ['authenticated-read', [`Group ${AUTHENTICATED} READ`]],
    // Bucket and object have the same owner here, so S3 adds nothing for these two.
    ['bucket-owner-read', []],
    ['bucket-owner-full-control', []],
  ])('%s: the aws cli reads back the grants S3 defines for it', async (acl, extra) => {
    const key = await newObject(`canned/${acl}.txt`);
    const res = await putAcl({ bucket, key, acl });
    expect(res.ok ? res.output : res.error).toEqual({ bucket, key, acl });
    expect(await cliGrants(key)).toEqual([`CanonicalUser ${ownerId} FULL_CONTROL`, ...extra].sort());
  });

  it('aws-exec-read is accepted (moto does not add the EC2 READ grant AWS adds)', async () => {
    const key = await newObject('canned/aws-exec-read.txt');
    await aws(['s3api', 'put-object-acl', '--bucket', bucket, '--key', key, '--acl', 'public-read']);
    const res = await putAcl({ bucket, key, acl: 'aws-exec-read' });
    expect(res.ok).toBe(true);
    // The public grant is gone: the canned ACL replaced the whole ACL.
    expect(await cliGrants(key)).not.toContain(`Group ${ALL_USERS} READ`);
  });
});

describe('put_object_acl: explicit grants', () => {
  // One grantee per permission here: for several grantees of one permission (one header) moto
  // 5.2.5 reports only the first through GetObjectAcl; see the next test.
  it('applies grants of every kind with the owner kept; the aws cli reads back the same grants', async () => {
    const key = await newObject('grants/mixed.txt');
    const grants: Grant[] = [
      { grantee: { type: 'group', uri: ALL_USERS }, permission: 'READ' },
      { grantee: { type: 'group', uri: LOG_DELIVERY }, permission: 'WRITE_ACP' },
      { grantee: { type: 'canonicalUser', id: OTHER }, permission: 'READ_ACP' },
      { grantee: { type: 'group', uri: AUTHENTICATED }, permission: 'WRITE' },
    ];
    const res = await putAcl({ bucket, key, grants });
    if (!res.ok) throw new Error(res.error.message);
    const applied = [{ grantee: { type: 'canonicalUser', id: ownerId }, permission: 'FULL_CONTROL' }, ...grants];
    expect(res.output).toEqual({ bucket, key, grants: applied, owner: { id: ownerId, displayName: 'webfile' } });
    expect(await cliGrants(key)).toEqual(lines(applied));
    expect(await anonymousGet(key)).toBe(200); // AllUsers READ took effect
  });

  it('sends several grantees of one permission together; all of them take effect', async () => {
    const key = await newObject('grants/shared.txt');
    const grants: Grant[] = [
      { grantee: { type: 'canonicalUser', id: OTHER }, permission: 'READ' },
      { grantee: { type: 'group', uri: ALL_USERS }, permission: 'READ' },
    ];
    const res = await putAcl({ bucket, key, grants, keepOwnerFullControl: false });
    expect(res).toEqual({ ok: true, output: { bucket, key, grants } });
    expect(await cliGrants(key)).toContain(`CanonicalUser ${OTHER} READ`);
    // moto lists only the first grantee of the header, but the second one was stored: anonymous
    // reads (AllUsers READ) now succeed.
    expect(await anonymousGet(key)).toBe(200);
  });

  it('with keepOwnerFullControl off, the ACL is exactly the grants given', async () => {
    const key = await newObject('grants/exact.txt');
    const grants: Grant[] = [{ grantee: { type: 'canonicalUser', id: OTHER }, permission: 'FULL_CONTROL' }];
    const res = await putAcl({ bucket, key, grants, keepOwnerFullControl: false });
    expect(res).toEqual({ ok: true, output: { bucket, key, grants } });
    expect(await cliGrants(key)).toEqual([`CanonicalUser ${OTHER} FULL_CONTROL`]);
  });

  it('does not add the owner twice when the grants already give it FULL_CONTROL (displayName is ignored)', async () => {
    const key = await newObject('grants/owner-given.txt');
    const grants: Grant[] = [
      { grantee: { type: 'canonicalUser', id: ownerId, displayName: 'anything' }, permission: 'FULL_CONTROL' },
      { grantee: { type: 'group', uri: AUTHENTICATED }, permission: 'READ' },
    ];
    const res = await putAcl({ bucket, key, grants });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.output.grants).toEqual([
      { grantee: { type: 'canonicalUser', id: ownerId }, permission: 'FULL_CONTROL' },
      { grantee: { type: 'group', uri: AUTHENTICATED }, permission: 'READ' },
    ]);
    expect(await cliGrants(key)).toEqual([`CanonicalUser ${ownerId} FULL_CONTROL`, `Group ${AUTHENTICATED} READ`]);
  });

  it('accepts an email grantee (moto takes the request; it records the address as a group URI, a moto bug)', async () => {
    const key = await newObject('grants/email.txt');
    const res = await putAcl({
      bucket,
      key,
      grants: [{ grantee: { type: 'email', emailAddress: 'someone@example.com' }, permission: 'READ' }],
    });
    expect(res.ok ? res.output.grants : res.error).toEqual([
      { grantee: { type: 'canonicalUser', id: ownerId }, permission: 'FULL_CONTROL' },
      { grantee: { type: 'email', emailAddress: 'someone@example.com' }, permission: 'READ' },
    ]);
    // What went over the wire is proved against the stand-in store below.
  });
});

describe('put_object_acl: the request sent', () => {
  let store: FakeStore;
  const bodies: string[] = [];
  beforeAll(async () => {
    store = await fakeStore((req, res) => {
      let text = '';
      req.on('data', (d: Buffer) => {
        text += d.toString();
      });
      req.on('end', () => {
        bodies.push(text);
        if (req.method === 'GET') {
          res.writeHead(200, { 'content-type': 'application/xml' });
          res.end(
            '<?xml version="1.0" encoding="UTF-8"?><AccessControlPolicy><Owner><ID>owner-1</ID><DisplayName>me</DisplayName></Owner>' +
              '<AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>owner-1</ID></Grantee>' +
              '<Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>',
          );
        } else {
          res.writeHead(200);
          res.end();
        }
      });
    });
  });
  afterAll(async () => {
    await store.close();
  });
  const standIn = () => motoConnection({ endpoint: store.endpoint });

  it('reads the owner, then sends every grant as x-amz-grant-* headers, with the versionId, and no body', async () => {
    store.requests.length = 0;
    bodies.length = 0;
    const res = await putAcl(
      {
        bucket: 'b-1',
        key: 'k 1.txt',
        versionId: 'v9',
        grants: [
          { grantee: { type: 'group', uri: ALL_USERS }, permission: 'READ' },
          { grantee: { type: 'email', emailAddress: 'someone@example.com' }, permission: 'READ' },
          { grantee: { type: 'canonicalUser', id: OTHER }, permission: 'WRITE' },
          { grantee: { type: 'canonicalUser', id: OTHER }, permission: 'READ_ACP' },
          { grantee: { type: 'group', uri: LOG_DELIVERY }, permission: 'WRITE_ACP' },
          { grantee: { type: 'canonicalUser', id: OTHER }, permission: 'FULL_CONTROL' },
        ],
      },
      standIn(),
    );
    expect(res.ok ? res.output.owner : res.error).toEqual({ id: 'owner-1', displayName: 'me' });
    const [get, put] = store.requests;
    expect(store.requests).toHaveLength(2);
    expect([get.method, get.url]).toEqual(['GET', '/b-1/k%201.txt?acl=&versionId=v9']);
    expect([put.method, put.url]).toEqual(['PUT', '/b-1/k%201.txt?acl=&versionId=v9']);
    const grantHeaders = Object.fromEntries(Object.entries(put.headers).filter(([h]) => h.startsWith('x-amz-grant-')));
    expect(grantHeaders).toEqual({
      'x-amz-grant-full-control': `id="owner-1", id="${OTHER}"`,
      'x-amz-grant-read': `uri="${ALL_USERS}", emailAddress="someone@example.com"`,
      'x-amz-grant-write': `id="${OTHER}"`,
      'x-amz-grant-read-acp': `id="${OTHER}"`,
      'x-amz-grant-write-acp': `uri="${LOG_DELIVERY}"`,
    });
    expect(put.headers['x-amz-acl']).toBeUndefined();
    expect(bodies[1]).toBe('');
  });

  it('sends a canned ACL as x-amz-acl in a single request', async () => {
    store.requests.length = 0;
    const res = await putAcl({ bucket: 'b-1', key: 'k.txt', acl: 'authenticated-read' }, standIn());
    expect(res.ok).toBe(true);
    expect(store.requests.map((r) => [r.method, r.url, r.headers['x-amz-acl']])).toEqual([
      ['PUT', '/b-1/k.txt?acl=', 'authenticated-read'],
    ]);
  });

  it.each([
    [
      'a bad permission',
      { grants: [{ grantee: { type: 'group', uri: ALL_USERS }, permission: 'READ_ALL' }] },
      'InvalidInput',
      'grants.0.permission',
    ],
    [
      'a canonical user without id',
      { grants: [{ grantee: { type: 'canonicalUser' }, permission: 'READ' }] },
      'InvalidInput',
      'grants.0.grantee.id',
    ],
    [
      'an unknown grantee type',
      { grants: [{ grantee: { type: 'role', id: 'x' }, permission: 'READ' }] },
      'InvalidInput',
      'grants.0.grantee.type',
    ],
    [
      'an unknown group',
      {
        grants: [
          { grantee: { type: 'group', uri: 'http://acs.amazonaws.com/groups/global/Everyone' }, permission: 'READ' },
        ],
      },
      'InvalidInput',
      'grants.0.grantee.uri',
    ],
    [
      'an invalid email',
      { grants: [{ grantee: { type: 'email', emailAddress: 'not-an-email' }, permission: 'READ' }] },
      'InvalidInput',
      'grants.0.grantee.emailAddress',
    ],
    [
      'an id with a quote',
      { grants: [{ grantee: { type: 'canonicalUser', id: 'a", uri="x' }, permission: 'READ' }] },
      'InvalidInput',
      'grants.0.grantee.id',
    ],
    ['an empty grant list', { grants: [] }, 'InvalidInput', 'grants'],
    ['an unknown canned ACL', { acl: 'log-delivery-write' }, 'InvalidInput', 'acl'],
    [
      'both acl and grants',
      { acl: 'private', grants: [{ grantee: { type: 'group', uri: ALL_USERS }, permission: 'READ' }] },
      'AclAndGrants',
      undefined,
    ],
    ['neither acl nor grants', {}, 'AclOrGrantsRequired', undefined],
  ])('%s is user_input, and no request is sent', async (_what, extra, code, field) => {
    store.requests.length = 0;
    const res = await putAcl({ bucket: 'b-1', key: 'k.txt', ...extra }, standIn());
    expect(res.ok ? null : res.error).toMatchObject({ type: 'user_input', code, retryable: false });
    if (field && !res.ok) {
      const problems = (res.error.details?.problems ?? []) as { field: string }[];
      expect(problems.map((p) => p.field)).toContain(field);
    }
    expect(store.requests).toHaveLength(0);
  });
});

describe('put_object_acl: missing things', () => {
  it.each([
    ['canned', { acl: 'private' }],
    ['grants', { grants: [{ grantee: { type: 'group', uri: ALL_USERS }, permission: 'READ' }] }],
    [
      'exact grants',
      { grants: [{ grantee: { type: 'group', uri: ALL_USERS }, permission: 'READ' }], keepOwnerFullControl: false },
    ],
  ])('a missing key or bucket is not_found (%s)', async (_what, extra) => {
    const missingKey = await putAcl({ bucket, key: 'nope.txt', ...extra });
    expect(missingKey.ok ? null : missingKey.error).toMatchObject({
      type: 'not_found',
      code: 'NoSuchKey',
      status: 404,
    });
    expect(missingKey.ok ? '' : missingKey.error.message).toContain('nope.txt');
    const missingBucket = await putAcl({ bucket: uniqueBucket('gone'), key: 'nope.txt', ...extra });
    expect(missingBucket.ok ? null : missingBucket.error).toMatchObject({
      type: 'not_found',
      code: 'NoSuchBucket',
      status: 404,
    });
  });
});
