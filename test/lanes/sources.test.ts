// Where put_object_file may read from: https:// only from allowed hosts, and never from
// loopback, link-local or private addresses unless the runtime allows private networks.
import { createServer } from 'node:https';
import { describe, expect, it } from 'vitest';
import { isPrivateAddress } from '../../src/io/content.js';
import { loadConnector } from '../../src/index.js';
import { fakeStore } from '../support/helpers.js';
import { makeTestCa } from '../support/tlsEndpoints.js';

describe('address classes', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.5.5.5', true],
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['::1', true],
    ['fe80::1', true],
    ['fd00::1', true],
    ['::ffff:127.0.0.1', true],
    ['8.8.8.8', false],
    ['172.32.0.1', false],
    ['52.216.0.1', false],
    ['2600:1f18::1', false],
  ])('%s private: %s', (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });
});

describe('https sources', () => {
  const input = (url: string) => ({ bucket: 'my-bucket', key: 'from-web.bin', file: { url } });
  const connectionTo = (endpoint: string) => ({
    region: 'us-east-1',
    endpoint,
    maxAttempts: 1,
    credentials: { type: 'accessKey', accessKeyId: 'a', secretAccessKey: 'b' },
  });

  it('refuses hosts the runtime did not allow, and allowed names that resolve to loopback', async () => {
    const store = await fakeStore((_req, res) => res.writeHead(500).end());
    try {
      const c = await loadConnector({ allowedHttpsHosts: ['localhost:9', '127.0.0.1:9'] });
      const notAllowed = await c.invoke('put_object_file', input('https://downloads.example.com/a.bin'), {
        connection: connectionTo(store.endpoint),
      });
      expect(notAllowed.ok ? null : notAllowed.error).toMatchObject({ type: 'user_input', code: 'HostNotAllowed' });
      for (const url of ['https://localhost:9/a.bin', 'https://127.0.0.1:9/a.bin']) {
        const res = await c.invoke('put_object_file', input(url), { connection: connectionTo(store.endpoint) });
        expect(res.ok ? null : res.error, url).toMatchObject({ type: 'user_input', code: 'AddressNotAllowed' });
      }
      expect(store.requests.length).toBe(0);
      c.close();
    } finally {
      await store.close();
    }
  });

  it('with private networks allowed, the guard lets the connection through (here to a local TLS server)', async () => {
    // A certificate of a CA nobody trusts: the connection gets past the address guard and fails
    // TLS verification, which is what proves the guard let it through.
    const ca = await makeTestCa();
    let served = 0;
    const server = createServer({ key: ca.serverKey, cert: ca.serverCert }, (_req, res) => {
      served++;
      res.end('x');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const c = await loadConnector({ allowedHttpsHosts: [`localhost:${port}`], allowPrivateNetworks: true });
      const res = await c.invoke('put_object_file', input(`https://localhost:${port}/a.bin`), {
        connection: connectionTo('http://127.0.0.1:9'),
      });
      expect(res.ok ? null : res.error.code).not.toBe('AddressNotAllowed');
      expect(res.ok ? null : res.error.message).toMatch(/certificate/i);
      expect(served).toBe(0);
      c.close();
    } finally {
      server.close();
      await ca.remove();
    }
  });
});
