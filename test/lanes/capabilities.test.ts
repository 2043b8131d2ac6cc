// Store capabilities against moto, which honours conditions, tags, ACLs and encryption: the
// probe runs once per store and bucket (counted at the wire by the tests' proxy, used here
// only to count and, in one test, to answer 503), shared by concurrent calls, leaves nothing
// behind, and never stands in the way of a store that can do what is asked. The refusals on a
// store that cannot are proved against s3rver (test/s3rver.test.ts).
import type { S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CAPABILITIES, CAPABILITY_PROBE_PREFIX, StoreCapabilities } from '../../src/probes/capabilities.js';
import { loadConnector, type Connector } from '../../src/index.js';
import { FAULTS, startFaultProxy, type FaultProxy } from '../support/faultProxy.js';
import {
  aws,
  awsJson,
  fakeStore,
  motoConnection,
  motoEndpoint,
  testConnector,
  TEST_KEY_ID,
  TEST_SECRET,
  uniqueBucket,
} from '../support/helpers.js';

const bucket = uniqueBucket('caps');
const versioned = uniqueBucket('caps-v');
let proxy: FaultProxy;
let connector: Connector;

beforeAll(async () => {
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  await aws(['s3api', 'create-bucket', '--bucket', versioned]);
  await aws(['s3api', 'put-bucket-versioning', '--bucket', versioned, '--versioning-configuration', 'Status=Enabled']);
});

beforeEach(async () => {
  proxy = await startFaultProxy(motoEndpoint());
  connector = await loadConnector({ validateOutput: true }); // nothing learned yet
});

afterEach(async () => {
  connector.close();
  await proxy.close();
});

const conn = (extra: Record<string, unknown> = {}) => ({
  region: 'us-east-1',
  endpoint: proxy.endpoint,
  credentials: { type: 'accessKey', accessKeyId: TEST_KEY_ID, secretAccessKey: TEST_SECRET },
  ...extra,
});

const invoke = (name: string, input: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  connector.invoke<Record<string, any>>(name, input, { connection: conn(extra) }); // eslint-disable-line @typescript-eslint/no-explicit-any

/** Requests the proxy saw on the probe's scratch keys. */
const probeRequests = () => proxy.log.filter((r) => decodeURIComponent(r.url).includes(CAPABILITY_PROBE_PREFIX));

async function leftovers(b: string): Promise<unknown[]> {
  const listed = await awsJson<{ Versions?: unknown[]; DeleteMarkers?: unknown[] }>([
    's3api',
    'list-object-versions',
    '--bucket',
    b,
    '--prefix',
    CAPABILITY_PROBE_PREFIX,
  ]);
  return [...(listed.Versions ?? []), ...(listed.DeleteMarkers ?? [])];
}

describe('capability probe against a store that can do everything (moto)', () => {
  it('the first conditional write probes once; the write itself then behaves as on S3', async () => {
    const first = await invoke('put_object_text', { bucket, key: 'cond.txt', content: 'v1', ifNoneMatch: '*' });
    expect(first.ok).toBe(true);
    // put, put If-None-Match (412), put If-Match (412), delete: the probe's whole cost.
    const probe = probeRequests().map((r) => `${r.method} ${r.status}`);
    expect(probe).toEqual(['PUT 200', 'PUT 412', 'PUT 412', 'DELETE 204']);
    const again = await invoke('put_object_text', { bucket, key: 'cond.txt', content: 'v2', ifNoneMatch: '*' });
    expect(again).toMatchObject({ ok: false, error: { type: 'precondition_failed', code: 'PreconditionFailed' } });
    expect(probeRequests()).toHaveLength(4); // learned: not probed again
    expect(await leftovers(bucket)).toEqual([]);
  });

  it('concurrent calls share one probe', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        invoke('put_object_text', {
          bucket,
          key: `many/${i}.txt`,
          content: String(i),
          ifNoneMatch: '*',
          tags: { n: String(i) },
        }),
      ),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(
      probeRequests().filter(
        (r) => r.method === 'PUT' && !('if-none-match' in r.headers) && !('if-match' in r.headers),
      ),
    ).toHaveLength(1);
    // moto keeps tags sent with the upload: written with it, no separate tagging request.
    const tagging = proxy.log.filter((r) => r.url.includes('?tagging') && r.method === 'PUT');
    expect(tagging).toEqual([]);
    const tags = await awsJson<{ TagSet: unknown[] }>([
      's3api',
      'get-object-tagging',
      '--bucket',
      bucket,
      '--key',
      'many/7.txt',
    ]);
    expect(tags.TagSet).toEqual([{ Key: 'n', Value: '7' }]);
  });

  it('encryption and an ACL on an upload are probed, then sent as asked', async () => {
    const out = await invoke('put_object_text', {
      bucket,
      key: 'enc.txt',
      content: 'x',
      serverSideEncryption: 'AES256',
      acl: 'public-read',
    });
    expect(out).toMatchObject({ ok: true, output: { serverSideEncryption: 'AES256' } });
    const acl = await awsJson<{ Grants: { Grantee: { URI?: string }; Permission: string }[] }>([
      's3api',
      'get-object-acl',
      '--bucket',
      bucket,
      '--key',
      'enc.txt',
    ]);
    expect(acl.Grants.some((g) => g.Grantee.URI?.endsWith('/AllUsers') && g.Permission === 'READ')).toBe(true);
    expect(probeRequests().map((r) => r.method)).toEqual(['PUT', 'PUT', 'DELETE']); // put with SSE, put ?acl, delete
    expect(await leftovers(bucket)).toEqual([]);
  });

  it('a versioned bucket: the versioned delete is probed, then deletes exactly that version; the probe leaves no version or marker', async () => {
    const v1 = await invoke('put_object_text', { bucket: versioned, key: 'doc.txt', content: 'one' });
    const v2 = await invoke('put_object_text', { bucket: versioned, key: 'doc.txt', content: 'two' });
    const del = await invoke('delete_object', { bucket: versioned, key: 'doc.txt', versionId: v1.output!.versionId });
    expect(del).toMatchObject({ ok: true, output: { versionId: v1.output!.versionId } });
    const versions = await awsJson<{ Versions?: { VersionId: string }[] }>([
      's3api',
      'list-object-versions',
      '--bucket',
      versioned,
      '--prefix',
      'doc.txt',
    ]);
    expect(versions.Versions?.map((v) => v.VersionId)).toEqual([v2.output!.versionId]);
    expect(probeRequests().length).toBeGreaterThan(0);
    expect(await leftovers(versioned)).toEqual([]);
  });

  it('moto ignores versionId on an unversioned bucket, like s3rver: a versioned delete there is refused and the object stays', async () => {
    await invoke('put_object_text', { bucket, key: 'plain.txt', content: 'current' });
    const del = await invoke('delete_object', { bucket, key: 'plain.txt', versionId: 'some-version' });
    expect(del).toMatchObject({
      ok: false,
      error: { type: 'unsupported', code: 'StoreCapability', details: { capability: 'versioning', detected: true } },
    });
    expect(
      await aws(['s3api', 'head-object', '--bucket', bucket, '--key', 'plain.txt']).then(
        () => true,
        () => false,
      ),
    ).toBe(true);
    expect(await leftovers(bucket)).toEqual([]);
  });

  it('declared capabilities skip the probe', async () => {
    const out = await invoke(
      'put_object_text',
      { bucket, key: 'declared.txt', content: 'x', ifNoneMatch: '*' },
      { capabilities: { conditionalWrites: true } },
    );
    expect(out.ok).toBe(true);
    expect(probeRequests()).toEqual([]);
  });

  it('a probe that fails on the way (503 on every attempt) is not an answer: the call fails retryably and the next call probes again', async () => {
    const rule = proxy.addRule({
      method: 'PUT',
      url: (u) => decodeURIComponent(u.pathname).includes(CAPABILITY_PROBE_PREFIX),
      on: 'all',
      fault: FAULTS.slowDown(),
    });
    const failed = await invoke(
      'put_object_text',
      { bucket, key: 'retry.txt', content: 'x', ifNoneMatch: '*' },
      { maxAttempts: 2 },
    );
    expect(failed).toMatchObject({ ok: false, error: { type: 'throttled', code: 'SlowDown', retryable: true } });
    expect(rule.injected).toBe(2);
    expect(
      await aws(['s3api', 'head-object', '--bucket', bucket, '--key', 'retry.txt']).then(
        () => true,
        () => false,
      ),
    ).toBe(false);
    proxy.clearRules();
    const retried = await invoke(
      'put_object_text',
      { bucket, key: 'retry.txt', content: 'x', ifNoneMatch: '*' },
      { maxAttempts: 2 },
    );
    expect(retried.ok).toBe(true);
    expect(await leftovers(bucket)).toEqual([]);
  });

  it('tags written separately (tagsOnPut declared off): the upload is one request, the tags a second; if the second fails, the error says the object was written', async () => {
    const declared = { capabilities: { tagsOnPut: false }, maxAttempts: 1 };
    const out = await invoke(
      'put_object_text',
      { bucket, key: 'tagged.txt', content: 'x', tags: { team: 'data' } },
      declared,
    );
    expect(out.ok).toBe(true);
    const upload = proxy.log.find((r) => r.method === 'PUT' && r.url.endsWith('/tagged.txt'));
    expect(upload?.headers['x-amz-tagging']).toBeUndefined();
    expect(proxy.log.filter((r) => r.method === 'PUT' && r.url.includes('tagged.txt?tagging'))).toHaveLength(1);
    expect(
      (await awsJson<{ TagSet: unknown[] }>(['s3api', 'get-object-tagging', '--bucket', bucket, '--key', 'tagged.txt']))
        .TagSet,
    ).toEqual([{ Key: 'team', Value: 'data' }]);
    // Injected: the tagging request fails (moto never does).
    proxy.addRule({ method: 'PUT', url: /\?tagging/, on: 'all', fault: FAULTS.internalError() });
    const failed = await invoke(
      'put_object_text',
      { bucket, key: 'untagged.txt', content: 'x', tags: { team: 'data' } },
      declared,
    );
    expect(failed).toMatchObject({
      ok: false,
      error: { type: 'api', code: 'InternalError', retryable: true, details: { written: true, tagged: false } },
    });
    expect(failed.ok ? '' : failed.error.message).toMatch(/The object was written, but its tags were not/);
    expect(
      await aws(['s3api', 'head-object', '--bucket', bucket, '--key', 'untagged.txt']).then(
        () => true,
        () => false,
      ),
    ).toBe(true);
    expect(probeRequests()).toEqual([]);
  });

  it('testConnection reports every capability, probed on the bucket', async () => {
    const res = await connector.testConnection(conn(), { bucket: versioned });
    expect(res).toMatchObject({
      ok: true,
      output: {
        capabilities: {
          conditionalWrites: true,
          versioning: true,
          tagsOnPut: true,
          acl: true,
          serverSideEncryption: true,
        },
      },
    });
    expect(await leftovers(versioned)).toEqual([]);
  });
});

describe('Amazon S3 (no custom endpoint)', () => {
  it('is taken to support everything: no request is made', async () => {
    // A stand-in client (Amazon S3 itself is not reachable from the tests): any send fails the test.
    const client = {
      send: () => {
        throw new Error('no request may be sent');
      },
    } as unknown as S3Client;
    const found = await new StoreCapabilities().detect(
      { region: 'us-east-1' },
      client,
      'b',
      [...CAPABILITIES],
      new AbortController().signal,
    );
    expect(found).toEqual({
      conditionalWrites: true,
      versioning: true,
      tagsOnPut: true,
      acl: true,
      serverSideEncryption: true,
    });
    const declared = await new StoreCapabilities().detect(
      { region: 'us-east-1', capabilities: { acl: false } },
      client,
      'b',
      ['acl'],
      new AbortController().signal,
    );
    expect(declared).toEqual({ acl: false });
  });
});

describe('operations that send no request', () => {
  it('a signed URL for a version on an undeclared custom endpoint is signed without probing the store (openWorld: false)', async () => {
    const store = await fakeStore((_req, res) => res.writeHead(500).end());
    try {
      const c = await testConnector();
      const res = await c.invoke(
        'get_object_signed_url',
        { bucket: 'data-bucket', key: 'a.txt', versionId: 'v1', method: 'GET' },
        { connection: motoConnection({ endpoint: store.endpoint }) },
      );
      expect(res.ok ? res.output.url : res.error).toContain('versionId=v1');
      expect(store.requests).toHaveLength(0);
    } finally {
      await store.close();
    }
  });
});
