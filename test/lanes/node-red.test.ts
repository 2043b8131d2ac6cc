// The Node-RED nodes (node-red/) inside Node-RED 4.1.8: in process with
// node-red-node-test-helper (messages in and out, a catch node, the admin endpoints, an operation
// added to a copy of the manifest), then as a real `node-red` process loading the packed package
// from its userDir, deployed and injected over the admin API against moto, and its editor in
// Debian's chromium (the generated form, lookups filling dropdowns; docs/node-red-editor.png).
// The nodes load the built package: `npm run build` first (npm test does).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import vm from 'node:vm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { aws, motoEndpoint, TEST_KEY_ID, TEST_SECRET, uniqueBucket } from '../support/helpers.js';
import { cleanEnv, consumerProject, repoRoot, type ConsumerProject } from '../support/packed.js';
import { launchChromium } from '../support/chromium.js';

const require = createRequire(import.meta.url);
const ARTIFACTS = join(repoRoot, 'test-artifacts');

interface Manifest {
  operations: { name: string; title: string; kind: string }[];
}
const manifest = JSON.parse(readFileSync(join(repoRoot, 'connector.json'), 'utf8')) as Manifest;
const actions = manifest.operations.filter((op) => op.kind === 'action');

if (!existsSync(join(repoRoot, 'dist/src/cjs/index.cjs')))
  throw new Error('dist/ is missing: run `npm run build` first (npm test does).');

type Msg = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The config node of a flow, pointed at the tests' moto, and its credentials as Node-RED keeps them. */
function connectionNode(id = 'conn') {
  return {
    node: { id, type: 'aws-s3-connection', name: 'moto', settings: { region: 'us-east-1', endpoint: motoEndpoint() } },
    credentials: {
      credentials_type: 'accessKey',
      credentials_accessKeyId: TEST_KEY_ID,
      credentials_secretAccessKey: TEST_SECRET,
    },
  };
}

/** The palette definitions editor.js registers, run against a stand-in RED (no browser needed). */
function paletteDefinitions(script: string): Record<string, Msg> {
  const defs: Record<string, Msg> = {};
  vm.runInNewContext(script, {
    RED: { nodes: { registerType: (type: string, def: Msg) => (defs[type] = def) } },
    $: () => undefined,
  });
  return defs;
}

async function filesUnder(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('Node-RED nodes in process (node-red-node-test-helper)', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const helper: any = require('node-red-node-test-helper');
  helper.init(require.resolve('node-red'));
  const s3Nodes = require('../../node-red/aws-s3.cjs');
  const catchNode = require('@node-red/nodes/core/common/25-catch.js');
  const bucket = uniqueBucket('nr');
  let filesRoot: string;

  /** The next message a helper node receives. */
  const next = (id: string): Promise<Msg> => new Promise((resolve) => helper.getNode(id).once('input', resolve));

  async function load(nodes: Msg[], extra: Record<string, Msg> = {}) {
    const conn = connectionNode();
    await helper.load(
      [s3Nodes, catchNode],
      [conn.node, ...nodes, { id: 'out', type: 'helper' }, { id: 'caught', type: 'helper' }],
      { conn: conn.credentials, ...extra },
    );
  }

  beforeAll(async () => {
    filesRoot = await mkdtemp(join(tmpdir(), 'nr-files-'));
    helper.settings({ awsS3Connector: { filesRoot } });
    await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  });
  afterEach(async () => {
    await helper.unload();
    helper.settings({ awsS3Connector: { filesRoot } });
  });
  afterAll(async () => {
    await rm(filesRoot, { recursive: true, force: true });
  });

  it('serves every operation of the manifest with its bundled schemas, and an editor script whose palette definitions come from them', async () => {
    await load([]);
    const listed = await helper.request().get('/aws-s3/operations').expect(200);
    const ops = listed.body.operations as { name: string; kind: string; inputSchema: Msg; outputSchema: Msg }[];
    expect(ops.map((o) => o.name)).toEqual(manifest.operations.map((o) => o.name));
    for (const op of ops) {
      expect(op.inputSchema.type, op.name).toBe('object');
      expect(JSON.stringify(op.inputSchema), op.name).not.toContain('defs.json#');
    }
    const script = await helper
      .request()
      .get('/aws-s3/editor.js')
      .expect(200)
      .expect('Content-Type', /javascript/);
    // The script holds the schemas' words, never a connection's secret.
    expect(script.text).not.toContain(TEST_SECRET);
    const defs = paletteDefinitions(script.text);
    expect(Object.keys(defs).sort()).toEqual(['aws-s3', 'aws-s3-connection']);
    // Credentials from the connection schema: secrets are passwords, the rest text.
    expect(defs['aws-s3-connection']!.credentials).toMatchObject({
      credentials_type: { type: 'text' },
      credentials_accessKeyId: { type: 'text' },
      credentials_secretAccessKey: { type: 'password' },
      credentials_sessionToken: { type: 'password' },
      credentials_roleArn: { type: 'text' },
    });
    // The picker takes every action and no lookup.
    const validate = defs['aws-s3']!.defaults.operation.validate as (v: string) => boolean;
    for (const op of manifest.operations) expect(validate(op.name), op.name).toBe(op.kind === 'action');
    // The node's HTML only frames the generated forms: no operation is named in it.
    const html = await readFile(join(repoRoot, 'node-red/aws-s3.html'), 'utf8');
    for (const op of manifest.operations) expect(html, op.name).not.toContain(op.name);
  });

  it('merges msg.payload over the configured input (fields of other operations ignored) and sends the output as msg.payload; the aws cli reads the object back', async () => {
    const key = `notes/${randomBytes(4).toString('hex')}.txt`;
    await load([
      {
        id: 'put',
        type: 'aws-s3',
        connection: 'conn',
        operation: 'put_object_text',
        input: { bucket, key, content: 'from the node' },
        wires: [['out']],
      },
    ]);
    const out = next('out');
    helper.getNode('put').receive({
      topic: 'kept',
      payload: { content: 'from the message ✓\n', etag: '"from a previous node"', lastModified: 'x' },
    });
    const msg = await out;
    expect(msg.topic).toBe('kept');
    expect(msg.payload).toMatchObject({
      bucket,
      key,
      size: Buffer.byteLength('from the message ✓\n'),
      contentType: 'text/plain; charset=utf-8',
    });
    expect(await aws(['s3', 'cp', `s3://${bucket}/${key}`, '-'])).toBe('from the message ✓\n');
  });

  it('get_object as a file gives a Buffer in msg.payload (the stored copy removed), or a file reference when the node says so', async () => {
    const key = `bin/${randomBytes(4).toString('hex')}.bin`;
    const bytes = randomBytes(70_000);
    const local = join(filesRoot, '..', `nr-upload-${randomBytes(4).toString('hex')}.bin`);
    await writeFile(local, bytes);
    await aws(['s3', 'cp', local, `s3://${bucket}/${key}`, '--content-type', 'application/x-test']);
    await rm(local);
    await load([
      {
        id: 'asBuffer',
        type: 'aws-s3',
        connection: 'conn',
        operation: 'get_object',
        input: { bucket, key },
        files: 'buffer',
        wires: [['out']],
      },
      {
        id: 'asRef',
        type: 'aws-s3',
        connection: 'conn',
        operation: 'get_object',
        input: { bucket, key },
        files: 'reference',
        wires: [['out']],
      },
    ]);
    let out = next('out');
    helper.getNode('asBuffer').receive({ payload: Date.now() }); // an inject's timestamp: the node's own fields
    const viaBuffer = (await out).payload;
    expect(Buffer.isBuffer(viaBuffer.file.data)).toBe(true);
    expect(Buffer.compare(viaBuffer.file.data, bytes)).toBe(0);
    expect(viaBuffer.file).toMatchObject({
      name: key.split('/').pop(),
      mimeType: 'application/x-test',
      size: bytes.length,
    });
    expect(viaBuffer.file.url).toBeUndefined();
    expect(await filesUnder(filesRoot)).toEqual([]);

    out = next('out');
    helper.getNode('asRef').receive({ payload: {} });
    const viaRef = (await out).payload;
    expect(viaRef.file.url).toMatch(/^file:\/\//);
    const path = new URL(viaRef.file.url).pathname;
    expect(path.startsWith(filesRoot)).toBe(true);
    expect(Buffer.compare(await readFile(path), bytes)).toBe(0);
  });

  it('a Buffer in msg.payload is the file put_object_file uploads (named after the key), and its temporary copy is removed', async () => {
    const key = `up/${randomBytes(4).toString('hex')}.json`;
    const body = Buffer.from(JSON.stringify({ from: 'a Buffer', n: 1 }));
    await load([
      {
        id: 'putFile',
        type: 'aws-s3',
        connection: 'conn',
        operation: 'put_object_file',
        input: { bucket, key },
        wires: [['out']],
      },
    ]);
    const before = await filesUnder(filesRoot);
    const out = next('out');
    helper.getNode('putFile').receive({ payload: body });
    expect((await out).payload).toMatchObject({
      bucket,
      key,
      size: body.length,
      contentType: expect.stringMatching(/^application\/json/),
    });
    expect(await aws(['s3', 'cp', `s3://${bucket}/${key}`, '-'])).toBe(body.toString());
    expect(await filesUnder(filesRoot)).toEqual(before);
  });

  it('errors reach a catch node: msg.error.code is the connector code, msg.error.cause the whole error (type, code, retryable), the message kept', async () => {
    await load([
      { id: 'head', type: 'aws-s3', connection: 'conn', operation: 'head_object', input: { bucket }, wires: [['out']] },
      {
        id: 'bad',
        type: 'aws-s3',
        connection: 'conn',
        operation: 'put_object_text',
        input: { bucket: 'Not_A_Bucket', key: 'k' },
        wires: [['out']],
      },
      { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    ]);
    let caught = next('caught');
    helper.getNode('head').receive({ topic: 'lost?', payload: { key: 'no/such/key.txt' } });
    let msg = await caught;
    expect(msg.topic).toBe('lost?');
    expect(msg.error.source.id).toBe('head');
    expect(msg.error.code).toBe('NotFound');
    expect(msg.error.cause).toMatchObject({ type: 'not_found', code: 'NotFound', retryable: false, status: 404 });
    expect(msg.error.message).toBe(msg.error.cause.message);
    expect(msg.error.message).toContain('no/such/key.txt');

    caught = next('caught');
    helper.getNode('bad').receive({ payload: {} });
    msg = await caught;
    expect(msg.error.cause).toMatchObject({ type: 'user_input', code: 'InvalidInput', retryable: false });
    const fields = (msg.error.cause.details.problems as { field: string }[]).map((p) => p.field).sort();
    expect(fields).toEqual(['bucket', 'content']);
    expect(JSON.stringify(msg.error)).not.toContain(TEST_SECRET);
  });

  it("lookups run through the admin endpoint with the chosen config node's connection (or the editor's unsaved one); nothing but a lookup runs there", async () => {
    const key = `look/${randomBytes(4).toString('hex')}.txt`;
    await aws(['s3api', 'put-object', '--bucket', bucket, '--key', key]);
    await load([]);
    const byId = await helper
      .request()
      .post('/aws-s3/lookup')
      .send({ operation: 'list_objects_ddl', input: { bucket, search: 'look/' }, connection: 'conn' })
      .expect(200);
    expect(byId.body.ok).toBe(true);
    expect(byId.body.output.options).toContainEqual({ label: key, value: key });
    // The stored secret stands behind the editor's __PWRD__; the region comes from the draft.
    const stored = await helper
      .request()
      .post('/aws-s3/lookup')
      .send({
        operation: 'list_buckets_ddl',
        input: {},
        connection: 'conn',
        draft: {
          settings: { region: 'us-east-1', endpoint: motoEndpoint() },
          credentials: { credentials_secretAccessKey: '__PWRD__' },
        },
      })
      .expect(200);
    expect(stored.body.output.options.map((o: { value: string }) => o.value)).toContain(bucket);
    // A config node not deployed yet: the editor sends it whole.
    const { node, credentials } = connectionNode('draft');
    const draft = await helper
      .request()
      .post('/aws-s3/lookup')
      .send({
        operation: 'list_buckets_ddl',
        input: {},
        connection: 'not-deployed',
        draft: { settings: node.settings, credentials },
      })
      .expect(200);
    expect(draft.body.output.options.map((o: { value: string }) => o.value)).toContain(bucket);
    const action = await helper
      .request()
      .post('/aws-s3/lookup')
      .send({ operation: 'delete_object', input: { bucket, key }, connection: 'conn' })
      .expect(400);
    expect(action.body.error.code).toBe('NotALookup');
    expect(await aws(['s3', 'cp', `s3://${bucket}/${key}`, '-'])).toBe('');
    const tested = await helper.request().post('/aws-s3/test-connection').send({ connection: 'conn' }).expect(200);
    expect(tested.body.ok).toBe(true);
  });

  it('an operation added to a copy of the manifest appears in the admin endpoint and the palette definition, and runs', async () => {
    const root = await mkdtemp(join(tmpdir(), 'nr-manifest-'));
    try {
      await copyFile(join(repoRoot, 'connector.json'), join(root, 'connector.json'));
      await cp(join(repoRoot, 'schemas'), join(root, 'schemas'), { recursive: true });
      await writeFile(join(root, 'package.json'), '{"type": "module"}');
      const id = 'https://schemas.s3-connector.dev/aws-s3/fake_echo';
      await writeFile(
        join(root, 'schemas/fake_echo.input.json'),
        JSON.stringify({
          $schema: 'https://json-schema.org/draft/2020-12/schema',
          $id: `${id}.input.json`,
          title: 'Fake echo input',
          description: 'Echo a message.',
          type: 'object',
          additionalProperties: false,
          required: ['message'],
          properties: {
            message: { type: 'string', title: 'Message', description: 'What to echo.' },
            shout: { type: 'boolean', title: 'Shout', description: 'In capitals.', default: false, 'x-advanced': true },
          },
        }),
      );
      await writeFile(
        join(root, 'schemas/fake_echo.output.json'),
        JSON.stringify({
          $schema: 'https://json-schema.org/draft/2020-12/schema',
          $id: `${id}.output.json`,
          title: 'Fake echo output',
          description: 'The echo.',
          type: 'object',
          additionalProperties: false,
          required: ['echo'],
          properties: { echo: { type: 'string', description: 'The message.' } },
        }),
      );
      await mkdir(join(root, 'dist/operations'), { recursive: true });
      await writeFile(
        join(root, 'dist/operations/fake_echo.js'),
        'export default async (input) => ({ echo: input.shout ? input.message.toUpperCase() : input.message });\n',
      );
      const copy = JSON.parse(await readFile(join(root, 'connector.json'), 'utf8')) as Msg;
      copy.operations.push({
        name: 'fake_echo',
        title: 'Fake echo',
        description: 'Echo a message (a test operation).',
        kind: 'action',
        input: 'schemas/fake_echo.input.json',
        output: 'schemas/fake_echo.output.json',
        handler: 'operations/fake_echo',
        permissions: [],
        annotations: { readOnly: true, destructive: false, idempotent: true },
      });
      await writeFile(join(root, 'connector.json'), JSON.stringify(copy, null, 2));

      helper.settings({ awsS3Connector: { filesRoot, root } });
      await load([
        {
          id: 'echo',
          type: 'aws-s3',
          connection: 'conn',
          operation: 'fake_echo',
          input: { message: 'configured' },
          wires: [['out']],
        },
      ]);
      const listed = await helper.request().get('/aws-s3/operations').expect(200);
      const fake = (listed.body.operations as Msg[]).find((o) => o.name === 'fake_echo');
      expect(fake).toMatchObject({
        title: 'Fake echo',
        kind: 'action',
        inputSchema: { type: 'object', required: ['message'] },
      });
      const script = (await helper.request().get('/aws-s3/editor.js').expect(200)).text;
      const defs = paletteDefinitions(script);
      expect(defs['aws-s3']!.defaults.operation.validate('fake_echo')).toBe(true);
      expect(defs['aws-s3']!.label.call({ operation: 'fake_echo' })).toBe('Fake echo');

      const out = next('out');
      helper.getNode('echo').receive({ payload: { message: 'from the message', shout: true } });
      expect((await out).payload).toEqual({ echo: 'FROM THE MESSAGE' });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

// ---- a real node-red process -----------------------------------------------------------------

/** A child process whose output is watched: `waitFor` resolves when a line matching appears after `from`. */
class Watched {
  output = '';
  exited: number | null | undefined = undefined;
  private waiters: (() => void)[] = [];
  constructor(readonly child: ChildProcess) {
    const take = (chunk: Buffer) => {
      this.output += chunk.toString();
      for (const w of [...this.waiters]) w();
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    child.on('exit', (code) => {
      this.exited = code;
      for (const w of [...this.waiters]) w();
    });
  }
  waitFor(pattern: RegExp, from = 0): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (pattern.test(this.output.slice(from))) {
          this.waiters = this.waiters.filter((w) => w !== check);
          resolve();
        } else if (this.exited !== undefined) {
          this.waiters = this.waiters.filter((w) => w !== check);
          reject(new Error(`node-red exited (${this.exited}) before ${pattern}:\n${this.output.slice(-4000)}`));
        }
      };
      this.waiters.push(check);
      check();
    });
  }
}

/** Where the flow reports what it saw: each POST's JSON body, by path, as it arrives. */
class Reports {
  private got = new Map<string, Msg>();
  private waiters = new Map<string, (body: Msg) => void>();
  server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const value = JSON.parse(body) as Msg;
      this.got.set(req.url!, value);
      this.waiters.get(req.url!)?.(value);
      res.end('ok');
    });
  });
  port = 0;
  async start() {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as { port: number }).port;
  }
  url(path: string) {
    return `http://127.0.0.1:${this.port}${path}`;
  }
  next(path: string): Promise<Msg> {
    const have = this.got.get(path);
    if (have) return Promise.resolve(have);
    return new Promise((resolve) => this.waiters.set(path, resolve));
  }
  close() {
    this.server.closeAllConnections();
    return new Promise<void>((r) => this.server.close(() => r()));
  }
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('a real node-red process with the packed package in its userDir', () => {
  const bucket = uniqueBucket('nrp');
  const key = `flows/${randomBytes(4).toString('hex')}/hello.txt`;
  const CONTENT = 'Hello from a real Node-RED ✓\n';
  /** An object of the bucket's own, for the editor's key dropdown. */
  const listed = 'reports/2026/summary.csv';
  let project: ConsumerProject;
  let nodeRed: Watched;
  let admin: string;
  const reports = new Reports();
  let browser: Browser | undefined;

  async function start(userDir: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const settings = join(userDir, 'settings.js');
      await writeFile(
        settings,
        `module.exports = ${JSON.stringify(
          {
            uiHost: '127.0.0.1',
            uiPort: port,
            httpAdminRoot: '/admin',
            httpNodeRoot: '/api',
            flowFile: 'flows.json',
            credentialSecret: `lane-${randomBytes(8).toString('hex')}`,
            awsS3Connector: { filesRoot: join(userDir, 'files') },
            editorTheme: { tours: false, palette: { catalogues: [] }, projects: { enabled: false } },
            telemetry: { enabled: false, updateNotification: false },
            diagnostics: { enabled: false },
            externalModules: { autoInstall: false, palette: { allowInstall: false } },
            logging: { console: { level: 'info' } },
          },
          null,
          2,
        )};\n`,
      );
      const child = spawn(
        process.execPath,
        [require.resolve('node-red/red.js'), '--userDir', userDir, '--settings', settings],
        { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
      );
      nodeRed = new Watched(child);
      try {
        await nodeRed.waitFor(/Server now running at/);
        admin = `http://127.0.0.1:${port}/admin`;
        return;
      } catch (err) {
        if (attempt < 3 && /EADDRINUSE/.test(nodeRed.output)) continue; // the free port was taken meanwhile
        throw err;
      }
    }
  }

  beforeAll(async () => {
    await aws(['s3api', 'create-bucket', '--bucket', bucket]);
    await aws(['s3api', 'put-object', '--bucket', bucket, '--key', listed]);
    await reports.start();
    project = await consumerProject();
    await start(project.dir);
    expect(nodeRed.output).not.toMatch(/\[aws-s3\].*(error|Error)|Failed to register/);
    const conn = connectionNode('conn');
    const report = (id: string, path: string, x: number, y: number) => ({
      id,
      type: 'http request',
      z: 'tab',
      name: `report ${path}`,
      method: 'POST',
      ret: 'txt',
      paytoqs: 'ignore',
      url: reports.url(path),
      tls: '',
      persist: false,
      proxy: '',
      insecureHTTPParser: false,
      authType: '',
      senderr: false,
      headers: [],
      x,
      y,
      wires: [[]],
    });
    const flows = [
      { id: 'tab', type: 'tab', label: 'S3 lane', disabled: false, info: '' },
      { ...conn.node, credentials: conn.credentials },
      {
        id: 'go',
        type: 'inject',
        z: 'tab',
        name: 'go',
        props: [{ p: 'payload' }],
        repeat: '',
        crontab: '',
        once: false,
        onceDelay: 0.1,
        topic: '',
        payload: '{}',
        payloadType: 'json',
        x: 110,
        y: 80,
        wires: [['put']],
      },
      {
        id: 'put',
        type: 'aws-s3',
        z: 'tab',
        name: '',
        connection: 'conn',
        operation: 'put_object_text',
        input: { bucket, key, content: CONTENT },
        files: 'buffer',
        x: 290,
        y: 80,
        wires: [['reportPut', 'get']],
      },
      {
        id: 'get',
        type: 'aws-s3',
        z: 'tab',
        name: '',
        connection: 'conn',
        operation: 'get_object',
        input: { bucket, key },
        files: 'buffer',
        x: 480,
        y: 80,
        wires: [['reportGet', 'missing']],
      },
      {
        id: 'missing',
        type: 'change',
        z: 'tab',
        name: 'a key that is not there',
        rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '{"key":"flows/not-there.txt"}', tot: 'json' }],
        action: '',
        property: '',
        from: '',
        to: '',
        reg: false,
        x: 690,
        y: 80,
        wires: [['head']],
      },
      {
        id: 'head',
        type: 'aws-s3',
        z: 'tab',
        name: 'head (missing)',
        connection: 'conn',
        operation: 'head_object',
        input: { bucket },
        files: 'buffer',
        x: 900,
        y: 80,
        wires: [['reportHead']],
      },
      report('reportPut', '/put', 310, 160),
      report('reportGet', '/get', 500, 160),
      report('reportHead', '/head', 920, 160),
      {
        id: 'catcher',
        type: 'catch',
        z: 'tab',
        name: '',
        scope: ['head'],
        uncaught: false,
        x: 110,
        y: 240,
        wires: [['errorOnly']],
      },
      {
        id: 'errorOnly',
        type: 'change',
        z: 'tab',
        name: 'msg.error',
        rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'error', tot: 'msg' }],
        action: '',
        property: '',
        from: '',
        to: '',
        reg: false,
        x: 290,
        y: 240,
        wires: [['reportCaught']],
      },
      report('reportCaught', '/caught', 500, 240),
    ];
    // The empty flows it starts with have started (logged after "Server now running").
    await nodeRed.waitFor(/Started flows/);
    const from = nodeRed.output.length;
    const deployed = await fetch(`${admin}/flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
      body: JSON.stringify(flows),
    });
    expect(deployed.status).toBeLessThan(300);
    // The deploy answers before the flows have started: their start is logged.
    await nodeRed.waitFor(/Updated flows[\s\S]*Started flows/, from);
  });

  afterAll(async () => {
    await browser?.close();
    if (nodeRed) {
      await mkdir(ARTIFACTS, { recursive: true });
      await writeFile(join(ARTIFACTS, 'node-red.log'), nodeRed.output);
    }
    if (nodeRed && nodeRed.exited === undefined) {
      const gone = new Promise((r) => nodeRed.child.once('exit', r));
      nodeRed.child.kill('SIGTERM');
      await gone;
    }
    await reports.close();
    await project?.remove();
  });

  it('runs put → get → head (missing) → catch from an inject over the admin API; the aws cli reads the put object back', async () => {
    const put = reports.next('/put');
    const get = reports.next('/get');
    const caught = reports.next('/caught');
    const injected = await fetch(`${admin}/inject/go`, { method: 'POST' });
    expect(injected.status).toBe(200);

    expect(await put).toMatchObject({
      bucket,
      key,
      size: Buffer.byteLength(CONTENT),
      contentType: 'text/plain; charset=utf-8',
    });
    expect(await aws(['s3', 'cp', `s3://${bucket}/${key}`, '-'])).toBe(CONTENT);

    const got = await get;
    expect(got).toMatchObject({
      bucket,
      key,
      contentLength: Buffer.byteLength(CONTENT),
      file: { name: 'hello.txt', size: Buffer.byteLength(CONTENT) },
    });
    // A Buffer in msg.payload travels as JSON {type: "Buffer", data: [...]}.
    expect(got.file.data.type).toBe('Buffer');
    expect(Buffer.from(got.file.data.data as number[]).toString()).toBe(CONTENT);

    const error = await caught;
    expect(error.source).toMatchObject({ id: 'head', type: 'aws-s3' });
    expect(error.code).toBe('NotFound');
    expect(error.cause).toMatchObject({ type: 'not_found', code: 'NotFound', retryable: false, status: 404 });
    expect(error.message).toContain('flows/not-there.txt');

    // The credentials stayed out of the flow file, and the credentials file is encrypted.
    const flowFile = await readFile(join(project.dir, 'flows.json'), 'utf8');
    expect(flowFile).toContain('"aws-s3-connection"');
    expect(flowFile).not.toContain(TEST_SECRET);
    expect(flowFile).not.toContain(TEST_KEY_ID);
    expect(await readFile(join(project.dir, 'flows_cred.json'), 'utf8')).not.toContain(TEST_SECRET);
  });

  it('the editor renders the generated form, fills the dropdowns through the lookup endpoint and saves the input (docs/node-red-editor.png)', async () => {
    browser = await launchChromium();
    const page: Page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${admin}/`);
    await page.waitForFunction(() => (window as Msg).RED?.nodes?.node?.('get') !== undefined);
    await page.locator('.red-ui-palette-node[data-palette-type="aws-s3"]').waitFor();

    await page.evaluate(() => (window as Msg).RED.editor.edit((window as Msg).RED.nodes.node('get')));
    const row = (name: string) => page.locator(`#aws-s3-input-fields .aws-s3-field[data-path="${name}"]`);
    await row('key').waitFor();
    // The picker lists the manifest's actions (not its lookups), titled as in the manifest.
    const options = await page
      .locator('#node-input-operation option')
      .evaluateAll((els) => els.map((e) => [(e as HTMLOptionElement).value, e.textContent]));
    expect(options).toEqual(actions.map((op) => [op.name, op.title]));
    expect(await page.locator('#node-input-operation').inputValue()).toBe('get_object');
    // Required fields are marked; choices carry their titles and default; help text is the description.
    expect(await row('bucket').locator('.aws-s3-required').count()).toBe(1);
    expect(await row('as').locator('.aws-s3-required').count()).toBe(0);
    const as = JSON.parse(readFileSync(join(repoRoot, 'schemas/get_object.input.json'), 'utf8')).properties.as as {
      default: string;
      description: string;
      oneOf: { const: string; title: string }[];
    };
    expect(await row('as').locator('option').allTextContents()).toEqual(as.oneOf.map((c) => c.title));
    expect(await row('as').locator('select').inputValue()).toBe(as.default);
    expect(await row('as').locator('.aws-s3-help').textContent()).toBe(as.description);
    // Advanced fields are folded away until asked for.
    expect(await row('charset').isVisible()).toBe(false);
    expect(await page.locator('#aws-s3-input-fields .aws-s3-advanced-toggle').first().textContent()).toMatch(
      /Advanced options \(\d+\)/,
    );

    // The dropdowns: buckets from list_buckets_ddl, then keys of that bucket from list_objects_ddl.
    await row('bucket').locator('input').fill('');
    await row('bucket').locator('.aws-s3-lookup-open').click();
    await page.locator('.aws-s3-lookup-menu a', { hasText: bucket }).waitFor();
    // jQuery slides the menu open on timers: on a loaded machine the click can land where the
    // item was a frame ago (outside it, which closes the menu), so wait until it has stopped.
    await page.waitForFunction(() => (window as Msg).$(':animated').length === 0);
    await page.locator('.aws-s3-lookup-menu a', { hasText: bucket }).click();
    expect(await row('bucket').locator('input').inputValue()).toBe(bucket);
    await row('key').locator('input').fill('');
    await row('key').locator('.aws-s3-lookup-open').click();
    await page.locator('.aws-s3-lookup-menu a', { hasText: listed }).waitFor();
    expect(await page.locator('.aws-s3-lookup-menu a').allTextContents()).toContain(listed);
    await page.waitForFunction(() => (window as Msg).$(':animated').length === 0); // the list has slid open
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(repoRoot, 'docs/node-red-editor.png') });
    await page.screenshot({ path: join(ARTIFACTS, 'node-red-editor.png') });
    await page.locator('.aws-s3-lookup-menu a', { hasText: listed }).click();
    await row('as').locator('select').selectOption('text');
    await page.click('#node-dialog-ok');
    await page.waitForFunction(() => !document.querySelector('#aws-s3-input-fields'));
    expect(await page.evaluate(() => (window as Msg).RED.nodes.node('get').input)).toEqual({
      bucket,
      key: listed,
      as: 'text',
    });

    // The connection's dialog: credential kinds from the schema, the stored secret never shown.
    await page.evaluate(() => (window as Msg).RED.editor.editConfig('', 'aws-s3-connection', 'conn'));
    const field = (path: string) => page.locator(`#aws-s3-connection-fields .aws-s3-field[data-path="${path}"]`);
    await field('region').waitFor();
    expect(await field('region').locator('input').inputValue()).toBe('us-east-1');
    expect(await field('credentials').locator('select').first().inputValue()).toBe('accessKey');
    expect(await field('credentials.accessKeyId').locator('input').inputValue()).toBe(TEST_KEY_ID);
    const secret = field('credentials.secretAccessKey').locator('input');
    expect(await secret.getAttribute('type')).toBe('password');
    expect(await secret.inputValue()).toBe('__PWRD__');
    await page.click('#aws-s3-test-connection');
    await page.locator('#aws-s3-test-result', { hasText: 'Connected.' }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'node-red-connection.png') });
    expect(await page.content()).not.toContain(TEST_SECRET);

    // Saved from the form: the settings, a changed key ID, the untouched secret kept as it was.
    await field('credentials.accessKeyId').locator('input').fill('AKIAEDITEDINEDITOR');
    await page.click('#node-config-dialog-ok');
    await page.waitForFunction(() => !document.querySelector('#aws-s3-connection-fields'));
    const saved = await page.evaluate(() => {
      const n = (window as Msg).RED.nodes.node('conn');
      return { settings: n.settings, credentials: n.credentials };
    });
    expect(saved.settings).toEqual({ region: 'us-east-1', endpoint: motoEndpoint() });
    expect(saved.credentials).toMatchObject({
      credentials_type: 'accessKey',
      credentials_accessKeyId: 'AKIAEDITEDINEDITOR',
      has_credentials_secretAccessKey: true,
    });
    // Deployed from the editor, the runtime's connection still has its secret.
    const from = nodeRed.output.length;
    await page.click('#red-ui-header-button-deploy');
    await nodeRed.waitFor(/Updated flows[\s\S]*Started flows/, from);
    const lookup = await fetch(`${admin}/aws-s3/lookup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operation: 'list_buckets_ddl', input: {}, connection: 'conn' }),
    });
    const answer = (await lookup.json()) as Msg;
    expect(answer.ok, JSON.stringify(answer)).toBe(true);
    expect(await readFile(join(project.dir, 'flows.json'), 'utf8')).not.toContain('AKIAEDITEDINEDITOR');
    expect(pageErrors).toEqual([]);
  });
});
