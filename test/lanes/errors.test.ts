// Error mapping for answers moto cannot be made to give. These run the real SDK against a
// stand-in HTTP store (an injected fault: see fakeStore in helpers.ts) that answers with S3's own
// status codes, headers and XML bodies, so the SDK's real parsing feeds the mapper.
import { createHash } from 'node:crypto';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeStore, s3ErrorXml, testConnector, type FakeStore } from '../support/helpers.js';

let store: FakeStore | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

const creds = { type: 'accessKey', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'stand-in-secret-0001' } as const;
const conn = (endpoint: string, extra: Record<string, unknown> = {}) => ({
  region: 'us-east-1',
  endpoint,
  credentials: creds,
  maxAttempts: 1,
  ...extra,
});
const obj = { bucket: 'data-bucket', key: 'in/file.csv' };

async function headWith(status: number, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}) {
  store = await fakeStore((_req, res) => res.writeHead(status, headers).end());
  const c = await testConnector();
  return c.invoke('head_object', obj, { connection: conn(store.endpoint, extra) });
}

async function getWith(status: number, body: string, op: string, input: unknown, extra: Record<string, unknown> = {}) {
  store = await fakeStore((_req, res) =>
    res.writeHead(status, { 'content-type': 'application/xml', 'x-amz-request-id': 'REQ42' }).end(body),
  );
  const c = await testConnector();
  return c.invoke(op, input, { connection: conn(store.endpoint, extra) });
}

describe('region mismatch', () => {
  it('HEAD 301 with only the x-amz-bucket-region header names the real region', async () => {
    const res = await headWith(301, { 'x-amz-bucket-region': 'eu-west-2' });
    expect(res.ok ? null : res.error).toMatchObject({
      type: 'region_mismatch',
      status: 301,
      details: { bucketRegion: 'eu-west-2' },
    });
    expect(res.ok ? '' : res.error.message).toMatch(
      /is in region eu-west-2.*set to us-east-1.*Set the connection's region to eu-west-2/,
    );
  });

  it('400 AuthorizationHeaderMalformed carrying Region', async () => {
    const body = s3ErrorXml('AuthorizationHeaderMalformed', "the region 'us-east-1' is wrong; expecting 'ap-south-1'", {
      Region: 'ap-south-1',
    });
    const res = await getWith(400, body, 'list_buckets', {});
    expect(res.ok ? null : res.error).toMatchObject({
      type: 'region_mismatch',
      code: 'AuthorizationHeaderMalformed',
      requestId: 'REQ42',
    });
    expect(res.ok ? '' : res.error.message).toContain('ap-south-1');
  });

  it('301 PermanentRedirect with a body naming the endpoint', async () => {
    const body = s3ErrorXml(
      'PermanentRedirect',
      'The bucket you are attempting to access must be addressed using the specified endpoint.',
      { Endpoint: 'data-bucket.s3.eu-central-1.amazonaws.com', Bucket: 'data-bucket' },
    );
    const res = await getWith(301, body, 'list_buckets', {});
    expect(res.ok ? null : res.error).toMatchObject({
      type: 'region_mismatch',
      details: { bucketRegion: 'eu-central-1' },
    });
  });

  it('get_bucket_location answers from the redirect instead of failing', async () => {
    const body = s3ErrorXml('AuthorizationHeaderMalformed', 'wrong region', { Region: 'sa-east-1' });
    const res = await getWith(400, body, 'get_bucket_location', { bucket: 'data-bucket' });
    expect(res).toEqual({ ok: true, output: { bucket: 'data-bucket', region: 'sa-east-1' } });
  });
});

describe('location constraints', () => {
  it('EU means eu-west-1 (moto refuses to create such a bucket)', async () => {
    const body =
      '<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">EU</LocationConstraint>';
    const res = await getWith(200, body, 'get_bucket_location', { bucket: 'data-bucket' });
    expect(res).toEqual({ ok: true, output: { bucket: 'data-bucket', region: 'eu-west-1', locationConstraint: 'EU' } });
  });
});

describe('status mapping', () => {
  it('HEAD 403 without a body is forbidden, naming the IAM action and the ListBucket caveat', async () => {
    const res = await headWith(403);
    expect(res.ok ? null : res.error).toMatchObject({
      type: 'forbidden',
      code: 'AccessDenied',
      status: 403,
      retryable: false,
      details: { requiredActions: ['s3:GetObject'] },
    });
    expect(res.ok ? '' : res.error.message).toMatch(/s3:GetObject.*s3:ListBucket/);
  });

  it("AWS's AccessDenied naming the action: exactly that action is named", async () => {
    const body = s3ErrorXml(
      'AccessDenied',
      'User: arn:aws:iam::123456789012:user/flow is not authorized to perform: s3:GetObjectAcl on resource: "arn:aws:s3:::data-bucket/in/file.csv" because no identity-based policy allows the s3:GetObjectAcl action',
    );
    const res = await getWith(403, body, 'put_object_acl', {
      ...obj,
      grants: [
        { grantee: { type: 'group', uri: 'http://acs.amazonaws.com/groups/global/AllUsers' }, permission: 'READ' },
      ],
    });
    expect(res.ok ? null : res.error).toMatchObject({
      type: 'forbidden',
      details: { deniedAction: 's3:GetObjectAcl', requiredActions: ['s3:PutObjectAcl', 's3:GetObjectAcl'] },
    });
    expect(res.ok ? '' : res.error.message).toMatch(/need the IAM action s3:GetObjectAcl for put_object_acl/);
  });

  it('503 SlowDown is throttled, retryable, and retried up to maxAttempts', async () => {
    const res = await getWith(
      503,
      s3ErrorXml('SlowDown', 'Please reduce your request rate.'),
      'list_buckets',
      {},
      { maxAttempts: 3 },
    );
    expect(res.ok ? null : res.error).toMatchObject({
      type: 'throttled',
      code: 'SlowDown',
      status: 503,
      retryable: true,
    });
    expect(store!.requests.length).toBe(3);
  });

  it('500 InternalError is a retryable api error, retried', async () => {
    const res = await getWith(
      500,
      s3ErrorXml('InternalError', 'We encountered an internal error.'),
      'list_buckets',
      {},
      { maxAttempts: 2 },
    );
    expect(res.ok ? null : res.error).toMatchObject({ type: 'api', status: 500, retryable: true });
    expect(store!.requests.length).toBe(2);
  });

  it('501 NotImplemented is unsupported', async () => {
    const res = await getWith(
      501,
      s3ErrorXml('NotImplemented', 'A header you provided implies functionality that is not implemented.'),
      'list_buckets',
      {},
    );
    expect(res.ok ? null : res.error).toMatchObject({
      type: 'unsupported',
      code: 'NotImplemented',
      status: 501,
      retryable: false,
    });
  });

  it('409 is conflict', async () => {
    const res = await getWith(
      409,
      s3ErrorXml('OperationAborted', 'A conflicting conditional operation is in progress.'),
      'list_buckets',
      {},
    );
    expect(res.ok ? null : res.error).toMatchObject({ type: 'conflict', code: 'OperationAborted', status: 409 });
  });

  it('ACLs disabled on the bucket is unsupported, with what to do', async () => {
    const body = s3ErrorXml('AccessControlListNotSupported', 'The bucket does not allow ACLs');
    const res = await getWith(400, body, 'put_object_acl', { ...obj, acl: 'public-read' });
    expect(res.ok ? null : res.error).toMatchObject({
      type: 'unsupported',
      code: 'AccessControlListNotSupported',
      status: 400,
    });
    expect(res.ok ? '' : res.error.message).toMatch(/bucket policies/);
  });

  it('ExpiredToken is auth', async () => {
    const res = await getWith(400, s3ErrorXml('ExpiredToken', 'The provided token has expired.'), 'list_buckets', {});
    expect(res.ok ? null : res.error).toMatchObject({ type: 'auth', code: 'ExpiredToken' });
  });

  it('Garage\'s 403 AccessDenied "Forbidden: Invalid signature" is auth, keeping the store\'s reason, not a missing IAM action', async () => {
    // Garage's error body, as it sends it: its own region name in <Region>, the path in <Resource>.
    const body =
      '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Forbidden: Invalid signature</Message><Resource>/</Resource><Region>garage</Region></Error>';
    const res = await getWith(403, body, 'list_buckets', {}, { region: 'garage' });
    expect(res.ok ? null : res.error).toMatchObject({
      type: 'auth',
      code: 'AccessDenied',
      status: 403,
      retryable: false,
    });
    const message = res.ok ? '' : res.error.message;
    expect(message).toMatch(/refused the credentials: check the access key ID and the secret access key/);
    expect(message).toContain('The store said: Forbidden: Invalid signature');
    expect(message).not.toMatch(/s3:ListAllMyBuckets|Grant/);
    expect(store!.requests.length).toBe(1);
  });

  it('a 403 naming a policy rather than the signature stays forbidden', async () => {
    const body =
      '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Forbidden: Operation is not allowed for this key.</Message><Resource>/</Resource><Region>garage</Region></Error>';
    const res = await getWith(403, body, 'list_buckets', {}, { region: 'garage' });
    expect(res.ok ? null : res.error).toMatchObject({
      type: 'forbidden',
      code: 'AccessDenied',
      details: { requiredActions: ['s3:ListAllMyBuckets'] },
    });
  });
});

describe('list_buckets pagination over continuation tokens (moto gives none)', () => {
  function pages() {
    return fakeStore((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const token = url.searchParams.get('continuation-token');
      const names = token ? ['c-3', 'c-4'] : ['c-1', 'c-2'];
      const next = token ? '' : '<ContinuationToken>page-2</ContinuationToken>';
      const buckets = names
        .map((n) => `<Bucket><Name>${n}</Name><CreationDate>2026-01-01T00:00:00.000Z</CreationDate></Bucket>`)
        .join('');
      res
        .writeHead(200, { 'content-type': 'application/xml' })
        .end(
          `<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult><Buckets>${buckets}</Buckets><Owner><ID>abc</ID></Owner>${next}</ListAllMyBucketsResult>`,
        );
    });
  }

  it('follows every page when no limit is given but paging is asked for', async () => {
    store = await pages();
    const c = await testConnector();
    const res = await c.invoke('list_buckets', { pageSize: 2 }, { connection: conn(store.endpoint) });
    if (!res.ok) throw new Error(res.error.message);
    expect((res.output.buckets as { name: string }[]).map((b) => b.name)).toEqual(['c-1', 'c-2', 'c-3', 'c-4']);
    expect(res.output.owner).toEqual({ id: 'abc' });
    expect(store.requests.length).toBe(2);
  });

  it('stops at limit and hands back the token', async () => {
    store = await pages();
    const c = await testConnector();
    const res = await c.invoke('list_buckets', { limit: 2 }, { connection: conn(store.endpoint) });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.output.count).toBe(2);
    expect(res.output.nextContinuationToken).toBe('page-2');
    expect(new URL(store.requests[0]!.url!, 'http://x').searchParams.get('max-buckets')).toBe('2');
  });
});

describe('partial stores (stand-in answers)', () => {
  it('a paged listing that goes back in key order is unsupported, not silently incomplete', async () => {
    store = await fakeStore((req, res) => {
      const token = new URL(req.url ?? '/', 'http://x').searchParams.get('continuation-token');
      const key = token ? 'a-comes-first.txt' : 'm-middle.txt';
      const next = token
        ? '<IsTruncated>false</IsTruncated>'
        : '<IsTruncated>true</IsTruncated><NextContinuationToken>t2</NextContinuationToken>';
      res
        .writeHead(200, { 'content-type': 'application/xml' })
        .end(
          `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>data-bucket</Name><KeyCount>1</KeyCount>${next}<Contents><Key>${key}</Key><Size>1</Size><ETag>"x"</ETag></Contents></ListBucketResult>`,
        );
    });
    const c = await testConnector();
    const res = await c.invoke(
      'list_objects',
      { bucket: 'data-bucket', pageSize: 1, limit: 10 },
      { connection: conn(store.endpoint) },
    );
    expect(res.ok ? null : res.error).toMatchObject({ type: 'unsupported', code: 'UnorderedListing' });
    expect(store.requests.length).toBe(2);
  });
});

describe('network, timeouts and cancellation', () => {
  it('a refused connection is a retryable network error', async () => {
    const probe = await fakeStore(() => undefined);
    const endpoint = probe.endpoint;
    await probe.close(); // nothing listens there any more
    const c = await testConnector();
    const res = await c.invoke('head_object', obj, { connection: conn(endpoint) });
    expect(res.ok ? null : res.error).toMatchObject({ type: 'network', code: 'ECONNREFUSED', retryable: true });
  });

  /** A store that accepts connections and never answers. */
  async function silentStore() {
    const sockets: Socket[] = [];
    const server = createTcpServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    return {
      endpoint: `http://127.0.0.1:${port}`,
      close: () =>
        new Promise<void>((r) => {
          sockets.forEach((s) => s.destroy());
          server.close(() => r());
        }),
    };
  }

  it('a silent store times out per request, retryable', async () => {
    const silent = await silentStore();
    try {
      const c = await testConnector();
      const res = await c.invoke('head_object', obj, { connection: conn(silent.endpoint, { requestTimeoutMs: 1000 }) });
      expect(res.ok ? null : res.error).toMatchObject({ type: 'timeout', retryable: true });
      expect(res.ok ? null : res.error).toMatchObject({ code: 'TimeoutError' });
      expect(res.ok ? '' : res.error.message).toMatch(/did not answer in time.*raise the connection's timeouts/);
    } finally {
      await silent.close();
    }
  });

  it('the invoke deadline returns promptly even while a request hangs', async () => {
    const silent = await silentStore();
    try {
      const c = await testConnector();
      const started = Date.now();
      const res = await c.invoke('head_object', obj, { connection: conn(silent.endpoint), timeoutMs: 300 });
      expect(res.ok ? null : res.error).toMatchObject({ type: 'timeout', code: 'DeadlineExceeded', retryable: true });
      expect(Date.now() - started).toBeLessThan(10_000); // far below the 60 s request timeout
      // The caller's own deadline is named, not the store's timeouts.
      const message = res.ok ? '' : res.error.message;
      expect(message).toMatch(
        /^The head_object call ran past its deadline of 300 ms on s3:\/\/data-bucket\/in\/file\.csv and was stopped\. The deadline is the caller's \(timeoutMs/,
      );
      expect(message).not.toMatch(/did not answer|connection's timeouts/);
    } finally {
      await silent.close();
    }
  });

  it('an AbortSignal cancels the call', async () => {
    const silent = await silentStore();
    try {
      const c = await testConnector();
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const res = await c.invoke('head_object', obj, { connection: conn(silent.endpoint), signal: controller.signal });
      expect(res.ok ? null : res.error).toMatchObject({ type: 'timeout', code: 'Cancelled', retryable: false });
    } finally {
      await silent.close();
    }
  });
});

describe('messages', () => {
  it('a note after a store message without a full stop is its own sentence (tags written separately, tagging answered 501)', async () => {
    store = await fakeStore((req, res) => {
      if (req.url?.includes('tagging')) {
        res
          .writeHead(501, { 'content-type': 'application/xml' })
          .end(s3ErrorXml('NotImplemented', 'PutObjectTagging is not implemented yet'));
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () =>
        res.writeHead(200, { etag: `"${createHash('md5').update(Buffer.concat(chunks)).digest('hex')}"` }).end(),
      );
    });
    const c = await testConnector();
    const res = await c.invoke(
      'put_object_text',
      { ...obj, content: 'x', tags: { team: 'data' } },
      { connection: conn(store.endpoint, { capabilities: { tagsOnPut: false } }) },
    );
    expect(res.ok ? null : res.error).toMatchObject({
      type: 'unsupported',
      code: 'NotImplemented',
      details: { written: true, tagged: false },
    });
    expect(res.ok ? '' : res.error.message).toContain(
      'The store said: PutObjectTagging is not implemented yet. The object was written, but its tags were not',
    );
    expect(store.requests.map((r) => r.method)).toEqual(['PUT', 'PUT']);
  });
});
