// What a hostile store, a hostile local address and hostile input can do to the connector, and
// must not. The store here is a child process of ours (so its own buffers do not count against
// the connector's memory) that answers with lazily generated bodies: a 300 MB error answer, a
// listing whose one <Key> never ends, a 300 MB answer that says so up front, and a real S3's
// largest listing page. Sources: IPv6 forms of private IPv4 addresses, allow-list entries with
// ports, credentials in a URL, and malformed data: URLs.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createTcpServer, type Server } from 'node:net';
import { createInterface } from 'node:readline';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPrivateAddress } from '../../src/io/content.js';
import { MAX_ANSWER_BYTES, MAX_ERROR_BODY_BYTES, MAX_STORE_MESSAGE_CHARS } from '../../src/runtime/answerLimits.js';
import { loadConnector } from '../../src/index.js';
import {
  fakeStore,
  invoke,
  motoEndpoint,
  TEST_KEY_ID,
  TEST_SECRET,
  testConnector,
  uniqueBucket,
  until,
} from '../support/helpers.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const creds = { type: 'accessKey', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'stand-in-secret-0001' } as const;
const conn = (endpoint: string, extra: Record<string, unknown> = {}) => ({
  region: 'us-east-1',
  endpoint,
  credentials: creds,
  maxAttempts: 3,
  ...extra,
});

// ---- the hostile store: a child process, bodies generated as they are sent -----------------
// Each bucket name is one behaviour. Every answer that ends reports, on stdout, how many bytes
// the store had written to the socket by then (what it managed to push before the client hung up).
const STORE = String.raw`
const { createServer } = require('node:http');
const MB = 1000 * 1000;
const XML = '<?xml version="1.0" encoding="UTF-8"?>\n';
const LIST_HEAD = XML + '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix></Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated><Contents><Key>';
const filler = Buffer.alloc(64 * 1024, 'A');
function stream(res, head, total, tail) {
  let sent = Buffer.byteLength(head);
  res.write(head);
  const pump = () => {
    while (!res.destroyed && sent < total) {
      const chunk = total - sent >= filler.length ? filler : filler.subarray(0, total - sent);
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end(tail);
  };
  pump();
}
function fullPage() {
  // S3's largest ListObjectsV2 page: 1000 keys of 1024 bytes, each with an owner.
  let xml = XML + '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix></Prefix><KeyCount>1000</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>';
  for (let i = 0; i < 1000; i++) {
    const key = String(i).padStart(4, '0') + 'k'.repeat(1020);
    xml += '<Contents><Key>' + key + '</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>&quot;0123456789abcdef0123456789abcdef&quot;</ETag><Size>1</Size><Owner><ID>' + 'o'.repeat(1024) + '</ID><DisplayName>' + 'd'.repeat(1024) + '</DisplayName></Owner><StorageClass>STANDARD</StorageClass></Contents>';
  }
  return xml + '</ListBucketResult>';
}
const server = createServer((req, res) => {
  const socket = req.socket;
  const bucket = req.url.split(/[/?]/)[1];
  res.on('close', () => process.stdout.write(JSON.stringify({ bucket, sent: socket.bytesWritten }) + '\n'));
  const xml = { 'content-type': 'application/xml', 'x-amz-request-id': 'HOSTILE1' };
  const errorHead = XML + '<Error><Code>InternalError</Code><Message>';
  const errorTail = '</Message><RequestId>HOSTILE1</RequestId></Error>';
  switch (bucket) {
    case 'error-300m': res.writeHead(500, xml); return stream(res, errorHead, 300 * MB, errorTail);
    case 'error-50m': res.writeHead(500, xml); return stream(res, errorHead, 50 * MB, errorTail);
    case 'error-40k': res.writeHead(500, xml); return stream(res, errorHead, 40 * 1024, errorTail);
    case 'endless-key': res.writeHead(200, xml); return stream(res, LIST_HEAD, 300 * MB, '');
    case 'declared-300m': res.writeHead(200, { ...xml, 'content-length': String(300 * MB) }); return stream(res, LIST_HEAD, 300 * MB, '');
    case 'full-page': { const body = fullPage(); res.writeHead(200, { ...xml, 'content-length': String(Buffer.byteLength(body)) }); return res.end(body); }
    default: res.writeHead(404, xml); return res.end(XML + '<Error><Code>NoSuchBucket</Code><Message>no</Message></Error>');
  }
});
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n'));
// Gone with the test process, however that ends: its end of stdin closes.
process.stdin.on('end', () => process.exit(0)).resume();
`;

interface HostileStore {
  endpoint: string;
  /** Bytes the store had written for each finished answer, by bucket, in order. */
  sent: Map<string, number[]>;
  child: ChildProcess;
}

async function startHostileStore(): Promise<HostileStore> {
  const child = spawn(process.execPath, ['-e', STORE], { stdio: ['pipe', 'pipe', 'inherit'] });
  const sent = new Map<string, number[]>();
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`hostile store exited (${code})`)));
    lines.on('line', (line) => {
      const msg = JSON.parse(line) as { port?: number; bucket?: string; sent?: number };
      if (msg.port) resolve(msg.port);
      else if (msg.bucket) sent.set(msg.bucket, [...(sent.get(msg.bucket) ?? []), msg.sent ?? 0]);
    });
  });
  return { endpoint: `http://127.0.0.1:${port}`, sent, child };
}

/** Runs `call`, sampling this process's memory every few ms: the peak growth over the start. */
async function measured<T>(
  call: () => Promise<T>,
): Promise<{ result: T; ms: number; rssGrowth: number; heapGrowth: number }> {
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const timer = setInterval(sample, 5);
  const started = performance.now();
  try {
    const result = await call();
    sample();
    return {
      result,
      ms: Math.round(performance.now() - started),
      rssGrowth: peakRss - before.rss,
      heapGrowth: peakHeap - before.heapUsed,
    };
  } finally {
    clearInterval(timer);
  }
}

const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`;

describe("a hostile store cannot exhaust the host's memory", () => {
  let store: HostileStore;

  beforeAll(async () => {
    store = await startHostileStore();
    // Warm up: modules and the client loaded, so what is measured below is the answers alone.
    const c = await testConnector();
    await c.invoke('list_objects', { bucket: 'full-page' }, { connection: conn(store.endpoint) });
    await c.invoke('list_objects', { bucket: 'no-such' }, { connection: conn(store.endpoint) });
  });

  afterAll(() => {
    store?.child.kill();
  });

  /** The bytes the store had written for the last answer to `bucket`, once it has ended. */
  async function sentFor(bucket: string, answers = 1): Promise<number[]> {
    await until(() => (store.sent.get(bucket)?.length ?? 0) >= answers);
    return store.sent.get(bucket) ?? [];
  }

  it('a 300 MB error body: api AnswerTooLarge after the first 64 KiB, memory flat, not retried', async () => {
    const c = await testConnector();
    const { result, ms, rssGrowth, heapGrowth } = await measured(() =>
      c.invoke('list_objects', { bucket: 'error-300m' }, { connection: conn(store.endpoint) }),
    );
    expect(result.ok ? null : result.error).toMatchObject({
      type: 'api',
      code: 'AnswerTooLarge',
      status: 500,
      retryable: false,
    });
    const error = result.ok ? undefined : result.error;
    expect(error?.message).toMatch(/error answer.*over 64 KiB/);
    expect(error?.message.length).toBeLessThan(2 * KiB);
    const sent = await sentFor('error-300m');
    // One request (no retry of an answer that broke the limit), and the store was cut off long
    // before its 300 MB: what it wrote is what sat in the socket buffers when the client hung up.
    expect(sent).toHaveLength(1);
    expect(sent[0]).toBeLessThan(32 * MiB);
    expect(rssGrowth).toBeLessThan(64 * MiB);
    expect(heapGrowth).toBeLessThan(64 * MiB);
    console.log(
      `300 MB error body: ${ms} ms, RSS +${mib(rssGrowth)}, heap +${mib(heapGrowth)}, store wrote ${mib(sent[0]!)} before the connector hung up (it reads at most ${MAX_ERROR_BODY_BYTES / KiB} KiB)`,
    );
  });

  it('a listing with one endless <Key>: api AnswerTooLarge after 16 MiB, memory flat', async () => {
    const c = await testConnector();
    const { result, ms, rssGrowth, heapGrowth } = await measured(() =>
      c.invoke('list_objects', { bucket: 'endless-key' }, { connection: conn(store.endpoint) }),
    );
    expect(result.ok ? null : result.error).toMatchObject({
      type: 'api',
      code: 'AnswerTooLarge',
      status: 200,
      retryable: false,
    });
    expect(result.ok ? '' : result.error.message).toMatch(/ListObjectsV2.*over 16 MiB/);
    const sent = await sentFor('endless-key');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toBeGreaterThan(MAX_ANSWER_BYTES);
    expect(sent[0]).toBeLessThan(MAX_ANSWER_BYTES + 32 * MiB);
    expect(rssGrowth).toBeLessThan(64 * MiB);
    expect(heapGrowth).toBeLessThan(64 * MiB);
    console.log(
      `endless <Key> listing: ${ms} ms, RSS +${mib(rssGrowth)}, heap +${mib(heapGrowth)}, store wrote ${mib(sent[0]!)} before the connector hung up (it reads at most ${mib(MAX_ANSWER_BYTES)})`,
    );
  });

  it('an answer that declares 300 MB is refused before its body is read', async () => {
    const c = await testConnector();
    const { result, ms, rssGrowth } = await measured(() =>
      c.invoke('list_objects', { bucket: 'declared-300m' }, { connection: conn(store.endpoint) }),
    );
    expect(result.ok ? null : result.error).toMatchObject({ type: 'api', code: 'AnswerTooLarge', status: 200 });
    expect(result.ok ? '' : result.error.message).toContain('300000000 bytes');
    const sent = await sentFor('declared-300m');
    expect(sent[0]).toBeLessThan(32 * MiB);
    expect(rssGrowth).toBeLessThan(64 * MiB);
    console.log(`declared 300 MB listing: ${ms} ms, RSS +${mib(rssGrowth)}, store wrote ${mib(sent[0]!)}`);
  });

  it('a 50 MB error body gives a message of at most a few KiB that says it was cut', async () => {
    const c = await testConnector();
    const { result, rssGrowth } = await measured(() =>
      c.invoke('list_objects', { bucket: 'error-50m' }, { connection: conn(store.endpoint) }),
    );
    expect(result.ok ? null : result.error).toMatchObject({ type: 'api', code: 'AnswerTooLarge', status: 500 });
    const message = result.ok ? '' : result.error.message;
    expect(message.length).toBeLessThan(2 * KiB);
    expect(message).toContain('InternalError');
    expect(message).toMatch(/cut/);
    expect(result.ok ? null : result.error.details).toMatchObject({
      storeCode: 'InternalError',
      limitBytes: MAX_ERROR_BODY_BYTES,
    });
    console.log(
      `50 MB error body: message ${message.length} characters, RSS +${mib(rssGrowth)}: ${message.replace(/A{40,}/, (a) => `A×${a.length}`)}`,
    );
  });

  it('an error body under the limit keeps its mapping, its message cut to 2 KiB and said so', async () => {
    const c = await testConnector();
    const result = await c.invoke(
      'list_objects',
      { bucket: 'error-40k' },
      { connection: conn(store.endpoint, { maxAttempts: 2 }) },
    );
    // Still the 500 it was (retryable, retried), only the store's 40 KiB message is cut.
    expect(result.ok ? null : result.error).toMatchObject({
      type: 'api',
      code: 'InternalError',
      status: 500,
      retryable: true,
    });
    const message = result.ok ? '' : result.error.message;
    expect(message.length).toBeLessThan(MAX_STORE_MESSAGE_CHARS + 512);
    expect(message).toMatch(/cut: the store's message was \d+ characters/);
    expect(await sentFor('error-40k', 2)).toHaveLength(2);
    console.log(`40 KiB error message: cut to ${message.length} characters: …${message.slice(-120)}`);
  });

  it("get_object's error answer is capped like any other; a HEAD answer's Content-Length is the object's, not a body", async () => {
    const c = await testConnector();
    const { result, rssGrowth } = await measured(() =>
      c.invoke(
        'get_object',
        { bucket: 'error-300m', key: 'any.bin', as: 'text' },
        { connection: conn(store.endpoint) },
      ),
    );
    expect(result.ok ? null : result.error).toMatchObject({ type: 'api', code: 'AnswerTooLarge', status: 500 });
    expect(rssGrowth).toBeLessThan(64 * MiB);
    const head = await c.invoke(
      'head_object',
      { bucket: 'declared-300m', key: 'big.bin' },
      { connection: conn(store.endpoint) },
    );
    expect(head.ok ? head.output.contentLength : head.error).toBe(300_000_000);
  });

  it("S3's largest listing page (1000 keys of 1024 bytes, with owners) is well inside the limit", async () => {
    const c = await testConnector();
    const result = await c.invoke(
      'list_objects',
      { bucket: 'full-page', fetchOwner: true },
      { connection: conn(store.endpoint) },
    );
    expect(result.ok ? result.output.count : result.error).toBe(1000);
  });

  it('a get_object body is streamed to the caller, not capped: 20 MiB as base64 through the 16 MiB answer limit', async () => {
    const bucket = uniqueBucket('hostile');
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: motoEndpoint(),
      forcePathStyle: true,
      credentials: { accessKeyId: TEST_KEY_ID, secretAccessKey: TEST_SECRET },
    });
    const body = Buffer.alloc(20 * MiB, 7);
    try {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'big.bin', Body: body }));
    } finally {
      s3.destroy();
    }
    const result = await invoke('get_object', { bucket, key: 'big.bin', as: 'base64', maxInlineBytes: 50 * MiB });
    expect(result.ok ? Buffer.from(result.output.base64 as string, 'base64').equals(body) : result.error).toBe(true);
  });
});

// ---- https:// sources ----------------------------------------------------------------------

/** A TCP server on loopback that only counts the connections it gets (and closes them). */
async function countingServer(): Promise<{ port: number; connections: () => number; close: () => void }> {
  let count = 0;
  const server: Server = createTcpServer((socket) => {
    count++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, connections: () => count, close: () => server.close() };
}

describe('IPv6 forms of IPv4 addresses are judged by the IPv4 address they carry', () => {
  it.each([
    ['::ffff:7f00:1', true],
    ['::ffff:127.0.0.1', true],
    ['::FFFF:7F00:0001', true],
    ['::ffff:a9fe:a9fe', true],
    ['::ffff:10.1.2.3', true],
    ['0:0:0:0:0:ffff:7f00:1', true],
    ['64:ff9b::7f00:1', true],
    ['64:ff9b::10.0.0.1', true],
    ['64:ff9b::a9fe:a9fe', true],
    ['::127.0.0.1', true],
    ['::7f00:1', true],
    ['::a00:1', true],
    ['2002:7f00:1::1', true],
    ['64:ff9b:1::1', true],
    ['fec0::1', true],
    ['fe80::1%eth0', true],
    ['::ffff:8.8.8.8', false],
    ['::ffff:808:808', false],
    ['64:ff9b::808:808', false],
    ['2002:808:808::1', false],
    ['2600:1f18::1', false],
  ])('%s private: %s', (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });
});

describe('https sources: addresses, ports and credentials', () => {
  const input = (url: string) => ({ bucket: 'my-bucket', key: 'from-web.bin', file: { url } });
  let target: Awaited<ReturnType<typeof countingServer>>;
  beforeAll(async () => {
    target = await countingServer();
  });
  afterAll(() => target.close());

  it('an IPv4-mapped IPv6 literal of loopback is refused, though its allow-list entry matches it', async () => {
    const store = await fakeStore((_req, res) => res.writeHead(500).end());
    try {
      // The entry is written in dotted form, the URL in the hex form URL normalises it to: both match.
      const c = await loadConnector({ allowedHttpsHosts: [`[::ffff:127.0.0.1]:${target.port}`] });
      for (const host of ['[::ffff:7f00:1]', '[::ffff:127.0.0.1]']) {
        const res = await c.invoke('put_object_file', input(`https://${host}:${target.port}/a.bin`), {
          connection: conn(store.endpoint),
        });
        expect(res.ok ? null : res.error, host).toMatchObject({ type: 'user_input', code: 'AddressNotAllowed' });
      }
      for (const host of ['[64:ff9b::7f00:1]', '[::127.0.0.1]']) {
        const other = await loadConnector({ allowedHttpsHosts: [`${host}:${target.port}`] });
        const res = await other.invoke('put_object_file', input(`https://${host}:${target.port}/a.bin`), {
          connection: conn(store.endpoint),
        });
        expect(res.ok ? null : res.error, host).toMatchObject({ type: 'user_input', code: 'AddressNotAllowed' });
        other.close();
      }
      expect(target.connections()).toBe(0);
      expect(store.requests.length).toBe(0);
      c.close();
    } finally {
      await store.close();
    }
  });

  it('with private networks allowed, the dotted allow-list entry matches the hex URL and the connection is made', async () => {
    const before = target.connections();
    const c = await loadConnector({
      allowedHttpsHosts: [`::ffff:127.0.0.1`, `[::ffff:127.0.0.1]:${target.port}`],
      allowPrivateNetworks: true,
    });
    const res = await c.invoke('put_object_file', input(`https://[::ffff:7f00:1]:${target.port}/a.bin`), {
      connection: conn('http://127.0.0.1:9', { maxAttempts: 1 }),
    });
    expect(res.ok ? null : res.error.code).not.toMatch(/NotAllowed$/);
    expect(target.connections()).toBe(before + 1);
    c.close();
  });

  it('a bare allowed host allows port 443 only; host:port allows that port', async () => {
    const before = target.connections();
    const bare = await loadConnector({ allowedHttpsHosts: ['localhost'], allowPrivateNetworks: true });
    const refused = await bare.invoke('put_object_file', input(`https://localhost:${target.port}/a.bin`), {
      connection: conn('http://127.0.0.1:9', { maxAttempts: 1 }),
    });
    expect(refused.ok ? null : refused.error).toMatchObject({ type: 'user_input', code: 'HostNotAllowed' });
    expect(refused.ok ? '' : refused.error.message).toContain(`localhost:${target.port}`);
    expect(target.connections()).toBe(before);
    bare.close();

    const withPort = await loadConnector({
      allowedHttpsHosts: [`LocalHost:${target.port}`],
      allowPrivateNetworks: true,
    });
    const tried = await withPort.invoke('put_object_file', input(`https://localhost:${target.port}/a.bin`), {
      connection: conn('http://127.0.0.1:9', { maxAttempts: 1 }),
    });
    expect(tried.ok ? null : tried.error.code).not.toMatch(/NotAllowed$/);
    await until(() => target.connections() > before);
    expect(target.connections()).toBe(before + 1);
    // ...and only that port: 443 on the same host is not allowed by it.
    const other = await withPort.invoke('put_object_file', input('https://localhost/a.bin'), {
      connection: conn('http://127.0.0.1:9', { maxAttempts: 1 }),
    });
    expect(other.ok ? null : other.error).toMatchObject({ type: 'user_input', code: 'HostNotAllowed' });
    withPort.close();
  });

  it('credentials in the URL are refused before any connection, and never echoed', async () => {
    const before = target.connections();
    const c = await loadConnector({ allowedHttpsHosts: [`localhost:${target.port}`], allowPrivateNetworks: true });
    for (const url of [
      `https://uploader:s3cr3t-pa55word@localhost:${target.port}/a.bin`,
      `https://s3cr3t-t0ken@localhost:${target.port}/a.bin`,
      `https://:s3cr3t-pa55word@localhost:${target.port}/a.bin`,
    ]) {
      const res = await c.invoke('put_object_file', input(url), {
        connection: conn('http://127.0.0.1:9', { maxAttempts: 1 }),
      });
      expect(res.ok ? null : res.error, url).toMatchObject({ type: 'user_input', code: 'CredentialsInUrl' });
      expect(JSON.stringify(res)).not.toMatch(/s3cr3t|uploader/);
    }
    expect(target.connections()).toBe(before);
    c.close();
  });
});

describe("malformed data: URLs are the caller's mistake", () => {
  it.each([
    ['a broken percent escape', 'data:text/plain,%E0%A4%A'],
    ['a lone percent sign', 'data:,100%'],
    ['CRLF in the media type', 'data:text/plain\r\nX-Injected: yes,hello'],
    ['a NUL in the media type', 'data:text/plain\u0000,hello'],
    ['a media type that is not one', 'data:not a type;base64,aGVsbG8='],
  ])('%s is user_input / InvalidDataUrl, nothing sent', async (_what, url) => {
    const store = await fakeStore((_req, res) => res.writeHead(500).end());
    try {
      const c = await testConnector();
      const res = await c.invoke(
        'put_object_file',
        { bucket: 'my-bucket', key: 'x.txt', file: { url } },
        { connection: conn(store.endpoint) },
      );
      expect(res.ok ? null : res.error).toMatchObject({ type: 'user_input', code: 'InvalidDataUrl' });
      expect(store.requests.length).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('good data: URLs still upload: media type kept, a bare ;charset= is text/plain', async () => {
    const store = await fakeStore((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { etag: '"5d41402abc4b2a76b9719d911017c592"' }).end());
    });
    try {
      const c = await testConnector();
      for (const [url, type] of [
        ['data:text/csv;charset=utf-8,hello', 'text/csv;charset=utf-8'],
        ['data:;charset=utf-8,hello', 'text/plain;charset=utf-8'],
        ['data:;base64,aGVsbG8=', 'text/plain;charset=US-ASCII'],
      ] as const) {
        const res = await c.invoke(
          'put_object_file',
          { bucket: 'my-bucket', key: 'x.bin', file: { url } },
          { connection: conn(store.endpoint) },
        );
        expect(res.ok ? res.output.contentType : res.error, url).toBe(type);
      }
    } finally {
      await store.close();
    }
  });
});
