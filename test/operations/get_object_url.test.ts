// get_object_url against moto: plain URLs fetched as they are (objects written by the aws cli with
// a public-read ACL, odd keys included), custom-domain URLs in their documented form, and
// CloudFront signed URLs checked against an independent implementation: botocore's
// CloudFrontSigner with an RSA signer from `cryptography` (test/support/cloudfront_check.py, in
// the tests' Python virtual environment), which must build the same policy and the same
// signature, and a signature check against the public key. The operation sends no request:
// every case runs through a recording proxy in front of moto, which must see nothing.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Connection } from '../../src/generated/types.js';
import { aws, motoConnection, motoEndpoint, testConnector, uniqueBucket } from '../support/helpers.js';
import { interceptProxy, type InterceptProxy } from '../support/interceptProxy.js';

const python = fileURLToPath(new URL('../../.venv/bin/python', import.meta.url));
const checker = fileURLToPath(new URL('../support/cloudfront_check.py', import.meta.url));

const bucket = uniqueBucket('url');
/** Keys that need every kind of encoding: spaces, UTF-8, +, &, =, %, ~, quotes, brackets. */
const ODD_KEYS = [
  'odd dir/naïve file+plus&amp=1 %41 ~x.txt',
  'ünïcödé/日本語 ファイル 😀.bin',
  "it's (1)*!@$,;:.txt",
  'a+b&c=d%20e~f/#frag?q=1',
];

const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const PREFIX = 'tenants/42/';
const KEY_ID = 'K2JCJMDEHXQW5F';
const DOMAIN = 'd111111abcdef8.cloudfront.net';

let proxy: InterceptProxy;
let scratch: string;
beforeAll(async () => {
  proxy = await interceptProxy(motoEndpoint());
  scratch = await mkdtemp(join(tmpdir(), 'url-test-'));
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  for (const [i, key] of ODD_KEYS.entries()) {
    const file = join(scratch, `body-${i}`);
    await writeFile(file, `bytes of ${key} \u0000\u00ff`);
    await aws(['s3api', 'put-object', '--bucket', bucket, '--key', key, '--body', file, '--acl', 'public-read']);
  }
  await writeFile(join(scratch, 'prefixed'), 'under the prefix');
  await aws([
    's3api',
    'put-object',
    '--bucket',
    bucket,
    '--key',
    `${PREFIX}${ODD_KEYS[0]}`,
    '--body',
    join(scratch, 'prefixed'),
    '--acl',
    'public-read',
  ]);
});
afterAll(async () => {
  await proxy.close();
  await rm(scratch, { recursive: true, force: true });
});

/** A connection whose every request would go through the recording proxy. */
function viaProxy(overrides: Partial<S3Connection> = {}): S3Connection {
  return motoConnection({ endpoint: proxy.endpoint, ...overrides });
}

const cloudFront = (extra: Partial<S3Connection> = {}) =>
  viaProxy({ customDomain: DOMAIN, cloudFront: { keyPairId: KEY_ID, privateKey }, ...extra });

async function url(input: Record<string, unknown>, connection: S3Connection = viaProxy()): Promise<any> {
  const seen = proxy.seen.length;
  const res = await (await testConnector()).invokeDynamic('get_object_url', { bucket, ...input }, { connection });
  expect(proxy.seen.length, 'get_object_url sent a request').toBe(seen);
  return res;
}

async function ok(input: Record<string, unknown>, connection?: S3Connection) {
  const res = await url(input, connection);
  if (!res.ok) throw new Error(`${res.error.type}: ${res.error.message}`);
  return res.output;
}

/** GET a URL as it is (the host from the URL, the socket to moto). */
function get(target: string, via = motoEndpoint()): Promise<{ status: number; body: Buffer }> {
  const u = new URL(target);
  const to = new URL(via);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: to.hostname, port: to.port, path: `${u.pathname}${u.search}`, headers: { host: u.host } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function oracle(request: Record<string, unknown>): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = execFile(python, [checker], (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
    );
    child.stdin?.end(JSON.stringify({ keyPairId: KEY_ID, privateKey, publicKey, ...request }));
  });
}

const query = (u: string) => Object.fromEntries(new URL(u).searchParams);
const base = (u: string) => u.slice(0, u.indexOf('?'));
/** CloudFront's URL-safe base64 (- _ ~ for + = /) back to text. */
const policyText = (encoded: string) =>
  Buffer.from(encoded.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64').toString();

describe('get_object_url: plain URLs', () => {
  it('fetches the bytes the aws cli wrote, odd keys included (path style, as the connection addresses moto)', async () => {
    for (const key of ODD_KEYS) {
      const out = await ok({ key }, motoConnection());
      expect(out).toMatchObject({ bucket, key, signing: 'none', host: 'path' });
      expect(out.url.startsWith(`${motoEndpoint()}/${bucket}/`)).toBe(true);
      const res = await fetch(out.url);
      expect(res.status, `${key}: ${out.url}`).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).toString()).toBe(`bytes of ${key} \u0000\u00ff`);
    }
  });

  it('encodes each segment as UTF-8 percent-escapes: space %20, + %2B, & %26, = %3D, % %25, ~ kept, / kept', async () => {
    const out = await ok({ key: ODD_KEYS[0] }, motoConnection());
    expect(out.url).toBe(`${motoEndpoint()}/${bucket}/odd%20dir/na%C3%AFve%20file%2Bplus%26amp%3D1%20%2541%20~x.txt`);
    const other = await ok({ key: ODD_KEYS[3] }, motoConnection());
    expect(other.url).toBe(`${motoEndpoint()}/${bucket}/a%2Bb%26c%3Dd%2520e~f/%23frag%3Fq%3D1`);
  });

  it('virtual-hosted style puts the bucket in the host name, and moto serves that URL too', async () => {
    const endpoint = motoEndpoint().replace('127.0.0.1', 'localhost');
    const out = await ok({ key: ODD_KEYS[1] }, motoConnection({ endpoint, forcePathStyle: false }));
    const port = new URL(endpoint).port;
    expect(out.host).toBe('virtualHosted');
    expect(out.url.startsWith(`http://${bucket}.localhost:${port}/%C3%BCn%C3%AFc%C3%B6d%C3%A9/`)).toBe(true);
    const res = await get(out.url);
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe(`bytes of ${ODD_KEYS[1]} \u0000\u00ff`);
  });

  it("a connection's key prefix is in the URL (storedKey says so), and a key cannot climb out of it", async () => {
    const prefixed = motoConnection({ defaults: { keyPrefix: 'tenants/42' } });
    const out = await ok({ key: ODD_KEYS[0] }, prefixed);
    expect(out).toMatchObject({ key: ODD_KEYS[0], storedKey: `${PREFIX}${ODD_KEYS[0]}` });
    expect(out.url).toBe(
      `${motoEndpoint()}/${bucket}/tenants/42/odd%20dir/na%C3%AFve%20file%2Bplus%26amp%3D1%20%2541%20~x.txt`,
    );
    expect(await (await fetch(out.url)).text()).toBe('under the prefix');
    const cdn = await ok({ key: 'a.txt', signing: 'cloudFront' }, { ...cloudFront(), defaults: { keyPrefix: PREFIX } });
    expect(cdn.url.startsWith(`https://${DOMAIN}/tenants/42/a.txt?`)).toBe(true);
    for (const key of ['../escape.txt', '/rooted.txt']) {
      const res = await url({ key }, { ...viaProxy(), defaults: { keyPrefix: PREFIX } });
      expect(res.ok ? res.output : res.error).toMatchObject({ type: 'user_input', code: 'KeyOutsidePrefix' });
    }
  });

  it("Amazon S3's documented forms: virtual-hosted in the region's partition, a dotted bucket in the path", async () => {
    const plain = (region: string): S3Connection => {
      const { endpoint: _, ...rest } = viaProxy({ region });
      return rest;
    };
    expect((await ok({ key: 'a b.txt' }, plain('eu-west-1'))).url).toBe(
      `https://${bucket}.s3.eu-west-1.amazonaws.com/a%20b.txt`,
    );
    expect((await ok({ key: 'a.txt' }, plain('cn-north-1'))).url).toBe(
      `https://${bucket}.s3.cn-north-1.amazonaws.com.cn/a.txt`,
    );
    const dotted = await ok({ bucket: 'my.dotted.bucket', key: 'a.txt' }, plain('us-east-1'));
    expect(dotted).toMatchObject({ url: 'https://s3.us-east-1.amazonaws.com/my.dotted.bucket/a.txt', host: 'path' });
    expect(dotted.notes?.[0]).toMatch(/dots/);
  });

  it("on the connection's custom domain: <urlProtocol>://<domain>/<key>, https unless said; useCustomDomain false gives the store's", async () => {
    const key = ODD_KEYS[0];
    const encoded = 'odd%20dir/na%C3%AFve%20file%2Bplus%26amp%3D1%20%2541%20~x.txt';
    expect(await ok({ key }, viaProxy({ customDomain: 'cdn.example.com' }))).toMatchObject({
      url: `https://cdn.example.com/${encoded}`,
      host: 'customDomain',
    });
    expect((await ok({ key }, viaProxy({ customDomain: 'cdn.example.com', urlProtocol: 'http' }))).url).toBe(
      `http://cdn.example.com/${encoded}`,
    );
    expect((await ok({ key }, viaProxy({ customDomain: 'example.com:8443/media/' }))).url).toBe(
      `https://example.com:8443/media/${encoded}`,
    );
    const store = await ok({ key, useCustomDomain: false }, viaProxy({ customDomain: 'cdn.example.com' }));
    expect(store).toMatchObject({ url: `${proxy.endpoint}/${bucket}/${encoded}`, host: 'path' });
  });
});

describe('get_object_url: CloudFront signed URLs, checked by botocore', () => {
  const inAnHour = () => new Date(Math.floor(Date.now() / 1000) * 1000 + 3600_000);

  it('a canned policy: the same URL as botocore makes, and a signature the public key verifies', async () => {
    for (const key of ODD_KEYS) {
      const expiresAt = inAnHour();
      // expiresAt wins over expiresIn (which a connection's defaults.signedUrlExpiresIn may fill in).
      const out = await ok(
        { key, signing: 'cloudFront', expiresIn: 60, expiresAt: expiresAt.toISOString() },
        cloudFront(),
      );
      expect(out).toMatchObject({ signing: 'cloudFront', host: 'customDomain', policy: 'canned' });
      expect(out.expiresAt).toBe(expiresAt.toISOString());
      const plain = (await ok({ key }, cloudFront())).url as string;
      expect(base(out.url)).toBe(plain);
      const q = query(out.url);
      expect(q).toMatchObject({ Expires: String(expiresAt.getTime() / 1000), 'Key-Pair-Id': KEY_ID });
      const theirs = await oracle({ url: plain, expires: expiresAt.getTime() / 1000, signature: q.Signature });
      expect(base(theirs.cannedUrl as string)).toBe(plain);
      expect(query(theirs.cannedUrl as string)).toEqual(q);
      expect(theirs.verified).toBe(true);
    }
  });

  it('a custom policy (start time and IP range): the policy botocore builds, and botocore signs it the same', async () => {
    const expiresAt = inAnHour();
    const startsAt = new Date(expiresAt.getTime() - 7200_000);
    for (const [ipRange, normalized] of [
      ['192.0.2.0/24', '192.0.2.0/24'],
      ['203.0.113.7', '203.0.113.7/32'],
    ] as const) {
      const input = {
        key: ODD_KEYS[0],
        signing: 'cloudFront',
        expiresAt: expiresAt.toISOString(),
        startsAt: startsAt.toISOString(),
        ipRange,
      };
      const out = await ok(input, cloudFront());
      expect(out).toMatchObject({ policy: 'custom', ipRange: normalized, startsAt: startsAt.toISOString() });
      const q = query(out.url);
      expect(q.Expires).toBeUndefined();
      const ours = policyText(q.Policy as string);
      const plain = base(out.url);
      const theirs = await oracle({
        url: plain,
        expires: expiresAt.getTime() / 1000,
        starts: startsAt.getTime() / 1000,
        ipRange: normalized,
        policy: ours,
        signature: q.Signature,
      });
      expect(JSON.parse(ours)).toEqual(JSON.parse(theirs.builtPolicy as string));
      expect(query(theirs.urlForPolicy as string)).toEqual(q);
      expect(theirs.verified).toBe(true);
    }
  });

  it('a custom policy with an expiry alone is byte for byte the policy botocore builds', async () => {
    const expiresAt = inAnHour();
    const out = await ok({ key: 'x y.txt', signing: 'cloudFront', expiresIn: 3600, policy: 'custom' }, cloudFront());
    expect(out.policy).toBe('custom');
    const q = query(out.url);
    const expires = Date.parse(out.expiresAt) / 1000;
    expect(Math.abs(expires * 1000 - expiresAt.getTime())).toBeLessThan(120_000);
    const theirs = await oracle({
      url: base(out.url),
      expires,
      policy: policyText(q.Policy as string),
      signature: q.Signature,
    });
    expect(policyText(q.Policy as string)).toBe(theirs.builtPolicy);
    expect(query(theirs.urlForPolicy as string)).toEqual(q);
    expect(theirs.verified).toBe(true);
  });

  it("a signature made with another key does not verify (the oracle's check can fail)", async () => {
    const other = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const expiresAt = inAnHour();
    const out = await ok(
      { key: 'a.txt', signing: 'cloudFront', expiresAt: expiresAt.toISOString() },
      cloudFront({ cloudFront: { keyPairId: KEY_ID, privateKey: other.privateKey } }),
    );
    const theirs = await oracle({
      url: base(out.url),
      expires: expiresAt.getTime() / 1000,
      signature: query(out.url).Signature,
    });
    expect(theirs.verified).toBe(false);
  });

  it('no output or error holds the private key', async () => {
    const out = await ok({ key: 'a.txt', signing: 'cloudFront' }, cloudFront());
    const text = JSON.stringify(out);
    for (const line of privateKey.split('\n').filter((l) => l.length > 20)) expect(text).not.toContain(line);
    const ec = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const res = await url(
      { key: 'a.txt', signing: 'cloudFront' },
      cloudFront({ cloudFront: { keyPairId: KEY_ID, privateKey: ec.privateKey } }),
    );
    expect(res.ok ? null : res.error).toMatchObject({ type: 'user_input', code: 'InvalidCloudFrontKey' });
    for (const line of ec.privateKey.split('\n').filter((l) => l.length > 20))
      expect(JSON.stringify(res)).not.toContain(line);
    const connector = await testConnector();
    const { secretFieldsOf } = await import('../../src/runtime/clients.js');
    expect(secretFieldsOf(connector.connectionSchema)).toEqual(
      expect.arrayContaining(['secretAccessKey', 'sessionToken', 'privateKey']),
    );
    expect(secretFieldsOf(connector.connectionSchema)).not.toContain('keyPairId');
  });
});

describe('get_object_url: bad input is user_input, before anything', () => {
  const past = new Date(Date.now() - 60_000).toISOString();
  const cases: [string, Record<string, unknown>, () => S3Connection, string][] = [
    [
      'no distribution domain',
      { signing: 'cloudFront' },
      () => viaProxy({ cloudFront: { keyPairId: KEY_ID, privateKey } }),
      'NoDistributionDomain',
    ],
    ['no CloudFront key', { signing: 'cloudFront' }, () => viaProxy({ customDomain: DOMAIN }), 'NoCloudFrontKey'],
    ['an expiry in the past', { signing: 'cloudFront', expiresAt: past }, () => cloudFront(), 'ExpiryInPast'],
    [
      'an expiry over a year ahead',
      { signing: 'cloudFront', expiresAt: '2999-01-01T00:00:00Z' },
      () => cloudFront(),
      'ExpiryTooFar',
    ],
    [
      'a start after the expiry',
      { signing: 'cloudFront', expiresIn: 60, startsAt: '2999-01-01T00:00:00Z' },
      () => cloudFront(),
      'StartAfterExpiry',
    ],
    ['an octet over 255', { signing: 'cloudFront', ipRange: '300.1.2.3/8' }, () => cloudFront(), 'BadIpRange'],
    ['a mask over 32', { signing: 'cloudFront', ipRange: '10.0.0.0/33' }, () => cloudFront(), 'BadIpRange'],
    ['an IPv6 range', { signing: 'cloudFront', ipRange: '2001:db8::/32' }, () => cloudFront(), 'BadIpRange'],
    ['text', { signing: 'cloudFront', ipRange: 'office' }, () => cloudFront(), 'BadIpRange'],
    [
      'a canned policy with an IP range',
      { signing: 'cloudFront', policy: 'canned', ipRange: '10.0.0.0/8' },
      () => cloudFront(),
      'CannedPolicyLimits',
    ],
    ['a CloudFront field on a plain URL', { ipRange: '10.0.0.0/8' }, () => cloudFront(), 'FieldNotForSigning'],
    [
      'a key that is not PEM',
      { signing: 'cloudFront' },
      () => cloudFront({ cloudFront: { keyPairId: KEY_ID, privateKey: `${'not a key '.repeat(8)}` } }),
      'InvalidCloudFrontKey',
    ],
  ];
  it.each(cases)('%s', async (_, input, connection, code) => {
    const res = await url({ key: 'a.txt', ...input }, connection());
    expect(res.ok ? res.output : res.error).toMatchObject({ type: 'user_input', code });
    expect(res.ok ? '' : res.error.message).not.toContain('not a key not a key');
  });

  it('a connection without the CloudFront key id, or with a bad one, is refused by the schema', async () => {
    for (const cf of [{ privateKey }, { keyPairId: 'lower-case', privateKey }]) {
      const res = await url({ key: 'a.txt', signing: 'cloudFront' }, cloudFront({ cloudFront: cf as never }));
      expect(res.ok ? null : res.error).toMatchObject({ type: 'user_input', code: 'InvalidConnection' });
    }
  });

  it('the manifest says it sends no request (openWorld false) and reads only', async () => {
    const op = (await testConnector()).operations().find((o) => o.name === 'get_object_url');
    expect(op?.annotations).toMatchObject({ readOnly: true, destructive: false, openWorld: false });
  });
});
