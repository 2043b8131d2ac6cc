// The Tray export (src/adapters/tray.ts, npm run export:tray): the Tray CDK project of the
// manifest, written into .cache/tray/project (git-ignored; its node_modules kept between runs),
// with the packed package as its connector dependency and @trayio/cdk-dsl / cdk-runtime 2.19.0
// installed from the registry. Its handlers, compiled by the project's own `npm run compile`,
// run in this process through @trayio/cdk-runtime's OperationExecutionGateway against moto;
// Tray's schema generator (@trayio/tray-schema, from @trayio/cdk-cli 2.19.0 installed into
// .cache/tray/cli) reads the generated types, and `tray-cdk test` runs the export's own jest tests.
// `tray-cdk build` on the whole export takes about five minutes on two cores (Tray's generator
// compiles each operation's types on its own): it runs with TRAY_CLI=1 (npm run test:tray).
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formModule } from '../../src/adapters/form.js';
import { exportTrayProject, pascalCase, TRAY_CDK_VERSION } from '../../src/adapters/tray.js';
import { loadConnector, type Connector } from '../../src/index.js';
import { FAKE_OPERATION, manifestWithFakeOperation } from '../support/fakeOperation.js';
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
import { cleanEnv, pack, repoRoot, run } from '../support/packed.js';

type Values = Record<string, unknown>;
type AnyModule = any;

const CACHE = join(repoRoot, '.cache', 'tray');
const CLI_HOME = join(CACHE, 'cli');
const CLI = join(CLI_HOME, 'node_modules', '.bin', 'tray-cdk');
const PROJECT = join(CACHE, 'project');
const TARBALL = join(CACHE, 'aws-s3-connector.tgz');
const withCli = process.env.TRAY_CLI === '1';

let connector: Connector;
let exported: string[];
let project: NodeRequire;
let gateway: AnyModule;
let s3: S3Client;
const bucket = uniqueBucket('tray');

/** The handler context Tray passes: the auth's user fields are the connection. */
const trayContext = (user: unknown = motoConnection()) => ({
  auth: { authType: 'TOKEN', authId: 'test', user, app: {} },
});

async function npm(args: string[], cwd: string): Promise<void> {
  const r = await run('npm', args, { cwd, env: cleanEnv() });
  if (r.code !== 0) throw new Error(`npm ${args.join(' ')} in ${cwd} failed (${r.code}): ${r.stderr.slice(-3000)}`);
}

/** @trayio/cdk-cli, installed once into .cache/tray/cli (a scratch folder renamed into place). */
async function installCli(): Promise<void> {
  if (existsSync(CLI)) return;
  const scratch = `${CLI_HOME}.partial-${process.pid}`;
  await rm(scratch, { recursive: true, force: true });
  await npm(
    [
      'install',
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--no-package-lock',
      '--prefix',
      scratch,
      `@trayio/cdk-cli@${TRAY_CDK_VERSION}`,
    ],
    repoRoot,
  );
  await rename(scratch, CLI_HOME).catch(async (err: NodeJS.ErrnoException) => {
    await rm(scratch, { recursive: true, force: true });
    if (!existsSync(CLI)) throw err;
  });
}

/** Tray's own schema generator (what `tray-cdk build` runs per operation) on one type of the export. */
function traySchema(dir: string, file: 'input' | 'output', type: string): Values {
  const cli = createRequire(join(CLI_HOME, 'node_modules', '@trayio', 'cdk-build', 'package.json'));
  const { TJSTraySchemaGenerator } = cli('@trayio/tray-schema/schema/TJSTraySchemaGenerator');
  const result = new TJSTraySchemaGenerator().generateFromType(type, join(dir, `${file}.ts`));
  if (result._tag !== 'Right') throw new Error(`Tray's generator failed on ${dir}/${file}.ts: ${result.left}`);
  return result.right;
}

/** A compiled handler of the export, run through the gateway as Tray's runtime runs it. */
async function execute(name: string, input: unknown, ctx: unknown = trayContext()): Promise<AnyModule> {
  const module = project(join(PROJECT, 'dist', name, 'handler.js'));
  const reference = Object.values(module)[0];
  const execution = gateway.lookup(reference, true);
  if (execution._tag !== 'Some') throw new Error(`no handler registered for ${name}`);
  return execution.value.execute(ctx, input);
}

/** An example input as Tray hands it over: a file reference as Tray's FileReference. */
function trayInput(name: string, input: Values): Values {
  const op = connector.operations({ bundled: true }).find((o) => o.name === name)!;
  const out = { ...input };
  for (const field of formModule().fileFields(op.inputSchema)) {
    const ref = input[field] as Values | undefined;
    if (ref) out[field] = { url: ref.url, name: ref.name, mime_type: ref.mimeType, expires: 0 };
  }
  return out;
}

/**
 * The cached project is one folder: two runs of this lane at once (two engineers' `npm test`)
 * take turns. The lock is a folder made atomically, held until the lane ends; one older than
 * half an hour is a crashed run's, and is taken over.
 */
const LOCK = join(CACHE, 'project.lock');
let locked = false;
async function lockProject(): Promise<void> {
  await mkdir(CACHE, { recursive: true });
  const take = async () => {
    try {
      await mkdir(LOCK);
      return true;
    } catch {
      const age = Date.now() - (await stat(LOCK).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > 30 * 60_000) await rm(LOCK, { recursive: true, force: true });
      return false;
    }
  };
  await until(take, 40 * 60_000);
  if (!existsSync(LOCK)) throw new Error(`could not lock ${PROJECT}`);
  locked = true;
}

beforeAll(async () => {
  await lockProject();
  connector = await loadConnector();
  await installCli();
  const packed = await pack(CACHE);
  await rename(packed.tarball, TARBALL);
  const result = await exportTrayProject(connector, {
    out: PROJECT,
    connectorDependency: 'file:../aws-s3-connector.tgz',
    testContext: trayContext(),
  });
  exported = result.operations;
  // The package changes with every build: installed afresh; the rest of node_modules is kept.
  await rm(join(PROJECT, 'node_modules', 'aws-s3-connector'), { recursive: true, force: true });
  await npm(['install', '--no-audit', '--no-fund'], PROJECT);
  await npm(['run', 'compile'], PROJECT);
  project = createRequire(join(PROJECT, 'package.json'));
  const { OperationExecutionGateway } = project('@trayio/cdk-runtime/connector/operation/OperationExecutionGateway');
  const { AxiosHttpClient } = project('@trayio/axios/http/AxiosHttpClient');
  const { NodeFsFileStorage } = project('@trayio/commons/file/NodeFsFileStorage');
  gateway = new OperationExecutionGateway(new AxiosHttpClient(), new NodeFsFileStorage());
  s3 = new S3Client({
    region: 'us-east-1',
    endpoint: motoEndpoint(),
    forcePathStyle: true,
    credentials: { accessKeyId: TEST_KEY_ID, secretAccessKey: TEST_SECRET },
  });
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
}, 1_200_000);

afterAll(async () => {
  if (locked) await rm(LOCK, { recursive: true, force: true });
  s3?.destroy();
  connector?.close();
  // The connector the compiled handlers loaded (through the export's node_modules).
  const loaded = project
    ? await (project(join(PROJECT, 'dist', 'connector.js')).connector() as Promise<Connector>).catch(() => undefined)
    : undefined;
  loaded?.close();
});

describe('the export, generated from the manifest', () => {
  it('has a folder per action and lookup, each with operation.json, input.ts, output.ts, handler.ts, handler.test.ts; no trigger', async () => {
    const kinds = new Map(connector.manifest.operations.map((o) => [o.name, o.kind]));
    expect(exported).toEqual(connector.manifest.operations.filter((o) => o.kind !== 'trigger').map((o) => o.name));
    const folders = (await readdir(join(PROJECT, 'src'), { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    expect(folders.sort()).toEqual([...exported].sort());
    for (const name of exported) {
      expect((await readdir(join(PROJECT, 'src', name))).sort()).toEqual([
        'handler.test.ts',
        'handler.ts',
        'input.ts',
        'operation.json',
        'output.ts',
      ]);
      const op = connector.manifest.operations.find((o) => o.name === name)!;
      expect(JSON.parse(readFileSync(join(PROJECT, 'src', name, 'operation.json'), 'utf8'))).toEqual({
        name,
        title: op.title,
        description: op.description,
      });
      expect(readFileSync(join(PROJECT, 'src', name, 'handler.ts'), 'utf8')).toContain(
        `invoke<${pascalCase(name)}Output>('${name}', ctx, input, {"kind":"${kinds.get(name)}"`,
      );
    }
    const pkg = JSON.parse(readFileSync(join(PROJECT, 'package.json'), 'utf8'));
    expect(pkg.dependencies).toEqual({
      '@trayio/cdk-dsl': TRAY_CDK_VERSION,
      '@trayio/cdk-runtime': TRAY_CDK_VERSION,
      'aws-s3-connector': 'file:../aws-s3-connector.tgz',
    });
  });

  it("names types as Tray's build does (lodash upperFirst(camelCase(name)))", () => {
    const cli = createRequire(join(CLI_HOME, 'node_modules', '@trayio', 'commons', 'package.json'));
    const { StringExtensions } = cli('@trayio/commons/string/StringExtensions');
    for (const name of [...exported, 'get_s3_object_v2', 'x_ddl'])
      expect(pascalCase(name)).toBe(StringExtensions.pascalCase(name));
  });

  it("Tray's schema generator reads the form tags: lookups with their inputs, labelled choices in order, advanced fields, defaults, formats, files", () => {
    const get = traySchema(join(PROJECT, 'src', 'get_object'), 'input', 'GetObjectInput') as AnyModule;
    expect(get.required).toEqual(['bucket', 'key']);
    expect(get.properties.bucket.lookup).toEqual({ operation: 'list_buckets_ddl', input: {}, authRequired: true });
    expect(get.properties.key.lookup).toEqual({
      operation: 'list_objects_ddl',
      input: { bucket: '{{{bucket}}}' },
      authRequired: true,
    });
    expect(get.properties.as).toMatchObject({ type: 'string', default: 'file' });
    const schema = connector.operations({ bundled: true }).find((o) => o.name === 'get_object')!
      .inputSchema as AnyModule;
    const titles = new Map(schema.properties.as.oneOf.map((b: Values) => [b.const, b.title]));
    // each value keeps its own label, whatever order the generator writes the values in
    get.properties.as.enum.forEach((value: string, i: number) =>
      expect(get.properties.as.enumLabels[i]).toBe(titles.get(value)),
    );
    expect(get.advanced).toEqual(expect.arrayContaining(['charset', 'versionId', 'range']));
    expect(get.advanced).not.toContain('as');
    expect(get.properties.ifModifiedSince.format).toBe('datetime');
    expect(get.properties.maxInlineBytes).toMatchObject({ type: 'integer', minimum: 1 });
    expect(get.additionalProperties).toBe(false);
    const put = traySchema(join(PROJECT, 'src', 'put_object_text'), 'input', 'PutObjectTextInput') as AnyModule;
    expect(put.properties.content.format).toBe('text');
    expect(put.properties.metadata).toMatchObject({ type: 'object', additionalProperties: { type: 'string' } });
    const file = traySchema(join(PROJECT, 'src', 'put_object_file'), 'input', 'PutObjectFileInput') as AnyModule;
    expect(file.properties.file).toMatchObject({ type: 'object', format: 'file', required: ['name', 'url'] });
    const ddl = traySchema(join(PROJECT, 'src', 'list_objects_ddl'), 'output', 'ListObjectsDdlOutput') as AnyModule;
    expect(ddl.properties.result.items.required).toEqual(['text', 'value']);
  });
});

describe("in process, through @trayio/cdk-runtime's OperationExecutionGateway, against moto", () => {
  it("runs each example of every action's input schema", async () => {
    const actions = (await operationExamples()).filter(
      ({ name }) => connector.manifest.operations.find((o) => o.name === name)?.kind === 'action',
    );
    const ran = new Set<string>();
    for (const { name, examples } of actions) {
      for (const example of examples) {
        // As in the Activepieces lane: a bucket of its own per example; one the store refuses
        // there (a bucket to create that exists) runs again on a bucket name nobody has yet.
        const own = uniqueBucket('tray-ex');
        await s3.send(new CreateBucketCommand({ Bucket: own }));
        const input = retarget(example, { bucket: own });
        await putObjects(own, keysOf(input));
        let result = await execute(name, trayInput(name, input));
        if (result.isFailure && result.error._tag === 'ApiError')
          result = await execute(name, trayInput(name, retarget(example, { bucket: uniqueBucket('tray-new') })));
        expect(result.isFailure ? `${name}: ${result.error._tag} ${result.error.message}` : 'success').toBe('success');
        ran.add(name);
      }
    }
    expect(ran.size).toBe(actions.length);
  });

  it('a lookup is a Tray DDL: { result: [{ text, value }] }', async () => {
    await putObjects(bucket, ['ddl/a.txt', 'ddl/b.txt']);
    const keys = await execute('list_objects_ddl', { bucket, search: 'ddl/' });
    expect(keys.isSuccess).toBe(true);
    expect(keys.value).toEqual({
      result: [
        { text: 'ddl/a.txt', value: 'ddl/a.txt' },
        { text: 'ddl/b.txt', value: 'ddl/b.txt' },
      ],
    });
    const buckets = await execute('list_buckets_ddl', {});
    expect(buckets.value.result).toContainEqual({ text: bucket, value: bucket });
  });

  it("a Tray file goes in as the connector's file reference, and the object lands", async () => {
    const result = await execute('put_object_file', {
      bucket,
      key: 'tray/in.csv',
      file: { url: 'data:text/csv;base64,YSxiCjEsMgo=', name: 'in.csv', mime_type: 'text/csv', expires: 0 },
    });
    expect(result.value).toMatchObject({ key: 'tray/in.csv', size: 8, contentType: 'text/csv' });
    expect(await aws(['s3', 'cp', `s3://${bucket}/tray/in.csv`, '-'])).toBe('a,b\n1,2\n');
  });

  it("errors: the store's answer is an ApiError, bad input a UserInputError, each with the connector's structured error", async () => {
    const missing = await execute('head_object', { bucket, key: 'missing.txt' });
    expect(missing.isFailure).toBe(true);
    expect(missing.error).toMatchObject({
      _tag: 'ApiError',
      message: expect.stringMatching(/missing\.txt/),
      response: { error: { type: 'not_found', code: 'NotFound', retryable: false } },
    });
    const bad = await execute('put_object_text', { bucket: 'Bad_Bucket', content: 'x' });
    expect(bad.error).toMatchObject({
      _tag: 'UserInputError',
      response: { error: { type: 'user_input', code: 'InvalidInput' } },
    });
    expect(bad.error.response.error.details.problems.map((p: Values) => p.field).sort()).toEqual(['bucket', 'key']);
    const noAuth = await execute('list_buckets', {}, {});
    expect(noAuth.error).toMatchObject({ _tag: 'UserInputError', message: expect.stringMatching(/no S3 connection/i) });
    const refused = await execute(
      'list_buckets',
      {},
      trayContext({ ...motoConnection(), endpoint: 'http://127.0.0.1:9', maxAttempts: 1 }),
    );
    expect(refused.error).toMatchObject({
      _tag: 'ApiError',
      response: { error: { type: 'network', retryable: true } },
    });
  });
});

describe('nothing per operation', () => {
  it("an operation added to a copy of the manifest is exported, and Tray's generator reads its form", async () => {
    const fake = await manifestWithFakeOperation('tray-manifest-');
    const out = await mkdtemp(join(tmpdir(), 'tray-export-'));
    const copy = await loadConnector({ root: fake.root });
    try {
      const result = await exportTrayProject(copy, { out });
      expect(result.operations).toContain(FAKE_OPERATION);
      expect(exported).not.toContain(FAKE_OPERATION);
      const dir = join(out, 'src', FAKE_OPERATION);
      expect(JSON.parse(readFileSync(join(dir, 'operation.json'), 'utf8'))).toEqual({
        name: FAKE_OPERATION,
        title: 'Fake echo',
        description: 'Echo a message (a test operation).',
      });
      expect(readFileSync(join(dir, 'handler.ts'), 'utf8')).toContain(
        `invoke<FakeEchoOutput>('${FAKE_OPERATION}', ctx, input,`,
      );
      expect(readFileSync(join(dir, 'handler.test.ts'), 'utf8')).toContain('"message": "hello"');
      const input = traySchema(dir, 'input', 'FakeEchoInput') as AnyModule;
      expect(input).toMatchObject({
        required: ['message'],
        advanced: ['shout'],
        properties: { message: { title: 'Message', type: 'string' }, shout: { default: false, type: 'boolean' } },
      });
      expect(traySchema(dir, 'output', 'FakeEchoOutput')).toMatchObject({ required: ['echo'] });
    } finally {
      copy.close();
      await fake.remove();
      await rm(out, { recursive: true, force: true });
    }
  });
});

describe("Tray's CLI (@trayio/cdk-cli 2.19.0) on the export", () => {
  it.runIf(withCli)(
    "tray-cdk build (TRAY_CLI=1: npm run test:tray) generates every operation's schemas and the connector package",
    async () => {
      const r = await run(CLI, ['build'], { cwd: PROJECT, env: cleanEnv() });
      expect(r.code, r.stderr.slice(-3000)).toBe(0);
      expect(r.stdout).toMatch(/Connector Build Finished/);
      for (const name of exported) {
        for (const file of ['input.json', 'output.json'])
          expect(existsSync(join(PROJECT, 'src', name, file)), `${name}/${file}`).toBe(true);
      }
      expect(existsSync(join(PROJECT, 'dist', 'connector.zip'))).toBe(true);
      const built = JSON.parse(readFileSync(join(PROJECT, 'src', 'get_object', 'input.json'), 'utf8'));
      expect(built.properties.key.lookup.operation).toBe('list_objects_ddl');
    },
    1_800_000,
  );

  it("tray-cdk test compiles the export and runs every operation's handler test with jest, against moto", async () => {
    const r = await run(CLI, ['test'], { cwd: PROJECT, env: cleanEnv() });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.code, out.slice(-4000)).toBe(0);
    expect(out).toMatch(/Tests ran successfully/);
    expect(out).toMatch(new RegExp(`Test Suites: ${exported.length} passed, ${exported.length} total`));
  }, 1_800_000);
});
