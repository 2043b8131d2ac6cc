// get_bucket_versioning and put_bucket_versioning's states as the aws cli sets and reads them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aws, fakeStore, invoke, motoConnection, uniqueBucket, type FakeStore } from '../support/helpers.js';

const bucket = uniqueBucket('gbv');

let store: FakeStore;
beforeAll(async () => {
  store = await fakeStore((_req, res) => res.writeHead(500).end());
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
});
afterAll(() => store.close());

describe('get_bucket_versioning', () => {
  it('reads never enabled, Enabled and Suspended as the aws cli sets them', async () => {
    expect(await invoke('get_bucket_versioning', { bucket })).toEqual({
      ok: true,
      output: { bucket, status: 'Unversioned', enabled: false },
    });
    await aws(['s3api', 'put-bucket-versioning', '--bucket', bucket, '--versioning-configuration', 'Status=Enabled']);
    expect(await invoke('get_bucket_versioning', { bucket })).toMatchObject({
      ok: true,
      output: { bucket, status: 'Enabled', enabled: true },
    });
    await aws(['s3api', 'put-bucket-versioning', '--bucket', bucket, '--versioning-configuration', 'Status=Suspended']);
    expect(await invoke('get_bucket_versioning', { bucket })).toMatchObject({
      ok: true,
      output: { bucket, status: 'Suspended', enabled: false },
    });
  });

  it('reports a missing bucket as not_found', async () => {
    expect(await invoke('get_bucket_versioning', { bucket: uniqueBucket('gone') })).toMatchObject({
      ok: false,
      error: { type: 'not_found', code: 'NoSuchBucket' },
    });
  });

  it('refuses a bad bucket name before any request', async () => {
    const before = store.requests.length;
    const res = await invoke(
      'get_bucket_versioning',
      { bucket: 'Bad_Bucket' },
      { connection: motoConnection({ endpoint: store.endpoint }) },
    );
    expect(res.ok ? null : res.error.type).toBe('user_input');
    expect(store.requests.length).toBe(before);
  });
});
