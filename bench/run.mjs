// `npm run bench`: the connector against the raw SDK and against real S3 clients (aws cli,
// rclone), in one run against one local moto, written to BENCHMARKS.md. Not a test: nothing
// here runs in `npm test`. Knobs (environment): see settings() in bench/lib.mjs and README.md.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { ROOT, distModule, ensureNodes, ensurePeers, log, settings, stats, versionOf } from './lib.mjs';
import { run as runInvoke } from './scenario-invoke.mjs';
import { run as runSign } from './scenario-sign.mjs';
import { run as runCold } from './scenario-cold.mjs';
import { run as runTransfer } from './scenario-transfer.mjs';
import { runList, runDelete } from './scenario-keys.mjs';
import { NOTES } from './notes.mjs';

const cfg = settings();
const started = new Date();
const wallStart = Date.now();
ensurePeers();
// The node binaries of BENCH_NODES, for the scenarios that run child processes under each.
const nodes = ensureNodes(cfg.nodes);

const { startMoto, MOTO_VERSION } = await import('../dist/src/dev/localS3.js');
const { loadConnector } = await distModule('src/index.js');

const motoVersion = (() => {
  try {
    return execFileSync(join(ROOT, '.venv', 'bin', 'python'), ['-c', 'import moto; print(moto.__version__)'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    return MOTO_VERSION;
  }
})();
const loadBefore = os.loadavg();

log(
  `scenarios: ${cfg.scenarios.join(', ')}; ${cfg.runs} runs each; transfers ${cfg.transferMiB} MiB; listing ${cfg.listKeys} keys; deleting ${cfg.deleteKeys} keys`,
);
const server = await startMoto();
log(`moto ${motoVersion} on ${server.endpoint}`);
// Interrupted: stop moto rather than leave it running.
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => void server.stop().finally(() => process.exit(130)));
}
const tmpDir = await mkdtemp(join(os.tmpdir(), 's3-connector-bench-'));
const connector = await loadConnector();
const ctx = { cfg, server, connector, tmpDir, nodes };

// Order of execution: the in-process scenarios first, then listing and deleting (which share
// keys), then the transfers. moto is emptied between scenarios, except between those two.
const order = [
  ['invoke', runInvoke],
  ['sign', runSign],
  ['cold', runCold],
  ['list', runList],
  ['delete', runDelete],
  ['transfer', runTransfer],
];
const sections = [];
const seconds = {};
let previous;
try {
  for (const [name, fn] of order) {
    if (!cfg.scenarios.includes(name)) continue;
    if (previous && !(previous === 'list' && name === 'delete')) await server.reset();
    log(`scenario ${name}`);
    const t0 = Date.now();
    sections.push(await fn(ctx));
    seconds[name] = (Date.now() - t0) / 1000;
    log(`scenario ${name} took ${seconds[name].toFixed(0)} s`);
    previous = name;
  }
} finally {
  connector.close();
  await server.stop();
  await rm(tmpDir, { recursive: true, force: true });
}

// ---------------------------------------------------------------- BENCHMARKS.md

const num = (x, unit) => {
  if (!Number.isFinite(x)) return '–';
  const digits =
    unit === 'calls/s' || unit === 'URLs/s' || unit === 'ms' ? 0 : Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2;
  return x.toFixed(digits);
};

function table(row) {
  const lines = [
    `**${row.label}** (${row.unit}, ${row.higherIsBetter ? 'higher' : 'lower'} is better)`,
    '',
    '| tool | median | min | max | runs | connector ÷ this |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  const conn = row.subjects.find((s) => s.connector);
  const cm = stats(conn.values).median;
  for (const s of row.subjects) {
    const st = stats(s.values);
    const ratio = s.connector ? '' : (cm / st.median).toFixed(2);
    const name = s.connector ? `**${s.name}**` : s.name;
    lines.push(
      `| ${name} | ${num(st.median, row.unit)} | ${num(st.min, row.unit)} | ${num(st.max, row.unit)} | ${st.n} | ${ratio} |`,
    );
  }
  return lines.join('\n');
}

const totalMem = os.totalmem() / 1024 ** 3;
const cpus = os.cpus();
const loadAfter = os.loadavg();
const md = [];
md.push('# Benchmarks');
md.push('');
md.push(
  "Written by `npm run bench` (bench/run.mjs); do not edit by hand. Each figure is the median of the runs, with their min and max; the ratio column is the connector's median over that tool's median (for times and memory, lower is better; for rates, higher). Every peer was measured in the same run as the connector, against the same server, and the subjects of a scenario were interleaved, taking turns at going first, so drift in the machine's load falls on all of them alike.",
);
md.push('');
md.push('## Machine and run');
md.push('');
md.push(
  `- ${cpus.length} CPU cores (${cpus[0]?.model.trim() ?? 'unknown'}), ${totalMem.toFixed(1)} GiB memory, ${os.type()} ${os.release()} ${os.arch()}`,
);
md.push(
  `- Node.js ${process.version} runs the bench; CPU per invoke, signing and cold start under ${nodes.map((n) => n.label).join(' and ')}; local S3 server: moto ${motoVersion} (\`python -m moto.server\`, one process, started by the bench)`,
);
md.push(
  `- peers: ${versionOf('/usr/bin/aws', ['--version'])} (Debian awscli); ${versionOf('/usr/bin/rclone', ['version'])} (Debian rclone); @aws-sdk/client-s3 ${JSON.parse(readFileSync(join(ROOT, 'node_modules/@aws-sdk/client-s3/package.json'), 'utf8')).version}`,
);
md.push(
  `- run ${started.toISOString()}, ${((Date.now() - wallStart) / 60000).toFixed(1)} min in all (${Object.entries(
    seconds,
  )
    .map(([k, v]) => `${k} ${v.toFixed(0)} s`)
    .join(', ')}); ${cfg.runs} runs a scenario (cold start: ${cfg.coldRuns})`,
);
md.push(
  `- settings: BENCH_RUNS=${cfg.runs} BENCH_TRANSFER_MIB=${cfg.transferMiB} BENCH_LIST_KEYS=${cfg.listKeys} BENCH_DELETE_KEYS=${cfg.deleteKeys} BENCH_HEAD_OPS=${cfg.headOps} BENCH_CPU_OPS=${cfg.cpuOps} BENCH_SIGN_OPS=${cfg.signOps} BENCH_COLD_RUNS=${cfg.coldRuns} BENCH_NODES=${cfg.nodes.join(',')} BENCH_PROFILE_CALLS=${cfg.profileCalls}`,
);
md.push(
  `- load average (1 min) ${loadBefore[0].toFixed(1)} at the start, ${loadAfter[0].toFixed(1)} at the end: other jobs (test suites) shared these ${cpus.length} cores during the run, so absolute figures are noisy and moto (a single Python process) is slower than it would be alone; the ratios, measured interleaved, are what the targets are checked on.`,
);
if (cfg.runs < 5) md.push(`- **fewer than 5 runs (BENCH_RUNS=${cfg.runs}): development figures, not a result**`);
md.push('');
md.push('## Summary');
md.push('');
md.push('| # | scenario | target | met |');
md.push('|---|---|---|---|');
for (const s of [...sections].sort((a, b) => a.id - b.id)) {
  for (const t of s.targets) md.push(`| ${s.id} | ${s.title} | ${t.text} | ${t.met ? 'yes' : '**no**'} |`);
}
for (const s of [...sections].sort((a, b) => a.id - b.id)) {
  md.push('');
  md.push(`## ${s.id}. ${s.title}`);
  md.push('');
  md.push(s.how);
  for (const row of s.rows) {
    md.push('');
    md.push(table(row));
  }
  if (s.extra?.length) {
    md.push('');
    md.push(...s.extra);
  }
  md.push('');
  md.push('Targets: ' + s.targets.map((t) => `${t.text}: ${t.met ? '**met**' : '**not met**'}`).join('; ') + '.');
  const note = NOTES[s.id]?.(s);
  if (note) {
    md.push('');
    md.push(note);
  }
}
md.push('');
await writeFile(cfg.out, md.join('\n'));
log(`wrote ${cfg.out}`);
