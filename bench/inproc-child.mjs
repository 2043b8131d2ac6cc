// In-process measurements, one subject per fresh process so no subject's code warms or
// pollutes the JIT state of another:
//   node --expose-gc bench/inproc-child.mjs <subject> <calls> <endpoint>
// Subjects:
//   head-connector        invoke('head_object') with an in-process request handler answering at once
//   head-raw              raw SDK HeadObjectCommand on a shared client with that handler
//   head-raw-cancellable  the same, each call with an AbortSignal and a deadline timer (what invoke provides)
//   sign-connector        invoke('get_object_signed_url') (no request is sent)
//   sign-raw              getSignedUrl(shared client, new GetObjectCommand(...))
//   sign-handler          the get_object_signed_url handler called directly, without invoke
// Warms up, then times three batches of <calls> sequential calls and prints one JSON line with the
// median batch: CPU µs per call (user + system, all threads) and calls per second of wall time.
// The median of three keeps the JIT compiling hot code (on background threads, counted in the
// process's CPU time) out of the figure.
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { INPROC_WARMUP, connectionFor, distModule, rawClient } from './lib.mjs';

const [subject, callsArg, endpoint] = process.argv.slice(2);
const calls = Number(callsArg);
const BUCKET = 'bench-head';
const KEY = 'reports/2026/summary.csv';

/**
 * A request handler that answers every request at once, in process, with what S3 answers to a
 * HEAD of a 1 KiB object: the shape of @smithy/protocol-http's HttpResponse (status code,
 * headers, body), which is all the SDK's deserialisers read.
 */
function instantHandler() {
  const headers = {
    'content-type': 'text/csv',
    'content-length': '1024',
    etag: '"0f343b0931126a20f133d67c2b018a3b"',
    'last-modified': new Date(0).toUTCString(),
    'accept-ranges': 'bytes',
    'x-amz-request-id': 'BENCH0000000000',
    'x-amz-meta-owner': 'bench',
    date: new Date().toUTCString(),
  };
  const handler = {
    calls: 0,
    metadata: { handlerProtocol: 'http/1.1' },
    handle() {
      handler.calls++;
      return Promise.resolve({
        response: { statusCode: 200, reason: 'OK', headers: { ...headers }, body: new Uint8Array(0) },
      });
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs() {
      return {};
    },
    destroy() {},
  };
  return handler;
}

async function subjectCall() {
  const offline = 'http://127.0.0.1:9'; // never contacted: the instant handler answers
  const input = { bucket: BUCKET, key: KEY };
  switch (subject) {
    case 'head-connector': {
      const fake = instantHandler();
      const { loadConnector } = await distModule('src/index.js');
      const connector = await loadConnector({ clientOverrides: { requestHandler: fake } });
      const connection = connectionFor(offline);
      return {
        fake,
        call: async () => {
          const r = await connector.invoke('head_object', input, { connection });
          if (!r.ok) throw new Error(`head_object: ${JSON.stringify(r.error)}`);
        },
      };
    }
    case 'head-raw': {
      const fake = instantHandler();
      const raw = rawClient(offline, fake);
      return { fake, call: () => raw.send(new HeadObjectCommand({ Bucket: BUCKET, Key: KEY })) };
    }
    case 'head-raw-cancellable': {
      const fake = instantHandler();
      const raw = rawClient(offline, fake);
      return {
        fake,
        call: async () => {
          const deadline = new AbortController();
          const timer = setTimeout(() => deadline.abort(), 15 * 60 * 1000);
          try {
            return await raw.send(new HeadObjectCommand({ Bucket: BUCKET, Key: KEY }), {
              abortSignal: deadline.signal,
            });
          } finally {
            clearTimeout(timer);
          }
        },
      };
    }
    case 'sign-connector': {
      const { loadConnector } = await distModule('src/index.js');
      const connector = await loadConnector();
      const connection = connectionFor(endpoint);
      const signInput = { ...input, expiresIn: 3600 };
      return {
        call: async () => {
          const r = await connector.invoke('get_object_signed_url', signInput, { connection });
          if (!r.ok) throw new Error(`get_object_signed_url: ${JSON.stringify(r.error)}`);
        },
      };
    }
    case 'sign-raw': {
      const raw = rawClient(endpoint);
      return { call: () => getSignedUrl(raw, new GetObjectCommand({ Bucket: BUCKET, Key: KEY }), { expiresIn: 3600 }) };
    }
    case 'sign-handler': {
      const { ClientCache } = await distModule('src/runtime/clients.js');
      const handler = (await distModule('operations/get_object_signed_url.js')).default;
      const connection = connectionFor(endpoint);
      const s3 = new ClientCache().get(connection);
      const signInput = { ...input, expiresIn: 3600 };
      return { call: () => handler(signInput, { s3, connection, signal: new AbortController().signal }) };
    }
    default:
      throw new Error(`unknown subject ${subject}`);
  }
}

const { call, fake } = await subjectCall();
const warmup = INPROC_WARMUP;
for (let i = 0; i < warmup; i++) await call();
if (fake && fake.calls !== warmup) throw new Error(`the instant handler answered ${fake.calls} of ${warmup} calls`);
const batches = [];
for (let b = 0; b < 3; b++) {
  globalThis.gc?.();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await call();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  batches.push({ cpuMicros: (cpu.user + cpu.system) / calls, perSecond: calls / seconds });
}
const median = (f) => batches.map(f).sort((a, b) => a - b)[1];
process.stdout.write(
  JSON.stringify({ subject, calls, cpuMicros: median((b) => b.cpuMicros), perSecond: median((b) => b.perSecond) }) +
    '\n',
);
process.exit(0);
