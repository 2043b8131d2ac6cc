// The S3 servers `npm run bench` measures against, chosen by BENCH_SERVERS: moto (one Python
// process, src/dev/localS3.ts) and MinIO (one Go process, single drive, the store lane's cached
// build from scripts/stores/build.sh, built first when missing). Each is started on a free
// loopback port with a fresh data folder and the bench's CREDENTIALS, and offers
// { name, label, version, endpoint, reset(), stop() }.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  AbortMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import { CREDENTIALS, ROOT, SERVERS, log, rawClient } from './lib.mjs';

/** How long a fresh MinIO may take to answer its health endpoint (a shared 2-core machine). */
export const MINIO_START_TIMEOUT_MS = 120_000;

const STORES_CACHE = process.env.STORES_CACHE || join(ROOT, '.cache', 'stores');
const MINIO_DIR = join(STORES_CACHE, 'minio');
const MINIO_BIN = join(MINIO_DIR, 'bin', 'minio');

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Deletes every object, unfinished upload and bucket, with the raw SDK. */
async function emptyServer(endpoint) {
  const s3 = rawClient(endpoint);
  try {
    const { Buckets = [] } = await s3.send(new ListBucketsCommand({}));
    for (const { Name: Bucket } of Buckets) {
      for (let token; ; ) {
        const page = await s3.send(new ListObjectsV2Command({ Bucket, ContinuationToken: token }));
        const objects = (page.Contents ?? []).map(({ Key }) => ({ Key }));
        if (objects.length)
          await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: objects, Quiet: true } }));
        token = page.NextContinuationToken;
        if (!token) break;
      }
      const { Uploads = [] } = await s3.send(new ListMultipartUploadsCommand({ Bucket }));
      for (const { Key, UploadId } of Uploads)
        await s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
      await s3.send(new DeleteBucketCommand({ Bucket }));
    }
  } finally {
    s3.destroy();
  }
}

async function startMotoServer() {
  const { startMoto, MOTO_VERSION } = await import('../dist/src/dev/localS3.js');
  let version = MOTO_VERSION;
  try {
    version = execFileSync(join(ROOT, '.venv', 'bin', 'python'), ['-c', 'import moto; print(moto.__version__)'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    // the pinned version, which ensureMoto installs
  }
  const moto = await startMoto();
  return {
    name: 'moto',
    label: 'moto',
    version: `moto ${version}`,
    description: `moto ${version} (\`python -m moto.server\`, one process)`,
    endpoint: moto.endpoint,
    reset: () => moto.reset(),
    stop: () => moto.stop(),
  };
}

async function startMinio(tmpDir) {
  if (!existsSync(MINIO_BIN)) {
    log(`MinIO is not built in ${STORES_CACHE}: running scripts/stores/build.sh minio (minutes)`);
    execFileSync('bash', [join(ROOT, 'scripts', 'stores', 'build.sh'), 'minio'], {
      stdio: 'inherit',
      env: { ...process.env, STORES_CACHE },
    });
    if (!existsSync(MINIO_BIN)) throw new Error(`scripts/stores/build.sh minio did not leave ${MINIO_BIN}`);
  }
  const stamp = join(MINIO_DIR, 'STAMP');
  const version = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : 'minio (no STAMP)';
  const data = join(tmpDir, 'minio-data');
  await rm(data, { recursive: true, force: true });
  await mkdir(data, { recursive: true });
  const port = await freePort();
  const consolePort = await freePort();
  const child = spawn(
    MINIO_BIN,
    ['server', '--quiet', '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${consolePort}`, data],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        MINIO_ROOT_USER: CREDENTIALS.accessKeyId,
        MINIO_ROOT_PASSWORD: CREDENTIALS.secretAccessKey,
        MINIO_BROWSER: 'off',
        MINIO_UPDATE: 'off',
        MINIO_CALLHOME_ENABLE: 'off',
      },
    },
  );
  let stderr = '';
  child.stderr.on('data', (c) => {
    stderr = (stderr + c).slice(-4000);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    await rm(data, { recursive: true, force: true });
  };
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`MinIO exited while starting (${child.exitCode ?? child.signalCode}): ${stderr}`);
    const live = await fetch(`${endpoint}/minio/health/live`, { signal: AbortSignal.timeout(5000) }).then(
      (res) => res.ok,
      () => false,
    );
    if (live) break;
    if (Date.now() - started > MINIO_START_TIMEOUT_MS) {
      await stop();
      throw new Error(
        `MinIO did not answer ${endpoint}/minio/health/live within ${MINIO_START_TIMEOUT_MS} ms: ${stderr}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    name: 'minio',
    label: 'MinIO',
    version,
    description: `${version} (\`minio server\`, one process, one drive in the bench's temporary folder)`,
    endpoint,
    reset: () => emptyServer(endpoint),
    stop,
  };
}

/** Starts the named server (one of SERVERS); its data, if any, lives under `tmpDir`. */
export function startServer(name, tmpDir) {
  if (name === 'moto') return startMotoServer();
  if (name === 'minio') return startMinio(tmpDir);
  throw new Error(`unknown server ${name} (known: ${SERVERS.join(', ')})`);
}
