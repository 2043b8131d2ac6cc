// Bad connections and inputs are rejected with a user_input error naming the field and the
// rule, before any request: the connection points at a counting stand-in store that must stay silent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeStore, testConnector, type FakeStore } from '../support/helpers.js';

let store: FakeStore;
beforeAll(async () => {
  store = await fakeStore((_req, res) => res.writeHead(500).end());
});
afterAll(() => store.close());

const goodCreds = { type: 'accessKey', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'very-secret-value-123' };
const good = () => ({ region: 'us-east-1', endpoint: store.endpoint, credentials: goodCreds });

async function expectRejected(connection: unknown, input: unknown, field: string, words: RegExp, op = 'head_object') {
  const c = await testConnector();
  const before = store.requests.length;
  const res = await c.invoke(op, input, { connection });
  expect(res.ok).toBe(false);
  if (res.ok) return;
  expect(res.error.type).toBe('user_input');
  expect(res.error.retryable).toBe(false);
  const problems = res.error.details?.problems as { field: string; message: string }[];
  const problem = problems.find((p) => p.field === field);
  expect(problem?.message).toMatch(words);
  expect(res.error.message).toContain(problems[0]!.message); // the summary leads with the first problem
  expect(store.requests.length).toBe(before);
  expect(JSON.stringify(res)).not.toContain('very-secret-value-123');
}

const obj = { bucket: 'my-bucket', key: 'a.txt' };

describe('connection validation', () => {
  it('missing region says to set it', async () => {
    const { region: _r, ...noRegion } = good();
    await expectRejected(noRegion, obj, 'region', /region is required/);
  });

  it('malformed region', async () => {
    await expectRejected({ ...good(), region: 'US_EAST' }, obj, 'region', /"US_EAST" is not valid/);
  });

  it('auto without a custom endpoint says it needs one', async () => {
    const { endpoint: _e, ...aws } = good();
    await expectRejected(
      { ...aws, region: 'auto' },
      obj,
      'region',
      /`auto` and other store-specific names need a custom endpoint/,
    );
  });

  it('auto with a custom endpoint passes validation (R2 style)', async () => {
    const c = await testConnector();
    const res = await c.invoke('head_object', obj, { connection: { ...good(), region: 'auto', maxAttempts: 1 } });
    expect(res.ok ? 'ok' : res.error.type).not.toBe('user_input');
  });

  it('unknown credential kind lists the kinds', async () => {
    await expectRejected(
      { ...good(), credentials: { type: 'password' } },
      obj,
      'credentials.type',
      /accessKey, assumeRole, defaultChain, anonymous/,
    );
  });

  it('access key without its secret', async () => {
    await expectRejected(
      { ...good(), credentials: { type: 'accessKey', accessKeyId: 'AKID' } },
      obj,
      'credentials.secretAccessKey',
      /is required/,
    );
  });

  it('assume role with a malformed ARN and a lone source secret', async () => {
    await expectRejected(
      { ...good(), credentials: { type: 'assumeRole', roleArn: 'role/x' } },
      obj,
      'credentials.roleArn',
      /not valid/,
    );
    await expectRejected(
      {
        ...good(),
        credentials: {
          type: 'assumeRole',
          roleArn: 'arn:aws:iam::123456789012:role/r',
          secretAccessKey: 'very-secret-value-123',
        },
      },
      obj,
      'credentials.accessKeyId',
      /required when credentials.secretAccessKey is set/,
    );
  });

  it('a secret in a wrong place is never echoed', async () => {
    await expectRejected(
      {
        ...good(),
        credentials: { ...goodCreds, secretAccessKey: 12 as unknown as string, extra: 'very-secret-value-123' },
      },
      obj,
      'credentials.secretAccessKey',
      /must be a string/,
    );
  });

  it('unknown fields, bad endpoint, out-of-range numbers', async () => {
    await expectRejected({ ...good(), colour: 'blue' }, obj, 'colour', /not a known field/);
    await expectRejected({ ...good(), endpoint: 'ftp://x' }, obj, 'endpoint', /not valid/);
    await expectRejected({ ...good(), maxAttempts: 0 }, obj, 'maxAttempts', /must be >= 1/);
  });

  it('no connection at all', async () => {
    const c = await testConnector();
    const res = await c.invoke('head_object', obj, { connection: undefined });
    expect(res.ok ? null : res.error).toMatchObject({ type: 'user_input', code: 'InvalidConnection' });
  });
});

describe('input validation', () => {
  it('missing required fields', async () => {
    await expectRejected(good(), { key: 'a' }, 'bucket', /bucket is required/);
  });

  it.each([['My_Bucket'], ['ab'], ['-leading'], ['trailing-'], ['two..dots'], ['192.168.1.1'], ['x'.repeat(64)]])(
    'bucket name %s breaks S3 rules',
    async (bucket) => {
      await expectRejected(good(), { bucket, key: 'a' }, 'bucket', /bucket/);
    },
  );

  it('empty key and a key over 1024 UTF-8 bytes (though under 1024 characters)', async () => {
    await expectRejected(good(), { bucket: 'my-bucket', key: '' }, 'key', /must not be empty/);
    await expectRejected(good(), { bucket: 'my-bucket', key: 'é'.repeat(600) }, 'key', /1024 bytes/);
  });

  it('dates, types and unknown fields', async () => {
    await expectRejected(good(), { ...obj, ifModifiedSince: 'yesterday' }, 'ifModifiedSince', /ISO 8601/);
    await expectRejected(good(), { ...obj, key: 5 }, 'key', /must be a string/);
    await expectRejected(good(), { ...obj, colour: 'red' }, 'colour', /not a known field/);
    await expectRejected(good(), { limit: 0 }, 'limit', /must be >= 1/, 'list_buckets');
  });

  it('reports every problem, not only the first', async () => {
    const c = await testConnector();
    const res = await c.invoke('head_object', { bucket: 'BAD', key: '' }, { connection: good() });
    expect(res.ok ? [] : (res.error.details?.problems as unknown[])).toHaveLength(2);
    expect(res.ok ? '' : res.error.message).toMatch(/and 1 more problem/);
  });

  it('unknown operation', async () => {
    const c = await testConnector();
    const res = await c.invoke('drop_tables', {}, { connection: good() });
    expect(res.ok ? null : res.error).toMatchObject({ type: 'user_input', code: 'UnknownOperation' });
    expect(res.ok ? '' : res.error.message).toContain('head_object');
  });

  it("applies defaults without changing the caller's objects", async () => {
    const c = await testConnector();
    const connection = { ...good(), maxAttempts: 1 };
    const input = { ...obj };
    await c.invoke('head_object', input, { connection });
    expect(connection).not.toHaveProperty('requestTimeoutMs');
    expect(input).toEqual(obj);
  });
});
