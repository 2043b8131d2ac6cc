// The Activepieces piece (src/adapters/activepieces.ts), tested the way Activepieces tests its
// own pieces (no engine is published): the framework's createMockActionContext runs every action
// against the local moto with the examples of its input schema, the auth's validate and the
// dropdowns' option loaders are called as the builder calls them, and the piece's metadata is
// checked with the framework's own PieceMetadata schema.
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  ApFile,
  createMockActionContext,
  PieceMetadata,
  PropertyType,
  type Piece,
} from '@activepieces/pieces-framework';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authProps, ConnectorStepError, createS3Piece } from '../../src/adapters/activepieces.js';
import { formModule } from '../../src/adapters/form.js';
import { loadConnector, type Connector } from '../../src/index.js';
import { FAKE_OPERATION, manifestWithFakeOperation } from '../support/fakeOperation.js';
import {
  aws,
  keysOf,
  motoEndpoint,
  operationExamples,
  putObjects,
  retarget,
  TEST_KEY_ID,
  TEST_SECRET,
  uniqueBucket,
} from '../support/helpers.js';

type Values = Record<string, unknown>;
type AnyAction = any;

const bucket = uniqueBucket('ap');
let connector: Connector;
let piece: Piece;
let s3: S3Client;

/** The CustomAuth value of the tests' moto connection, as the builder's form stores it (flat). */
function motoAuthProps(extra: Values = {}): Values {
  return {
    region: 'us-east-1',
    endpoint: motoEndpoint(),
    credentials_type: 'accessKey',
    credentials_accessKeyId: TEST_KEY_ID,
    credentials_secretAccessKey: TEST_SECRET,
    // a leaf of another credential kind, filled in and left: it must not reach the connection
    credentials_roleArn: 'arn:aws:iam::123456789012:role/unused',
    ...extra,
  };
}

/** The auth value the engine passes from context V1 on: the whole connection value. */
const motoAuth = (extra: Values = {}) => ({ type: 'CUSTOM_AUTH', props: motoAuthProps(extra) });

/** What ctx.files.write was given, and the URL it answered. */
const written: { fileName: string; data: Buffer; url: string }[] = [];

function context(propsValue: Values, auth: unknown = motoAuth()) {
  const ctx = createMockActionContext({ propsValue });
  return {
    ...ctx,
    auth,
    files: {
      write: async ({ fileName, data }: { fileName: string; data: Buffer }) => {
        const url = `https://files.activepieces.test/${written.length}/${fileName}`;
        written.push({ fileName, data, url });
        return url;
      },
    },
  };
}

const action = (name: string): AnyAction => piece.getAction(name);

/** The store's refusals of a call that may succeed on another bucket (see the every-action test). */
const STORE_REFUSALS = ['conflict', 'not_found', 'precondition_failed'];

/** Runs an action with an example input as props; its output, or the error it threw. */
async function run(name: string, input: Values): Promise<unknown> {
  try {
    return await action(name).run(context(propsOf(name, input)));
  } catch (err) {
    return err;
  }
}

/** An example input as the engine's props processor hands it to run(): a file reference becomes an ApFile. */
function propsOf(opName: string, input: Values): Values {
  const op = connector.operations({ bundled: true }).find((o) => o.name === opName)!;
  const out: Values = { ...input };
  for (const name of formModule().fileFields(op.inputSchema)) {
    const ref = input[name] as { url: string; name?: string } | undefined;
    if (!ref) continue;
    const m = /^data:([^;,]+)?(;base64)?,(.*)$/s.exec(ref.url);
    if (!m) throw new Error(`example file of ${opName} is not a data: URL`);
    const data = m[2] ? Buffer.from(m[3]!, 'base64') : Buffer.from(decodeURIComponent(m[3]!));
    const name0 = ref.name ?? 'file.bin';
    out[name] = new ApFile(name0, data, name0.includes('.') ? name0.slice(name0.lastIndexOf('.') + 1) : undefined);
  }
  return out;
}

beforeAll(async () => {
  connector = await loadConnector({ validateOutput: true });
  piece = createS3Piece(connector);
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  s3 = new S3Client({
    region: 'us-east-1',
    endpoint: motoEndpoint(),
    forcePathStyle: true,
    credentials: { accessKeyId: TEST_KEY_ID, secretAccessKey: TEST_SECRET },
  });
});
afterAll(async () => {
  s3?.destroy();
  connector?.close();
});

describe('the piece, generated from the manifest', () => {
  it("passes the framework's PieceMetadata schema, with every action of the manifest and no trigger", () => {
    const metadata = { name: '@aws-s3-connector/piece-aws-s3', version: '0.1.0', ...piece.metadata() };
    // The framework's zod schema is stricter than its TypeScript types and its own pieces in two
    // places (its amazon-s3 piece does both): SecretText among CustomAuth props, and an Array of
    // plain values (no sub-properties). Those two are put in the schema's words, nothing else.
    const normalized = JSON.parse(JSON.stringify(metadata)) as AnyAction;
    let tolerated = 0;
    for (const prop of Object.values(normalized.auth.props) as AnyAction[]) {
      if (prop.type !== PropertyType.SECRET_TEXT) continue;
      prop.type = PropertyType.SHORT_TEXT;
      tolerated++;
    }
    for (const act of Object.values(normalized.actions) as AnyAction[]) {
      for (const prop of Object.values(act.props) as AnyAction[]) {
        if (prop.type !== PropertyType.ARRAY || prop.properties) continue;
        prop.properties = {};
        tolerated++;
      }
    }
    expect(tolerated).toBeGreaterThan(0);
    expect(PieceMetadata.safeParse(metadata).success).toBe(false); // so the normalization is needed, and the check can fail
    const parsed = PieceMetadata.safeParse(normalized);
    expect(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 3))).toBe(true);
    const actions = connector.manifest.operations.filter((o) => o.kind === 'action').map((o) => o.name);
    expect(Object.keys(piece.actions())).toEqual(actions);
    expect(Object.keys(piece.triggers())).toEqual([]);
    expect(piece.metadata().minimumSupportedRelease).toBe('0.82.0');
  });

  it('maps the schemas onto Property types: lookups as dropdowns with refreshers, choices with their titles, files, rows, JSON', () => {
    const get = action('get_object').props;
    expect(get.bucket).toMatchObject({ type: PropertyType.DROPDOWN, required: true, refreshers: [] });
    expect(get.key).toMatchObject({
      type: PropertyType.DROPDOWN,
      required: true,
      refreshers: ['bucket'],
      refreshOnSearch: true,
    });
    expect(get.as.type).toBe(PropertyType.STATIC_DROPDOWN);
    expect(get.as.defaultValue).toBe('file');
    expect(get.as.options.options[0]).toEqual({ label: expect.stringMatching(/file/i), value: 'file' });
    expect(get.maxInlineBytes).toMatchObject({ type: PropertyType.NUMBER, defaultValue: 5242880 });
    expect(get.ifModifiedSince.type).toBe(PropertyType.DATE_TIME);
    // advanced fields come last
    const keys = Object.keys(get);
    expect(keys.indexOf('as')).toBeLessThan(keys.indexOf('versionId'));

    const put = action('put_object_text').props;
    expect(put.content.type).toBe(PropertyType.LONG_TEXT);
    expect(put.metadata.type).toBe(PropertyType.OBJECT);
    expect(put.bucketKeyEnabled.type).toBe(PropertyType.CHECKBOX);
    expect(action('put_object_file').props.file).toMatchObject({ type: PropertyType.FILE, required: true });
    const objects = action('delete_objects').props.objects;
    expect(objects.type).toBe(PropertyType.ARRAY);
    expect(objects.properties.key).toMatchObject({ type: PropertyType.SHORT_TEXT, required: true });
    expect(action('put_object_acl').props.grants.type).toBe(PropertyType.JSON);
    expect(action('configure_object_events').props.events.type).toBe(PropertyType.STATIC_MULTI_SELECT_DROPDOWN);
  });

  it('the connection is a CustomAuth: flat fields, the credential kind a dropdown, secrets as SecretText', () => {
    const auth = piece.auth as AnyAction;
    expect(auth.type).toBe(PropertyType.CUSTOM_AUTH);
    expect(auth.props.region).toMatchObject({ type: PropertyType.SHORT_TEXT, required: true });
    expect(auth.props.credentials_type.type).toBe(PropertyType.STATIC_DROPDOWN);
    expect(auth.props.credentials_type.options.options.map((o: Values) => o.value)).toEqual([
      'accessKey',
      'assumeRole',
      'defaultChain',
      'anonymous',
    ]);
    expect(auth.props.credentials_secretAccessKey).toMatchObject({ type: PropertyType.SECRET_TEXT, required: false });
    expect(auth.props.credentials_accessKeyId.description).toMatch(/required by Access key/);
    expect(auth.props.capabilities_acl.type).toBe(PropertyType.CHECKBOX);
    expect(auth.props.maxAttempts).toMatchObject({ type: PropertyType.NUMBER, defaultValue: 3 });
  });
});

describe('auth', () => {
  it("validate runs testConnection: valid for moto, the connector's message otherwise", async () => {
    const auth = piece.auth as AnyAction;
    const server = { apiUrl: 'http://localhost:3000/', publicUrl: 'http://localhost:4200/' };
    expect(await auth.validate({ auth: motoAuthProps(), server })).toEqual({ valid: true });
    const refused = await auth.validate({
      auth: motoAuthProps({ endpoint: 'http://127.0.0.1:9', maxAttempts: 1 }),
      server,
    });
    expect(refused).toEqual({ valid: false, error: expect.stringMatching(/connection to the store failed/i) });
    const incomplete = await auth.validate({ auth: motoAuthProps({ credentials_secretAccessKey: '' }), server });
    expect(incomplete.valid).toBe(false);
    expect(incomplete.error).toMatch(/secretAccessKey/);
  });

  it('either shape of the auth value (the connection value, or its props for engines before context V1) gives the same connection', async () => {
    expect(authProps(motoAuth())).toEqual(authProps(motoAuthProps()));
    const byValue = await action('list_buckets').run(context({}, motoAuth()));
    const byProps = await action('list_buckets').run(context({}, motoAuthProps()));
    expect(byValue.buckets.map((b: Values) => b.name)).toContain(bucket);
    expect(byProps).toEqual(byValue);
  });
});

describe('dropdowns', () => {
  it('fill from the lookup operations with the chosen connection and the fields they depend on', async () => {
    await putObjects(bucket, ['drop/a.txt', 'drop/b.txt', 'other.txt']);
    const props = action('get_object').props;
    const propertyContext = {
      server: { apiUrl: '', publicUrl: '', token: '' },
      project: { id: 'p', externalId: async () => undefined },
      flows: {},
      connections: {},
    };
    const buckets = await props.bucket.options({ auth: motoAuth() }, propertyContext);
    expect(buckets.disabled).toBe(false);
    expect(buckets.options).toContainEqual({ label: bucket, value: bucket });
    expect(await props.key.options({ auth: motoAuth() }, propertyContext)).toMatchObject({
      disabled: true,
      options: [],
      placeholder: expect.stringMatching(/bucket/i),
    });
    expect(await props.key.options({ bucket }, propertyContext)).toMatchObject({
      disabled: true,
      placeholder: expect.stringMatching(/connect/i),
    });
    const keys = await props.key.options({ auth: motoAuth(), bucket }, { ...propertyContext, searchValue: 'drop/' });
    expect(keys.options.map((o: Values) => o.value)).toEqual(['drop/a.txt', 'drop/b.txt']);
    const failing = await props.key.options({ auth: motoAuth(), bucket: uniqueBucket('gone') }, propertyContext);
    expect(failing).toMatchObject({
      disabled: true,
      options: [],
      placeholder: expect.stringMatching(/not found|does not exist/i),
    });
  });
});

describe("every action through the framework's mock context, against moto", () => {
  it("runs each example of every action's input schema", async () => {
    const actions = (await operationExamples()).filter(({ name }) => piece.getAction(name));
    expect(actions.length).toBe(Object.keys(piece.actions()).length);
    const outcomes: string[] = [];
    for (const { name, examples } of actions) {
      for (const example of examples) {
        // Each example gets a bucket of its own holding the objects it names (so one that deletes
        // or reconfigures its bucket leaves the others alone). One that the store refuses there
        // (a bucket to create that exists) runs again on a bucket name nobody has yet: it must
        // succeed one way. Input the piece got wrong is refused as user_input, and never retried.
        const own = uniqueBucket('ap-ex');
        await s3.send(new CreateBucketCommand({ Bucket: own }));
        const input = retarget(example, { bucket: own });
        await putObjects(own, keysOf(input));
        let outcome = await run(name, input);
        if (outcome instanceof ConnectorStepError && STORE_REFUSALS.includes(outcome.type))
          outcome = await run(name, retarget(example, { bucket: uniqueBucket('ap-new') }));
        expect(
          outcome,
          `${name} ${JSON.stringify(example)}: ${outcome instanceof Error ? outcome.message : ''}`,
        ).not.toBeInstanceOf(Error);
        expect(outcome).toBeTypeOf('object');
        outcomes.push(name);
      }
    }
    expect(new Set(outcomes).size).toBe(actions.length);
  });

  it('an ApFile in is uploaded, and a file out goes to ctx.files.write', async () => {
    const body = Buffer.from('region,total\neu,42\n');
    const put = await action('put_object_file').run(
      context({ bucket, key: 'files/in.csv', file: new ApFile('in.csv', body, 'csv') }),
    );
    expect(put).toMatchObject({ bucket, key: 'files/in.csv', size: body.length, contentType: 'text/csv' });
    expect(await aws(['s3', 'cp', `s3://${bucket}/files/in.csv`, '-'])).toBe(body.toString());
    const before = written.length;
    const got = await action('get_object').run(context({ bucket, key: 'files/in.csv' }));
    expect(written.length).toBe(before + 1);
    expect(written.at(-1)).toMatchObject({ fileName: 'in.csv' });
    expect(written.at(-1)!.data.toString()).toBe(body.toString());
    expect(got.file).toEqual({ url: written.at(-1)!.url, name: 'in.csv', mimeType: 'text/csv', size: body.length });
    const inline = await action('get_object').run(context({ bucket, key: 'files/in.csv', as: 'text' }));
    expect(inline.text).toBe(body.toString());
    expect(written.length).toBe(before + 1);
  });

  it("files stay in the call: a file past the piece's limit is refused, a file:// reference of the host is not read", async () => {
    const small: AnyAction = createS3Piece(connector, { maxFileBytes: 8 }).getAction('get_object');
    const before = written.length;
    const tooLarge = await small.run(context({ bucket, key: 'files/in.csv' })).catch((e: unknown) => e);
    expect(tooLarge).toMatchObject({ type: 'user_input', code: 'FileTooLargeForBuffer' });
    expect(written.length).toBe(before);
    const host = await action('put_object_file')
      .run(context({ bucket, key: 'files/passwd', file: { url: 'file:///etc/passwd' } }))
      .catch((e: unknown) => e);
    expect(host).toMatchObject({ type: 'user_input', code: 'FileNotAllowed' });
    await expect(aws(['s3api', 'head-object', '--bucket', bucket, '--key', 'files/passwd'])).rejects.toThrow(
      /404|Not Found/,
    );
  });

  it("the engine's values are typed by the schema: numbers and booleans from text, rows, key / value pairs, empty fields left out", async () => {
    const put = await action('put_object_text').run(
      context({
        bucket,
        key: 'typed.txt',
        content: 'x',
        contentType: '',
        metadata: { stage: 'draft', '': '' },
        bucketKeyEnabled: undefined,
      }),
    );
    expect(put).toMatchObject({ key: 'typed.txt', size: 1 });
    const head = await action('head_object').run(context({ bucket, key: 'typed.txt' }));
    expect(head.metadata).toEqual({ stage: 'draft' });
    const listed = await action('list_objects').run(context({ bucket, prefix: 'drop/', limit: '1' }));
    expect(listed.objects.length).toBe(1);
    const deleted = await action('delete_objects').run(
      context({ bucket, objects: [{ key: 'drop/a.txt', versionId: '' }, { key: 'drop/b.txt' }] }),
    );
    expect(deleted.counts).toMatchObject({ deleted: 2 });
    expect(await aws(['s3api', 'list-objects-v2', '--bucket', bucket, '--prefix', 'drop/'])).not.toMatch(
      /drop\/a\.txt|drop\/b\.txt/,
    );
  });

  it("a failing call throws the connector's structured error; bad input is refused before any request", async () => {
    const missing = await action('head_object')
      .run(context({ bucket, key: 'missing.txt' }))
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ConnectorStepError);
    expect(missing).toMatchObject({
      type: 'not_found',
      retryable: false,
      error: { type: 'not_found', code: 'NotFound' },
    });
    expect((missing as Error).message).toMatch(/missing\.txt/);
    const bad = await action('put_object_text')
      .run(context({ bucket: 'Bad_Bucket', content: 'x' }))
      .catch((e: unknown) => e);
    expect(bad).toMatchObject({ type: 'user_input', code: 'InvalidInput' });
    expect((bad as ConnectorStepError).error.details?.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'key', rule: 'required' }),
        expect.objectContaining({ field: 'bucket', rule: 'pattern' }),
      ]),
    );
    const noAuth = await action('list_buckets')
      .run(context({}, null))
      .catch((e: unknown) => e);
    expect(noAuth).toMatchObject({ type: 'user_input' });
  });
});

describe('nothing per operation', () => {
  it('an operation added to a copy of the manifest is an action of the piece, and runs', async () => {
    const fake = await manifestWithFakeOperation('ap-manifest-');
    const copy = await loadConnector({ root: fake.root });
    try {
      const other = createS3Piece(copy);
      const echo: AnyAction = other.getAction(FAKE_OPERATION);
      expect(echo).toMatchObject({ displayName: 'Fake echo', description: 'Echo a message (a test operation).' });
      expect(echo.props.message).toMatchObject({ type: PropertyType.SHORT_TEXT, required: true });
      expect(echo.props.shout).toMatchObject({ type: PropertyType.CHECKBOX, defaultValue: false });
      expect(await echo.run(context({ message: 'hello', shout: 'true' }))).toEqual({ echo: 'HELLO' });
      expect(piece.getAction(FAKE_OPERATION)).toBeUndefined();
    } finally {
      copy.close();
      await fake.remove();
    }
  });

  it('the piece module exports the piece (what an engine takes from the module it imports)', async () => {
    const module = await import('../../src/adapters/activepiecesPiece.js');
    expect(Object.keys(module.awsS3.actions())).toEqual(Object.keys(piece.actions()));
  });
});
