// head_bucket against moto and stand-ins: a bucket that exists (its region as the aws cli sees
// it), one that does not, one in another region, one the credentials may not list; failures that
// are not answers (the network, 5xx) stay errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeadBucketOutput } from '../../src/generated/types.js';
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

const bucket = uniqueBucket('hb');
const western = uniqueBucket('hbw');

let store: FakeStore;
beforeAll(async () => {
  store = await fakeStore((_req, res) => res.writeHead(500).end());
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  await aws([
    '--region',
    'eu-west-1',
    's3api',
    'create-bucket',
    '--bucket',
    western,
    '--create-bucket-configuration',
    'LocationConstraint=eu-west-1',
  ]);
});
afterAll(() => store.close());

async function head(input: Record<string, unknown>, connection = motoConnection()): Promise<HeadBucketOutput> {
  const res = await invoke<HeadBucketOutput>('head_bucket', input, { connection });
  if (!res.ok) throw new Error(`${res.error.type}: ${res.error.message}`);
  return res.output;
}

describe('head_bucket', () => {
  it('answers that a bucket exists and is accessible, with the region the aws cli reads', async () => {
    expect(await head({ bucket })).toEqual({ bucket, exists: true, accessible: true, region: 'us-east-1' });
    const cli = await awsJson<{ LocationConstraint: string | null }>([
      's3api',
      'get-bucket-location',
      '--bucket',
      bucket,
    ]);
    expect(cli.LocationConstraint).toBeNull(); // us-east-1
  });

  it('answers exists: false for a bucket that does not exist, rather than failing', async () => {
    const gone = uniqueBucket('gone');
    expect(await head({ bucket: gone })).toEqual({
      bucket: gone,
      exists: false,
      accessible: false,
      note: `There is no bucket named ${gone} on this store.`,
    });
  });

  it('answers the region of a bucket in another region than the connection', async () => {
    // moto answers it from any region; asked through eu-west-1 it says so too.
    expect(await head({ bucket: western }, motoConnection({ region: 'eu-west-1' }))).toMatchObject({
      exists: true,
      accessible: true,
      region: 'eu-west-1',
    });
    const cli = await awsJson<{ LocationConstraint: string }>(['s3api', 'get-bucket-location', '--bucket', western]);
    expect(cli.LocationConstraint).toBe('eu-west-1');
    // S3 answers 301 with the region header to a HEAD in the wrong region: a stand-in does that.
    const redirect = await fakeStore((_req, res) => res.writeHead(301, { 'x-amz-bucket-region': 'eu-west-1' }).end());
    try {
      const out = await head({ bucket: western }, motoConnection({ endpoint: redirect.endpoint, maxAttempts: 1 }));
      expect(out).toMatchObject({ bucket: western, exists: true, accessible: false, region: 'eu-west-1' });
      expect(out.note).toMatch(/in region eu-west-1, but the connection is set to us-east-1/);
    } finally {
      await redirect.close();
    }
  });

  it('answers exists, not accessible, for a 403, naming the permission and the region the store gave', async () => {
    const denied = await fakeStore((_req, res) => res.writeHead(403, { 'x-amz-bucket-region': 'us-east-1' }).end());
    try {
      const out = await head(
        { bucket: 'someone-elses' },
        motoConnection({ endpoint: denied.endpoint, maxAttempts: 1 }),
      );
      expect(out).toMatchObject({ bucket: 'someone-elses', exists: true, accessible: false, region: 'us-east-1' });
      expect(out.note).toMatch(/s3:ListBucket/);
      expect(out.note).toMatch(/check them/);
    } finally {
      await denied.close();
    }
  });

  it('keeps failures that say nothing about the bucket as errors', async () => {
    const res = await invoke(
      'head_bucket',
      { bucket },
      { connection: motoConnection({ endpoint: store.endpoint, maxAttempts: 1 }) },
    );
    expect(res.ok ? null : res.error).toMatchObject({ type: 'api', status: 500, retryable: true });
    const closed = await invoke(
      'head_bucket',
      { bucket },
      { connection: motoConnection({ endpoint: 'http://127.0.0.1:9', maxAttempts: 1 }) },
    );
    expect(closed.ok ? null : closed.error).toMatchObject({ type: 'network' });
  });

  it.each([
    [{ bucket: 'Not_A_Bucket' }, 'bucket'],
    [{}, 'bucket'],
    [{ bucket, key: 'k' }, 'key'],
  ])('refuses %j before any request', async (input, field) => {
    const before = store.requests.length;
    const res = await invoke('head_bucket', input, { connection: motoConnection({ endpoint: store.endpoint }) });
    expect(res.ok ? null : res.error.type).toBe('user_input');
    expect(problemFields(res)).toContain(field);
    expect(store.requests.length).toBe(before);
  });
});
