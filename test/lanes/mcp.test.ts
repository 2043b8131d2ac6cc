// The MCP server (`s3-connector mcp`, src/adapters/mcp.ts): the built CLI (dist/, built by
// `npm test` before vitest) spawned over stdio by the official MCP SDK client and by the MCP
// Inspector's CLI, and over loopback Streamable HTTP, against moto; the aws cli reads back what
// the tools wrote. Forbidden comes from a second moto that enforces IAM.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, readFileSync, realpathSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult, Progress, Tool } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConnector } from '../../src/index.js';
import { runProcess, type Run } from '../support/processes.js';
import {
  aws,
  keysOf,
  motoConnection,
  motoEndpoint,
  operationExamples,
  putObjects,
  retarget,
  TEST_KEY_ID,
  TEST_SECRET,
  uniqueBucket,
  until,
} from '../support/helpers.js';
import { isGetObject, startFaultProxy } from '../support/faultProxy.js';
import { startIamMoto, type IamMoto } from '../support/iamMoto.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(root, 'dist', 'src', 'cli', 'main.js');
const INSPECTOR = join(
  root,
  'node_modules',
  '@modelcontextprotocol',
  'inspector',
  'clients',
  'launcher',
  'build',
  'index.js',
);
/** Generous: a verdict never depends on it, it only stops a call that hangs. */
const CALL = { timeout: 240_000 };
/** What a store may refuse an example with on a bucket made for it (a bucket to create that exists). */
const STORE_REFUSALS = ['conflict', 'not_found', 'precondition_failed'];

interface Manifest {
  operations: { name: string; kind: string; input: string; output: string; handler: string }[];
}
const manifest = JSON.parse(readFileSync(join(root, 'connector.json'), 'utf8')) as Manifest;
/** The operations that are tools: every one (actions, lookups, triggers as one poll per call). */
const toolNames = (m: Manifest) =>
  m.operations
    .filter((o) => o.kind === 'action' || o.kind === 'lookup' || o.kind === 'trigger')
    .map((o) => o.name)
    .sort();

/** A clean environment: no AWS_* from the machine running the tests. */
function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...extra };
}

interface Session {
  client: Client;
  /** Everything the server wrote on stderr so far. */
  stderr(): string;
  close(): Promise<void>;
}

/** The official SDK client over stdio, spawning `node <cli> mcp …args`. */
async function stdioSession(args: string[], env: Record<string, string> = {}, cli = CLI): Promise<Session> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cli, 'mcp', ...args],
    env: baseEnv(env),
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const client = new Client({ name: 'mcp-lane', version: '1.0.0' });
  await client.connect(transport);
  // As a host does first; it also arms the client's check of structuredContent against each output schema.
  await client.listTools();
  return { client, stderr: () => stderr, close: () => client.close() };
}

async function call(
  session: Session,
  name: string,
  args: Record<string, unknown>,
  onprogress?: (p: Progress) => void,
): Promise<CallToolResult> {
  return (await session.client.callTool({ name, arguments: args }, undefined, {
    ...CALL,
    ...(onprogress ? { onprogress } : {}),
  })) as CallToolResult;
}

/** The connector's error, as the JSON text of an isError result. */
function errorOf(result: CallToolResult): Record<string, unknown> & { type: string; message: string } {
  expect(result.isError).toBe(true);
  const text = result.content.find((c) => c.type === 'text');
  return (
    JSON.parse((text as { text: string }).text) as {
      error: Record<string, unknown> & { type: string; message: string };
    }
  ).error;
}

function outputOf(result: CallToolResult): Record<string, unknown> {
  expect(result.isError ?? false, JSON.stringify(result.content)).toBe(false);
  // The text content is the same output, serialized, for clients that do not read structuredContent.
  const text = result.content.find((c) => c.type === 'text') as { text: string };
  expect(JSON.parse(text.text)).toEqual(result.structuredContent);
  return result.structuredContent as Record<string, unknown>;
}

const bucket = uniqueBucket('mcp');
let work: string;
let filesRoot: string;
let connFile: string;
let session: Session;

beforeAll(async () => {
  work = realpathSync(await mkdtemp(join(tmpdir(), 'mcp-lane-')));
  filesRoot = join(work, 'files');
  await mkdir(filesRoot);
  connFile = join(work, 'conn.json');
  await writeFile(connFile, JSON.stringify(motoConnection({ maxAttempts: 1 })));
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  session = await stdioSession(['--connection', connFile, '--files-root', filesRoot]);
});
afterAll(async () => {
  await session?.close();
});

describe('tools/list', () => {
  it('every action is a tool with its bundled schemas, title, description and annotation hints; lookups are read-only tools; triggers come last', async () => {
    const { tools } = await session.client.listTools();
    const connector = await loadConnector();
    const ops = connector.operations({ bundled: true });
    connector.close();
    const actions = ops.filter((o) => o.kind === 'action');
    const lookups = ops.filter((o) => o.kind === 'lookup');
    const triggers = ops.filter((o) => o.kind === 'trigger');
    expect(actions.length).toBeGreaterThan(10);
    expect(lookups.length).toBeGreaterThan(0);
    expect(triggers.length).toBeGreaterThan(0);
    // Actions first, in manifest order; then the lookups; then the triggers; nothing else.
    expect(tools.map((t) => t.name)).toEqual([...actions, ...lookups, ...triggers].map((o) => o.name));
    for (const op of [...actions, ...lookups, ...triggers]) {
      const tool = tools.find((t) => t.name === op.name)!;
      expect(tool.title).toBe(op.title);
      // A trigger's description says how calls chain (one poll each); the rest is the manifest's.
      if (op.kind === 'trigger')
        expect(tool.description).toContain(`${op.description} As a tool, each call is one poll.`);
      else expect(tool.description).toBe(op.description);
      expect(tool.inputSchema).toEqual(op.inputSchema);
      expect(tool.outputSchema).toEqual(op.outputSchema);
      expect(tool.inputSchema.type).toBe('object');
      // Self-contained: no reference into another file, which the SDK client cannot follow.
      expect(JSON.stringify(tool.inputSchema) + JSON.stringify(tool.outputSchema)).not.toContain('defs.json');
      // The connection is the server's: never a tool argument.
      expect(Object.keys(tool.inputSchema.properties ?? {})).not.toContain('connection');
      expect(tool.annotations).toEqual({
        title: op.title,
        readOnlyHint: op.annotations.readOnly,
        destructiveHint: op.annotations.destructive,
        idempotentHint: op.annotations.idempotent,
        openWorldHint: op.annotations.openWorld ?? true,
      });
      expect(tool._meta).toEqual({ 's3-connector/kind': op.kind, 's3-connector/permissions': op.permissions });
      if (op.kind === 'lookup') expect(tool.annotations?.readOnlyHint).toBe(true);
    }
    expect(tools.find((t) => t.name === 'delete_object')?.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
    });
  });
});

describe('tools/call over stdio', () => {
  it('put_object_text writes the object, and the aws cli reads back what it wrote', async () => {
    const content = `Hello over MCP ${randomBytes(4).toString('hex')}\n`;
    const out = outputOf(await call(session, 'put_object_text', { bucket, key: 'notes/hello.txt', content }));
    expect(out).toMatchObject({ bucket, key: 'notes/hello.txt', size: Buffer.byteLength(content) });
    const target = join(work, 'readback.txt');
    const head = JSON.parse(
      await aws(['s3api', 'get-object', '--bucket', bucket, '--key', 'notes/hello.txt', target]),
    ) as { ETag: string };
    expect(await readFile(target, 'utf8')).toBe(content);
    expect(head.ETag).toBe(out.etag);
  });

  it('get_object as text returns what the aws cli put', async () => {
    const body = join(work, 'report.csv');
    await writeFile(body, 'a,b\n1,2\n');
    await aws([
      's3api',
      'put-object',
      '--bucket',
      bucket,
      '--key',
      'reports/r.csv',
      '--body',
      body,
      '--content-type',
      'text/csv',
    ]);
    const out = outputOf(await call(session, 'get_object', { bucket, key: 'reports/r.csv', as: 'text' }));
    expect(out).toMatchObject({
      bucket,
      key: 'reports/r.csv',
      text: 'a,b\n1,2\n',
      contentLength: 8,
      contentType: 'text/csv',
    });
  });

  it('list_objects lists the keys under a prefix', async () => {
    await aws(['s3api', 'put-object', '--bucket', bucket, '--key', 'listing/one.txt']);
    await aws(['s3api', 'put-object', '--bucket', bucket, '--key', 'listing/two.txt']);
    const out = outputOf(await call(session, 'list_objects', { bucket, prefix: 'listing/' }));
    expect((out.objects as { key: string }[]).map((o) => o.key)).toEqual(['listing/one.txt', 'listing/two.txt']);
    expect(out.count).toBe(2);
  });

  it('a lookup is callable as a read-only tool', async () => {
    const out = outputOf(await call(session, 'list_objects_ddl', { bucket, search: 'listing/' }));
    expect(JSON.stringify(out)).toContain('listing/one.txt');
  });

  it('get_object as a file lands in --files-root, with progress notifications up to the total', async () => {
    const bytes = randomBytes(3 * 1024 * 1024);
    const body = join(work, 'blob.bin');
    await writeFile(body, bytes);
    await aws(['s3api', 'put-object', '--bucket', bucket, '--key', 'blobs/blob.bin', '--body', body]);
    const progress: Progress[] = [];
    const out = outputOf(await call(session, 'get_object', { bucket, key: 'blobs/blob.bin' }, (p) => progress.push(p)));
    const file = out.file as { url: string; name: string; size: number };
    expect(file).toMatchObject({ name: 'blob.bin', size: bytes.length });
    const path = fileURLToPath(file.url);
    expect(path.startsWith(filesRoot + sep)).toBe(true);
    expect((await readFile(path)).equals(bytes)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ progress: bytes.length, total: bytes.length });
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.progress).toBeGreaterThan(progress[i - 1]!.progress);
  });

  it('put_object_file uploads a file of the file store; a file outside it is refused as user_input', async () => {
    const bytes = randomBytes(64 * 1024);
    await mkdir(join(filesRoot, 'outbox'), { recursive: true });
    const inside = join(filesRoot, 'outbox', 'data.bin');
    await writeFile(inside, bytes);
    const out = outputOf(
      await call(session, 'put_object_file', {
        bucket,
        key: 'uploads/data.bin',
        file: { url: pathToFileURL(inside).href },
      }),
    );
    expect(out).toMatchObject({ bucket, key: 'uploads/data.bin', size: bytes.length });
    const target = join(work, 'data.readback');
    await aws(['s3api', 'get-object', '--bucket', bucket, '--key', 'uploads/data.bin', target]);
    expect((await readFile(target)).equals(bytes)).toBe(true);

    const outside = join(work, 'outside.bin');
    await writeFile(outside, bytes);
    const refused = await call(session, 'put_object_file', {
      bucket,
      key: 'uploads/outside.bin',
      file: { url: pathToFileURL(outside).href },
    });
    expect(errorOf(refused)).toMatchObject({ type: 'user_input', retryable: false });
    await expect(aws(['s3api', 'head-object', '--bucket', bucket, '--key', 'uploads/outside.bin'])).rejects.toThrow();
  });

  it('not_found is an isError result carrying the structured error as JSON text, without structuredContent the output schema would refuse', async () => {
    // The client validates structuredContent against the output schema even on an error, and
    // throws when it does not match: this call returning at all is part of the verdict.
    const result = await call(session, 'head_object', { bucket, key: 'notes/missing.txt' });
    expect(errorOf(result)).toMatchObject({ type: 'not_found', retryable: false });
    expect(errorOf(result).message).toContain('notes/missing.txt');
    expect(result.structuredContent).toBeUndefined();
  });

  it('bad input is an isError result with user_input naming every problem; nothing is written', async () => {
    const result = await call(session, 'put_object_text', { bucket: 'Demo_Bucket', content: 'x' });
    const error = errorOf(result);
    expect(error).toMatchObject({ type: 'user_input', code: 'InvalidInput' });
    const fields = (error.details as { problems: { field: string }[] }).problems.map((p) => p.field).sort();
    expect(fields).toEqual(['bucket', 'key']);
  });

  it("a connection passed as a tool argument is refused (the connection is the server's)", async () => {
    const result = await call(session, 'list_buckets', { connection: motoConnection({ region: 'eu-west-1' }) });
    expect(errorOf(result)).toMatchObject({ type: 'user_input' });
  });

  it('an unknown tool is a protocol error naming the known tools', async () => {
    await expect(call(session, 'no_such_tool', {})).rejects.toThrow(/no tool named "no_such_tool".*put_object_text/);
  });

  it("nothing the server sent or logged holds the connection's secret", async () => {
    const result = await call(session, 'list_buckets', {});
    expect(JSON.stringify(outputOf(result))).toContain(bucket);
    expect(JSON.stringify(await session.client.listTools())).not.toContain(TEST_SECRET);
    expect(JSON.stringify(result)).not.toContain(TEST_SECRET);
    expect(session.stderr()).not.toContain(TEST_SECRET);
  });
});

describe('every action through the SDK client', () => {
  it("each example of every action's input schema is a tools/call that succeeds against moto", async () => {
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: motoEndpoint(),
      forcePathStyle: true,
      credentials: { accessKeyId: TEST_KEY_ID, secretAccessKey: TEST_SECRET },
    });
    const actions = (await operationExamples()).filter(
      ({ name }) => manifest.operations.find((o) => o.name === name)?.kind === 'action',
    );
    const ran = new Set<string>();
    try {
      for (const { name, examples } of actions) {
        for (const example of examples) {
          // As in the Activepieces and Tray lanes: a bucket of its own per example holding the
          // objects it names; one the store refuses there (a bucket to create that exists) runs
          // again on a bucket name nobody has yet. It must succeed one way.
          const own = uniqueBucket('mcp-ex');
          await s3.send(new CreateBucketCommand({ Bucket: own }));
          const input = retarget(example, { bucket: own });
          await putObjects(own, keysOf(input));
          let result = await call(session, name, input);
          if (result.isError && STORE_REFUSALS.includes(errorOf(result).type))
            result = await call(session, name, retarget(example, { bucket: uniqueBucket('mcp-new') }));
          // outputOf: not an error, and structuredContent (checked by the client against the
          // tool's output schema) is the same output as the text content.
          expect(outputOf(result), `${name} ${JSON.stringify(example)}`).toBeTypeOf('object');
          ran.add(name);
        }
      }
    } finally {
      s3.destroy();
    }
    expect([...ran].sort()).toEqual(actions.map((a) => a.name).sort());
  });
});

describe('triggers as tools (one poll per call, the cursor carried by the client)', () => {
  it('new_object: the first call gives a cursor, an object the aws cli puts shows in the next call, the cursor round-trips', async () => {
    const { tools } = await session.client.listTools();
    expect(tools.find((t) => t.name === 'new_object')?.annotations).toMatchObject({
      readOnlyHint: true,
      destructiveHint: false,
    });
    const watch = { bucket, prefix: 'watched/' };
    await aws(['s3api', 'put-object', '--bucket', bucket, '--key', 'watched/already.txt']);
    const first = outputOf(await call(session, 'new_object', watch));
    // Starts now: what is already there is remembered, not replayed.
    expect(first.events).toEqual([]);
    expect(first.cursor).toBeTypeOf('object');

    await aws(['s3api', 'put-object', '--bucket', bucket, '--key', 'watched/new.txt']);
    const second = outputOf(await call(session, 'new_object', { ...watch, cursor: first.cursor }));
    const head = JSON.parse(await aws(['s3api', 'head-object', '--bucket', bucket, '--key', 'watched/new.txt'])) as {
      ETag: string;
      ContentLength: number;
    };
    expect(second.events).toEqual([
      expect.objectContaining({ key: 'watched/new.txt', etag: head.ETag, size: head.ContentLength }),
    ]);
    expect(second.hasMore).toBe(false);

    // The second cursor, passed back, has nothing new; the first one again gives the same event:
    // the server kept nothing between calls, the cursor is all there is.
    const third = outputOf(await call(session, 'new_object', { ...watch, cursor: second.cursor }));
    expect(third.events).toEqual([]);
    const again = outputOf(await call(session, 'new_object', { ...watch, cursor: first.cursor }));
    expect((again.events as { key: string }[]).map((e) => e.key)).toEqual(['watched/new.txt']);
  });

  it('a trigger tool refuses bad input as any tool does: user_input naming the field, before any request', async () => {
    const error = errorOf(await call(session, 'new_object', { prefix: 'watched/' }));
    expect(error).toMatchObject({ type: 'user_input' });
    expect(JSON.stringify(error.details)).toContain('bucket');
  });
});

describe('cancellation', () => {
  it('notifications/cancelled cancels the call: a download stalled by the proxy ends, and leaves nothing in the file store', async () => {
    const key = 'blobs/stalled.bin';
    const body = join(work, 'stalled.bin');
    await writeFile(body, randomBytes(1024 * 1024));
    await aws(['s3api', 'put-object', '--bucket', bucket, '--key', key, '--body', body]);
    const proxy = await startFaultProxy(motoEndpoint());
    // Half the body, then silence; the request timeout is far away, so only the cancel can end it.
    proxy.addRule({
      name: 'stall GET body',
      url: isGetObject(bucket, key),
      on: 'all',
      fault: { kind: 'stallBody', fraction: 0.5 },
    });
    const store = join(work, 'cancel-files');
    await mkdir(store);
    const conn = join(work, 'cancel-conn.json');
    await writeFile(
      conn,
      JSON.stringify(motoConnection({ endpoint: proxy.endpoint, maxAttempts: 1, requestTimeoutMs: 3_600_000 })),
    );
    const s = await stdioSession(['--connection', conn, '--files-root', store]);
    const filesIn = async () =>
      (await readdir(store, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
    try {
      const controller = new AbortController();
      const pending = s.client.callTool({ name: 'get_object', arguments: { bucket, key } }, undefined, {
        ...CALL,
        signal: controller.signal,
        // The first bytes have arrived (the draft is being written): cancel now.
        onprogress: () => controller.abort(),
      });
      await expect(pending).rejects.toThrow();
      await until(() => proxy.clientGaveUp === 1);
      expect(proxy.clientGaveUp).toBe(1);
      await until(async () => (await filesIn()).length === 0);
      expect(await filesIn()).toEqual([]);
    } finally {
      await s.close();
      await proxy.close();
    }
  });
});

describe('the connection', () => {
  it('comes from the standard AWS environment without --connection', async () => {
    const env = await stdioSession([], {
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: motoEndpoint(),
      AWS_ACCESS_KEY_ID: TEST_KEY_ID,
      AWS_SECRET_ACCESS_KEY: TEST_SECRET,
    });
    try {
      const out = outputOf(await call(env, 'list_buckets', {}));
      expect((out.buckets as { name: string }[]).map((b) => b.name)).toContain(bucket);
    } finally {
      await env.close();
    }
  });

  it('without --connection or AWS_REGION the server does not start: exit 1, the reason on stderr, nothing on stdout', async () => {
    const r = await runProcess(process.execPath, [CLI, 'mcp'], { env: baseEnv() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('No connection: pass --connection');
    expect(r.stdout).toBe('');
  });

  it('closing stdin ends the server (exit 0, stdout untouched)', async () => {
    const r = await runProcess(process.execPath, [CLI, 'mcp', '--connection', connFile], { env: baseEnv() });
    expect(r).toMatchObject({ code: 0, stdout: '' });
  });
});

describe('the command line', () => {
  it('mcp --help shows its options and examples; the program lists it', async () => {
    const help = await runProcess(process.execPath, [CLI, 'mcp', '--help'], { env: baseEnv() });
    expect(help.code).toBe(0);
    for (const text of [
      'Usage: s3-connector mcp',
      '--connection <file | JSON>',
      '--files-root <dir>',
      '--http <port>',
      '--timeout <ms>',
      '--allow-host <host>',
      'Examples:',
    ]) {
      expect(help.stdout).toContain(text);
    }
    expect((await runProcess(process.execPath, [CLI, '--help'], { env: baseEnv() })).stdout).toMatch(
      /^\s+mcp \[options\]/m,
    );
  });

  it('--http on a port already taken: exit 1 and why, on stderr', async () => {
    const taken = createServer();
    await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
    const { port } = taken.address() as { port: number };
    try {
      const r = await runProcess(process.execPath, [CLI, 'mcp', '--connection', connFile, '--http', String(port)], {
        env: baseEnv(),
      });
      expect(r).toMatchObject({ code: 1, stdout: '' });
      expect(r.stderr).toContain(`cannot listen on 127.0.0.1:${port} (EADDRINUSE)`);
    } finally {
      taken.close();
    }
  });
});

describe('under IAM enforcement (a second moto)', () => {
  let moto: IamMoto;
  const iamBucket = uniqueBucket('mcp-iam');
  let iam: Session;
  let secret: string;

  beforeAll(async () => {
    moto = await startIamMoto();
    await moto.admin(['s3api', 'create-bucket', '--bucket', iamBucket]);
    await moto.admin(['s3api', 'put-object', '--bucket', iamBucket, '--key', 'secret/report.txt']);
    const reader = await moto.userConnection([
      { Effect: 'Allow', Action: ['s3:ListAllMyBuckets', 's3:ListBucket'], Resource: '*' },
    ]);
    secret = reader.credentials.secretAccessKey;
    const file = join(work, 'iam-conn.json');
    await writeFile(file, JSON.stringify(reader));
    iam = await stdioSession(['--connection', file]);
  });
  afterAll(async () => {
    await iam?.close();
    await moto?.server.stop();
  });

  it('a call the policy does not allow is an isError forbidden result naming the IAM action', async () => {
    const result = await call(iam, 'head_object', { bucket: iamBucket, key: 'secret/report.txt' });
    expect(errorOf(result)).toMatchObject({
      type: 'forbidden',
      status: 403,
      details: { requiredActions: ['s3:GetObject'] },
    });
    expect(errorOf(result).message).toContain('s3:GetObject');
    expect(JSON.stringify(result)).not.toContain(secret);
    // What the policy allows still works through the same server.
    const listed = outputOf(await call(iam, 'list_objects', { bucket: iamBucket }));
    expect(listed.count).toBe(1);
  });
});

describe('tools come from the manifest', () => {
  it('an operation added to the manifest of a copy of the package is a tool there, and runs', async () => {
    // The package copied: its manifest, schemas and build; dependencies linked.
    const copy = join(work, 'package-copy');
    for (const path of ['connector.json', 'package.json', 'schemas', join('dist', 'src'), join('dist', 'operations')]) {
      cpSync(join(root, path), join(copy, path), { recursive: true });
    }
    await symlink(join(root, 'node_modules'), join(copy, 'node_modules'));
    const entry = (name: string) => manifest.operations.find((o) => o.name === name)!;
    // A second name for list_buckets' handler, and head_object with an output schema loose
    // enough to take an error as structuredContent too.
    const added = [
      {
        ...entry('list_buckets'),
        name: 'list_buckets_again',
        title: 'List buckets again',
        description: 'The same as list_buckets, under another name.',
      },
      {
        ...entry('head_object'),
        name: 'head_object_loose',
        title: 'Head object (loose output)',
        output: 'schemas/head_object_loose.output.json',
      },
    ];
    const copied = JSON.parse(readFileSync(join(copy, 'connector.json'), 'utf8')) as Manifest;
    copied.operations.push(...added);
    await writeFile(join(copy, 'connector.json'), JSON.stringify(copied, null, 2));
    await writeFile(
      join(copy, 'schemas', 'head_object_loose.output.json'),
      JSON.stringify({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        $id: 'https://schemas.s3-connector.dev/aws-s3/head_object_loose.output.json',
        title: 'Loose output',
        description: 'Anything.',
        type: 'object',
      }),
    );

    const there = await stdioSession(['--connection', connFile], {}, join(copy, 'dist', 'src', 'cli', 'main.js'));
    try {
      const { tools } = await there.client.listTools();
      const again = tools.find((t) => t.name === 'list_buckets_again') as Tool;
      const original = tools.find((t) => t.name === 'list_buckets') as Tool;
      expect(again).toMatchObject({
        title: 'List buckets again',
        description: 'The same as list_buckets, under another name.',
      });
      expect(again.inputSchema).toEqual(original.inputSchema);
      expect(tools.map((t) => t.name).sort()).toEqual(toolNames(copied));
      const out = outputOf(await call(there, 'list_buckets_again', {}));
      expect((out.buckets as { name: string }[]).map((b) => b.name)).toContain(bucket);

      // Where the output schema allows it, the error is structuredContent as well as text.
      const missing = await call(there, 'head_object_loose', { bucket, key: 'notes/missing.txt' });
      expect(errorOf(missing)).toMatchObject({ type: 'not_found' });
      expect(missing.structuredContent).toEqual({ error: errorOf(missing) });
    } finally {
      await there.close();
    }
  });
});

describe('the MCP Inspector CLI', () => {
  /** `mcp-inspector --cli node dist/src/cli/main.js mcp -e K=V … <method args>`; it passes only the -e variables to the server. */
  function inspector(methodArgs: string[]): Promise<Run> {
    const env = [
      'AWS_REGION=us-east-1',
      `AWS_ENDPOINT_URL=${motoEndpoint()}`,
      `AWS_ACCESS_KEY_ID=${TEST_KEY_ID}`,
      `AWS_SECRET_ACCESS_KEY=${TEST_SECRET}`,
    ].flatMap((kv) => ['-e', kv]);
    return runProcess(process.execPath, [INSPECTOR, '--cli', process.execPath, CLI, 'mcp', ...env, ...methodArgs], {
      env: baseEnv({ HOME: work }),
    });
  }

  it('tools/list shows every operation as a tool', async () => {
    const r = await inspector(['--method', 'tools/list']);
    expect(r.code, r.stderr).toBe(0);
    const { tools } = JSON.parse(r.stdout) as { tools: Tool[] };
    expect(tools.map((t) => t.name).sort()).toEqual(toolNames(manifest));
    expect(tools.find((t) => t.name === 'get_object')?.annotations).toMatchObject({
      readOnlyHint: true,
      openWorldHint: true,
    });
  });

  it('tools/call: a success exits 0, an isError result exits 5', async () => {
    const content = 'hi from the inspector';
    const ok = await inspector([
      '--method',
      'tools/call',
      '--tool-name',
      'put_object_text',
      '--tool-arg',
      `bucket=${bucket}`,
      '--tool-arg',
      'key=inspector/hi.txt',
      '--tool-arg',
      `content=${content}`,
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as CallToolResult).structuredContent).toMatchObject({
      key: 'inspector/hi.txt',
      size: content.length,
    });
    const target = join(work, 'inspector.readback');
    await aws(['s3api', 'get-object', '--bucket', bucket, '--key', 'inspector/hi.txt', target]);
    expect(await readFile(target, 'utf8')).toBe(content);

    const missing = await inspector([
      '--method',
      'tools/call',
      '--tool-name',
      'head_object',
      '--tool-arg',
      `bucket=${bucket}`,
      '--tool-arg',
      'key=inspector/missing.txt',
    ]);
    expect(missing.code).toBe(5);
    expect(JSON.parse(missing.stdout)).toMatchObject({ isError: true });
  });
});

describe('Streamable HTTP on loopback (--http)', () => {
  let child: ReturnType<typeof spawn>;
  let url: string;
  let stderr = '';
  let exited: Promise<number | null>;

  beforeAll(async () => {
    child = spawn(process.execPath, [CLI, 'mcp', '--connection', connFile, '--http', '0'], {
      env: baseEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    exited = new Promise((done) => child.on('close', (code) => done(code)));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    await until(() => /http:\/\/127\.0\.0\.1:\d+\/mcp/.test(stderr) || child.exitCode !== null);
    url = /(http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(stderr)?.[1] ?? '';
    expect(url, stderr).not.toBe('');
  });
  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  /** A raw request with the headers given (node:http lets a test set Host). */
  function raw(target: string, headers: Record<string, string>): Promise<number> {
    return new Promise((done, fail) => {
      const body = JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
      });
      const req = request(
        target,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        },
        (res) => {
          res.resume();
          done(res.statusCode ?? 0);
        },
      );
      req.on('error', fail);
      req.end(body);
    });
  }

  it('the SDK client lists the tools and calls one', async () => {
    const client = new Client({ name: 'mcp-lane-http', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(toolNames(manifest));
      const result = (await client.callTool(
        { name: 'list_objects', arguments: { bucket, prefix: 'listing/' } },
        undefined,
        CALL,
      )) as CallToolResult;
      expect((outputOf(result).objects as { key: string }[]).map((o) => o.key)).toEqual([
        'listing/one.txt',
        'listing/two.txt',
      ]);
      const missing = (await client.callTool(
        { name: 'head_object', arguments: { bucket, key: 'nope.txt' } },
        undefined,
        CALL,
      )) as CallToolResult;
      expect(errorOf(missing)).toMatchObject({ type: 'not_found' });
    } finally {
      await client.close();
    }
  });

  it('is bound to 127.0.0.1 only, and refuses another Host (DNS rebinding) or another Origin', async () => {
    const { port } = new URL(url);
    expect(await raw(url, {})).toBe(200);
    expect(await raw(url, { host: `attacker.example:${port}` })).toBe(421);
    expect(await raw(url, { origin: 'http://attacker.example' })).toBe(403);
    expect(await raw(url.replace('/mcp', '/other'), {})).toBe(404);
    // Another loopback address of this machine: nothing listens there.
    await expect(raw(url.replace('127.0.0.1', '127.0.0.2'), { host: `127.0.0.1:${port}` })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });

  it('SIGTERM closes it (exit 0)', async () => {
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
