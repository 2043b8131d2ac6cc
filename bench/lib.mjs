// Shared helpers of `npm run bench`: settings from the environment, statistics, timed child
// processes (whole-process wall time and peak RSS), S3 set-up with the raw SDK, peers' commands.
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, openSync, closeSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { Agent as HttpAgent } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  S3Client,
  CreateBucketCommand,
  PutObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
export const MiB = 1024 * 1024;

export { DIST_URL, distModule } from './dist.mjs';

const int = (name, fallback) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, not ${JSON.stringify(raw)}`);
  return n;
};

// "20" is the node running the bench, whatever its version; "22" is installed by ensureNodes().
const NODE_MAJORS = ['20', '22'];

export const SCENARIOS = ['invoke', 'cold', 'transfer', 'list', 'delete', 'sign', 'copy', 'poll'];
/** The S3 servers bench/servers.mjs can start. */
export const SERVERS = ['moto', 'minio'];

const list = (name, fallback, known) => {
  const names = (process.env[name] || fallback)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) if (!known.includes(n)) throw new Error(`${name}: unknown ${n} (known: ${known.join(', ')})`);
  return names;
};

/** Every knob, with the figures as defaults. */
export function settings() {
  const runs = int('BENCH_RUNS', 5);
  return {
    runs,
    scenarios: list('BENCH_ONLY', SCENARIOS.join(','), SCENARIOS),
    servers: list('BENCH_SERVERS', 'moto,minio', SERVERS),
    transferMiB: int('BENCH_TRANSFER_MIB', 1024),
    listKeys: int('BENCH_LIST_KEYS', 50_000),
    deleteKeys: int('BENCH_DELETE_KEYS', 10_000),
    copyMiB: int('BENCH_COPY_MIB', 1024),
    copyKeys: int('BENCH_COPY_KEYS', 10_000),
    pollKeys: int('BENCH_POLL_KEYS', 10_000),
    headOps: int('BENCH_HEAD_OPS', 400),
    cpuOps: int('BENCH_CPU_OPS', 3000),
    signOps: int('BENCH_SIGN_OPS', 3000),
    coldRuns: int('BENCH_COLD_RUNS', Math.max(runs, 10)),
    profileCalls: int('BENCH_PROFILE_CALLS', 20_000),
    nodes: nodeMajors(),
    out: process.env.BENCH_OUT || join(ROOT, 'BENCHMARKS.md'),
  };
}

/** BENCH_NODES: the Node majors the in-process scenarios and the cold start run under. */
function nodeMajors() {
  const majors = (process.env.BENCH_NODES || '20,22')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const m of majors)
    if (!NODE_MAJORS.includes(m)) throw new Error(`BENCH_NODES: unknown Node ${m} (known: ${NODE_MAJORS.join(', ')})`);
  return [...new Set(majors)];
}

export const log = (line) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

// ---------------------------------------------------------------- statistics

export function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], n: sorted.length };
}

/** Rotates the order of `items` by `run`, so each subject goes first as often as the others. */
export function rotate(items, run) {
  const k = run % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

// ---------------------------------------------------------------- child processes

const TIME = '/usr/bin/time';
let timeFileCounter = 0;

/**
 * Runs a command to completion and measures its whole-process wall time (from spawn to exit)
 * and, through /usr/bin/time, its peak resident set size and CPU time (user + system).
 */
export async function timed(cmd, args, { env = process.env, stdoutFile, tmpDir, allowFail = false } = {}) {
  const rssFile = join(tmpDir, `time-${process.pid}-${timeFileCounter++}.txt`);
  const useTime = existsSync(TIME);
  const out = stdoutFile ? openSync(stdoutFile, 'w') : 'pipe';
  const started = process.hrtime.bigint();
  const child = spawn(useTime ? TIME : cmd, useTime ? ['-f', '%M %U %S', '-o', rssFile, cmd, ...args] : args, {
    env,
    stdio: ['ignore', out, 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c) => {
    stdout += c;
  });
  child.stderr.on('data', (c) => {
    stderr = (stderr + c).slice(-8000);
  });
  const code = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c) => resolve(c));
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (stdoutFile) closeSync(out);
  let rssMiB;
  let cpuSeconds;
  if (useTime) {
    const text = await readFile(rssFile, 'utf8').catch(() => '');
    const [kib, user, system] = (text.trim().split('\n').pop() ?? '').split(/\s+/).map(Number);
    if (Number.isFinite(kib) && kib > 0) rssMiB = kib / 1024;
    if (Number.isFinite(user) && Number.isFinite(system)) cpuSeconds = user + system;
    await rm(rssFile, { force: true });
  }
  if (code !== 0 && !allowFail) {
    throw new Error(`${cmd} ${args.join(' ')} exited with ${code}:\n${stderr}`);
  }
  return { seconds, rssMiB, cpuSeconds, stdout, stderr, code };
}

/**
 * Runs bench/child-invoke.mjs: one invoke in a fresh process; returns its summary line too.
 * With `outputFile`, the child also writes the whole output there (e.g. a trigger's cursor).
 */
export async function invokeInChild({ op, inputFile, connection, filesRoot, tmpDir, env, outputFile }) {
  const r = await timed(
    process.execPath,
    [
      '--no-warnings',
      join(BENCH_DIR, 'child-invoke.mjs'),
      op,
      inputFile,
      JSON.stringify(connection),
      filesRoot,
      ...(outputFile ? [outputFile] : []),
    ],
    { tmpDir, ...(env ? { env } : {}) },
  );
  const summary = JSON.parse(r.stdout.trim().split('\n').pop());
  if (!summary.ok) throw new Error(`${op} failed in the child: ${JSON.stringify(summary.error)}`);
  return { ...r, summary };
}

// ---------------------------------------------------------------- peers

const APT_PACKAGES = [
  ['/usr/bin/aws', 'awscli'],
  ['/usr/bin/rclone', 'rclone'],
  [TIME, 'time'],
];

/** Installs the Debian packages of the peers (and /usr/bin/time) when any is missing. */
export function ensurePeers() {
  const missing = APT_PACKAGES.filter(([path]) => !existsSync(path)).map(([, pkg]) => pkg);
  if (!missing.length) return;
  log(`installing ${missing.join(', ')} with apt-get`);
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (...args) =>
    execFileSync(sudo[0] ?? 'apt-get', [...(sudo.length ? ['apt-get'] : []), ...args], { stdio: 'inherit', env });
  apt('update', '-qq');
  apt('install', '-y', '-qq', '--no-install-recommends', ...missing);
  for (const [path, pkg] of APT_PACKAGES)
    if (!existsSync(path)) throw new Error(`${pkg} is still missing (${path}) after apt-get install`);
}

/** Where ensureNodes() installs Node 22 (the `node` npm package's binary), in the ignored .cache/. */
const NODE22_PREFIX = join(ROOT, '.cache', 'node22');
const NODE22_BIN = join(NODE22_PREFIX, 'node_modules', 'node', 'bin', 'node');

/**
 * The node binaries to measure under, one per major in `majors`: { major, path, label }, the
 * label with the binary's real version. Installs Node 22 with npm when it is missing.
 */
export function ensureNodes(majors) {
  return majors.map((major) => {
    if (major === '20') return { major, path: process.execPath, label: `Node ${process.versions.node}` };
    if (!existsSync(NODE22_BIN)) {
      log(`installing Node 22 (npm package node@22) into ${NODE22_PREFIX}`);
      execFileSync(
        'npm',
        ['install', '--prefix', NODE22_PREFIX, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', 'node@22'],
        { stdio: ['ignore', 'inherit', 'inherit'] },
      );
    }
    const version = versionOf(NODE22_BIN, ['--version']);
    if (!version.startsWith('v22.'))
      throw new Error(`${NODE22_BIN} is not Node 22 (${version}); remove ${NODE22_PREFIX}, or set BENCH_NODES=20`);
    return { major, path: NODE22_BIN, label: `Node ${version.slice(1)}` };
  });
}

export function versionOf(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      .trim()
      .split('\n')[0];
  } catch {
    return 'unknown';
  }
}

export const CREDENTIALS = { accessKeyId: 'bench-access-key', secretAccessKey: 'bench-secret-key' };
export const REGION = 'us-east-1';

/** The aws cli (the Debian package's, /usr/bin/aws), pointed at the local server. */
export function awsCli(endpoint) {
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_DEFAULT_REGION: REGION,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
  };
  return { cmd: '/usr/bin/aws', endpointArgs: ['--endpoint-url', endpoint], env };
}

/** rclone with a remote named `local` configured through the environment; AWS_CA_BUNDLE unset. */
export function rclone(endpoint) {
  const env = {
    ...process.env,
    RCLONE_CONFIG: '/dev/null',
    RCLONE_CONFIG_LOCAL_TYPE: 's3',
    RCLONE_CONFIG_LOCAL_PROVIDER: 'Other',
    RCLONE_CONFIG_LOCAL_ENDPOINT: endpoint,
    RCLONE_CONFIG_LOCAL_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    RCLONE_CONFIG_LOCAL_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    RCLONE_CONFIG_LOCAL_REGION: REGION,
    RCLONE_CONFIG_LOCAL_FORCE_PATH_STYLE: 'true',
  };
  delete env.AWS_CA_BUNDLE;
  return { cmd: '/usr/bin/rclone', env };
}

// ---------------------------------------------------------------- S3 set-up with the raw SDK

/**
 * A connection with every field the schema defaults spelled out, so the validated copy the
 * connector keys its client cache with is identical to it (bench/invoke.mjs relies on that).
 */
export function connectionFor(endpoint) {
  return {
    region: REGION,
    credentials: { type: 'accessKey', ...CREDENTIALS },
    endpoint,
    forcePathStyle: true,
    requestTimeoutMs: 60000,
    connectTimeoutMs: 5000,
    maxAttempts: 3,
  };
}

/**
 * A raw SDK client configured as the connector configures its own (src/runtime/clients.ts): keep-alive
 * agent with 64 sockets, path style, checksums only where required, same timeouts and attempts.
 */
export function rawClient(endpoint, requestHandler) {
  return new S3Client({
    region: REGION,
    endpoint,
    forcePathStyle: true,
    maxAttempts: 3,
    credentials: { ...CREDENTIALS }, // a copy: the SDK marks the object it is given
    followRegionRedirects: false,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler:
      requestHandler ??
      new NodeHttpHandler({
        connectionTimeout: 5000,
        requestTimeout: 60000,
        throwOnRequestTimeout: true,
        socketTimeout: 60000,
        httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 64 }),
      }),
  });
}

export async function createBucket(s3, bucket) {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
}

/** Puts empty objects under the given keys, `concurrency` requests at a time. */
export async function putKeys(s3, bucket, keys, concurrency = 24) {
  let next = 0;
  let done = 0;
  const started = Date.now();
  let lastLog = started;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < keys.length) {
        const key = keys[next++];
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: new Uint8Array(0), ContentLength: 0 }));
        done++;
        if (Date.now() - lastLog > 15000) {
          lastLog = Date.now();
          log(`  created ${done} of ${keys.length} keys`);
        }
      }
    }),
  );
  return (Date.now() - started) / 1000;
}

export async function deleteKey(s3, bucket, key) {
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined);
}

/** Deletes every key under `prefix` (pages of 1000, one DeleteObjects each); returns how many. */
export async function deletePrefix(s3, bucket, prefix) {
  let deleted = 0;
  for (;;) {
    // Always the first page: what was deleted no longer lists, so no continuation token is needed.
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key }));
    if (!keys.length) return deleted;
    const res = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
    if (res.Errors?.length) throw new Error(`deleting under ${prefix}: ${JSON.stringify(res.Errors[0])}`);
    deleted += keys.length;
  }
}

/** Writes `mib` MiB of random bytes to `path`; returns their MD5 (hex). */
export async function writeRandomFile(path, mib) {
  const hash = createHash('md5');
  await new Promise((resolve, reject) => {
    const out = createWriteStream(path);
    out.on('error', reject).on('finish', resolve);
    let left = mib;
    const write = () => {
      while (left > 0) {
        const chunk = randomBytes(MiB);
        hash.update(chunk);
        left--;
        if (!out.write(chunk)) return void out.once('drain', write);
      }
      out.end();
    };
    write();
  });
  return hash.digest('hex');
}

export async function sizeOf(s3, bucket, key) {
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  return head.ContentLength;
}

/** Calls bench/inproc-child.mjs makes before it times its three batches. */
export const INPROC_WARMUP = 3000;

/**
 * Runs bench/inproc-child.mjs for each subject, `runs` times, in fresh processes taking turns
 * (the order rotating each run) under the node binary `nodePath`; returns each subject's per-run
 * CPU µs per call and calls/s.
 */
export async function inprocRuns({ subjects, runs, calls, endpoint, tmpDir, nodePath = process.execPath }) {
  const out = Object.fromEntries(subjects.map((s) => [s, { cpuMicros: [], perSecond: [] }]));
  for (let r = 0; r < runs; r++) {
    for (const subject of rotate(subjects, r)) {
      const res = await timed(
        nodePath,
        ['--no-warnings', '--expose-gc', join(BENCH_DIR, 'inproc-child.mjs'), subject, String(calls), endpoint],
        { tmpDir },
      );
      const line = JSON.parse(res.stdout.trim().split('\n').pop());
      out[subject].cpuMicros.push(line.cpuMicros);
      out[subject].perSecond.push(line.perSecond);
    }
  }
  return out;
}
