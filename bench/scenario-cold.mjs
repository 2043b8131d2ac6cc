// Scenario 2: cold start. A fresh `node` process that loads the connector and runs its first
// list_buckets, against a fresh process that does the same with the raw SDK. Whole-process wall
// time, spawn to exit; the two kinds interleaved, the order alternating run by run.
import { join } from 'node:path';
import { BENCH_DIR, connectionFor, createBucket, log, rawClient, rotate, stats, timed } from './lib.mjs';

export async function run({ cfg, server, tmpDir }) {
  const raw = rawClient(server.endpoint);
  await createBucket(raw, 'bench-cold');
  raw.destroy();
  const connection = JSON.stringify(connectionFor(server.endpoint));
  const script = { connector: 'cold-connector.mjs', raw: 'cold-raw.mjs' };
  const wall = { connector: [], raw: [] };
  const rss = { connector: [], raw: [] };
  const cpu = { connector: [], raw: [] };
  const phases = { connector: [], raw: [] };
  // One untimed start of each, so both read their files from a warm page cache.
  for (const who of ['connector', 'raw'])
    await timed(process.execPath, ['--no-warnings', join(BENCH_DIR, script[who]), connection], { tmpDir });
  for (let r = 0; r < cfg.coldRuns; r++) {
    for (const who of rotate(['connector', 'raw'], r)) {
      const res = await timed(process.execPath, ['--no-warnings', join(BENCH_DIR, script[who]), connection], {
        tmpDir,
      });
      const line = JSON.parse(res.stdout.trim().split('\n').pop());
      if (!line.ok) throw new Error(`cold start (${who}) failed: ${JSON.stringify(line.error)}`);
      wall[who].push(res.seconds * 1000);
      if (res.rssMiB) rss[who].push(res.rssMiB);
      if (res.cpuSeconds !== undefined) cpu[who].push(res.cpuSeconds * 1000);
      phases[who].push(line);
    }
  }
  log(
    `  cold start: connector ${stats(wall.connector).median.toFixed(0)} ms, raw ${stats(wall.raw).median.toFixed(0)} ms`,
  );
  const med = (who, f) => stats(phases[who].map(f)).median;
  const breakdown = (who) => ({
    boot: med(who, (p) => p.start),
    imports: med(who, (p) => p.imported - p.start),
    setup: med(who, (p) => p.loaded - p.imported),
    first: med(who, (p) => p.done - p.loaded),
  });
  const b = { connector: breakdown('connector'), raw: breakdown('raw') };
  const ratio = stats(wall.connector).median / stats(wall.raw).median;
  const rows = [
    {
      label: 'fresh process to first list_buckets result, whole-process wall time',
      unit: 'ms',
      higherIsBetter: false,
      subjects: [
        { name: "node: loadConnector() + invoke('list_buckets')", connector: true, values: wall.connector },
        { name: 'node: new S3Client() + send(ListBucketsCommand)', values: wall.raw },
      ],
    },
  ];
  if (cpu.connector.length) {
    rows.push({
      label:
        'CPU time of that process (user + system, /usr/bin/time; 10 ms resolution), less sensitive than wall time to other jobs on the machine',
      unit: 'ms',
      higherIsBetter: false,
      subjects: [
        { name: 'connector', connector: true, values: cpu.connector },
        { name: 'raw SDK', values: cpu.raw },
      ],
    });
  }
  if (rss.connector.length) {
    rows.push({
      label: 'peak RSS of that process',
      unit: 'MiB',
      higherIsBetter: false,
      subjects: [
        { name: 'connector', connector: true, values: rss.connector },
        { name: 'raw SDK', values: rss.raw },
      ],
    });
  }
  const f = (x) => x.toFixed(0);
  return {
    id: 2,
    title: 'Cold start',
    how: `\`node bench/cold-connector.mjs\` (import the package, \`loadConnector()\`, \`invoke('list_buckets')\`, exit) against \`node bench/cold-raw.mjs\` (import @aws-sdk/client-s3, \`new S3Client()\`, \`send(new ListBucketsCommand({}))\`, exit), ${cfg.coldRuns} of each, interleaved, the order alternating each run; wall time from spawn to exit measured by the bench, after one untimed start of each.`,
    rows,
    extra: [
      'Where the time goes (medians, ms since the process started, from performance.now() in the child):',
      '',
      '| phase | connector | raw SDK |',
      '|---|---:|---:|',
      `| node bootstrap until the script runs | ${f(b.connector.boot)} | ${f(b.raw.boot)} |`,
      `| imports (package / @aws-sdk/client-s3) | ${f(b.connector.imports)} | ${f(b.raw.imports)} |`,
      `| loadConnector() / new S3Client() | ${f(b.connector.setup)} | ${f(b.raw.setup)} |`,
      `| first list_buckets (validators compiled, handler imported, client created, request) | ${f(b.connector.first)} | ${f(b.raw.first)} |`,
    ],
    targets: [
      {
        text: `connector ≤ 1.2 × raw SDK, wall time (CPU time: ${(stats(cpu.connector).median / stats(cpu.raw).median).toFixed(2)}×)`,
        met: ratio <= 1.2,
      },
    ],
  };
}
