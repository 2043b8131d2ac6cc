// Scenario 8: the cost of one new_object poll over a prefix of BENCH_POLL_KEYS keys, against
// `aws s3api list-objects-v2` of the same prefix (the listing any poller of S3 must make).
// A first poll without a cursor (not measured) gives the cursor; each run then writes a few new
// keys, and a poll with that cursor (a fresh process) must report exactly those. Both tools
// list every page; whole-process wall time and CPU time, the order alternating run by run.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  awsCli,
  connectionFor,
  createBucket,
  deletePrefix,
  invokeInChild,
  log,
  putKeys,
  rawClient,
  rotate,
  stats,
  timed,
} from './lib.mjs';

const BUCKET = 'bench-poll';
const PREFIX = 'p/';
/** New keys written before each measured poll. */
const NEW_KEYS = 10;
const TOOLS = ['connector', 'aws'];

export async function run({ cfg, server, tmpDir }) {
  const raw = rawClient(server.endpoint);
  await createBucket(raw, BUCKET);
  const pad = (n) => String(n).padStart(6, '0');
  log(`  creating ${cfg.pollKeys} keys`);
  const createSeconds = await putKeys(
    raw,
    BUCKET,
    Array.from({ length: cfg.pollKeys }, (_, n) => `${PREFIX}old/${pad(n)}.csv`),
  );
  const connection = connectionFor(server.endpoint);
  const aws = awsCli(server.endpoint);

  // The first poll: no cursor, so it reports nothing and remembers what is there.
  const firstInput = join(tmpDir, 'poll-first.json');
  const firstOutput = join(tmpDir, 'poll-first.out.json');
  await writeFile(firstInput, JSON.stringify({ bucket: BUCKET, prefix: PREFIX }));
  const first = await invokeInChild({
    op: 'new_object',
    inputFile: firstInput,
    connection,
    filesRoot: tmpDir,
    tmpDir,
    outputFile: firstOutput,
  });
  if (first.summary.events !== 0) throw new Error(`the first poll reported ${first.summary.events} events, not 0`);
  const { cursor } = JSON.parse(await readFile(firstOutput, 'utf8'));
  const cursorBytes = Buffer.byteLength(JSON.stringify(cursor));
  const pollInput = join(tmpDir, 'poll.json');
  await writeFile(pollInput, JSON.stringify({ bucket: BUCKET, prefix: PREFIX, cursor }));

  const listed = cfg.pollKeys + NEW_KEYS;
  const outFile = join(tmpDir, 'poll-listing.out');
  const tools = {
    connector: async () => {
      const res = await invokeInChild({
        op: 'new_object',
        inputFile: pollInput,
        connection,
        filesRoot: tmpDir,
        tmpDir,
      });
      if (res.summary.events !== NEW_KEYS || res.summary.hasMore)
        throw new Error(`the poll reported ${res.summary.events} events, not ${NEW_KEYS}`);
      return res;
    },
    aws: async () => {
      const res = await timed(
        aws.cmd,
        ['s3api', 'list-objects-v2', '--bucket', BUCKET, '--prefix', PREFIX, ...aws.endpointArgs],
        { env: aws.env, stdoutFile: outFile, tmpDir },
      );
      const count = (await readFile(outFile, 'utf8')).split('\n').filter((l) => l.includes('"Key":')).length;
      if (count !== listed) throw new Error(`aws s3api list-objects-v2 listed ${count} keys, not ${listed}`);
      return res;
    },
  };
  const wallMs = { connector: [], aws: [] };
  const cpuMs = { connector: [], aws: [] };
  // The poll's own time (start-up and loading excluded), which grows with the keys listed.
  const invokePerTenThousand = { wallMs: [], cpuMicros: [] };
  for (let r = 0; r < cfg.runs; r++) {
    // New keys for this run (the cursor is the first poll's, so earlier runs' keys must go).
    await putKeys(
      raw,
      BUCKET,
      Array.from({ length: NEW_KEYS }, (_, n) => `${PREFIX}new/${r}-${pad(n)}.csv`),
    );
    for (const tool of rotate(TOOLS, r)) {
      const res = await tools[tool]();
      wallMs[tool].push(res.seconds * 1000);
      if (res.cpuSeconds !== undefined) cpuMs[tool].push(res.cpuSeconds * 1000);
      if (tool === 'connector') {
        invokePerTenThousand.wallMs.push((res.summary.invokeSeconds * 1000 * 10_000) / listed);
        invokePerTenThousand.cpuMicros.push((res.summary.invokeCpuSeconds * 1e6 * 10_000) / listed);
      }
      log(`  poll run ${r + 1} ${tool}: ${res.seconds.toFixed(2)} s, CPU ${res.cpuSeconds?.toFixed(2)} s`);
    }
    if ((await deletePrefix(raw, BUCKET, `${PREFIX}new/`)) !== NEW_KEYS) throw new Error('the new keys went missing');
  }
  await deletePrefix(raw, BUCKET, PREFIX);
  raw.destroy();

  const names = {
    connector: 'connector new_object with a cursor (fresh node process)',
    aws: '`aws s3api list-objects-v2 --prefix p/` (all pages)',
  };
  const row = (label, values) => ({
    label,
    unit: 'ms',
    higherIsBetter: false,
    subjects: TOOLS.map((t) => ({ name: names[t], connector: t === 'connector', values: values[t] })),
  });
  const rows = [row(`one poll over ${listed} keys, whole-process wall time`, wallMs)];
  if (cpuMs.connector.length) rows.push(row(`one poll over ${listed} keys, whole-process CPU time`, cpuMs));
  const ratio = stats(wallMs.connector).median / stats(wallMs.aws).median;
  return {
    id: 8,
    title: 'new_object polling',
    how: `${cfg.pollKeys} keys under one prefix on ${server.label} (created with the raw SDK, 24 PUTs in flight: ${createSeconds.toFixed(0)} s). A first \`new_object { bucket, prefix }\` without a cursor (not measured) reported nothing and gave the cursor (${(cursorBytes / 1024).toFixed(0)} KiB: every key was written within the late-arrival window, so it holds the identity of each). Each run then writes ${NEW_KEYS} new keys under the prefix and measures, in a fresh \`node bench/child-invoke.mjs\` process, the poll with that cursor (it must report exactly the ${NEW_KEYS}) against \`aws s3api list-objects-v2 --bucket … --prefix …\` (all pages, JSON to a file, every key counted) of the same ${listed} keys; the new keys are deleted after the run. Whole-process wall time and CPU time (user + system, /usr/bin/time); the order alternates each run.`,
    rows,
    extra: [
      `The connector's poll alone (start-up and loading excluded; its first request sets up the client), per 10,000 keys listed, medians: ${stats(invokePerTenThousand.wallMs).median.toFixed(0)} ms of wall time, ${stats(invokePerTenThousand.cpuMicros).median.toFixed(0)} µs of CPU.`,
    ],
    targets: [
      {
        text: `poll wall time ≤ 1.0 × the aws cli's listing (${ratio.toFixed(2)}×)`,
        met: ratio <= 1.0,
      },
    ],
  };
}
