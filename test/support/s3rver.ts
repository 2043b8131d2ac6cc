// s3rver (npm), a second and deliberately incomplete S3 store, for the partial-store lane
// (test/s3rver.test.ts). It always runs in a child process of its own, with Node's
// --openssl-legacy-provider, never inside the test process, on a free port and a fresh data
// folder that `stop()` removes.
//
// Authentication: s3rver 3.7.1 knows one access key (S3RVER / S3RVER). It checks SigV2
// signatures, but for SigV4 (what the AWS SDK v3 sends) it only checks that the access key ID
// is known, never the signature: `--allow-mismatched-signatures` changes nothing for SigV4, so
// it is not passed, and an unknown access key ID is still refused (InvalidAccessKeyId).
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The one access key s3rver 3.7.1 accepts. */
export const S3RVER_KEY_ID = 'S3RVER';
export const S3RVER_SECRET = 'S3RVER';
/** How long a fresh s3rver may take to answer (the machine is shared and slow). */
export const S3RVER_START_TIMEOUT_MS = 30_000;

export interface S3rver {
  endpoint: string;
  port: number;
  /** The data folder (buckets are folders in it), to see what s3rver leaves on disk. */
  dir: string;
  /** Its stderr so far (the last 4000 characters), for failure messages. */
  stderr(): string;
  /** Stops the child (SIGTERM, SIGKILL after 5 s) and removes the data folder. */
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);
/** The s3rver command-line entry point, resolved through the package (not a shell PATH). */
export const S3RVER_BIN = join(require.resolve('s3rver/package.json'), '..', 'bin', 's3rver.js');

export async function startS3rver(): Promise<S3rver> {
  const dir = await mkdtemp(join(tmpdir(), 's3rver-'));
  // -p 0: the OS picks a free port atomically (no window between probing a port and binding
  // it, as a separate free-port probe would have); s3rver prints the port it got.
  const child: ChildProcess = spawn(
    process.execPath,
    ['--openssl-legacy-provider', S3RVER_BIN, '-d', dir, '-a', '127.0.0.1', '-p', '0', '--silent'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout = (stdout + chunk.toString()).slice(-4000);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // If the test process ends without stop() (a crash, a timeout), take the child with it.
  const onParentExit = () => child.kill('SIGKILL');
  process.once('exit', onParentExit);
  const kill = async () => {
    process.removeListener('exit', onParentExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  const started = Date.now();
  let port = 0;
  try {
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`s3rver exited while starting (code ${child.exitCode}): ${stderr || stdout}`);
      const announced = /listening on [\d.]+:(\d+)/.exec(stdout);
      if (announced) {
        port = Number(announced[1]);
        // Answering: an unsigned GET / (ListBuckets) is served without credentials.
        try {
          const res = await fetch(`http://127.0.0.1:${port}/`);
          await res.arrayBuffer();
          if (res.ok) break;
        } catch {
          // not serving yet
        }
      }
      if (Date.now() - started > S3RVER_START_TIMEOUT_MS) {
        throw new Error(`s3rver did not answer within ${S3RVER_START_TIMEOUT_MS} ms: ${stderr || stdout}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await kill();
    throw err;
  }

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    dir,
    stderr: () => stderr,
    stop: kill,
  };
}
