// 1,000 concurrent invokes of mixed operations on one connection: none fails, the sockets stay
// bounded (a counting TCP pass-through in front of moto sees every connection), and memory
// returns to where it started.
import { createConnection, createServer, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SOCKETS_PER_CLIENT } from '../../src/runtime/clients.js';
import { loadConnector } from '../../src/index.js';
import { aws, motoEndpoint, uniqueBucket } from '../support/helpers.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const bucket = uniqueBucket('load');
let proxy: { endpoint: string; open: number; peak: number; total: number; close(): Promise<void> };

beforeAll(async () => {
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  for (let i = 0; i < 5; i++) await aws(['s3api', 'put-object', '--bucket', bucket, '--key', `seed/${i}.txt`]);
  const target = new URL(motoEndpoint());
  const sockets = new Set<Socket>();
  const state = { open: 0, peak: 0, total: 0 };
  const server = createServer((client) => {
    state.open++;
    state.total++;
    state.peak = Math.max(state.peak, state.open);
    const upstream = createConnection(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const done = () => {
      if (sockets.delete(client)) state.open--;
      sockets.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', done).on('error', done);
    upstream.on('close', done).on('error', done);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  proxy = Object.assign(state, {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => r());
      }),
  }) as typeof proxy;
});
afterAll(() => proxy?.close());

describe('load', () => {
  it('1,000 concurrent mixed invokes on one connection', async () => {
    const connector = await loadConnector({ validateOutput: true });
    const connection = {
      region: 'us-east-1',
      endpoint: proxy.endpoint,
      credentials: { type: 'accessKey', accessKeyId: 'a', secretAccessKey: 'b' },
    };
    const call = (i: number) => {
      switch (i % 5) {
        case 0:
          return connector.invoke('head_object', { bucket, key: `seed/${i % 5}.txt` }, { connection });
        case 1:
          return connector.invoke('list_objects', { bucket, prefix: 'seed/' }, { connection });
        case 2:
          return connector.invoke(
            'put_object_text',
            { bucket, key: `load/${i}.txt`, content: `n=${i}` },
            { connection },
          );
        case 3:
          return connector.invoke('get_object', { bucket, key: 'seed/1.txt', as: 'text' }, { connection });
        default:
          return connector.invoke('get_object_signed_url', { bucket, key: `seed/${i % 5}.txt` }, { connection });
      }
    };
    // Warm up once so the baseline includes loaded handlers and the client.
    await Promise.all([0, 1, 2, 3, 4].map(call));
    gc();
    const baseline = process.memoryUsage().heapUsed;

    const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => call(i)));
    const failures = results.filter((r) => !r.ok);
    expect(failures.map((f) => (f.ok ? '' : `${f.error.type}: ${f.error.message}`)).slice(0, 3)).toEqual([]);
    console.log(`load: 1000 invokes, peak ${proxy.peak} sockets open at once, ${proxy.total} opened in all`);

    // The agent holds at most MAX_SOCKETS_PER_CLIENT; a socket the server just closed can still
    // be counted here for a moment while its replacement opens, hence the small allowance.
    expect(proxy.peak).toBeLessThanOrEqual(MAX_SOCKETS_PER_CLIENT + 4);
    connector.close();
    results.length = 0;
    await new Promise((r) => setTimeout(r, 200));
    gc();
    const after = process.memoryUsage().heapUsed;
    console.log(`load: heap ${(baseline / 2 ** 20).toFixed(1)} MiB before, ${(after / 2 ** 20).toFixed(1)} MiB after`);
    expect(after).toBeLessThan(baseline + 10 * 2 ** 20);
  });
});
