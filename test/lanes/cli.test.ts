// The command line: the real built binary (dist/src/cli/main.js, built by `npm test` before vitest)
// run as a child process against moto, cross-checked with the aws cli.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { collect, type Run, runProcess } from '../support/processes.js';
import {
  aws,
  awsJson,
  fakeStore,
  motoConnection,
  motoEndpoint,
  TEST_KEY_ID,
  TEST_SECRET,
  uniqueBucket,
} from '../support/helpers.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(root, 'dist', 'src', 'cli', 'main.js');
const manifest = JSON.parse(readFileSync(join(root, 'connector.json'), 'utf8')) as {
  operations: { name: string; title: string; kind: string; permissions: string[] }[];
};

/** A clean environment: no AWS_* from the machine running the tests. */
function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...extra };
}

function cli(args: string[], o: { stdin?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return runProcess(process.execPath, [CLI, ...args], { env: baseEnv(o.env), stdin: o.stdin });
}

/** Runs a shell command line under a pseudo-terminal (util-linux `script`): stdout and stderr are a tty. */
function underTerminal(commandLine: string): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn('script', ['-qfec', commandLine, '/dev/null'], {
      env: baseEnv({ TERM: 'xterm' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, output }));
  });
}

function result(run: Run): { ok: boolean; output?: Record<string, unknown>; error?: Record<string, unknown> } {
  return JSON.parse(run.stdout) as ReturnType<typeof result>;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const bucket = uniqueBucket('cli');
let dir: string;
let conn: string;

beforeAll(async () => {
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  dir = await mkdtemp(join(tmpdir(), 'cli-'));
  conn = join(dir, 'conn.json');
  await writeFile(conn, JSON.stringify(motoConnection()));
});

describe('operations', () => {
  it('prints a table with every operation of the manifest: name, kind, title', async () => {
    const run = await cli(['operations']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+KIND\s+TITLE$/);
    expect(lines).toHaveLength(manifest.operations.length + 1);
    for (const [i, op] of manifest.operations.entries()) {
      expect(lines[i + 1]).toMatch(new RegExp(`^${op.name}\\s+${op.kind}\\s+${op.title.replace(/[()]/g, '\\$&')}$`));
    }
  });

  it('--json prints name, title, kind and description of each', async () => {
    const run = await cli(['operations', '--json']);
    expect(run.code).toBe(0);
    const ops = JSON.parse(run.stdout) as { name: string; title: string; kind: string; description: string }[];
    expect(ops.map(({ name, title, kind }) => ({ name, title, kind }))).toEqual(
      manifest.operations.map(({ name, title, kind }) => ({ name, title, kind })),
    );
    expect(ops.every((o) => o.description.length > 10)).toBe(true);
  });
});

describe('describe', () => {
  it('prints the input and output schemas, IAM actions, and every shared definition they reference', async () => {
    const run = await cli(['describe', 'put_object_file']);
    expect(run.code).toBe(0);
    const d = JSON.parse(run.stdout) as {
      name: string;
      permissions: string[];
      input: { $id: string; required: string[] };
      output: { $id: string };
      defs: Record<string, unknown>;
    };
    expect(d.name).toBe('put_object_file');
    expect(d.permissions).toEqual(manifest.operations.find((o) => o.name === 'put_object_file')!.permissions);
    expect(d.input.$id).toMatch(/put_object_file\.input\.json$/);
    expect(d.input.required).toEqual(expect.arrayContaining(['bucket', 'key', 'file']));
    expect(d.output.$id).toMatch(/put_object_file\.output\.json$/);
    const refs = [
      ...JSON.stringify([d.input, d.output, d.defs]).matchAll(/"\$ref":"(?:defs\.json)?#\/\$defs\/([^"]+)"/g),
    ].map((m) => m[1]!);
    expect(refs).toContain('fileReference');
    for (const ref of refs) expect(d.defs, `defs.${ref}`).toHaveProperty([ref]);
  });

  it('an unknown operation is exit 1, naming the known ones on stderr', async () => {
    const run = await cli(['describe', 'get_objects']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('There is no operation named "get_objects"');
    expect(run.stderr).toContain('get_object,');
  });
});

describe('invoke', () => {
  it('exit 0: puts text with inline JSON and prints the result; the aws cli reads it back', async () => {
    const run = await cli([
      'invoke',
      'put_object_text',
      '--connection',
      JSON.stringify(motoConnection()),
      '--input',
      JSON.stringify({ bucket, key: 'inline.txt', content: 'from the cli\n' }),
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(result(run)).toMatchObject({ ok: true, output: { bucket, key: 'inline.txt', size: 13 } });
    const out = join(dir, 'inline.out');
    await aws(['s3api', 'get-object', '--bucket', bucket, '--key', 'inline.txt', out]);
    expect(await readFile(out, 'utf8')).toBe('from the cli\n');
  });

  it('reads the input from stdin with --input - and the connection from a file', async () => {
    const put = await cli(['invoke', 'put_object_text', '-c', conn, '-i', '-'], {
      stdin: JSON.stringify({ bucket, key: 'piped.txt', content: 'piped ✓' }),
    });
    expect(put.code).toBe(0);
    const get = await cli(['invoke', 'get_object', '-c', conn, '-i', '-'], {
      stdin: JSON.stringify({ bucket, key: 'piped.txt', as: 'text' }),
    });
    expect(get.code).toBe(0);
    expect(result(get).output).toMatchObject({ text: 'piped ✓', contentType: 'text/plain; charset=utf-8' });
  });

  it('reads the input from a file', async () => {
    const input = join(dir, 'head.json');
    await writeFile(input, JSON.stringify({ bucket, key: 'inline.txt' }));
    const run = await cli(['invoke', 'head_object', '-c', conn, '-i', input]);
    expect(run.code).toBe(0);
    expect(result(run).output).toMatchObject({ contentLength: 13 });
  });

  it('exit 1 for a bad input: the message on stderr names each field, the result on stdout', async () => {
    const run = await cli([
      'invoke',
      'put_object_text',
      '-c',
      conn,
      '-i',
      JSON.stringify({ bucket: 'Bad_Bucket', content: 'x' }),
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error \(user_input, InvalidInput\): Invalid input: /);
    expect(run.stderr).toContain('key is required');
    expect(run.stderr).toMatch(/bucket/);
    const r = result(run);
    expect(r.ok).toBe(false);
    expect(r.error).toMatchObject({ type: 'user_input' });
    expect((r.error!.details as { problems: { field: string }[] }).problems.map((p) => p.field)).toEqual(
      expect.arrayContaining(['key', 'bucket']),
    );
  });

  it('exit 1 for an unknown operation', async () => {
    const run = await cli(['invoke', 'no_such_operation', '-c', conn]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('There is no operation named "no_such_operation"');
  });

  it('exit 1 for not_found, with the key on stderr', async () => {
    const run = await cli([
      'invoke',
      'get_object',
      '-c',
      conn,
      '-i',
      JSON.stringify({ bucket, key: 'missing.txt', as: 'text' }),
    ]);
    expect(run.code).toBe(1);
    expect(result(run).error).toMatchObject({ type: 'not_found', code: 'NoSuchKey' });
    expect(run.stderr).toContain('error (not_found, NoSuchKey)');
    expect(run.stderr).toContain('"missing.txt"');
  });

  it('exit 1 for precondition_failed', async () => {
    const run = await cli([
      'invoke',
      'put_object_text',
      '-c',
      conn,
      '-i',
      JSON.stringify({ bucket, key: 'inline.txt', content: 'again', ifNoneMatch: '*' }),
    ]);
    expect(run.code).toBe(1);
    expect(result(run).error).toMatchObject({ type: 'precondition_failed' });
  });

  it('exit 2 for a network error (a closed port), and the secret appears nowhere', async () => {
    const secret = `s3cr3t-${randomBytes(6).toString('hex')}`;
    const connection = {
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${await closedPort()}`,
      maxAttempts: 1,
      credentials: { type: 'accessKey', accessKeyId: 'AKIDCLI', secretAccessKey: secret },
    };
    const run = await cli(['invoke', 'list_buckets', '-c', JSON.stringify(connection)]);
    expect(run.code).toBe(2);
    expect(result(run).error).toMatchObject({ type: 'network', code: 'ECONNREFUSED', retryable: true });
    expect(run.stderr).toContain(`error (network, ECONNREFUSED): ${result(run).error!.message as string}`);
    expect(run.stdout + run.stderr).not.toContain(secret);
  });

  it('exit 2 for a timeout: --timeout bounds the whole call against a store that never answers', async () => {
    const silent = await fakeStore(() => undefined);
    try {
      const started = Date.now();
      const run = await cli([
        'invoke',
        'list_buckets',
        '--timeout',
        '1500',
        '-c',
        JSON.stringify(motoConnection({ endpoint: silent.endpoint })),
      ]);
      expect(run.code).toBe(2);
      expect(result(run).error).toMatchObject({ type: 'timeout', code: 'DeadlineExceeded' });
      expect(Date.now() - started).toBeLessThan(40_000); // ended by the call deadline, far below the 60 s request timeout
      expect(silent.requests.length).toBeGreaterThan(0);
    } finally {
      await silent.close();
    }
  });

  it('a JSON syntax error is exit 1 naming the option; a connection is never quoted back', async () => {
    const badInput = await cli(['invoke', 'list_buckets', '-c', conn, '-i', '{"bucket": ']);
    expect(badInput.code).toBe(1);
    expect(badInput.stderr).toContain('--input is not valid JSON');
    expect(result(badInput).error).toMatchObject({ type: 'user_input', code: 'InvalidJson' });

    const secret = `s3cr3t-${randomBytes(6).toString('hex')}`;
    const badConnection = await cli([
      'invoke',
      'list_buckets',
      '-c',
      `{"region": "us-east-1", "credentials": {"secretAccessKey": "${secret}" oops}}`,
    ]);
    expect(badConnection.code).toBe(1);
    expect(badConnection.stderr).toMatch(/--connection is not valid JSON \(line 1, column \d+\)/);
    expect(badConnection.stdout + badConnection.stderr).not.toContain(secret);

    const file = join(dir, 'broken-conn.json');
    await writeFile(file, `{\n  "region": "us-east-1",\n  "credentials": {"secretAccessKey": "${secret}",}\n}`);
    const badFile = await cli(['invoke', 'list_buckets', '-c', file]);
    expect(badFile.code).toBe(1);
    expect(badFile.stderr).toContain(`--connection file ${JSON.stringify(file)} is not valid JSON (line 3`);
    expect(badFile.stdout + badFile.stderr).not.toContain(secret);
  });

  it('a connection that fails validation is exit 1 without echoing its secret', async () => {
    const secret = `s3cr3t-${randomBytes(6).toString('hex')}`;
    const run = await cli([
      'invoke',
      'list_buckets',
      '-c',
      JSON.stringify({
        region: 'US EAST',
        credentials: { type: 'accessKey', accessKeyId: 'AKID', secretAccessKey: secret },
      }),
    ]);
    expect(run.code).toBe(1);
    expect(result(run).error).toMatchObject({ type: 'user_input' });
    expect(run.stderr).toContain('region');
    expect(run.stdout + run.stderr).not.toContain(secret);
  });

  it('a missing --connection file is exit 1 naming the option', async () => {
    const run = await cli(['invoke', 'list_buckets', '-c', join(dir, 'nope.json')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--connection: there is no file');
  });

  it('a bad command line (unknown option, bad --timeout) is exit 1 from the parser', async () => {
    const unknown = await cli(['invoke', 'list_buckets', '--conection', conn]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("unknown option '--conection'");
    const timeout = await cli(['invoke', 'list_buckets', '-c', conn, '--timeout', 'soon']);
    expect(timeout.code).toBe(1);
    expect(timeout.stderr).toContain('--timeout');
  });
});

describe('connection from the AWS environment', () => {
  const keys = { AWS_ACCESS_KEY_ID: TEST_KEY_ID, AWS_SECRET_ACCESS_KEY: TEST_SECRET };

  it('AWS_REGION, AWS_ENDPOINT_URL and the default chain (access key variables)', async () => {
    const run = await cli(['invoke', 'list_buckets'], {
      env: { ...keys, AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: motoEndpoint() },
    });
    expect(run.code).toBe(0);
    expect((result(run).output!.buckets as { name: string }[]).map((b) => b.name)).toContain(bucket);
  });

  it('AWS_DEFAULT_REGION when AWS_REGION is unset; AWS_ENDPOINT_URL_S3 wins over AWS_ENDPOINT_URL', async () => {
    const run = await cli(['invoke', 'head_object', '-i', JSON.stringify({ bucket, key: 'inline.txt' })], {
      env: {
        ...keys,
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: `http://127.0.0.1:${await closedPort()}`,
        AWS_ENDPOINT_URL_S3: motoEndpoint(),
      },
    });
    expect(run.code).toBe(0);
    expect(result(run).output).toMatchObject({ contentLength: 13 });
  });

  it('without a region: exit 1 saying to pass --connection or set AWS_REGION', async () => {
    const run = await cli(['invoke', 'list_buckets'], { env: { ...keys, AWS_ENDPOINT_URL: motoEndpoint() } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('No connection: pass --connection');
    expect(run.stderr).toContain('AWS_REGION');
    expect(result(run).error).toMatchObject({ type: 'user_input', code: 'NoConnection' });
  });

  it('the default chain without credentials: exit 1 (auth)', async () => {
    const run = await cli(['invoke', 'list_buckets'], {
      env: {
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: motoEndpoint(),
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: join(dir, 'none'),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
      },
    });
    expect(run.code).toBe(1);
    expect(result(run).error).toMatchObject({ type: 'auth' });
  });
});

describe('files', () => {
  const bytes = randomBytes(12 * 1024 * 1024 + 123);
  let source: string;

  beforeAll(async () => {
    source = join(dir, 'upload.bin');
    await writeFile(source, bytes);
  });

  it('put_object_file --input-file, then get_object into --files-root: the same bytes, as the aws cli sees them', async () => {
    const put = await cli([
      'invoke',
      'put_object_file',
      '-c',
      conn,
      '-i',
      JSON.stringify({ bucket, key: 'files/upload.bin' }),
      '--input-file',
      source,
    ]);
    expect(put.code).toBe(0);
    expect(put.stderr).toBe(''); // piped: no progress bar
    expect(result(put).output).toMatchObject({ size: bytes.length, parts: 2 });
    const head = await awsJson<{ ContentLength: number }>([
      's3api',
      'head-object',
      '--bucket',
      bucket,
      '--key',
      'files/upload.bin',
    ]);
    expect(head.ContentLength).toBe(bytes.length);

    const downloads = join(dir, 'downloads');
    const get = await cli([
      'invoke',
      'get_object',
      '-c',
      conn,
      '-i',
      JSON.stringify({ bucket, key: 'files/upload.bin' }),
      '--files-root',
      downloads,
    ]);
    expect(get.code).toBe(0);
    expect(get.stderr).toBe('');
    const file = result(get).output!.file as { url: string; size: number; name: string };
    expect(file).toMatchObject({ name: 'upload.bin', size: bytes.length });
    const path = fileURLToPath(file.url);
    expect(path.startsWith(downloads + '/')).toBe(true);
    expect(md5(await readFile(path))).toBe(md5(bytes));
  });

  it('a file reference in --input is read from --files-root; one outside it is refused (exit 1)', async () => {
    const store = await mkdtemp(join(tmpdir(), 'cli-store-'));
    await writeFile(join(store, 'in-store.txt'), 'inside the store\n');
    const ok = await cli([
      'invoke',
      'put_object_file',
      '-c',
      conn,
      '--files-root',
      store,
      '-i',
      JSON.stringify({
        bucket,
        key: 'files/in-store.txt',
        file: { url: pathToFileURL(join(store, 'in-store.txt')).href },
      }),
    ]);
    expect(ok.code).toBe(0);
    expect(await aws(['s3', 'cp', `s3://${bucket}/files/in-store.txt`, '-'])).toBe('inside the store\n');

    // --input-file does not widen the store: with --files-root elsewhere, the file is outside it.
    const refused = await cli([
      'invoke',
      'put_object_file',
      '-c',
      conn,
      '--files-root',
      store,
      '-i',
      JSON.stringify({ bucket, key: 'files/outside.bin' }),
      '--input-file',
      source,
    ]);
    expect(refused.code).toBe(1);
    expect(result(refused).error).toMatchObject({ type: 'user_input', code: 'FileNotAllowed' });
    expect(refused.stderr).toContain('outside the file store');
  });

  it('--input-file is refused for other operations and when --input already has a file', async () => {
    const other = await cli([
      'invoke',
      'put_object_text',
      '-c',
      conn,
      '-i',
      JSON.stringify({ bucket, key: 'x.txt', content: 'x' }),
      '--input-file',
      source,
    ]);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('--input-file only applies to put_object_file');
    const both = await cli([
      'invoke',
      'put_object_file',
      '-c',
      conn,
      '-i',
      JSON.stringify({ bucket, key: 'x.bin', file: { url: 'data:,x' } }),
      '--input-file',
      source,
    ]);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('not both');
  });

  it('https sources: refused by default, --allow-host names the host, --allow-private-networks lets it be loopback', async () => {
    const port = await closedPort();
    const url = `https://127.0.0.1:${port}/remote.bin`;
    const input = JSON.stringify({ bucket, key: 'files/remote.bin', file: { url } });
    const none = await cli(['invoke', 'put_object_file', '-c', conn, '-i', input]);
    expect(none.code).toBe(1);
    expect(result(none).error).toMatchObject({ code: 'HostNotAllowed' });
    const host = await cli([
      'invoke',
      'put_object_file',
      '-c',
      conn,
      '-i',
      input,
      '--allow-host',
      'example.org',
      '--allow-host',
      `127.0.0.1:${port}`,
    ]);
    expect(host.code).toBe(1);
    expect(result(host).error).toMatchObject({ code: 'AddressNotAllowed' });
    const both = await cli([
      'invoke',
      'put_object_file',
      '-c',
      conn,
      '-i',
      input,
      '--allow-host',
      `127.0.0.1:${port}`,
      '--allow-private-networks',
    ]);
    // Now the download is attempted, and fails for real: nothing listens there.
    expect(both.code).toBe(2);
    expect((result(both).error as { code: string }).code).not.toMatch(/NotAllowed$/);
  });

  describe('progress bar', () => {
    const cmd = (args: string) => `${process.execPath} ${CLI} ${args}`;
    let putInput: string;
    let getInput: string;

    beforeAll(async () => {
      putInput = join(dir, 'put-progress.json');
      getInput = join(dir, 'get-progress.json');
      await writeFile(putInput, JSON.stringify({ bucket, key: 'files/progress.bin' }));
      await writeFile(getInput, JSON.stringify({ bucket, key: 'files/progress.bin' }));
    });

    it('on a terminal, put_object_file and get_object draw a bar with bytes, rate and ETA; the result follows', async () => {
      const put = await underTerminal(cmd(`invoke put_object_file -c ${conn} -i ${putInput} --input-file ${source}`));
      expect(put.code).toBe(0);
      expect(put.output).toMatch(
        /put_object_file \|[█░]{30}\| 100% \| 12\.0 MiB \/ 12\.0 MiB \| [\d.]+ [KMG]?i?B\/s \| ETA 0s/,
      );
      const json = put.output.slice(put.output.indexOf('{')).replace(/\r/g, '');
      expect(JSON.parse(json)).toMatchObject({ ok: true, output: { size: bytes.length } });

      const downloads = join(dir, 'tty-downloads');
      const get = await underTerminal(cmd(`invoke get_object -c ${conn} -i ${getInput} --files-root ${downloads}`));
      expect(get.code).toBe(0);
      expect(get.output).toMatch(
        /get_object \|[█░]{30}\| 100% \| 12\.0 MiB \/ 12\.0 MiB \| [\d.]+ [KMG]?i?B\/s \| ETA 0s/,
      );
      const file = (
        JSON.parse(get.output.slice(get.output.indexOf('{')).replace(/\r/g, '')) as {
          output: { file: { url: string } };
        }
      ).output.file;
      expect(md5(await readFile(fileURLToPath(file.url)))).toBe(md5(bytes));
    });

    it('with stdout redirected it stays quiet, unless --progress; --no-progress silences a terminal', async () => {
      const downloads = join(dir, 'quiet-downloads');
      const out = join(dir, 'quiet.json');
      const quiet = await underTerminal(
        cmd(`invoke get_object -c ${conn} -i ${getInput} --files-root ${downloads} > ${out}`),
      );
      expect(quiet.code).toBe(0);
      expect(quiet.output).toBe('');
      expect(JSON.parse(await readFile(out, 'utf8'))).toMatchObject({ ok: true });

      const forced = await underTerminal(
        cmd(`invoke get_object -c ${conn} -i ${getInput} --files-root ${downloads} --progress > ${out}`),
      );
      expect(forced.code).toBe(0);
      expect(forced.output).toMatch(/get_object \|[█░]{30}\| 100%/);

      const silenced = await underTerminal(
        cmd(`invoke get_object -c ${conn} -i ${getInput} --files-root ${downloads} --no-progress`),
      );
      expect(silenced.code).toBe(0);
      expect(silenced.output).not.toContain('get_object |');
      expect(silenced.output).toContain('"ok": true');
    });

    it('non-transfer operations never draw a bar, even on a terminal', async () => {
      const run = await underTerminal(cmd(`invoke head_object -c ${conn} -i ${getInput}`));
      expect(run.code).toBe(0);
      expect(run.output.trimStart().startsWith('{')).toBe(true);
    });
  });
});

describe('--help', () => {
  it('the program lists its commands, the exit statuses and examples', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    for (const text of [
      'Usage: s3-connector',
      'operations',
      'describe <operation>',
      'invoke [options] <operation>',
      'Exit status: 0 success',
      'Examples:',
    ])
      expect(run.stdout).toContain(text);
  });

  it.each([
    ['operations', ['--json', 'Examples:', '$ s3-connector operations']],
    ['describe', ['<operation>', 'Examples:', '$ s3-connector describe put_object_text']],
    [
      'invoke',
      [
        '--connection <file | JSON>',
        '--input <file | JSON | ->',
        '--input-file <path>',
        '--files-root <dir>',
        '--timeout <ms>',
        '--allow-host <host>',
        '--allow-private-networks',
        '--no-progress',
        'AWS_REGION',
        'Exit status',
        'Examples:',
        '-i -',
      ],
    ],
  ])('%s --help shows its options and examples', async (command, texts) => {
    const run = await cli([command, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Usage: s3-connector ${command}`);
    for (const text of texts) expect(run.stdout).toContain(text);
    const viaHelp = await cli(['help', command]);
    expect(viaHelp.stdout).toBe(run.stdout);
  });

  it('a reader that closes the pipe early (| true) is not an error', async () => {
    const run = await collect(
      spawn('bash', ['-c', `"${process.execPath}" "${CLI}" operations | true; echo "status \${PIPESTATUS[0]}"`], {
        env: baseEnv(),
      }),
    );
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('status 0');
  });

  it('--version prints the package version', async () => {
    const run = await cli(['--version']);
    expect(run.stdout.trim()).toBe(
      (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version,
    );
  });
});

describe('--input-file, as a new user types it', () => {
  it('a folder is refused saying it is a folder; a missing path says it does not exist', async () => {
    const folder = await cli([
      'invoke',
      'put_object_file',
      '-c',
      conn,
      '-i',
      JSON.stringify({ bucket, key: 'x.bin' }),
      '--input-file',
      dir,
    ]);
    expect(folder.code).toBe(1);
    expect(folder.stderr).toContain('is a folder, not a file');
    const missing = await cli([
      'invoke',
      'put_object_file',
      '-c',
      conn,
      '-i',
      JSON.stringify({ bucket, key: 'x.bin' }),
      '--input-file',
      join(dir, 'nope.bin'),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('does not exist');
  });

  it('without a key, the object is named after the file; the aws cli finds it there', async () => {
    const path = join(dir, 'named after me.csv');
    await writeFile(path, 'a,b\n1,2\n');
    const run = await cli([
      'invoke',
      'put_object_file',
      '-c',
      conn,
      '-i',
      JSON.stringify({ bucket }),
      '--input-file',
      path,
    ]);
    expect(run.code).toBe(0);
    expect(result(run).output).toMatchObject({
      key: 'named after me.csv',
      size: 8,
      contentType: 'text/csv; charset=utf-8',
    });
    const head = await aws(['s3api', 'head-object', '--bucket', bucket, '--key', 'named after me.csv']);
    expect(JSON.parse(head)).toMatchObject({ ContentLength: 8 });
  });
});
