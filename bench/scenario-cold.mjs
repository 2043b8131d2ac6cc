// Scenario 2: cold start. A fresh `node` process that loads the connector and runs its first
// list_buckets, against a fresh process that does the same with the raw SDK. Whole-process wall
// time, spawn to exit; the two kinds interleaved, the order alternating run by run; under each
// node of BENCH_NODES, then one CPU profile of each kind.
import { join } from 'node:path';
import { BENCH_DIR, connectionFor, createBucket, log, rawClient, rotate, stats, timed } from './lib.mjs';
import { profileMarkdown, profileOf } from './profile.mjs';

/** Target: the connector's cold start at most this many times the raw SDK's, under every node. */
const WALL_MAX = 1.2;

/** Cold starts of both kinds under one node binary, interleaved; each kind's wall, RSS, CPU, milestones. */
async function measure(nodePath, runs, connection, tmpDir) {
  const script = { connector: 'cold-connector.mjs', raw: 'cold-raw.mjs' };
  const start = (who) => timed(nodePath, ['--no-warnings', join(BENCH_DIR, script[who]), connection], { tmpDir });
  const wall = { connector: [], raw: [] };
  const rss = { connector: [], raw: [] };
  const cpu = { connector: [], raw: [] };
  const phases = { connector: [], raw: [] };
  // One untimed start of each, so both read their files from a warm page cache.
  for (const who of ['connector', 'raw']) await start(who);
  for (let r = 0; r < runs; r++) {
    for (const who of rotate(['connector', 'raw'], r)) {
      const res = await start(who);
      const line = JSON.parse(res.stdout.trim().split('\n').pop());
      if (!line.ok) throw new Error(`cold start (${who}) failed: ${JSON.stringify(line.error)}`);
      wall[who].push(res.seconds * 1000);
      if (res.rssMiB) rss[who].push(res.rssMiB);
      if (res.cpuSeconds !== undefined) cpu[who].push(res.cpuSeconds * 1000);
      phases[who].push(line);
    }
  }
  return { wall, rss, cpu, phases };
}

/** The rows of one node's cold starts: wall time, and CPU and peak RSS where /usr/bin/time gave them. */
function rowsOf(label, { wall, rss, cpu }) {
  const rows = [
    {
      label: `${label}: fresh process to first list_buckets result, whole-process wall time`,
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
      label: `${label}: CPU time of that process (user + system, /usr/bin/time; 10 ms resolution), less sensitive than wall time to other jobs on the machine`,
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
      label: `${label}: peak RSS of that process`,
      unit: 'MiB',
      higherIsBetter: false,
      subjects: [
        { name: 'connector', connector: true, values: rss.connector },
        { name: 'raw SDK', values: rss.raw },
      ],
    });
  }
  return rows;
}

export async function run({ cfg, server, tmpDir, nodes }) {
  const raw = rawClient(server.endpoint);
  await createBucket(raw, 'bench-cold');
  raw.destroy();
  const connection = JSON.stringify(connectionFor(server.endpoint));
  const rows = [];
  const targets = [];
  const breakdowns = [];
  const profiles = [];
  for (const node of nodes) {
    const m = await measure(node.path, cfg.coldRuns, connection, tmpDir);
    log(
      `  cold start (${node.label}): connector ${stats(m.wall.connector).median.toFixed(0)} ms, raw ${stats(m.wall.raw).median.toFixed(0)} ms`,
    );
    const med = (who, f) => stats(m.phases[who].map(f)).median;
    const breakdown = (who) => ({
      boot: med(who, (p) => p.start),
      imports: med(who, (p) => p.imported - p.start),
      setup: med(who, (p) => p.loaded - p.imported),
      first: med(who, (p) => p.done - p.loaded),
    });
    breakdowns.push({ node, connector: breakdown('connector'), raw: breakdown('raw') });
    rows.push(...rowsOf(node.label, m));
    const ratio = stats(m.wall.connector).median / stats(m.wall.raw).median;
    const cpuRatio = m.cpu.connector.length ? stats(m.cpu.connector).median / stats(m.cpu.raw).median : undefined;
    targets.push({
      text: `connector ≤ ${WALL_MAX.toFixed(2)} × raw SDK, wall time (${node.label}${cpuRatio === undefined ? '' : `; CPU time: ${cpuRatio.toFixed(2)}×`})`,
      met: ratio <= WALL_MAX,
    });
    const args = (who) => ['--no-warnings', join(BENCH_DIR, `cold-${who}.mjs`), connection];
    profiles.push(
      '',
      ...profileMarkdown({
        title: `Profile, ${node.label}: one \`cold-connector.mjs\` against one \`cold-raw.mjs\``,
        connector: await profileOf(node.path, args('connector'), tmpDir),
        raw: await profileOf(node.path, args('raw'), tmpDir),
      }),
    );
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
      `| phase | ${breakdowns.map((x) => `connector, ${x.node.label} | raw SDK, ${x.node.label}`).join(' | ')} |`,
      `|---|${breakdowns.map(() => '---:|---:').join('|')}|`,
      ...[
        ['node bootstrap until the script runs', 'boot'],
        ['imports (package / @aws-sdk/client-s3)', 'imports'],
        ['loadConnector() / new S3Client()', 'setup'],
        ['first list_buckets (validators compiled, handler imported, client created, request)', 'first'],
      ].map(
        ([text, k]) => `| ${text} | ${breakdowns.map((x) => `${f(x.connector[k])} | ${f(x.raw[k])}`).join(' | ')} |`,
      ),
      ...profiles,
    ],
    targets,
  };
}
