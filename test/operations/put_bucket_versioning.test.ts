// put_bucket_versioning against moto, with the aws cli reading the state back and seeing what
// it does to writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aws,
  awsJson,
  fakeStore,
  invoke,
  motoConnection,
  uniqueBucket,
  type FakeStore,
  problemFields,
} from '../support/helpers.js';

const bucket = uniqueBucket('pbv');
const cliStatus = async () =>
  (await awsJson<{ Status?: string }>(['s3api', 'get-bucket-versioning', '--bucket', bucket])).Status;

let store: FakeStore;
beforeAll(async () => {
  store = await fakeStore((_req, res) => res.writeHead(500).end());
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
});
afterAll(() => store.close());

describe('put_bucket_versioning', () => {
  it('enables versioning: the aws cli reads Enabled, and overwrites keep the previous version', async () => {
    expect(await cliStatus()).toBeUndefined();
    expect(await invoke('put_bucket_versioning', { bucket, status: 'Enabled' })).toEqual({
      ok: true,
      output: { bucket, status: 'Enabled' },
    });
    expect(await cliStatus()).toBe('Enabled');
    await aws(['s3api', 'put-object', '--bucket', bucket, '--key', 'k']);
    await aws(['s3api', 'put-object', '--bucket', bucket, '--key', 'k']);
    const versions = await awsJson<{ Versions: unknown[] }>(['s3api', 'list-object-versions', '--bucket', bucket]);
    expect(versions.Versions).toHaveLength(2);
  });

  it('suspends it: the aws cli reads Suspended, and the versions already kept stay', async () => {
    expect(await invoke('put_bucket_versioning', { bucket, status: 'Suspended' })).toEqual({
      ok: true,
      output: { bucket, status: 'Suspended' },
    });
    expect(await cliStatus()).toBe('Suspended');
    const versions = await awsJson<{ Versions: unknown[] }>(['s3api', 'list-object-versions', '--bucket', bucket]);
    expect(versions.Versions).toHaveLength(2);
  });

  it('reports a missing bucket as not_found', async () => {
    expect(await invoke('put_bucket_versioning', { bucket: uniqueBucket('gone'), status: 'Enabled' })).toMatchObject({
      ok: false,
      error: { type: 'not_found', code: 'NoSuchBucket' },
    });
  });

  it.each([
    [{ bucket }, 'status'],
    [{ bucket, status: 'Disabled' }, 'status'],
    [{ bucket, status: 'enabled' }, 'status'],
    [{ bucket, status: 'Enabled', mfaDelete: 'Enabled' }, 'mfaDelete'],
  ])('refuses %j before any request (a bucket cannot be made unversioned again)', async (input, field) => {
    const before = store.requests.length;
    const res = await invoke('put_bucket_versioning', input, {
      connection: motoConnection({ endpoint: store.endpoint }),
    });
    expect(res.ok ? null : res.error.type).toBe('user_input');
    expect(problemFields(res)).toContain(field);
    expect(store.requests.length).toBe(before);
  });
});
