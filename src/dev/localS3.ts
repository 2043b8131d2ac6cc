// The local S3 server for tests, the playground and benchmarks: moto in server mode, from a
// project-local Python virtual environment that this module creates on first use.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from '../runtime/manifest.js';

/** moto release the project is tested against (5.2.0 answered 500 to a repeated If-None-Match: * put). */
export const MOTO_VERSION = '5.2.5';
/** How long a fresh moto may take to answer its first request. */
export const MOTO_START_TIMEOUT_MS = 60_000;

const run = promisify(execFile);
const venvDir = join(packageRoot(), '.venv');
const python = join(venvDir, 'bin', 'python');
const marker = join(venvDir, `.moto-${MOTO_VERSION}`);

/** Creates `.venv` and installs the pinned moto into it, unless that is already done. */
export async function ensureMoto(log: (line: string) => void = (l) => process.stderr.write(l + '\n')): Promise<void> {
  if (existsSync(marker)) return;
  log(`local S3: installing moto[server]==${MOTO_VERSION} into ${venvDir} (once)`);
  const python3 = process.env.PYTHON ?? 'python3';
  await run(python3, ['-m', 'venv', venvDir]);
  // pip's own steps (collecting, installing) are shown as they happen: the install takes minutes.
  await new Promise<void>((resolve, reject) => {
    const pip = spawn(
      join(venvDir, 'bin', 'pip'),
      ['install', '--progress-bar', 'off', `moto[server]==${MOTO_VERSION}`],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let pending = '';
    let errors = '';
    pip.stdout.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const step = pipStep(line);
        if (step) log(`local S3: ${step}`);
      }
    });
    pip.stderr.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-4000)));
    pip.on('error', reject);
    pip.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`pip install failed (exit ${code}): ${errors}`)),
    );
  });
  await writeFile(marker, `${MOTO_VERSION}\n`);
}

/** The line of pip's output worth showing as a step of the install, if it is one. */
export function pipStep(line: string): string | undefined {
  const text = line.trim();
  if (/^Collecting \S+/.test(text)) return `pip: ${text.split(' (')[0]}`;
  if (/^(Installing collected packages|Successfully installed)/.test(text))
    return `pip: ${text.length > 160 ? `${text.slice(0, 157)}...` : text}`;
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface LocalS3 {
  endpoint: string;
  port: number;
  /** Empties the server (every bucket, IAM user and policy). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /**
   * With a number N, moto lets the first N requests through unauthenticated (to create IAM
   * users and keys), then checks every request's signature and IAM policy.
   */
  initialNoAuthActionCount?: number;
}

export async function startMoto(options: StartOptions = {}): Promise<LocalS3> {
  await ensureMoto();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONUNBUFFERED: '1' };
  if (options.initialNoAuthActionCount !== undefined)
    env.INITIAL_NO_AUTH_ACTION_COUNT = String(options.initialNoAuthActionCount);
  const child: ChildProcess = spawn(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto exited while starting (code ${child.exitCode}): ${stderr}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/data.json`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > MOTO_START_TIMEOUT_MS) {
      child.kill('SIGKILL');
      throw new Error(`moto did not answer on ${endpoint} within ${MOTO_START_TIMEOUT_MS} ms: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }

  return {
    endpoint,
    port,
    async reset() {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!res.ok) throw new Error(`moto reset failed: HTTP ${res.status}`);
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    },
  };
}

// `node dist/src/dev/localS3.js install` prepares the virtual environment;
// `node dist/src/dev/localS3.js start` runs a server until Ctrl-C.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) {
  const command = process.argv[2] ?? 'start';
  if (command === 'install') {
    await ensureMoto();
  } else {
    const server = await startMoto();
    console.log(`local S3 (moto ${MOTO_VERSION}) listening on ${server.endpoint}; Ctrl-C stops it`);
    const stop = () => void server.stop().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  }
}
