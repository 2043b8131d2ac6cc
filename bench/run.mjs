// `npm run bench`: the connector against the raw SDK and against real S3 clients (aws cli,
// rclone), in one run against each local S3 server of BENCH_SERVERS (bench/servers.mjs), written
// to BENCHMARKS.md. Not a test: nothing here runs in `npm test`. Knobs (environment): see
// settings() in bench/lib.mjs and README.md.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { ROOT, distModule, ensureNodes, ensurePeers, log, settings, versionOf } from './lib.mjs';
import { startServer } from './servers.mjs';
import { runCpu as runInvokeCpu, runThroughput as runInvokeThroughput } from './scenario-invoke.mjs';
import { run as runSign } from './scenario-sign.mjs';
import { run as runCold } from './scenario-cold.mjs';
import { run as runTransfer } from './scenario-transfer.mjs';
import { runList, runDelete } from './scenario-keys.mjs';
import { run as runCopy } from './scenario-copy.mjs';
import { run as runPoll } from './scenario-poll.mjs';
import { render } from './report.mjs';

const cfg = settings();
const started = new Date();
const wallStart = Date.now();
ensurePeers();
// The node binaries of BENCH_NODES, for the scenarios that run child processes under each.
const nodes = ensureNodes(cfg.nodes);

const { loadConnector } = await distModule('src/index.js');
const loadBefore = os.loadavg();
log(`load average (1, 5, 15 min) at the start: ${loadBefore.map((x) => x.toFixed(2)).join(', ')}`);
log(
  `servers: ${cfg.servers.join(', ')}; scenarios: ${cfg.scenarios.join(', ')}; ${cfg.runs} runs each; transfers ${cfg.transferMiB} MiB; listing ${cfg.listKeys} keys; deleting ${cfg.deleteKeys} keys; copies ${cfg.copyMiB} MiB and ${cfg.copyKeys} keys; polling ${cfg.pollKeys} keys`,
);

// Scenarios in order of execution. `once`: in process, run once, against the first server
// (only cold start's list_buckets reaches it). The rest run against every server in turn:
// listing before deleting (which share keys), polling, then the transfers and copies. The server is emptied between
// scenarios, except between those two.
const SCENARIO_RUNS = [
  { name: 'invoke', fn: runInvokeCpu, once: true },
  { name: 'sign', fn: runSign, once: true },
  { name: 'cold', fn: runCold, once: true, reachesServer: true },
  { name: 'invoke', fn: runInvokeThroughput },
  { name: 'list', fn: runList },
  { name: 'delete', fn: runDelete },
  { name: 'poll', fn: runPoll },
  { name: 'transfer', fn: runTransfer },
  { name: 'copy', fn: runCopy },
];

const tmpDir = await mkdtemp(join(os.tmpdir(), 's3-connector-bench-'));
const connector = await loadConnector();
/** Every server started, for the machine line; the running one, to stop when interrupted. */
const servers = [];
let running;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    log(`${sig}: stopping the server`);
    // The run's requests in flight fail once the server is gone: expected, not worth a trace.
    process.on('uncaughtException', () => undefined);
    return Promise.resolve(running?.stop())
      .finally(() => rm(tmpDir, { recursive: true, force: true }))
      .finally(() => process.exit(130));
  });
}
const sections = [];
const seconds = [];
try {
  // One server at a time, so an idle one takes no CPU from the other's runs.
  for (const [i, serverName] of cfg.servers.entries()) {
    running = await startServer(serverName, tmpDir);
    const server = running;
    servers.push(server);
    log(`${server.version} on ${server.endpoint}`);
    const ctx = { cfg, server, connector, tmpDir, nodes };
    let previous;
    for (const { name, fn, once, reachesServer } of SCENARIO_RUNS) {
      if (!cfg.scenarios.includes(name) || (once && i > 0)) continue;
      if (previous && !(previous === 'list' && name === 'delete')) await server.reset();
      const against = once && !reachesServer ? undefined : server.label;
      const what = `${name}${once ? ' (in process)' : ''}${against ? ` against ${against}` : ''}`;
      log(`scenario ${what}`);
      const t0 = Date.now();
      sections.push({ ...(await fn(ctx)), server: against });
      seconds.push([what, (Date.now() - t0) / 1000]);
      log(`scenario ${what} took ${seconds.at(-1)[1].toFixed(0)} s`);
      previous = name;
    }
    running = undefined;
    await server.stop();
  }
} finally {
  connector.close();
  await running?.stop();
  await rm(tmpDir, { recursive: true, force: true });
}
const loadAfter = os.loadavg();
log(`load average (1, 5, 15 min) at the end: ${loadAfter.map((x) => x.toFixed(2)).join(', ')}`);

// ---------------------------------------------------------------- BENCHMARKS.md (bench/report.mjs)

const totalMem = os.totalmem() / 1024 ** 3;
const cpus = os.cpus();
/** The lines under "Machine and run": what ran where, when and how loaded. */
const machine = [];
machine.push(
  `- ${cpus.length} CPU cores (${cpus[0]?.model.trim() ?? 'unknown'}), ${totalMem.toFixed(1)} GiB memory, ${os.type()} ${os.release()} ${os.arch()}`,
);
machine.push(
  `- Node.js ${process.version} runs the bench; CPU per invoke, signing and cold start under ${nodes.map((n) => n.label).join(' and ')}; local S3 servers, started by the bench on loopback: ${servers.map((s) => s.description).join('; ')}`,
);
machine.push(
  `- peers: ${versionOf('/usr/bin/aws', ['--version'])} (Debian awscli); ${versionOf('/usr/bin/rclone', ['version'])} (Debian rclone); @aws-sdk/client-s3 ${JSON.parse(readFileSync(join(ROOT, 'node_modules/@aws-sdk/client-s3/package.json'), 'utf8')).version}`,
);
machine.push(
  `- run ${started.toISOString()}, ${((Date.now() - wallStart) / 60000).toFixed(1)} min in all (${seconds
    .map(([k, v]) => `${k} ${v.toFixed(0)} s`)
    .join(', ')}); ${cfg.runs} runs a scenario (cold start: ${cfg.coldRuns})`,
);
machine.push(
  `- settings: BENCH_SERVERS=${cfg.servers.join(',')} BENCH_RUNS=${cfg.runs} BENCH_TRANSFER_MIB=${cfg.transferMiB} BENCH_LIST_KEYS=${cfg.listKeys} BENCH_DELETE_KEYS=${cfg.deleteKeys} BENCH_COPY_MIB=${cfg.copyMiB} BENCH_COPY_KEYS=${cfg.copyKeys} BENCH_POLL_KEYS=${cfg.pollKeys} BENCH_HEAD_OPS=${cfg.headOps} BENCH_CPU_OPS=${cfg.cpuOps} BENCH_SIGN_OPS=${cfg.signOps} BENCH_COLD_RUNS=${cfg.coldRuns} BENCH_NODES=${cfg.nodes.join(',')} BENCH_PROFILE_CALLS=${cfg.profileCalls}`,
);
const load = `load average (1 min) ${loadBefore[0].toFixed(2)} at the start, ${loadAfter[0].toFixed(2)} at the end`;
machine.push(
  loadBefore[0] < 0.5
    ? `- ${load}: the machine was quiet when the run began.`
    : `- ${load} (${cpus.length} cores): other processes were using the CPU when the run began, so absolute figures are noisy; the ratios, measured interleaved, are what the targets are checked on.`,
);
if (cfg.runs < 5) machine.push(`- **fewer than 5 runs (BENCH_RUNS=${cfg.runs}): development figures, not a result**`);

const run = { machine, sections };
const json = cfg.out.replace(/\.md$/, '') + '.json';
await writeFile(json, `${JSON.stringify(run, null, 1)}\n`);
await writeFile(cfg.out, render(run));
log(`wrote ${cfg.out} and ${json}`);
