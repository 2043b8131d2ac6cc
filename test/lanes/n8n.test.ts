// The n8n community node package generated from the manifest (n8n/generate.mjs), in process:
// its package.json, its node description and credentials type checked against n8n-workflow's
// types (tsc) and read by n8n-workflow's own parameter logic, the mapping of each schema shape,
// an operation added to a temp copy of the manifest, and `execute` run against moto through a
// minimal stand-in for n8n's IExecuteFunctions (test/n8n/standIn.ts). The stand-in is not n8n:
// the real runtime is the real-n8n lane (npm run test:n8n), which loads the package into n8n
// 2.8.4 and runs a workflow with it.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_OPERATION, manifestWithFakeOperation } from '../support/fakeOperation.js';
import { aws, awsJson, motoEndpoint, TEST_KEY_ID, TEST_SECRET, uniqueBucket } from '../support/helpers.js';
import { repoRoot } from '../support/packed.js';
import {
  CREDENTIALS_FILE,
  execute,
  type GeneratedPackage,
  generatedPackage,
  NODE_FILE,
  PACKAGE_NAME,
  standIn,
} from '../n8n/standIn.js';

const run = promisify(execFile);
type Any = any;

interface Manifest {
  operations: { name: string; kind: string; input: string }[];
}
const manifest = JSON.parse(readFileSync(join(repoRoot, 'connector.json'), 'utf8')) as Manifest;
const actions = manifest.operations.filter((op) => op.kind === 'action');

if (!existsSync(join(repoRoot, 'dist/src/cjs/index.cjs')))
  throw new Error('dist/ is missing: run `npm run build` first (npm test does).');

/** The properties shown for an operation (n8n's displayOptions: resource and operation). */
function shownFor(p: GeneratedPackage, operation: string): Any[] {
  return p.node.description.properties.filter((prop: Any) => prop.displayOptions?.show?.operation?.includes(operation));
}

function property(p: GeneratedPackage, operation: string, name: string): Any {
  const found = shownFor(p, operation).find((prop) => prop.name === name);
  if (!found) throw new Error(`${operation} has no property ${name}`);
  return found;
}

function additional(p: GeneratedPackage, operation: string, name: string): Any {
  const found = property(p, operation, 'additionalFields').options.find((o: Any) => o.name === name);
  if (!found) throw new Error(`${operation}'s Additional Fields have no ${name}`);
  return found;
}

function credentialsOf(endpoint = motoEndpoint()): Record<string, string> {
  return {
    region: 'us-east-1',
    endpoint,
    credentials_type: 'accessKey',
    credentials_accessKey_accessKeyId: TEST_KEY_ID,
    credentials_accessKey_secretAccessKey: TEST_SECRET,
  };
}

describe('n8n community node package (generated from the manifest)', () => {
  let p: GeneratedPackage;
  beforeAll(async () => {
    p = await generatedPackage();
  });
  afterAll(async () => {
    await p?.remove();
  });

  it('is an n8n community package: name, keyword, the n8n section naming files that exist, the connector as its dependency', () => {
    const own = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    expect(p.pkg.name).toBe(PACKAGE_NAME);
    expect(p.pkg.name).toMatch(/^n8n-nodes-/);
    expect(p.pkg.keywords).toContain('n8n-community-node-package');
    expect(p.pkg.n8n).toEqual({ n8nNodesApiVersion: 1, credentials: [CREDENTIALS_FILE], nodes: [NODE_FILE] });
    for (const file of [...p.pkg.n8n.credentials, ...p.pkg.n8n.nodes]) expect(existsSync(join(p.out, file))).toBe(true);
    expect(p.pkg.dependencies).toEqual({ 'aws-s3-connector': own.version });
    expect(p.pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
    const written = JSON.parse(readFileSync(join(p.out, 'package.json'), 'utf8'));
    expect(written).toEqual(p.pkg);
    // n8n finds a node's class by its file's name, and its icon next to it.
    expect(p.node.description.name).toBe('awsS3Connector');
    expect(p.credentials.name).toBe('awsS3ConnectorApi');
    expect(
      existsSync(join(p.out, 'dist/nodes/AwsS3Connector', p.node.description.icon!.toString().replace('file:', ''))),
    ).toBe(true);
  });

  it('type-checks against n8n-workflow: the description as INodeTypeDescription, the credentials as ICredentialType', async () => {
    const { properties, displayName, name, documentationUrl, icon } = p.credentials;
    const source = [
      "import type { ICredentialType, INodeTypeDescription } from 'n8n-workflow';",
      `export const description = ${JSON.stringify(p.node.description)} satisfies INodeTypeDescription;`,
      `export const credentials = ${JSON.stringify({ name, displayName, documentationUrl, icon, properties })} satisfies ICredentialType;`,
      // And a deliberate mistake, so the check is shown to be able to fail.
      '// @ts-expect-error an options property needs options of { name, value }',
      "export const wrong = { displayName: 'X', name: 'x', type: 'options', default: '', options: [{ label: 'a' }] } satisfies INodeTypeDescription['properties'][number];",
    ].join('\n');
    const file = join(p.dir, 'description.ts');
    await writeFile(file, source);
    const tsc = join(repoRoot, 'node_modules', '.bin', 'tsc');
    const args = [
      '--noEmit',
      '--strict',
      '--skipLibCheck',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--types',
      'node',
      '--typeRoots',
      join(repoRoot, 'node_modules', '@types'),
      file,
    ];
    const result = await run(tsc, args, { cwd: p.dir }).then(
      () => ({ code: 0, out: '' }),
      (err: Any) => ({ code: err.code as number, out: `${err.stdout}${err.stderr}` }),
    );
    expect(result.out).toBe('');
    expect(result.code).toBe(0);
  });

  it("is read by n8n-workflow's parameter logic: defaults, the operation's fields, required ones flagged", () => {
    const { NodeHelpers } = p.workflow;
    const d = p.node.description;
    const node = {
      id: 'n',
      name: 'S3',
      type: `${PACKAGE_NAME}.awsS3Connector`,
      typeVersion: 1,
      position: [0, 0] as [number, number],
      parameters: {},
    };
    for (const op of actions) {
      const resource = d.properties.find(
        (prop: Any) => prop.name === 'operation' && prop.options.some((o: Any) => o.value === op.name),
      )!.displayOptions!.show!.resource![0];
      const params = NodeHelpers.getNodeParameters(
        d.properties,
        { resource, operation: op.name },
        true,
        false,
        node,
        d,
      )!;
      expect(params.operation).toBe(op.name);
      const input = JSON.parse(readFileSync(join(repoRoot, op.input), 'utf8'));
      for (const field of input.required ?? []) {
        const shown = Object.keys(params);
        expect(
          shown.includes(field) || shown.includes('binaryPropertyName') || shown.includes(`${field}Value`),
          `${op.name}.${field}`,
        ).toBe(true);
      }
      // Nothing of another operation is in this one's parameters.
      for (const name of Object.keys(params))
        expect(['resource', 'operation', ...shownFor(p, op.name).map((x) => x.name)]).toContain(name);
    }
    const putText = { resource: 'object', operation: 'put_object_text' };
    const missing = NodeHelpers.getNodeParametersIssues(
      d.properties,
      { ...node, parameters: NodeHelpers.getNodeParameters(d.properties, putText, true, false, node, d)! },
      d,
    );
    expect(Object.keys(missing?.parameters ?? {}).sort()).toEqual(['bucket', 'content', 'key']);
    const filled = NodeHelpers.getNodeParameters(
      d.properties,
      { ...putText, bucket: 'b', key: 'k', content: 'x' },
      true,
      false,
      node,
      d,
    )!;
    expect(NodeHelpers.getNodeParametersIssues(d.properties, { ...node, parameters: filled }, d)).toBeNull();
    // minItems as n8n's row count: delete_objects without a row is an issue n8n shows.
    const deletion = { resource: 'object', operation: 'delete_objects', bucket: 'b' };
    const rows = (objects: unknown) =>
      NodeHelpers.getNodeParameters(d.properties, { ...deletion, objects } as Any, true, false, node, d)!;
    expect(
      NodeHelpers.getNodeParametersIssues(d.properties, { ...node, parameters: rows({}) }, d)?.parameters?.objects,
    ).toEqual(['At least 1 field is required.']);
    expect(
      NodeHelpers.getNodeParametersIssues(d.properties, { ...node, parameters: rows({ items: [{ key: 'k' }] }) }, d),
    ).toBeNull();
  });

  it('maps the schemas as the issue lists: choices, lookups, bounds, dates, placeholders, Additional Fields, rows, JSON, files', () => {
    const d = p.node.description;
    expect(d.usableAsTool).toBe(true);
    expect(d.credentials).toEqual([{ name: 'awsS3ConnectorApi', required: true, testedBy: 'connectorTest' }]);
    // Every action is an operation of one resource; lookups and triggers are not.
    const offered = d.properties
      .filter((prop: Any) => prop.name === 'operation')
      .flatMap((prop: Any) => prop.options.map((o: Any) => o.value));
    expect(offered.sort()).toEqual(actions.map((op) => op.name).sort());
    expect(d.properties.find((prop: Any) => prop.name === 'resource')!.options!.map((o: Any) => o.value)).toEqual(
      expect.arrayContaining(['bucket', 'object']),
    );

    // Required fields at the top, every other field in the operation's Additional Fields (so unset stays unset).
    for (const op of actions) {
      const input = JSON.parse(readFileSync(join(repoRoot, op.input), 'utf8'));
      const required: string[] = input.required ?? [];
      const extra = shownFor(p, op.name).find((x) => x.name === 'additionalFields');
      for (const field of Object.keys(input.properties)) {
        if (required.includes(field)) continue;
        expect(
          extra?.options.map((o: Any) => o.name),
          `${op.name}.${field}`,
        ).toContain(field);
      }
    }
    // oneOf of const + title → options; a choice's default kept.
    const as = additional(p, 'get_object', 'as');
    expect(as.type).toBe('options');
    expect(as.options.map((o: Any) => o.value)).toEqual(['file', 'text', 'base64']);
    expect(as.options[0].name).toBe('File (any size)');
    expect(as.default).toBe('file');
    // x-lookup → loadOptionsMethod (the lookup operation) with its dependsOn, methods for each lookup.
    expect(property(p, 'get_object', 'bucket')).toMatchObject({
      type: 'options',
      required: true,
      typeOptions: { loadOptionsMethod: 'list_buckets_ddl' },
    });
    expect(property(p, 'get_object', 'key')).toMatchObject({
      type: 'options',
      typeOptions: { loadOptionsMethod: 'list_objects_ddl', loadOptionsDependsOn: ['bucket'] },
    });
    expect(Object.keys(p.node.methods!.loadOptions!).sort()).toEqual(
      manifest.operations
        .filter((op) => op.kind === 'lookup')
        .map((op) => op.name)
        .sort(),
    );
    // Bounds, integers, dates, placeholders from examples, multi-line text, secrets.
    expect(additional(p, 'get_object', 'maxInlineBytes')).toMatchObject({
      type: 'number',
      default: 5242880,
      typeOptions: { minValue: 1, maxValue: 52428800, numberPrecision: 0 },
    });
    expect(additional(p, 'head_object', 'ifModifiedSince').type).toBe('dateTime');
    expect(additional(p, 'get_object', 'range').placeholder).toBe('bytes=0-1023');
    expect(property(p, 'put_object_text', 'content')).toMatchObject({
      type: 'string',
      required: true,
      typeOptions: { rows: 4 },
    });
    // An object of free names to strings → name / value rows.
    const metadata = additional(p, 'put_object_text', 'metadata');
    expect(metadata).toMatchObject({ type: 'fixedCollection', typeOptions: { multipleValues: true } });
    expect(metadata.options[0].values.map((v: Any) => v.name)).toEqual(['name', 'value']);
    // An array of objects of simple fields → rows with those fields (a lookup among them).
    const objects = property(p, 'delete_objects', 'objects');
    expect(objects).toMatchObject({
      type: 'fixedCollection',
      required: true,
      typeOptions: { multipleValues: true, minRequiredFields: 1, maxAllowedFields: 100000 },
    });
    expect(objects.options[0].values.map((v: Any) => v.name)).toEqual(['key', 'versionId']);
    expect(objects.options[0].values[0].typeOptions).toMatchObject({
      loadOptionsMethod: 'list_objects_ddl',
      loadOptionsDependsOn: ['bucket'],
    });
    // What rows cannot hold (grants: items with a oneOf of grantee kinds) is JSON.
    expect(additional(p, 'put_object_acl', 'grants').type).toBe('json');
    // Files: the input item's binary property in, a binary property of the output item out.
    expect(property(p, 'put_object_file', 'binaryPropertyName')).toMatchObject({
      type: 'string',
      default: 'data',
      required: true,
    });
    expect(property(p, 'get_object', 'binaryPropertyOutput')).toMatchObject({ type: 'string', default: 'data' });
  });

  it('has a credentials type from connection.json: a kind picker, each kind its own fields (distinct names), secrets as passwords', () => {
    const props = p.credentials.properties as Any[];
    const byName = (n: string) => props.find((x) => x.name === n);
    const kind = byName('credentials_type');
    expect(kind.type).toBe('options');
    expect(kind.options.map((o: Any) => o.value)).toEqual(['accessKey', 'assumeRole', 'defaultChain', 'anonymous']);
    expect(kind.default).toBe('defaultChain');
    expect(byName('region')).toMatchObject({ type: 'string', required: true, placeholder: 'us-east-1' });
    expect(byName('credentials_accessKey_accessKeyId').displayOptions).toEqual({
      show: { credentials_type: ['accessKey'] },
    });
    expect(byName('credentials_assumeRole_accessKeyId').displayOptions).toEqual({
      show: { credentials_type: ['assumeRole'] },
    });
    for (const secret of [
      'credentials_accessKey_secretAccessKey',
      'credentials_accessKey_sessionToken',
      'credentials_assumeRole_secretAccessKey',
    ]) {
      expect(byName(secret).typeOptions).toEqual({ password: true });
    }
    expect(byName('credentials_assumeRole_durationSeconds')).toMatchObject({
      type: 'number',
      default: 3600,
      typeOptions: { minValue: 900, maxValue: 43200 },
    });
    // A boolean whose absence means "detect" cannot be a checkbox.
    expect(byName('capabilities_versioning').options.map((o: Any) => o.value)).toEqual(['', 'true', 'false']);
    expect(new Set(props.map((x) => x.name)).size).toBe(props.length);
  });
});

describe('an operation added to a temp copy of the manifest', () => {
  it('is in the generated node (its resource, operation and fields) and runs, with nothing written for it', async () => {
    const fake = await manifestWithFakeOperation('n8n-fake-');
    const plain = await generatedPackage();
    const p = await generatedPackage({ root: fake.root });
    try {
      const offered = (q: GeneratedPackage) =>
        q.node.description.properties
          .filter((x: Any) => x.name === 'operation')
          .flatMap((x: Any) => x.options.map((o: Any) => o.value));
      expect(offered(plain)).not.toContain(FAKE_OPERATION);
      expect(offered(p)).toContain(FAKE_OPERATION);
      expect(p.node.description.properties.find((x: Any) => x.name === 'resource')!.options).toContainEqual({
        name: 'Echo',
        value: 'echo',
      });
      expect(property(p, FAKE_OPERATION, 'message')).toMatchObject({
        type: 'string',
        required: true,
        displayOptions: { show: { resource: ['echo'], operation: [FAKE_OPERATION] } },
      });
      expect(additional(p, FAKE_OPERATION, 'shout')).toMatchObject({ type: 'boolean', default: false });
      const out = await execute(p, {
        parameters: {
          resource: 'echo',
          operation: FAKE_OPERATION,
          message: 'hello',
          additionalFields: { shout: true },
        },
        credentials: credentialsOf(),
      });
      expect(out).toEqual([{ json: { echo: 'HELLO' }, pairedItem: { item: 0 } }]);
    } finally {
      await Promise.all([p.remove(), plain.remove(), fake.remove()]);
    }
  });
});

describe('execute against moto (a stand-in for IExecuteFunctions; the real n8n is npm run test:n8n)', () => {
  let p: GeneratedPackage;
  const bucket = uniqueBucket('n8n');
  beforeAll(async () => {
    p = await generatedPackage();
    await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  });
  afterAll(async () => {
    await p?.remove();
  });
  const credentials = () => credentialsOf();

  it('put_object_text writes the text with metadata rows; the aws cli reads it back', async () => {
    const out = await execute(p, {
      parameters: {
        resource: 'object',
        operation: 'put_object_text',
        bucket,
        key: 'notes/hello.txt',
        content: 'Hello from n8n\n',
        additionalFields: { contentType: 'text/plain', metadata: { entries: [{ name: 'source', value: 'n8n' }] } },
      },
      credentials: credentials(),
    });
    expect(out).toHaveLength(1);
    expect(out[0]!.json).toMatchObject({ bucket, key: 'notes/hello.txt', size: 15 });
    expect(await aws(['s3', 'cp', `s3://${bucket}/notes/hello.txt`, '-'])).toBe('Hello from n8n\n');
    const head = await awsJson<{ Metadata: Record<string, string>; ContentType: string }>([
      's3api',
      'head-object',
      '--bucket',
      bucket,
      '--key',
      'notes/hello.txt',
    ]);
    expect(head.Metadata).toEqual({ source: 'n8n' });
    expect(head.ContentType).toBe('text/plain');
  });

  it('get_object as a file gives n8n binary data through the FileStore bridge; put_object_file uploads it from the binary property', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 10, 13]);
    await writeFile(join(p.dir, 'blob.bin'), bytes);
    await aws([
      's3',
      'cp',
      join(p.dir, 'blob.bin'),
      `s3://${bucket}/in/blob.bin`,
      '--content-type',
      'application/x-test',
    ]);
    const [got] = await execute(p, {
      parameters: {
        resource: 'object',
        operation: 'get_object',
        bucket,
        key: 'in/blob.bin',
        binaryPropertyOutput: 'payload',
      },
      credentials: credentials(),
    });
    expect(Buffer.from(got!.binary!.payload!.data, 'base64')).toEqual(bytes);
    expect(got!.binary!.payload).toMatchObject({
      mimeType: 'application/x-test',
      fileName: 'blob.bin',
      fileExtension: 'bin',
    });
    expect(got!.json.file).toEqual({
      name: 'blob.bin',
      mimeType: 'application/x-test',
      size: bytes.length,
      binaryProperty: 'payload',
    });

    const [put] = await execute(p, {
      parameters: {
        resource: 'object',
        operation: 'put_object_file',
        bucket,
        key: 'out/copy.bin',
        binaryPropertyName: 'payload',
      },
      items: [got!],
      credentials: credentials(),
    });
    expect(put!.json).toMatchObject({ key: 'out/copy.bin', size: bytes.length, contentType: 'application/x-test' });
    await aws(['s3', 'cp', `s3://${bucket}/out/copy.bin`, join(p.dir, 'copy.bin')]);
    expect(readFileSync(join(p.dir, 'copy.bin'))).toEqual(bytes);
  });

  it('runs each item with its own parameters, linking outputs to inputs', async () => {
    const keys = ['many/a.txt', 'many/b.txt', 'many/c.txt'];
    const out = await execute(p, {
      parameters: (i) => ({
        resource: 'object',
        operation: 'put_object_text',
        bucket,
        key: keys[i]!,
        content: `item ${i}`,
      }),
      items: keys.map(() => ({ json: {} })),
      credentials: credentials(),
    });
    expect(out.map((o) => [o.json.key, o.pairedItem])).toEqual(keys.map((k, i) => [k, { item: i }]));
    expect(await aws(['s3', 'cp', `s3://${bucket}/many/c.txt`, '-'])).toBe('item 2');
  });

  it("a store error is a NodeApiError carrying the structured error; with continueOnFail it is the item's JSON", async () => {
    const parameters = { resource: 'object', operation: 'head_object', bucket, key: 'missing.txt' };
    const err: Any = await execute(p, { parameters, credentials: credentials() }).then(
      () => undefined,
      (e) => e,
    );
    expect(err).toBeInstanceOf(p.workflow.NodeApiError);
    expect(err.httpCode).toBe('404');
    expect(err.message).toMatch(/no object "missing.txt"/);
    expect(err.context.connectorError).toMatchObject({
      type: 'not_found',
      code: 'NotFound',
      retryable: false,
      status: 404,
    });
    expect(err.context.itemIndex).toBe(0);

    const out = await execute(p, {
      parameters,
      credentials: credentials(),
      continueOnFail: true,
      items: [{ json: {} }, { json: {} }],
    });
    expect(out).toHaveLength(2);
    const { requestId: _, ...expected } = err.context.connectorError;
    expect(out[1]).toEqual({
      json: { error: { ...expected, requestId: expect.any(String) } },
      pairedItem: { item: 1 },
    });
    // n8n routes such an item to the error output: its JSON holds `error` and nothing else.
    expect(Object.keys(out[0]!.json)).toEqual(['error']);
  });

  it('a mistake in the input is a NodeOperationError naming each problem, before anything is sent', async () => {
    const err: Any = await execute(p, {
      parameters: {
        resource: 'object',
        operation: 'put_object_text',
        bucket: 'Bad_Bucket',
        key: 'k',
        content: 'x',
        additionalFields: { partSizeMb: 1 },
      },
      credentials: credentials(),
    }).then(
      () => undefined,
      (e) => e,
    );
    expect(err).toBeInstanceOf(p.workflow.NodeOperationError);
    expect(err.context.connectorError).toMatchObject({ type: 'user_input', code: 'InvalidInput' });
    expect(err.description).toMatch(/^user_input \(InvalidInput\)/);
    expect(err.description).toMatch(/bucket "Bad_Bucket" is not valid/);
    // A missing binary property is n8n's own check, as the item's error under continueOnFail.
    const [item] = await execute(p, {
      parameters: {
        resource: 'object',
        operation: 'put_object_file',
        bucket,
        key: 'x.bin',
        binaryPropertyName: 'nothing',
      },
      credentials: credentials(),
      continueOnFail: true,
    });
    expect(item!.json.error).toMatchObject({ type: 'user_input', code: 'NodeParameter' });
    expect((item!.json.error as Any).message).toMatch(/binary file 'nothing'/);
  });

  it("dateTime parameters are the workflow's wall-clock time, sent as RFC 3339", async () => {
    const { toRfc3339 } = (await import(join(p.out, 'dist/lib/node.cjs'))) as Any;
    expect(toRfc3339('2026-01-31T12:00:00', 'Europe/Berlin')).toBe('2026-01-31T11:00:00.000Z');
    expect(toRfc3339('2026-07-31T12:00:00', 'Europe/Berlin')).toBe('2026-07-31T10:00:00.000Z');
    expect(toRfc3339('2026-01-31T12:00:00Z', 'Europe/Berlin')).toBe('2026-01-31T12:00:00Z');
    const [item] = await execute(p, {
      parameters: {
        resource: 'object',
        operation: 'head_object',
        bucket,
        key: 'notes/hello.txt',
        additionalFields: { ifUnmodifiedSince: '2000-01-01T00:00:00' },
      },
      credentials: credentials(),
      continueOnFail: true,
      timezone: 'Europe/Berlin',
    });
    // A valid date reached the store, which refused the condition.
    expect(item!.json.error).toMatchObject({ type: 'precondition_failed' });
  });

  it('lookups fill dropdowns with the dependsOn fields of the node being edited', async () => {
    const { fns } = standIn(p, {
      parameters: { resource: 'object', operation: 'get_object', bucket },
      credentials: credentials(),
    });
    const buckets = await p.node.methods!.loadOptions!.list_buckets_ddl!.call(fns);
    expect(buckets).toContainEqual({ name: bucket, value: bucket });
    const keys = await p.node.methods!.loadOptions!.list_objects_ddl!.call(fns);
    expect(keys.map((o: Any) => o.value)).toEqual(expect.arrayContaining(['notes/hello.txt', 'in/blob.bin']));
    // A bucket given as an expression has no value while editing: the lookup says what it needs.
    const { fns: withExpression } = standIn(p, {
      parameters: { resource: 'object', operation: 'get_object', bucket: '={{ $json.bucket }}' },
      credentials: credentials(),
    });
    const err: Any = await p.node.methods!.loadOptions!.list_objects_ddl!.call(withExpression).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(p.workflow.NodeOperationError);
    expect(err.message).toMatch(/bucket is required/);
  });

  it("cancelling the execution cancels the call (n8n's execution cancel signal)", async () => {
    const { fns, controller } = standIn(p, {
      parameters: { resource: 'object', operation: 'put_object_text', bucket, key: 'cancelled.txt', content: 'never' },
      credentials: credentials(),
    });
    controller.abort();
    const err: Any = await p.node.execute.call(fns).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err?.context?.connectorError).toMatchObject({ code: 'Cancelled', retryable: false });
    const listed = await awsJson<{ Contents?: { Key: string }[] }>([
      's3api',
      'list-objects-v2',
      '--bucket',
      bucket,
      '--prefix',
      'cancelled',
    ]);
    expect(listed.Contents ?? []).toEqual([]);
  });

  it("the credentials dialog's test runs testConnection", async () => {
    const test = p.node.methods!.credentialTest!.connectorTest!;
    const ok = await test.call({} as Any, { id: 'c', name: 'moto', type: 'awsS3ConnectorApi', data: credentials() });
    expect(ok).toEqual({ status: 'OK', message: 'Connection tested successfully' });
    const closed = { ...credentialsOf('http://127.0.0.1:9'), maxAttempts: 1 };
    const bad = await test.call({} as Any, { id: 'c', name: 'closed', type: 'awsS3ConnectorApi', data: closed });
    expect(bad.status).toBe('Error');
    expect(bad.message).toMatch(/ECONNREFUSED/);
  });
});
