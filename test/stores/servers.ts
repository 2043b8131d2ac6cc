// The independent S3 servers of the store lane, each started from its cached build
// (scripts/stores/build.sh) in a child process of its own, on a free loopback port, with a
// fresh data folder that `stop()` removes. Nothing here listens on anything but 127.0.0.1.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where scripts/stores/build.sh puts the builds. */
export const STORES_CACHE = process.env.STORES_CACHE ?? join(ROOT, '.cache', 'stores');
/** How long a fresh server may take to answer (a shared 2-core machine, a JVM, a first start). */
export const START_TIMEOUT_MS = 120_000;

export type StoreName = 's3s-fs' | 'versitygw' | 's3proxy' | 'minio' | 'garage' | 'seaweedfs';
export const STORE_NAMES: readonly StoreName[] = ['s3s-fs', 'versitygw', 's3proxy', 'minio', 'garage', 'seaweedfs'];

export interface RunningStore {
  name: StoreName;
  /** What the cached build was made from (its STAMP), e.g. "minio v0.0.0-2026…". */
  version: string;
  endpoint: string;
  /** The region the server says its buckets are in. */
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The server's output so far (its last 8000 characters), for failure messages. */
  output(): string;
  /** Stops the child (SIGTERM, SIGKILL after 10 s) and removes its data folder. */
  stop(): Promise<void>;
}

const dirOf = (name: StoreName) => join(STORES_CACHE, name);

/** The cached build's stamp, or undefined when the server has not been built. */
export function builtVersion(name: StoreName): string | undefined {
  const stamp = join(dirOf(name), 'STAMP');
  return existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : undefined;
}

/** Whether the lane should run this store: built, and named by STORES when that is set. */
export function selected(name: StoreName): boolean {
  const only = (process.env.STORES ?? '').split(/[\s,]+/).filter(Boolean);
  return builtVersion(name) !== undefined && (only.length === 0 || only.includes(name));
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolvePort(port));
    });
  });
}

interface Child {
  child: ChildProcess;
  output(): string;
  exited: Promise<void>;
  kill(): Promise<void>;
}

function launch(cmd: string, args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): Child {
  const child = spawn(cmd, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...options.env },
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const onParentExit = () => child.kill('SIGKILL');
  process.once('exit', onParentExit);
  return {
    child,
    output: () => output,
    exited,
    kill: async () => {
      process.removeListener('exit', onParentExit);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      }
    },
  };
}

/** Waits until `url` answers at all (any HTTP status: an unsigned request is refused, but answered). */
async function answering(url: string, proc: Child, name: string): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(
        `${name} exited while starting (${proc.child.exitCode ?? proc.child.signalCode}): ${proc.output()}`,
      );
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      await res.arrayBuffer();
      return;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > START_TIMEOUT_MS)
      throw new Error(`${name} did not answer ${url} within ${START_TIMEOUT_MS} ms: ${proc.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const KEY_ID = 'STORELANEKEY0000001';
const SECRET = 'store-lane-secret-0123456789abcdef';

interface Started {
  endpoint: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  proc: Child;
}

const STARTERS: Record<StoreName, (bin: string, data: string) => Promise<Started>> = {
  async 's3s-fs'(bin, data) {
    const port = await freePort();
    await mkdir(join(data, 'fs'));
    const proc = launch(join(bin, 'bin', 's3s-fs'), [
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--access-key',
      KEY_ID,
      '--secret-key',
      SECRET,
      join(data, 'fs'),
    ]);
    return { endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', proc };
  },

  async versitygw(bin, data) {
    const port = await freePort();
    await mkdir(join(data, 'posix'));
    const proc = launch(join(bin, 'bin', 'versitygw'), [
      '--access',
      KEY_ID,
      '--secret',
      SECRET,
      '--region',
      'us-east-1',
      '--port',
      `127.0.0.1:${port}`,
      'posix',
      join(data, 'posix'),
    ]);
    return { endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', proc };
  },

  async s3proxy(bin, data) {
    const port = await freePort();
    await mkdir(join(data, 'blobs'));
    const props = join(data, 's3proxy.conf');
    await writeFile(
      props,
      [
        `s3proxy.endpoint=http://127.0.0.1:${port}`,
        's3proxy.authorization=aws-v2-or-v4',
        `s3proxy.identity=${KEY_ID}`,
        `s3proxy.credential=${SECRET}`,
        'jclouds.provider=filesystem',
        `jclouds.filesystem.basedir=${join(data, 'blobs')}`,
        '',
      ].join('\n'),
    );
    const proc = launch('java', [
      '-Xmx512m',
      '-cp',
      `${join(bin, 'lib')}/*`,
      'org.gaul.s3proxy.Main',
      '--properties',
      props,
    ]);
    return { endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', proc };
  },

  async minio(bin, data) {
    const port = await freePort();
    const console = await freePort();
    const proc = launch(
      join(bin, 'bin', 'minio'),
      [
        'server',
        '--quiet',
        '--address',
        `127.0.0.1:${port}`,
        '--console-address',
        `127.0.0.1:${console}`,
        join(data, 'minio'),
      ],
      {
        env: {
          MINIO_ROOT_USER: KEY_ID,
          MINIO_ROOT_PASSWORD: SECRET,
          MINIO_BROWSER: 'off',
          MINIO_UPDATE: 'off',
          MINIO_CALLHOME_ENABLE: 'off',
        },
      },
    );
    return { endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', proc };
  },

  async garage(bin, data) {
    const [rpc, s3, admin] = [await freePort(), await freePort(), await freePort()];
    const config = join(data, 'garage.toml');
    await writeFile(
      config,
      [
        `metadata_dir = "${join(data, 'meta')}"`,
        `data_dir = "${join(data, 'data')}"`,
        'db_engine = "sqlite"',
        'replication_factor = 1',
        `rpc_bind_addr = "127.0.0.1:${rpc}"`,
        `rpc_public_addr = "127.0.0.1:${rpc}"`,
        `rpc_secret = "${randomBytes(32).toString('hex')}"`,
        '[s3_api]',
        `api_bind_addr = "127.0.0.1:${s3}"`,
        's3_region = "garage"',
        '[admin]',
        `api_bind_addr = "127.0.0.1:${admin}"`,
        '',
      ].join('\n'),
    );
    const garage = join(bin, 'bin', 'garage');
    const proc = launch(garage, ['-c', config, 'server'], { env: { RUST_LOG: 'garage=warn' } });
    const cli = async (...args: string[]) =>
      (await run(garage, ['-c', config, ...args], { env: { PATH: process.env.PATH ?? '' } })).stdout;
    // A single-node layout, then a key of the lane's own that may create buckets.
    const started = Date.now();
    let nodeId = '';
    while (!nodeId) {
      if (proc.child.exitCode !== null) throw new Error(`garage exited while starting: ${proc.output()}`);
      nodeId = (await cli('node', 'id', '-q').catch(() => '')).trim().split('@')[0] ?? '';
      if (!nodeId) {
        if (Date.now() - started > START_TIMEOUT_MS) throw new Error(`garage did not start: ${proc.output()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    await cli('layout', 'assign', '-z', 'dc1', '-c', '1G', nodeId);
    await cli('layout', 'apply', '--version', '1');
    const created = await cli('key', 'create', 'store-lane');
    const accessKeyId = /Key ID:\s*(\S+)/.exec(created)?.[1];
    const secretAccessKey = /Secret key:\s*(\S+)/.exec(created)?.[1];
    if (!accessKeyId || !secretAccessKey) throw new Error(`garage key create said: ${created}`);
    await cli('key', 'allow', '--create-bucket', accessKeyId);
    return { endpoint: `http://127.0.0.1:${s3}`, region: 'garage', accessKeyId, secretAccessKey, proc };
  },

  async seaweedfs(bin, data) {
    const port = async () => String(await freePort());
    const s3 = await freePort();
    await mkdir(join(data, 'weed'));
    // Every listener on a port of its own (gRPC too: its default, HTTP port + 10000, could pass
    // 65535), WebDAV, Iceberg and Lance off, and no telemetry (on by default: it would call out).
    const proc = launch(
      join(bin, 'bin', 'weed'),
      [
        'mini',
        `-dir=${join(data, 'weed')}`,
        '-ip=127.0.0.1',
        '-ip.bind=127.0.0.1',
        '-master.telemetry=false',
        '-webdav=false',
        '-admin.ui=false',
        '-s3.port.iceberg=0',
        '-s3.port.lance=0',
        `-s3.port=${s3}`,
        `-s3.port.grpc=${await port()}`,
        `-master.port=${await port()}`,
        `-master.port.grpc=${await port()}`,
        `-volume.port=${await port()}`,
        `-volume.port.grpc=${await port()}`,
        `-filer.port=${await port()}`,
        `-filer.port.grpc=${await port()}`,
        `-admin.port=${await port()}`,
      ],
      { env: { AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET } },
    );
    return { endpoint: `http://127.0.0.1:${s3}`, region: 'us-east-1', proc };
  },
};

export async function startStore(name: StoreName): Promise<RunningStore> {
  const version = builtVersion(name);
  if (!version) throw new Error(`${name} is not built: run scripts/stores/build.sh ${name}`);
  const data = await mkdtemp(join(tmpdir(), `store-${name}-`));
  let started: Started | undefined;
  try {
    started = await STARTERS[name](dirOf(name), data);
    await answering(`${started.endpoint}/`, started.proc, name);
  } catch (err) {
    await started?.proc.kill();
    await rm(data, { recursive: true, force: true });
    throw err;
  }
  const { proc } = started;
  return {
    name,
    version,
    endpoint: started.endpoint,
    region: started.region,
    accessKeyId: started.accessKeyId ?? KEY_ID,
    secretAccessKey: started.secretAccessKey ?? SECRET,
    output: proc.output,
    stop: async () => {
      await proc.kill();
      await rm(data, { recursive: true, force: true });
    },
  };
}
