// The generated node package inside real n8n 2.8.4, headless (npm run test:n8n: test/n8n/run.mjs
// installs n8n into .cache/n8n and the package into a fresh user folder's .n8n/nodes the way n8n
// installs a community package, then runs this file). n8n loads the package from there; the
// credentials and workflows go in with `n8n import:credentials` / `n8n import:workflow`, run
// with `n8n execute --id … --rawOutput`, and the objects they wrote are read back with the aws
// cli from a moto this file starts. No stand-in: what n8n prints is what is checked.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalS3, startMoto } from '../../src/dev/localS3.js';
import { aws, awsJson, TEST_KEY_ID, TEST_SECRET, uniqueBucket } from '../support/helpers.js';
import { cleanEnv, repoRoot, run } from '../support/packed.js';

type Any = any;

const USER_FOLDER = process.env.N8N_LANE_USER_FOLDER;
if (!USER_FOLDER)
  throw new Error('This lane runs through npm run test:n8n (test/n8n/run.mjs prepares n8n and the package).');
const N8N = join(repoRoot, '.cache', 'n8n', 'node_modules', 'n8n', 'bin', 'n8n');
const PACKAGE = 'n8n-nodes-aws-s3-connector';
const NODE_TYPE = `${PACKAGE}.awsS3Connector`;
const CREDENTIAL_ID = 'motoCredential01';
const ARTIFACTS = join(repoRoot, 'test-artifacts');

const manifest = JSON.parse(readFileSync(join(repoRoot, 'connector.json'), 'utf8')) as {
  operations: { name: string; kind: string }[];
};

/**
 * n8n's environment: the lane's user folder, a fixed encryption key, and every feature that
 * would call out (telemetry, version checks, templates, the verified-nodes list) off.
 */
function n8nEnv(): NodeJS.ProcessEnv {
  return cleanEnv({
    N8N_USER_FOLDER: USER_FOLDER!,
    N8N_ENCRYPTION_KEY: 'lane-encryption-key-not-a-secret',
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_VERIFIED_PACKAGES_ENABLED: 'false',
    N8N_HIRING_BANNER_ENABLED: 'false',
    N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
    N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
    N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
    DB_SQLITE_POOL_SIZE: '1',
    NO_COLOR: '1',
  });
}

let commands = 0;
/** Runs an n8n command to its end; what it printed is kept in test-artifacts/n8n-lane-<n>-<command>.log. */
async function n8n(args: string[]) {
  const r = await run(process.execPath, [N8N, ...args], { env: n8nEnv(), cwd: USER_FOLDER! });
  const name = `n8n-lane-${++commands}-${args[0]!.replace(/[^a-z]+/gi, '-')}.log`;
  await mkdir(ARTIFACTS, { recursive: true });
  await writeFile(
    join(ARTIFACTS, name),
    `$ n8n ${args.join(' ')}\nexit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`,
  );
  return r;
}

/**
 * `n8n execute` prints runner lines, then the run's JSON (pretty-printed: from a line `{` to a
 * line `}`), and on a failed run more log lines after it.
 */
function runOutput(stdout: string): Any {
  const lines = stdout.split('\n');
  const start = lines.indexOf('{');
  const end = lines.findIndex((l, i) => i > start && l === '}');
  if (start < 0 || end < 0) throw new Error(`no JSON in n8n's output:\n${stdout}`);
  return JSON.parse(lines.slice(start, end + 1).join('\n'));
}

function s3Node(
  id: string,
  name: string,
  x: number,
  parameters: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  return {
    id,
    name,
    type: NODE_TYPE,
    typeVersion: 1,
    position: [x, 0],
    parameters: { resource: 'object', ...parameters },
    credentials: { awsS3ConnectorApi: { id: CREDENTIAL_ID, name: 'moto' } },
    ...extra,
  };
}

function chain(names: string[]) {
  const connections: Record<string, unknown> = {};
  for (let i = 0; i < names.length - 1; i++)
    connections[names[i]!] = { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] };
  return connections;
}

function workflow(id: string, name: string, nodes: Any[]) {
  const start = {
    id: `${id}-start`,
    name: 'Start',
    type: 'n8n-nodes-base.manualTrigger',
    typeVersion: 1,
    position: [0, 0],
    parameters: {},
  };
  return {
    id,
    name,
    active: false,
    settings: { executionOrder: 'v1' },
    nodes: [start, ...nodes],
    connections: chain(['Start', ...nodes.map((n) => n.name)]),
  };
}

/** The items a node of the run put out on its first output. */
function itemsOf(result: Any, node: string): Any[] {
  const runs = result.data.resultData.runData[node];
  if (!runs) throw new Error(`${node} did not run: ${JSON.stringify(Object.keys(result.data.resultData.runData))}`);
  return runs[0].data.main[0];
}

describe(`n8n ${'2.8.4'} with the generated package (network: ${process.env.N8N_LANE_NETWORK ?? 'unknown'})`, () => {
  let moto: LocalS3;
  const bucket = uniqueBucket('n8n-lane');
  const text = `Hello from n8n ${randomBytes(4).toString('hex')}\n`;

  beforeAll(async () => {
    moto = await startMoto();
    await aws(['s3api', 'create-bucket', '--bucket', bucket], moto.endpoint);
    const credentials = [
      {
        id: CREDENTIAL_ID,
        name: 'moto',
        type: 'awsS3ConnectorApi',
        data: {
          region: 'us-east-1',
          endpoint: moto.endpoint,
          credentials_type: 'accessKey',
          credentials_accessKey_accessKeyId: TEST_KEY_ID,
          credentials_accessKey_secretAccessKey: TEST_SECRET,
        },
      },
    ];
    const file = join(USER_FOLDER, 'credentials.json');
    await writeFile(file, JSON.stringify(credentials));
    const r = await n8n(['import:credentials', `--input=${file}`]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });
  afterAll(async () => {
    await moto?.stop();
  });

  it('loads the package from .n8n/nodes: the node, its credentials and its AI tool variant are n8n node types', async () => {
    const file = join(USER_FOLDER, 'nodes.json');
    const r = await n8n(['export:nodes', `--output=${file}`]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const types = JSON.parse(readFileSync(file, 'utf8')) as Any[];
    const node = types.find((t) => t.name === NODE_TYPE);
    expect(node, 'the node type').toBeDefined();
    expect(node.credentials).toEqual([{ name: 'awsS3ConnectorApi', required: true, testedBy: 'connectorTest' }]);
    const offered = node.properties
      .filter((p: Any) => p.name === 'operation')
      .flatMap((p: Any) => p.options.map((o: Any) => o.value));
    expect(offered.sort()).toEqual(
      manifest.operations
        .filter((op) => op.kind === 'action')
        .map((op) => op.name)
        .sort(),
    );
    // usableAsTool: n8n made a tool of it for its AI agents.
    expect(
      types.find((t) => t.name === `${NODE_TYPE}Tool`),
      'the tool variant',
    ).toBeDefined();
  });

  it('runs put_object_text → get_object (binary) → put_object_file → head_object of a missing key (continue on fail); the aws cli reads the objects back', async () => {
    const wf = workflow('s3ConnectorLane1', 'S3 connector lane', [
      s3Node('put-text', 'Put text', 200, {
        operation: 'put_object_text',
        bucket,
        key: 'lane/hello.txt',
        content: text,
        additionalFields: { contentType: 'text/plain' },
      }),
      // The previous item's output feeds this node's fields through expressions.
      s3Node('get-file', 'Get file', 400, {
        operation: 'get_object',
        bucket: '={{ $json.bucket }}',
        key: '={{ $json.key }}',
      }),
      s3Node('put-file', 'Put file', 600, {
        operation: 'put_object_file',
        bucket,
        key: 'lane/copy.txt',
        binaryPropertyName: 'data',
      }),
      s3Node(
        'head-missing',
        'Head missing',
        800,
        { operation: 'head_object', bucket, key: 'lane/missing.txt' },
        { onError: 'continueRegularOutput' },
      ),
    ]);
    const file = join(USER_FOLDER, 'workflow.json');
    await writeFile(file, JSON.stringify(wf));
    const imported = await n8n(['import:workflow', `--input=${file}`]);
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
    const r = await n8n(['execute', `--id=${wf.id}`, '--rawOutput']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const result = runOutput(r.stdout);
    expect(result.data.resultData.error).toBeUndefined();

    const [put] = itemsOf(result, 'Put text');
    expect(put.json).toMatchObject({ bucket, key: 'lane/hello.txt', size: Buffer.byteLength(text) });
    const [got] = itemsOf(result, 'Get file');
    expect(got.json.file).toEqual({
      name: 'hello.txt',
      mimeType: 'text/plain',
      size: Buffer.byteLength(text),
      binaryProperty: 'data',
    });
    expect(got.binary.data).toMatchObject({ mimeType: 'text/plain', fileName: 'hello.txt' });
    const [copied] = itemsOf(result, 'Put file');
    expect(copied.json).toMatchObject({
      key: 'lane/copy.txt',
      size: Buffer.byteLength(text),
      contentType: 'text/plain',
    });
    const [missing] = itemsOf(result, 'Head missing');
    expect(Object.keys(missing.json)).toEqual(['error']);
    expect(missing.json.error).toMatchObject({ type: 'not_found', code: 'NotFound', retryable: false, status: 404 });

    expect(await aws(['s3', 'cp', `s3://${bucket}/lane/hello.txt`, '-'], moto.endpoint)).toBe(text);
    expect(await aws(['s3', 'cp', `s3://${bucket}/lane/copy.txt`, '-'], moto.endpoint)).toBe(text);
    const head = await awsJson<{ ContentType: string }>(
      ['s3api', 'head-object', '--bucket', bucket, '--key', 'lane/copy.txt'],
      moto.endpoint,
    );
    expect(head.ContentType).toBe('text/plain');
  });

  it('without continue on fail, the run stops with the NodeApiError, the structured error in its context', async () => {
    const wf = workflow('s3ConnectorLane2', 'S3 connector lane: error', [
      s3Node('head', 'Head missing', 200, { operation: 'head_object', bucket, key: 'lane/missing.txt' }),
    ]);
    const file = join(USER_FOLDER, 'workflow-error.json');
    await writeFile(file, JSON.stringify(wf));
    const imported = await n8n(['import:workflow', `--input=${file}`]);
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
    const r = await n8n(['execute', `--id=${wf.id}`, '--rawOutput']);
    expect(r.code).not.toBe(0);
    const result = runOutput(r.stdout);
    const error = result.data.resultData.error;
    expect(error.name).toBe('NodeApiError');
    expect(error.message).toMatch(/no object "lane\/missing.txt"/);
    expect(error.context.connectorError).toMatchObject({ type: 'not_found', code: 'NotFound', status: 404 });
    expect(`${r.stdout}${r.stderr}`).not.toContain(TEST_SECRET);
  });
});
