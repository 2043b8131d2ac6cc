// Scenario 1: invoke overhead. invoke('head_object') against a shared-client raw SDK
// HeadObjectCommand: throughput against a server at concurrency 1 and 16 (runThroughput, once
// per server; in this process, connector and raw batches interleaved, the order alternating run
// by run), and CPU per call with every client given an in-process request handler that answers
// at once, so the server is out of the picture (runCpu, once; bench/inproc-child.mjs, one fresh
// process per subject and run, taking turns).
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { join } from 'node:path';
import {
  BENCH_DIR,
  INPROC_WARMUP,
  createBucket,
  connectionFor,
  inprocRuns,
  log,
  rawClient,
  rotate,
  stats,
} from './lib.mjs';
import { profileMarkdown, profileOf } from './profile.mjs';

/** Target: the connector's CPU per call at most this many times the raw call's, under every node. */
const CPU_MAX = 1.1;
const BUCKET = 'bench-head';
const KEY = 'reports/2026/summary.csv';

/** Runs `call` `ops` times with `concurrency` workers; returns calls per second. */
async function throughput(call, ops, concurrency) {
  let started = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < ops) {
        started++;
        await call();
      }
    }),
  );
  return ops / (Number(process.hrtime.bigint() - t0) / 1e9);
}

export async function runThroughput({ cfg, server, connector }) {
  const raw = rawClient(server.endpoint);
  await createBucket(raw, BUCKET);
  await raw.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: KEY,
      Body: 'x'.repeat(1024),
      ContentType: 'text/csv',
      Metadata: { owner: 'bench' },
    }),
  );
  const connection = connectionFor(server.endpoint);
  const input = { bucket: BUCKET, key: KEY };

  const viaConnector = async () => {
    const r = await connector.invoke('head_object', input, { connection });
    if (!r.ok) throw new Error(`head_object failed: ${JSON.stringify(r.error)}`);
  };
  const viaRaw = () => raw.send(new HeadObjectCommand({ Bucket: BUCKET, Key: KEY }));

  // Warm both paths: sockets open, validators compiled, handler module loaded.
  for (let i = 0; i < 50; i++) {
    await viaConnector();
    await viaRaw();
  }

  const rows = [];
  for (const concurrency of [1, 16]) {
    const values = { connector: [], raw: [] };
    for (let r = 0; r < cfg.runs; r++) {
      for (const who of rotate(['connector', 'raw'], r)) {
        values[who].push(await throughput(who === 'connector' ? viaConnector : viaRaw, cfg.headOps, concurrency));
      }
    }
    log(
      `  head_object c=${concurrency}: connector ${stats(values.connector).median.toFixed(0)}/s, raw ${stats(values.raw).median.toFixed(0)}/s`,
    );
    rows.push({
      label: `HEAD, concurrency ${concurrency} (${cfg.headOps} calls a run)`,
      unit: 'calls/s',
      higherIsBetter: true,
      subjects: [
        { name: "connector invoke('head_object')", connector: true, values: values.connector },
        { name: 'raw SDK HeadObjectCommand, shared client', values: values.raw },
      ],
    });
  }

  raw.destroy();
  const ratio = (row) => stats(row.subjects[0].values).median / stats(row.subjects[1].values).median;
  return {
    id: 1,
    title: 'Invoke overhead',
    how: `One 1 KiB object; \`invoke('head_object', { bucket, key }, { connection })\` on a loaded connector against \`s3.send(new HeadObjectCommand(...))\` on one raw S3Client configured as the connector configures its own (keep-alive agent, 64 sockets, path style, same timeouts and attempts). Throughput: ${cfg.headOps} calls a run with 1 and 16 callers at once; connector and raw runs interleaved, the order alternating each run.`,
    rows,
    targets: [
      { text: 'throughput at concurrency 1: connector / raw ≥ 0.95', met: ratio(rows[0]) >= 0.95 },
      { text: 'throughput at concurrency 16: connector / raw ≥ 0.95', met: ratio(rows[1]) >= 0.95 },
    ],
  };
}

export async function runCpu({ cfg, server, tmpDir, nodes }) {
  // CPU per call with the transport answering in process, each subject in its own fresh
  // process (so neither warms or pollutes the other's JIT state), processes taking turns; under
  // each node of BENCH_NODES, then one CPU profile of the connector and of the raw call.
  const subjects = ['head-connector', 'head-raw', 'head-raw-cancellable'];
  const cpuRows = [];
  const profiles = [];
  for (const node of nodes) {
    const cpu = await inprocRuns({
      subjects,
      runs: cfg.runs,
      calls: cfg.cpuOps,
      endpoint: server.endpoint,
      tmpDir,
      nodePath: node.path,
    });
    log(
      `  CPU per call (${node.label}): connector ${stats(cpu['head-connector'].cpuMicros).median.toFixed(1)} µs, raw ${stats(cpu['head-raw'].cpuMicros).median.toFixed(1)} µs, raw with cancellation ${stats(cpu['head-raw-cancellable'].cpuMicros).median.toFixed(1)} µs`,
    );
    cpuRows.push({
      label: `${node.label}: CPU per call, in-process request handler answering at once (median batch of 3 × ${cfg.cpuOps} sequential calls, one fresh process a run)`,
      node,
      unit: 'µs CPU/call',
      higherIsBetter: false,
      subjects: [
        { name: "connector invoke('head_object')", connector: true, values: cpu['head-connector'].cpuMicros },
        { name: 'raw SDK HeadObjectCommand, shared client', values: cpu['head-raw'].cpuMicros },
        {
          name: 'raw SDK, each call with an AbortSignal and a deadline timer (for reference)',
          values: cpu['head-raw-cancellable'].cpuMicros,
        },
      ],
    });
    const args = (subject) => [
      '--no-warnings',
      '--expose-gc',
      join(BENCH_DIR, 'inproc-child.mjs'),
      subject,
      String(cfg.profileCalls),
      server.endpoint,
    ];
    profiles.push(
      ...profileMarkdown({
        title: `Profile, ${node.label}: \`inproc-child.mjs head-connector\` against \`head-raw\`, ${cfg.profileCalls} calls a batch`,
        connector: await profileOf(node.path, args('head-connector'), tmpDir),
        raw: await profileOf(node.path, args('head-raw'), tmpDir),
        calls: INPROC_WARMUP + 3 * cfg.profileCalls,
      }),
      '',
    );
  }
  const ratio = (row) => stats(row.subjects[0].values).median / stats(row.subjects[1].values).median;
  return {
    id: 1,
    title: 'Invoke overhead',
    how: `CPU per call of the same two calls, with no server: \`node bench/inproc-child.mjs\`, one fresh process per subject and run, processes taking turns, under each Node of BENCH_NODES: after ${INPROC_WARMUP} warm-up calls, process CPU time (user + system) per call over three batches of ${cfg.cpuOps} sequential calls, the median batch; every client is given a request handler that answers at once in process with a HEAD 200 (status, headers, empty body) — the raw client as its \`requestHandler\`, the connector through \`loadConnector({ clientOverrides: { requestHandler } })\` — so validation, dispatch, the handler, signing, deserialising and output mapping all run as in production and only the socket is gone. The third subject is the raw call made cancellable the way invoke makes every call (an AbortController, its signal passed to \`send\`, a deadline timer), to show what that contract costs by itself.`,
    rows: cpuRows,
    extra: profiles.slice(0, -1),
    targets: cpuRows.map((row) => ({
      text: `CPU per call (${row.node.label}): connector ≤ ${CPU_MAX.toFixed(2)} × raw`,
      met: ratio(row) <= CPU_MAX,
    })),
  };
}
