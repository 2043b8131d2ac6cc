// Proxies and TLS on the connection, against real parts: a private CA and a server certificate
// made by openssl, a TLS endpoint in front of moto, and a CONNECT proxy (test/support/
// tlsEndpoints.ts). Without the CA the call fails as a TLS error; with tls.ca it works and the
// aws cli (--ca-bundle) reads back what was written; rejectUnauthorized false works and every
// result says so loudly (the CLI on stderr too); through the proxy every connection to the
// store is a CONNECT tunnel, a refusing or absent proxy fails clearly, and the proxy's
// credentials are never shown.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { S3Connection } from '../../src/generated/types.js';
import { packageRoot } from '../../src/runtime/manifest.js';
import { TLS_UNVERIFIED_WARNING } from '../../src/runtime/transport.js';
import { runProcess } from '../support/processes.js';
import {
  aws,
  motoEndpoint,
  problemFields,
  TEST_KEY_ID,
  TEST_SECRET,
  testConnector,
  uniqueBucket,
} from '../support/helpers.js';
import {
  connectProxy,
  makeTestCa,
  tlsEndpoint,
  type ConnectProxy,
  type TestCa,
  type TlsEndpoint,
} from '../support/tlsEndpoints.js';

/** The built binary, as test/lanes/cli.test.ts runs it (npm test builds before vitest). */
const CLI = join(packageRoot(), 'dist', 'src', 'cli', 'main.js');
const bucket = uniqueBucket('tls');
const PROXY_USER = 'lane-user';
const PROXY_PASSWORD = 'Pr0xyPASSWORDcanary-42';
let ca: TestCa;
let store: TlsEndpoint;
let proxy: ConnectProxy;
let authProxy: ConnectProxy;

const credentials = { type: 'accessKey' as const, accessKeyId: TEST_KEY_ID, secretAccessKey: TEST_SECRET };
function tlsConnection(extra: Partial<S3Connection> = {}): S3Connection {
  return { region: 'us-east-1', endpoint: store.endpoint, credentials, ...extra };
}

async function run(name: string, input: Record<string, unknown>, connection: unknown) {
  const c = await testConnector();
  return c.invokeDynamic(name, input, { connection });
}

/** The aws cli over https to the TLS endpoint, trusting the test CA. */
function awsTls(args: string[]): Promise<string> {
  return aws(['--ca-bundle', ca.caFile, ...args], store.endpoint);
}

/** What no output or error may hold: the proxy's password and its Basic header. */
function expectNoProxyCredentials(value: unknown) {
  const text = JSON.stringify(value);
  expect(text).not.toContain(PROXY_PASSWORD);
  expect(text).not.toContain(encodeURIComponent(PROXY_PASSWORD));
  expect(text).not.toContain(Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64'));
}

beforeAll(async () => {
  ca = await makeTestCa();
  store = await tlsEndpoint(ca, motoEndpoint());
  proxy = await connectProxy();
  authProxy = await connectProxy(`${PROXY_USER}:${PROXY_PASSWORD}`);
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
});

afterAll(async () => {
  await Promise.all([store?.close(), proxy?.close(), authProxy?.close()]);
  await ca?.remove();
});

describe('a store with a private CA', () => {
  it('without tls.ca the call fails as a TLS certificate error, and nothing is written', async () => {
    const res = await run('put_object_text', { bucket, key: 'no-ca.txt', content: 'x' }, tlsConnection());
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error).toMatchObject({ type: 'network', code: 'TlsCertificateRejected', retryable: false });
    expect(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN']).toContain(res.error.details?.tlsError);
    expect(res.error.message).toMatch(/tls\.ca/);
    await expect(aws(['s3api', 'head-object', '--bucket', bucket, '--key', 'no-ca.txt'])).rejects.toThrow(
      /404|Not Found/,
    );
  });

  it('with tls.ca the call works, and the aws cli with --ca-bundle reads back what was written', async () => {
    const connection = tlsConnection({ tls: { ca: ca.caPem } });
    const put = await run('put_object_text', { bucket, key: 'with-ca.txt', content: 'trusted by the CA' }, connection);
    expect(put).toMatchObject({ ok: true });
    expect(put).not.toHaveProperty('notes');
    const out = await awsTls(['s3', 'cp', `s3://${bucket}/with-ca.txt`, '-']);
    expect(out).toBe('trusted by the CA');
    const got = await run('get_object', { bucket, key: 'with-ca.txt', as: 'text' }, connection);
    expect(got).toMatchObject({ ok: true, output: { text: 'trusted by the CA' } });
  });

  it('rejectUnauthorized false works without the CA, and every result of it carries the warning', async () => {
    const connection = tlsConnection({ tls: { rejectUnauthorized: false } });
    const put = await run(
      'put_object_text',
      { bucket, key: 'unverified.txt', content: 'anyone could read this' },
      connection,
    );
    expect(put).toMatchObject({ ok: true, notes: [TLS_UNVERIFIED_WARNING] });
    expect(TLS_UNVERIFIED_WARNING).toMatch(/^WARNING: .*does not verify/);
    expect(await awsTls(['s3', 'cp', `s3://${bucket}/unverified.txt`, '-'])).toBe('anyone could read this');
    // An error result says it too, and so does testConnection.
    const missing = await run('get_object', { bucket, key: 'not-there.txt' }, connection);
    expect(missing).toMatchObject({ ok: false, error: { type: 'not_found' }, notes: [TLS_UNVERIFIED_WARNING] });
    const c = await testConnector();
    const tested = await c.testConnection(connection);
    expect(tested).toMatchObject({ ok: true, notes: [TLS_UNVERIFIED_WARNING] });
  });

  it('the CLI (the built binary) prints the warning on stderr as well as in the result', async () => {
    const conn = join(ca.dir, 'unverified.json');
    await writeFile(conn, JSON.stringify(tlsConnection({ tls: { rejectUnauthorized: false } })));
    const input = JSON.stringify({ bucket, key: 'unverified.txt' });
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' };
    const run = await runProcess(process.execPath, [CLI, 'invoke', 'head_object', '-c', conn, '-i', input], { env });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, notes: [TLS_UNVERIFIED_WARNING] });
    expect(run.stderr).toContain(TLS_UNVERIFIED_WARNING);
  });

  it('a bad CA bundle is refused as user_input naming tls.ca, before anything is sent', async () => {
    const before = store.clientPorts.length;
    const broken = ca.caPem.replace(/^(-----BEGIN CERTIFICATE-----\n.{10})./m, '$1!');
    for (const pem of ['not a certificate', broken, `${ca.caPem}\n-----BEGIN PRIVATE KEY-----\nAAAA\n`]) {
      const res = await run(
        'put_object_text',
        { bucket, key: 'bad-ca.txt', content: 'x' },
        tlsConnection({ tls: { ca: pem } }),
      );
      expect(res).toMatchObject({ ok: false, error: { type: 'user_input', code: 'InvalidConnection' } });
      expect(problemFields(res)).toEqual(['tls.ca']);
    }
    expect(store.clientPorts.length).toBe(before);
  });
});

describe('a CONNECT proxy', () => {
  afterEach(() => {
    proxy.refuseWith = undefined;
  });

  it('carries every request to the TLS store: each store connection is one of its tunnels', async () => {
    const connection = tlsConnection({ tls: { ca: ca.caPem }, proxy: proxy.url });
    const tunnelsBefore = proxy.tunnels.length;
    const connectionsBefore = store.clientPorts.length;
    for (const key of ['p/1.txt', 'p/2.txt', 'p/3.txt']) {
      expect(await run('put_object_text', { bucket, key, content: key }, connection)).toMatchObject({ ok: true });
    }
    const listed = await run('list_objects', { bucket, prefix: 'p/' }, connection);
    expect(listed).toMatchObject({ ok: true });
    expect(await awsTls(['s3', 'cp', `s3://${bucket}/p/2.txt`, '-'])).toBe('p/2.txt');
    const tunnels = proxy.tunnels.slice(tunnelsBefore);
    expect(tunnels.length).toBeGreaterThan(0);
    for (const t of tunnels) expect(t.target).toBe(`127.0.0.1:${store.port}`);
    // The store's connections from the connector all came out of the proxy; the aws cli's one is direct.
    const fromConnector = store.clientPorts.slice(connectionsBefore, connectionsBefore + tunnels.length);
    for (const port of fromConnector) expect(proxy.upstreamPorts).toContain(port);
  });

  it('tunnels plain http to the store too', async () => {
    const connection: S3Connection = {
      region: 'us-east-1',
      endpoint: motoEndpoint(),
      credentials,
      proxy: proxy.url,
    };
    const before = proxy.tunnels.length;
    expect(await run('put_object_text', { bucket, key: 'plain.txt', content: 'plain' }, connection)).toMatchObject({
      ok: true,
    });
    expect(await aws(['s3', 'cp', `s3://${bucket}/plain.txt`, '-'])).toBe('plain');
    expect(proxy.tunnels.slice(before).map((t) => t.target)).toContain(new URL(motoEndpoint()).host);
  });

  it('sends its user:password as Proxy-Authorization, and never shows them', async () => {
    const url = `http://${PROXY_USER}:${encodeURIComponent(PROXY_PASSWORD)}@127.0.0.1:${authProxy.port}`;
    const connection = tlsConnection({ tls: { ca: ca.caPem }, proxy: url });
    const put = await run('put_object_text', { bucket, key: 'auth.txt', content: 'via auth' }, connection);
    expect(put).toMatchObject({ ok: true });
    expectNoProxyCredentials(put);
    expect(await awsTls(['s3', 'cp', `s3://${bucket}/auth.txt`, '-'])).toBe('via auth');

    const wrong = tlsConnection({
      tls: { ca: ca.caPem },
      proxy: `http://${PROXY_USER}:wrong-${PROXY_PASSWORD}@127.0.0.1:${authProxy.port}`,
    });
    const refused = await run('put_object_text', { bucket, key: 'auth-wrong.txt', content: 'x' }, wrong);
    expect(refused).toMatchObject({
      ok: false,
      error: {
        type: 'auth',
        code: 'ProxyAuthenticationRequired',
        details: { proxyStatus: 407, proxy: `http://127.0.0.1:${authProxy.port}` },
      },
    });
    expectNoProxyCredentials(refused);
    const tested = await (await testConnector()).testConnection(wrong);
    expect(tested).toMatchObject({ ok: false, error: { code: 'ProxyAuthenticationRequired' } });
    expectNoProxyCredentials(tested);
  });

  it('a proxy that refuses CONNECT is a clear network error, not the store answering', async () => {
    for (const status of [403, 502]) {
      proxy.refuseWith = status;
      const res = await run('head_bucket', { bucket }, tlsConnection({ tls: { ca: ca.caPem }, proxy: proxy.url }));
      expect(res).toMatchObject({
        ok: false,
        error: { type: 'network', code: 'ProxyRefused', retryable: false, details: { proxyStatus: status } },
      });
    }
  });

  it('with the proxy down the call fails naming the proxy, credentials hidden', async () => {
    const gone = await connectProxy();
    const port = gone.port;
    await gone.close();
    const connection = tlsConnection({
      tls: { ca: ca.caPem },
      proxy: `http://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:${port}`,
      maxAttempts: 1,
    });
    const res = await run('head_bucket', { bucket }, connection);
    expect(res).toMatchObject({
      ok: false,
      error: { type: 'network', code: 'ECONNREFUSED', details: { proxy: `http://127.0.0.1:${port}` } },
    });
    if (!res.ok) expect(res.error.message).toMatch(/proxy http:\/\/127\.0\.0\.1:\d+ could not be reached/);
    expectNoProxyCredentials(res);
  });

  it('a bad proxy URL is refused as user_input naming proxy, its credentials not echoed, nothing sent', async () => {
    const before = proxy.tunnels.length;
    for (const bad of [
      `ftp://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:${proxy.port}`,
      `http://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:${proxy.port}/some/path`,
      'http://',
    ]) {
      const res = await run(
        'put_object_text',
        { bucket, key: 'bad-proxy.txt', content: 'x' },
        tlsConnection({ proxy: bad }),
      );
      expect(res).toMatchObject({ ok: false, error: { type: 'user_input', code: 'InvalidConnection' } });
      expect(problemFields(res)).toEqual(['proxy']);
      expectNoProxyCredentials(res);
    }
    expect(proxy.tunnels.length).toBe(before);
    await expect(aws(['s3api', 'head-object', '--bucket', bucket, '--key', 'bad-proxy.txt'])).rejects.toThrow(
      /404|Not Found/,
    );
  });

  it('a signed URL is made locally: the proxy sees nothing', async () => {
    const before = proxy.tunnels.length;
    const res = await run(
      'get_object_signed_url',
      { bucket, key: 'with-ca.txt' },
      tlsConnection({ tls: { ca: ca.caPem }, proxy: proxy.url }),
    );
    expect(res).toMatchObject({ ok: true });
    if (res.ok) expect(new URL(String(res.output.url)).host).toBe(`127.0.0.1:${store.port}`);
    expect(proxy.tunnels.length).toBe(before);
  });
});

describe('HTTPS_PROXY and NO_PROXY from the environment', () => {
  const saved: Record<string, string | undefined> = {};
  const names = [
    'HTTPS_PROXY',
    'https_proxy',
    'HTTP_PROXY',
    'http_proxy',
    'ALL_PROXY',
    'all_proxy',
    'NO_PROXY',
    'no_proxy',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_PROFILE',
  ];
  beforeAll(() => {
    for (const n of names) {
      saved[n] = process.env[n];
      delete process.env[n];
    }
    process.env.AWS_ACCESS_KEY_ID = TEST_KEY_ID;
    process.env.AWS_SECRET_ACCESS_KEY = TEST_SECRET;
  });
  afterAll(() => {
    for (const n of names) {
      if (saved[n] === undefined) delete process.env[n];
      else process.env[n] = saved[n];
    }
  });
  afterEach(() => {
    delete process.env.HTTPS_PROXY;
    delete process.env.NO_PROXY;
  });

  const chain = () => tlsConnection({ tls: { ca: ca.caPem }, credentials: { type: 'defaultChain' } });

  it('a default-chain connection goes through HTTPS_PROXY', async () => {
    process.env.HTTPS_PROXY = proxy.url;
    const before = proxy.tunnels.length;
    expect(await run('put_object_text', { bucket, key: 'env/proxied.txt', content: 'env' }, chain())).toMatchObject({
      ok: true,
    });
    expect(proxy.tunnels.slice(before).map((t) => t.target)).toContain(`127.0.0.1:${store.port}`);
    expect(await awsTls(['s3', 'cp', `s3://${bucket}/env/proxied.txt`, '-'])).toBe('env');
  });

  it("NO_PROXY naming the store's host sends it direct", async () => {
    process.env.HTTPS_PROXY = proxy.url;
    process.env.NO_PROXY = 'localhost,127.0.0.1';
    const before = proxy.tunnels.length;
    expect(await run('put_object_text', { bucket, key: 'env/direct.txt', content: 'direct' }, chain())).toMatchObject({
      ok: true,
    });
    expect(proxy.tunnels.length).toBe(before);
    expect(await awsTls(['s3', 'cp', `s3://${bucket}/env/direct.txt`, '-'])).toBe('direct');
  });

  it("the environment's proxy credentials are never shown either", async () => {
    const gone = await connectProxy();
    await gone.close();
    process.env.HTTPS_PROXY = `http://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:${gone.port}`;
    const res = await run('head_bucket', { bucket }, { ...chain(), maxAttempts: 1 });
    expect(res).toMatchObject({
      ok: false,
      error: { type: 'network', code: 'ECONNREFUSED', details: { proxy: `http://127.0.0.1:${gone.port}` } },
    });
    expectNoProxyCredentials(res);
  });

  it('a connection with its own credentials ignores HTTPS_PROXY; its own proxy field wins over it', async () => {
    process.env.HTTPS_PROXY = 'http://127.0.0.1:9'; // nothing listens there: were it used, the call would fail
    const before = proxy.tunnels.length;
    const own = tlsConnection({ tls: { ca: ca.caPem } });
    expect(await run('put_object_text', { bucket, key: 'env/own.txt', content: 'own' }, own)).toMatchObject({
      ok: true,
    });
    expect(proxy.tunnels.length).toBe(before);
    const field = tlsConnection({ tls: { ca: ca.caPem }, credentials: { type: 'defaultChain' }, proxy: proxy.url });
    expect(await run('put_object_text', { bucket, key: 'env/field.txt', content: 'field' }, field)).toMatchObject({
      ok: true,
    });
    expect(proxy.tunnels.length).toBeGreaterThan(before);
  });
});
