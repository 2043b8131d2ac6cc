// create_bucket against moto, with the aws cli reading back: the region as LocationConstraint
// (never sent for us-east-1), ownership, ACL and Object Lock; an existing bucket is a conflict and
// is left alone (in us-east-1 it is looked up first, since S3 would answer 200 and reset its ACL);
// answers moto cannot give from a stand-in; bad input refused before any request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateBucketOutput } from '../../src/generated/types.js';
import {
  aws,
  awsJson,
  fakeStore,
  invoke,
  motoConnection,
  s3ErrorXml,
  uniqueBucket,
  type FakeStore,
} from '../support/helpers.js';
import { recordingProxy, type Recorder } from '../support/recordingProxy.js';

let proxy: Recorder;
let store: FakeStore;
beforeAll(async () => {
  proxy = await recordingProxy();
  store = await fakeStore((_req, res) => res.writeHead(500).end());
});
afterAll(async () => {
  await proxy.close();
  await store.close();
});

/** Requests the proxy saw for one bucket, as "METHOD /path?query". */
const seen = (bucket: string) => proxy.requests.filter((r) => r.url.startsWith(`/${bucket}`));
const through = (overrides = {}) => ({ connection: motoConnection({ endpoint: proxy.endpoint, ...overrides }) });

async function create(input: Record<string, unknown>, overrides = {}): Promise<CreateBucketOutput> {
  const res = await invoke<CreateBucketOutput>('create_bucket', input, through(overrides));
  if (!res.ok) throw new Error(`${res.error.type}: ${res.error.message}`);
  return res.output;
}

const location = (bucket: string) =>
  awsJson<{ LocationConstraint: string | null }>(['s3api', 'get-bucket-location', '--bucket', bucket]);

describe('create_bucket', () => {
  it("creates a bucket in the connection's region, us-east-1, without a LocationConstraint", async () => {
    const bucket = uniqueBucket('cb');
    expect(await create({ bucket })).toEqual({ bucket, region: 'us-east-1', location: `/${bucket}`, created: true });
    expect((await location(bucket)).LocationConstraint).toBeNull();
    // Looked up first (us-east-1), then created with no configuration at all.
    expect(seen(bucket).map((r) => r.method)).toEqual(['HEAD', 'PUT']);
    expect(seen(bucket)[1]!.body).not.toContain('LocationConstraint');
  });

  it('creates a bucket in another region, sending it as the LocationConstraint, and does not look first', async () => {
    const bucket = uniqueBucket('cbr');
    expect(await create({ bucket, region: 'eu-west-1' })).toMatchObject({ bucket, region: 'eu-west-1', created: true });
    expect((await location(bucket)).LocationConstraint).toBe('eu-west-1');
    expect(seen(bucket).map((r) => r.method)).toEqual(['PUT']);
    expect(seen(bucket)[0]!.body).toMatch(/<LocationConstraint>eu-west-1<\/LocationConstraint>/);
  });

  it('never sends us-east-1 as a constraint, whatever region the connection is set to', async () => {
    const bucket = uniqueBucket('cbu');
    expect(await create({ bucket, region: 'us-east-1' }, { region: 'eu-west-1' })).toMatchObject({
      region: 'us-east-1',
    });
    expect((await location(bucket)).LocationConstraint).toBeNull();
    expect(seen(bucket).every((r) => !r.body.includes('LocationConstraint'))).toBe(true);
  });

  it('sets object ownership, the canned ACL and Object Lock (which turns versioning on), as the aws cli reads them back', async () => {
    const bucket = uniqueBucket('cbo');
    await create({
      bucket,
      region: 'eu-west-1',
      objectOwnership: 'BucketOwnerPreferred',
      acl: 'public-read',
      objectLock: true,
    });
    const ownership = await awsJson<{ OwnershipControls: { Rules: { ObjectOwnership: string }[] } }>([
      's3api',
      'get-bucket-ownership-controls',
      '--bucket',
      bucket,
    ]);
    expect(ownership.OwnershipControls.Rules).toEqual([{ ObjectOwnership: 'BucketOwnerPreferred' }]);
    const acl = await awsJson<{ Grants: { Grantee: { URI?: string }; Permission: string }[] }>([
      's3api',
      'get-bucket-acl',
      '--bucket',
      bucket,
    ]);
    expect(acl.Grants).toContainEqual(
      expect.objectContaining({
        Grantee: expect.objectContaining({ URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }),
        Permission: 'READ',
      }),
    );
    const lock = await awsJson<{ ObjectLockConfiguration: { ObjectLockEnabled: string } }>([
      's3api',
      'get-object-lock-configuration',
      '--bucket',
      bucket,
    ]);
    expect(lock.ObjectLockConfiguration.ObjectLockEnabled).toBe('Enabled');
    expect(await awsJson(['s3api', 'get-bucket-versioning', '--bucket', bucket])).toMatchObject({ Status: 'Enabled' });

    // Without the options, none of it: the store's defaults.
    const plain = uniqueBucket('cbp');
    await create({ bucket: plain, region: 'eu-west-1' });
    expect(await awsJson(['s3api', 'get-bucket-versioning', '--bucket', plain])).not.toHaveProperty('Status');
  });

  it('reports one of your buckets in us-east-1 as a conflict, without sending the create that would reset its ACL', async () => {
    const bucket = uniqueBucket('cbx');
    await aws(['s3api', 'create-bucket', '--bucket', bucket, '--acl', 'public-read']);
    const res = await invoke('create_bucket', { bucket }, through());
    expect(res.ok ? null : res.error).toMatchObject({
      type: 'conflict',
      code: 'BucketAlreadyOwnedByYou',
      retryable: false,
    });
    expect(res.ok ? '' : res.error.message).toContain(`Bucket ${bucket} already exists`);
    expect(seen(bucket).map((r) => r.method)).toEqual(['HEAD']);
    const acl = await awsJson<{ Grants: { Grantee: { URI?: string } }[] }>([
      's3api',
      'get-bucket-acl',
      '--bucket',
      bucket,
    ]);
    expect(acl.Grants.some((g) => g.Grantee.URI?.endsWith('/AllUsers'))).toBe(true); // still public-read
  });

  it('reports one of your buckets elsewhere as the conflict S3 answers (BucketAlreadyOwnedByYou, 409)', async () => {
    const bucket = uniqueBucket('cbe');
    await create({ bucket, region: 'eu-west-1' });
    const res = await invoke('create_bucket', { bucket, region: 'eu-west-1' }, through());
    expect(res.ok ? null : res.error).toMatchObject({ type: 'conflict', code: 'BucketAlreadyOwnedByYou' });
  });

  it("reports another account's bucket as BucketAlreadyExists: from S3's answer, or from a 403 to the look in us-east-1", async () => {
    const other = await fakeStore((req, res) => {
      if (req.method === 'HEAD') res.writeHead(403).end();
      else
        res
          .writeHead(409, { 'content-type': 'application/xml' })
          .end(s3ErrorXml('BucketAlreadyExists', 'The requested bucket name is not available.'));
    });
    try {
      const conn = { connection: motoConnection({ endpoint: other.endpoint, maxAttempts: 1 }) };
      const inEast = await invoke('create_bucket', { bucket: 'taken-name' }, conn);
      expect(inEast.ok ? null : inEast.error).toMatchObject({ type: 'conflict', code: 'BucketAlreadyExists' });
      expect(other.requests.map((r) => r.method)).toEqual(['HEAD']); // nothing created
      const inWest = await invoke('create_bucket', { bucket: 'taken-name', region: 'eu-west-1' }, conn);
      expect(inWest.ok ? null : inWest.error).toMatchObject({ type: 'conflict', code: 'BucketAlreadyExists' });
      expect(inWest.ok ? '' : inWest.error.message).toMatch(/another account/);
    } finally {
      await other.close();
    }
  });

  it('refuses a region that is not an AWS one (without a custom endpoint) before any request', async () => {
    const res = await invoke(
      'create_bucket',
      { bucket: uniqueBucket('cbn'), region: 'eu-west-9' },
      { connection: { region: 'us-east-1', credentials: { type: 'anonymous' } } },
    );
    expect(res.ok ? null : res.error).toMatchObject({
      type: 'user_input',
      code: 'UnknownRegion',
      details: { problems: [expect.objectContaining({ field: 'region' })] },
    });
    expect(res.ok ? '' : res.error.message).toMatch(
      /^Invalid input: region "eu-west-9" is not an AWS region \(did you mean/,
    );
  });

  it.each([
    ['a public ACL with ACLs disabled', { objectOwnership: 'BucketOwnerEnforced', acl: 'public-read' }, 'acl'],
    ['an object ACL that buckets do not take', { acl: 'bucket-owner-full-control' }, 'acl'],
    ['an unknown ownership', { objectOwnership: 'Anyone' }, 'objectOwnership'],
    ['a region with capitals', { region: 'EU-West-1' }, 'region'],
    ['an invalid name', { bucket: 'Not_A_Bucket' }, 'bucket'],
    ['an unknown field', { versioning: true }, 'versioning'],
  ])('refuses %s before any request', async (_label, extra, field) => {
    const before = store.requests.length;
    const res = await invoke(
      'create_bucket',
      { bucket: 'new-bucket', ...extra },
      { connection: motoConnection({ endpoint: store.endpoint }) },
    );
    expect(res.ok ? null : res.error.type).toBe('user_input');
    const problems = (res.ok ? [] : res.error.details?.problems) as { field: string }[];
    expect(
      problems.map((p) => p.field),
      JSON.stringify(problems),
    ).toContain(field);
    expect(store.requests.length).toBe(before);
  });

  it('accepts private with ACLs disabled (the only ACL they allow)', async () => {
    const bucket = uniqueBucket('cbv');
    expect(
      await create({ bucket, region: 'eu-west-1', objectOwnership: 'BucketOwnerEnforced', acl: 'private' }),
    ).toMatchObject({ created: true });
  });
});
