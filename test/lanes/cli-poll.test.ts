// `s3-connector poll`: the real built binary (dist/src/cli/main.js; `npm run build` first) against
// moto. It prints an event for an object the aws cli writes while it polls, goes on from a cursor
// file after a restart, and ends with 130 on Ctrl-C (SIGINT), the normal way to stop it.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { aws, motoConnection, uniqueBucket, until } from '../support/helpers.js';

const CLI = join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'), 'dist', 'src', 'cli', 'main.js');

interface Poller {
  child: ChildProcessWithoutNullStreams;
  lines: () => Record<string, unknown>[];
  stderr: () => string;
  exit: Promise<number | null>;
}

function startPoll(args: string[]): Poller {
  const child = spawn(process.execPath, [CLI, 'poll', ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const exit = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  return {
    child,
    lines: () =>
      out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    stderr: () => err,
    exit,
  };
}

async function write(bucket: string, key: string): Promise<void> {
  const file = join(await mkdtemp(join(tmpdir(), 'poll-')), 'body');
  await writeFile(file, key);
  await aws(['s3api', 'put-object', '--bucket', bucket, '--key', key, '--body', file]);
}

describe('s3-connector poll', () => {
  it('prints an event for an object the aws cli writes, once; a restart with the cursor file goes on; Ctrl-C exits 130', async () => {
    const bucket = uniqueBucket('poll');
    await aws(['s3api', 'create-bucket', '--bucket', bucket]);
    await write(bucket, 'before.txt');
    const dir = await mkdtemp(join(tmpdir(), 'poll-'));
    const cursorFile = join(dir, 'cursor.json');
    const args = [
      'new_object',
      '-c',
      JSON.stringify(motoConnection()),
      '-i',
      JSON.stringify({ bucket }),
      '--every',
      '0.2',
      '--cursor-file',
      cursorFile,
    ];

    const first = startPoll(args);
    // The first poll starts now: wait for its cursor, then write.
    await until(async () => (await readFile(cursorFile, 'utf8').catch(() => '')).length > 0);
    await write(bucket, 'incoming/new.csv');
    await until(() => first.lines().length > 0);
    expect(first.lines().map((e) => e.key)).toEqual(['incoming/new.csv']);
    first.child.kill('SIGINT');
    expect(await first.exit).toBe(130);
    expect(first.lines()).toHaveLength(1);

    // Stopped: an object written now is reported by the next run, which reads the cursor file.
    await write(bucket, 'incoming/while-stopped.csv');
    const second = startPoll(args);
    await until(() => second.lines().length > 0);
    second.child.kill('SIGINT');
    expect(await second.exit).toBe(130);
    expect(second.lines().map((e) => e.key)).toEqual(['incoming/while-stopped.csv']);
  });

  it('refuses an operation that is not a trigger (exit 1)', async () => {
    const run = startPoll([
      'list_objects',
      '-c',
      JSON.stringify(motoConnection()),
      '-i',
      '{"bucket": "x-bucket"}',
      '--polls',
      '1',
    ]);
    expect(await run.exit).toBe(1);
    expect(run.stderr()).toMatch(/not a trigger\. Triggers: .*new_object/);
  });

  it('a bucket that does not exist ends it with exit 1 (not retried)', async () => {
    const run = startPoll([
      'new_object',
      '-c',
      JSON.stringify(motoConnection()),
      '-i',
      JSON.stringify({ bucket: uniqueBucket('gone') }),
    ]);
    expect(await run.exit).toBe(1);
    expect(run.stderr()).toMatch(/not_found/);
  });
});
