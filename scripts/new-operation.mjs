// Scaffolds a new operation: `npm run new-operation -- <name> [options]` (see README, "Adding an
// operation"). Writes schemas/<name>.input.json and .output.json, the manifest entry in
// connector.json, regenerates the types and validators (`npm run types`, `npm run validators`), then writes operations/<name>.ts and
// test/operations/<name>.test.ts. Everything it writes passes the manifest checks as it is; the
// placeholder request (HeadBucket, or ListObjectsV2 for a lookup), the descriptions and the
// manifest fields are the author's to edit. Refuses a name that is not snake_case or exists.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const NAME = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/; // the manifest meta-schema's rule
const PERMISSION = /^(s3|sqs):[A-Za-z]+$/; // the meta-schema's rule
const SCHEMA_BASE = 'https://schemas.s3-connector.dev/aws-s3/';
const EXAMPLE_BUCKET = 'example-bucket';
/** A trigger's cursor: opaque JSON the runtime stores and passes back (README, Triggers). */
const TRIGGER_CURSOR = {
  type: 'object',
  title: 'Cursor',
  description: 'The cursor the previous poll answered, passed back unchanged; none on the first poll.',
  'x-advanced': true,
};

const USAGE = `Usage: npm run new-operation -- <name> [options]

  <name>                   snake_case, e.g. get_bucket_tagging
  --title <text>           name shown in pickers (default: from the name)
  --description <text>     what it does, for users (default: a placeholder to edit)
  --kind action|lookup|trigger
                           action (default), lookup (feeds a dropdown, hidden from pickers)
                           or trigger (polled by the runtime: takes a cursor, answers events
                           and the next cursor; see README, Triggers)
  --permission <s3:Action> an IAM action it needs; repeat for several
                           (default: s3:ListBucket, what the placeholder request needs)
  --writes                 it changes something (annotations.readOnly false)
  --destructive            it may delete or overwrite data (readOnly false, destructive true)
  --not-idempotent         repeating it has a further effect (idempotent false)
  -h, --help               this text`;

function fail(message) {
  console.error(`new-operation: ${message}`);
  process.exit(1);
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      title: { type: 'string' },
      description: { type: 'string' },
      kind: { type: 'string', default: 'action' },
      permission: { type: 'string', multiple: true },
      writes: { type: 'boolean', default: false },
      destructive: { type: 'boolean', default: false },
      'not-idempotent': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
} catch (err) {
  fail(`${err.message}\n\n${USAGE}`);
}
const { values: flags, positionals } = parsed;
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}
if (positionals.length !== 1) fail(`give exactly one operation name.\n\n${USAGE}`);
const [name] = positionals;

// --- checks: nothing is written unless all pass -------------------------------------------

if (!NAME.test(name))
  fail(
    `"${name}" is not a snake_case name (lowercase words joined by _, starting with a letter, e.g. get_bucket_tagging).`,
  );
const manifestPath = join(root, 'connector.json');
const manifestText = await readFile(manifestPath, 'utf8');
const manifest = JSON.parse(manifestText);
if (manifest.operations.some((op) => op.name === name))
  fail(`an operation named ${name} already exists in connector.json.`);
const files = {
  input: `schemas/${name}.input.json`,
  output: `schemas/${name}.output.json`,
  handler: `operations/${name}.ts`,
  test: `test/operations/${name}.test.ts`,
};
for (const path of Object.values(files)) if (existsSync(join(root, path))) fail(`${path} already exists.`);
if (!['action', 'lookup', 'trigger'].includes(flags.kind))
  fail(`--kind must be action, lookup or trigger, not "${flags.kind}".`);
const lookup = flags.kind === 'lookup';
const trigger = flags.kind === 'trigger';
const permissions = [...new Set(flags.permission ?? ['s3:ListBucket'])];
for (const p of permissions)
  if (!PERMISSION.test(p))
    fail(`--permission "${p}" is not an IAM action of S3 or SQS (s3:Action, e.g. s3:GetBucketTagging, or sqs:Action).`);

const words = name.split('_');
const sentence = (text) => text[0].toUpperCase() + text.slice(1);
const title = flags.title ?? sentence(words.join(' '));
const description = flags.description ?? `TODO: say what ${name} does, for users (the form and pickers show this).`;
if (title.trim().length === 0) fail('--title must not be empty.');
if (description.length < 10) fail('--description needs at least 10 characters.');

// The schemas' titles name the generated types (json-schema-to-typescript): "Get bucket tagging
// input" becomes GetBucketTaggingInput. Two operations must not name the same type.
const pascal = (text) =>
  text
    .split(/[_\s]+/)
    .map((w) => sentence(w).replace(/(\d)([a-z])/g, (_, d, l) => d + l.toUpperCase()))
    .join('');
const typesPath = join(root, 'src/generated/types.ts');
const typesText = await readFile(typesPath, 'utf8');
for (const type of [pascal(`${name} input`), pascal(`${name} output`)]) {
  if (new RegExp(`export (interface|type) ${type}\\b`).test(typesText))
    fail(`the generated type ${type} already exists: choose another name.`);
}

// --- schemas --------------------------------------------------------------------------------

const inputSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: `${SCHEMA_BASE}${name}.input.json`,
  title: `${sentence(words.join(' '))} input`,
  description: lookup
    ? 'TODO: what the dropdown lists: the bucket chosen and what the user typed so far.'
    : `TODO: what ${name} acts on.`,
  type: 'object',
  additionalProperties: false,
  required: ['bucket'],
  examples: [lookup ? { bucket: EXAMPLE_BUCKET, search: 'reports/' } : { bucket: EXAMPLE_BUCKET }],
  properties: {
    bucket: { $ref: 'defs.json#/$defs/bucket' },
    ...(lookup
      ? {
          search: {
            type: 'string',
            title: 'Search',
            description: 'Only keys that start with this text.',
            maxLength: 1024,
          },
        }
      : {}),
    ...(trigger ? { cursor: TRIGGER_CURSOR } : {}),
  },
};
const outputSchema = trigger
  ? {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: `${SCHEMA_BASE}${name}.output.json`,
      title: `${sentence(words.join(' '))} output`,
      description: 'TODO: the events of this poll, and the cursor to pass to the next one.',
      type: 'object',
      additionalProperties: false,
      required: ['events', 'cursor'],
      properties: {
        events: {
          type: 'array',
          description: 'TODO: what happened since the previous poll, oldest first.',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['key'],
            properties: { key: { type: 'string', description: 'TODO: what each event names.' } },
          },
        },
        cursor: {
          ...TRIGGER_CURSOR,
          description: "Where the next poll goes on: store it as it is and pass it back as the next input's cursor.",
        },
      },
    }
  : lookup
    ? {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        $id: `${SCHEMA_BASE}${name}.output.json`,
        title: `${sentence(words.join(' '))} output`,
        description: 'TODO: what the options are.',
        $ref: 'defs.json#/$defs/lookupOutput',
      }
    : {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        $id: `${SCHEMA_BASE}${name}.output.json`,
        title: `${sentence(words.join(' '))} output`,
        description: `TODO: what ${name} answers.`,
        type: 'object',
        additionalProperties: false,
        required: ['bucket'],
        properties: {
          bucket: { type: 'string', description: 'The bucket asked about.' },
          region: { type: 'string', description: "The bucket's region, when the store says." },
        },
      };

const readOnly = !(flags.writes || flags.destructive);
const entry = {
  name,
  title,
  description,
  kind: flags.kind,
  input: files.input,
  output: files.output,
  handler: `operations/${name}`,
  permissions,
  annotations: { readOnly, destructive: flags.destructive, idempotent: !flags['not-idempotent'] },
};

// --- write, regenerate the types, then the handler and its test (undone on failure) -------

const written = [];
async function put(path, text) {
  await writeFile(join(root, path), text, { flag: 'wx' });
  written.push(path);
}
const json = (value) => `${JSON.stringify(value, null, 2)}\n`;
const format = (...paths) =>
  execFileSync(join(root, 'node_modules/.bin/biome'), ['format', '--write', ...paths], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });

try {
  await put(files.input, json(inputSchema));
  await put(files.output, json(outputSchema));
  manifest.operations.push(entry);
  await writeFile(manifestPath, json(manifest));
  // The project's formatter lays out what is written as the rest of the repository is (short
  // arrays on one line), so connector.json changes by the new entry alone and lint passes.
  format('connector.json', files.input, files.output);
  execFileSync('npm', ['run', '--silent', 'types'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  // The standalone validators of the new schemas (npm test checks they are current).
  execFileSync('npm', ['run', '--silent', 'validators'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });

  // The names the generator gave, from the map it writes (`name: { input: X; output: Y };`).
  const generated = await readFile(typesPath, 'utf8');
  const mapped = new RegExp(`^\\s*${name}: \\{ input: (\\w+); output: (\\w+) \\};`, 'm').exec(generated);
  const [inputType, outputType] = mapped ? [mapped[1], mapped[2]] : [pascal(`${name} input`), pascal(`${name} output`)];
  if (!new RegExp(`export (interface|type) ${inputType}\\b`).test(generated))
    throw new Error(`npm run types did not write ${inputType}`);

  await put(
    files.handler,
    trigger
      ? triggerHandler(inputType, outputType)
      : lookup
        ? lookupHandler(inputType, outputType)
        : actionHandler(inputType, outputType),
  );
  await put(files.test, trigger ? triggerTest() : lookup ? lookupTest() : actionTest());
  format(files.handler, files.test);
} catch (err) {
  for (const path of written) await rm(join(root, path), { force: true });
  for (const side of ['input', 'output'])
    await rm(join(root, `src/generated/validators/${name}.${side}.ts`), { force: true });
  await writeFile(manifestPath, manifestText);
  await writeFile(typesPath, typesText);
  fail(`stopped, nothing kept: ${err.message}`);
}

console.log(`new-operation: wrote ${[files.input, files.output, 'connector.json', 'src/generated/types.ts', `src/generated/validators/${name}.{input,output}.ts`, files.handler, files.test].join(', ')}.

Now make it real:
  1. ${files.handler}: replace the placeholder request with the operation's own.
  2. ${files.input} / ${files.output}: its fields (a description on each, camelCase names,
     shared ones from defs.json), and valid examples with "bucket": "${EXAMPLE_BUCKET}"; then npm run types.
  3. connector.json: title, description, permissions (${permissions.join(', ')}) and annotations
     (readOnly ${entry.annotations.readOnly}, destructive ${entry.annotations.destructive}, idempotent ${entry.annotations.idempotent}).
  4. ${files.test}: its own cases against moto, with the aws cli as the oracle.
  5. README.md: a row in the Operations table.
Check with: npm run types:check && npm run typecheck && npx vitest run test/lanes/manifest.test.ts ${files.test}`);

// --- templates --------------------------------------------------------------------------------

function actionHandler(inputType, outputType) {
  return `import { HeadBucketCommand } from '../src/runtime/sdk.js';
import type { ${inputType}, ${outputType} } from '../src/generated/types.js';
import { compact, defineOperation } from '../src/runtime/operation.js';

// TODO: a placeholder request from \`npm run new-operation\` (HeadBucket, which needs
// s3:ListBucket): replace it with the operation's own, and keep connector.json's permissions in step.
export default defineOperation<${inputType}, ${outputType}>(async (input, { s3, signal }) => {
  const answer = await s3.send(new HeadBucketCommand({ Bucket: input.bucket }), { abortSignal: signal });
  return compact({ bucket: input.bucket, region: answer.BucketRegion });
});
`;
}

function triggerHandler(inputType, outputType) {
  return `import { HeadBucketCommand } from '../src/runtime/sdk.js';
import type { ${inputType}, ${outputType} } from '../src/generated/types.js';
import { defineOperation } from '../src/runtime/operation.js';

// TODO: a placeholder from \`npm run new-operation\` (HeadBucket, which needs s3:ListBucket): find
// what happened since the cursor, and answer it with the cursor the next poll starts from. The
// connector keeps no state: everything the next poll needs goes into the cursor (README, Triggers).
export default defineOperation<${inputType}, ${outputType}>(async (input, { s3, signal }) => {
  await s3.send(new HeadBucketCommand({ Bucket: input.bucket }), { abortSignal: signal });
  return { events: [], cursor: input.cursor ?? {} };
});
`;
}

function lookupHandler(inputType, outputType) {
  return `import { ListObjectsV2Command } from '../src/runtime/sdk.js';
import type { ${inputType}, ${outputType} } from '../src/generated/types.js';
import { defineOperation } from '../src/runtime/operation.js';

/** Most options the dropdown gets (one S3 page); a search narrows the list. */
const MAX_OPTIONS = 1000;

// TODO: a placeholder from \`npm run new-operation\` (object keys under the search text, which
// needs s3:ListBucket): replace it with the options this dropdown offers.
export default defineOperation<${inputType}, ${outputType}>(async (input, { s3, signal }) => {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: input.bucket, Prefix: input.search || undefined, MaxKeys: MAX_OPTIONS }), { abortSignal: signal });
  const keys = (page.Contents ?? []).map((o) => o.Key ?? '').filter((key) => key !== '');
  return { options: keys.map((key) => ({ label: key, value: key })) };
});
`;
}

function testHeader() {
  return `// ${name} against moto. Scaffolded by \`npm run new-operation\`: extend it with the
// operation's own cases, cross-checked with the aws cli (see the other suites in test/operations).
import { beforeAll, describe, expect, it } from 'vitest';
import { aws, examplesOf, invoke, retarget, testConnector, uniqueBucket } from '../support/helpers.js';

const bucket = uniqueBucket('op');
beforeAll(async () => {
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
});

async function examples(): Promise<Record<string, unknown>[]> {
  const op = (await testConnector()).operations().find((o) => o.name === '${name}');
  if (!op) throw new Error('${name} is not in connector.json');
  return examplesOf(op).map((example) => retarget(example, { bucket }));
}
`;
}

function actionTest() {
  return `${testHeader()}
describe('${name}', () => {
  it('runs each example of its input schema on a bucket of its own', async () => {
    for (const input of await examples()) {
      const res = await invoke('${name}', input);
      expect(res.ok ? res.output : res.error, JSON.stringify(input)).toMatchObject({ bucket });
    }
  });

  it('a bucket that does not exist is not_found', async () => {
    const [input] = await examples();
    const res = await invoke('${name}', { ...input, bucket: uniqueBucket('gone') });
    expect(res.ok ? null : res.error).toMatchObject({ type: 'not_found' });
  });
});
`;
}

function triggerTest() {
  return `${testHeader()}
describe('${name}', () => {
  it('polls each example of its input schema on a bucket of its own, the cursor passed back', async () => {
    for (const input of await examples()) {
      const first = await invoke<{ events: unknown[]; cursor: Record<string, unknown> }>('${name}', input);
      if (!first.ok) throw new Error(first.error.message);
      expect(first.output.events).toEqual(expect.any(Array));
      const next = await invoke('${name}', { ...input, cursor: first.output.cursor });
      expect(next.ok ? next.output : next.error).toMatchObject({ events: expect.any(Array) });
    }
  });

  it('a bucket that does not exist is not_found', async () => {
    const [input] = await examples();
    const res = await invoke('${name}', { ...input, bucket: uniqueBucket('gone') });
    expect(res.ok ? null : res.error).toMatchObject({ type: 'not_found' });
  });
});
`;
}

function lookupTest() {
  return `${testHeader()}
describe('${name}', () => {
  it('offers what the aws cli put under the example search', async () => {
    for (const input of await examples()) {
      const key = \`\${String(input.search ?? '')}scaffold-\${Date.now()}.txt\`;
      await aws(['s3api', 'put-object', '--bucket', bucket, '--key', key]);
      const res = await invoke<{ options: { label: string; value: string }[] }>('${name}', input);
      if (!res.ok) throw new Error(res.error.message);
      expect(res.output.options).toContainEqual({ label: key, value: key });
    }
  });

  it('a bucket that does not exist is not_found', async () => {
    const [input] = await examples();
    const res = await invoke('${name}', { ...input, bucket: uniqueBucket('gone') });
    expect(res.ok ? null : res.error).toMatchObject({ type: 'not_found' });
  });
});
`;
}
