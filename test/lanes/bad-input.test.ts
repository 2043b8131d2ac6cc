// Invalid inputs generated from every operation's input schema (fast-check), plus hand-picked
// edge cases: each gets a user_input error naming the field, sends no request (the connection
// points at a counting stand-in store), and never throws out of invoke.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest, readSchemas } from '../../src/runtime/manifest.js';
import { fakeStore, operationExamples, testConnector, type FakeStore } from '../support/helpers.js';

/**
 * The valid inputs: every example of every input schema. Each generated case breaks exactly one
 * field of the operation's first example.
 */
const EXAMPLES = await operationExamples();
const VALID: Record<string, Record<string, unknown>> = Object.fromEntries(
  EXAMPLES.map(({ name, examples }) => [name, examples[0]!]),
);

type Schema = Record<string, unknown> & {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  $ref?: string;
  oneOf?: Schema[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  const?: unknown;
  format?: string;
  minItems?: number;
  maxItems?: number;
  maxProperties?: number;
};

let store: FakeStore;
let counted = 0;
beforeAll(async () => {
  store = await fakeStore((_req, res) => res.writeHead(500).end());
});
afterAll(async () => {
  await store.close();
  console.log(`bad-input: ${counted} invalid inputs tried, ${store.requests.length} requests reached the store`);
});

const manifest = await readManifest();
const schemas = await readSchemas(manifest);
const defs = schemas.get('schemas/defs.json')!.$defs as Record<string, Schema>;
const deref = (s: Schema): Schema =>
  s.$ref?.startsWith('defs.json#/$defs/') ? { ...deref(defs[s.$ref.slice(17)]!), ...s, $ref: undefined } : s;

const wrongType: Record<string, fc.Arbitrary<unknown>> = {
  string: fc.oneof(
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string(), { maxLength: 2 }),
    fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
  ),
  integer: fc.oneof(
    fc.string(),
    fc.boolean(),
    fc.constant(null),
    fc.double({ noInteger: true, noNaN: true, noDefaultInfinity: true }),
  ),
  boolean: fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant([])),
  object: fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 })),
  array: fc.oneof(
    fc.string(),
    fc.integer(),
    fc.constant(null),
    fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
  ),
};

/** Arbitraries of values that break `schema` (one rule at a time). */
function breakers(schema: Schema): fc.Arbitrary<unknown>[] {
  const out: fc.Arbitrary<unknown>[] = [];
  const type = schema.type ?? (schema.oneOf ? 'string' : undefined);
  if (type && wrongType[type]) out.push(wrongType[type]);
  if (schema.minLength !== undefined && schema.minLength > 0) out.push(fc.string({ maxLength: schema.minLength - 1 }));
  if (schema.maxLength !== undefined)
    out.push(fc.string({ minLength: schema.maxLength + 1, maxLength: schema.maxLength + 40, unit: 'grapheme-ascii' }));
  if (schema.minimum !== undefined) out.push(fc.integer({ min: -1e9, max: schema.minimum - 1 }));
  if (schema.maximum !== undefined) out.push(fc.integer({ min: schema.maximum + 1, max: schema.maximum + 1e9 }));
  if (schema.pattern) {
    const re = new RegExp(schema.pattern, 'u');
    out.push(
      fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !re.test(s) && (schema.minLength ?? 0) <= s.length),
    );
  }
  if (schema.oneOf?.every((o) => 'const' in o)) {
    const allowed = new Set(schema.oneOf.map((o) => o.const));
    out.push(fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !allowed.has(s)));
  }
  if (schema.const !== undefined) out.push(fc.string({ minLength: 1, maxLength: 5 }).filter((s) => s !== schema.const));
  if (schema.format === 'date-time')
    out.push(
      fc
        .string({ minLength: 1, maxLength: 20 })
        .filter((s) => Number.isNaN(Date.parse(s)) || !/^\d{4}-\d\d-\d\dT/.test(s)),
    );
  if (schema.minItems) out.push(fc.constant([]));
  if (schema.maxProperties !== undefined)
    out.push(
      fc.constant(Object.fromEntries(Array.from({ length: schema.maxProperties + 1 }, (_, i) => [`k${i}`, 'v']))),
    );
  return out;
}

async function expectRefused(operation: string, input: unknown, field: string) {
  counted++;
  const c = await testConnector();
  const before = store.requests.length;
  const connection = {
    region: 'us-east-1',
    endpoint: store.endpoint,
    maxAttempts: 1,
    credentials: { type: 'accessKey', accessKeyId: 'AKID', secretAccessKey: 'never-sent-secret' },
  };
  let res: Awaited<ReturnType<typeof c.invoke>> | undefined;
  try {
    res = await c.invoke(operation, input, { connection });
  } catch (err) {
    throw new Error(`invoke threw for ${operation} ${JSON.stringify(input)}: ${String(err)}`);
  }
  expect(res.ok, `${operation} accepted ${JSON.stringify(input)}`).toBe(false);
  if (res.ok) return;
  expect(res.error.type, `${operation} ${JSON.stringify(input)}: ${res.error.message}`).toBe('user_input');
  const fields = ((res.error.details?.problems ?? []) as { field: string }[]).map((p) => p.field);
  const named = fields.some((f) => f === field || f.startsWith(`${field}.`)) || res.error.message.includes(field);
  expect(named, `${operation}: ${res.error.message} should name ${field}`).toBe(true);
  expect(store.requests.length, `${operation} sent a request for ${JSON.stringify(input)}`).toBe(before);
}

describe('the valid baselines (positive control)', () => {
  it.each(
    EXAMPLES.flatMap(({ name, examples }) =>
      examples.map((input, i) => [`${name} example ${i + 1}`, name, input] as const),
    ),
  )('%s passes validation', async (_label, operation, input) => {
    const c = await testConnector();
    const connection = {
      region: 'us-east-1',
      endpoint: store.endpoint,
      maxAttempts: 1,
      credentials: { type: 'accessKey', accessKeyId: 'AKID', secretAccessKey: 'x' },
    };
    const res = await c.invoke(operation, input, { connection });
    expect(res.ok ? 'ok' : res.error.type, res.ok ? '' : res.error.message).not.toBe('user_input');
  });
});

describe('generated invalid inputs', () => {
  for (const op of manifest.operations) {
    it(`${op.name}: every field broken every way`, async () => {
      const valid = VALID[op.name];
      expect(valid, `no valid baseline for ${op.name}`).toBeDefined();
      const schema = deref(schemas.get(op.input)! as Schema);
      const props = schema.properties ?? {};
      for (const [name, raw] of Object.entries(props)) {
        for (const broken of breakers(deref(raw))) {
          await fc.assert(
            fc.asyncProperty(broken, async (value) => expectRefused(op.name, { ...valid, [name]: value }, name)),
            { numRuns: 6 },
          );
        }
      }
      for (const name of schema.required ?? []) {
        const { [name]: _gone, ...rest } = valid!;
        await expectRefused(op.name, rest, name);
      }
      const unknown = fc.stringMatching(/^[a-z][a-zA-Z]{2,12}$/).filter((k) => !(k in props));
      await fc.assert(
        fc.asyncProperty(unknown, async (k) => expectRefused(op.name, { ...valid, [k]: 'x' }, k)),
        { numRuns: 5 },
      );
    });
  }

  it('tried at least 500 invalid inputs across all operations', () => {
    expect(counted).toBeGreaterThanOrEqual(500);
  });
});

describe('hand-picked edge cases', () => {
  it.each([
    ['head_object', { bucket: 'my-bucket', key: '' }, 'key'],
    ['head_object', { bucket: 'my-bucket', key: 'k'.repeat(1025) }, 'key'],
    ['put_object_text', { bucket: 'my-bucket', key: 'é'.repeat(513), content: 'x' }, 'key'],
    ['list_objects', { bucket: 'UPPER' }, 'bucket'],
    ['list_objects', { bucket: 'a_b' }, 'bucket'],
    ['list_objects', { bucket: 'xn--punycode' }, 'bucket'],
    ['list_objects', { bucket: '10.0.0.1' }, 'bucket'],
    [
      'put_object_text',
      { bucket: 'my-bucket', key: 'k', content: 'x', metadata: { big: 'v'.repeat(2048) } },
      'metadata',
    ],
    ['put_object_text', { bucket: 'my-bucket', key: 'k', content: 'x', tags: { 'bad&tag': 'v' } }, 'tags'],
    ['get_object_signed_url', { bucket: 'my-bucket', key: 'k', expiresIn: 604801 }, 'expiresIn'],
    ['create_presigned_post', { bucket: 'my-bucket', key: 'k', expiresIn: 604801 }, 'expiresIn'],
    [
      'create_presigned_post',
      { bucket: 'my-bucket', key: 'k', contentLengthRange: { min: 2, max: 1 } },
      'contentLengthRange',
    ],
    ['get_object', { bucket: 'my-bucket', key: 'k', range: 'bytes=a-b' }, 'range'],
    ['get_object', { bucket: 'my-bucket', key: 'k', maxInlineBytes: 52428801 }, 'maxInlineBytes'],
    [
      'delete_objects',
      { bucket: 'my-bucket', objects: Array.from({ length: 100001 }, (_, i) => ({ key: `k${i}` })) },
      'objects',
    ],
    ['put_object_file', { bucket: 'my-bucket', key: 'k', file: { url: 'http://example.com/x' } }, 'file'],
    [
      'put_object_acl',
      {
        bucket: 'my-bucket',
        key: 'k',
        acl: 'private',
        grants: [
          { grantee: { type: 'group', uri: 'http://acs.amazonaws.com/groups/global/AllUsers' }, permission: 'READ' },
        ],
      },
      'acl',
    ],
    ['list_buckets', { limit: '10' }, 'limit'],
    ['list_buckets', null, '(the whole value)'],
  ])('%s %#', async (operation, input, field) => {
    await expectRefused(operation, input, field);
  });
});
