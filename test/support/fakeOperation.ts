// A copy of the package's manifest and schemas in a temp folder with one operation added,
// `fake_echo` (an action whose handler echoes a message, in capitals when `shout`), for the
// adapter lanes' proof that an operation added to the manifest appears with nothing written for it.
import { cp, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/runtime/manifest.js';

export const FAKE_OPERATION = 'fake_echo';

export interface FakeManifest {
  /** The copy's root (connector.json, schemas/, dist/operations/fake_echo.js). */
  root: string;
  remove(): Promise<void>;
}

export async function manifestWithFakeOperation(prefix = 'fake-manifest-'): Promise<FakeManifest> {
  const repoRoot = packageRoot();
  const root = await mkdtemp(join(tmpdir(), prefix));
  await copyFile(join(repoRoot, 'connector.json'), join(root, 'connector.json'));
  await cp(join(repoRoot, 'schemas'), join(root, 'schemas'), { recursive: true });
  await writeFile(join(root, 'package.json'), '{"type": "module"}');
  const id = `https://schemas.s3-connector.dev/aws-s3/${FAKE_OPERATION}`;
  await writeFile(
    join(root, `schemas/${FAKE_OPERATION}.input.json`),
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
      examples: [{ message: 'hello', shout: true }],
    }),
  );
  await writeFile(
    join(root, `schemas/${FAKE_OPERATION}.output.json`),
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
  // The handler where the runtime looks for it: built (dist/operations/*.js) or, when the runtime
  // itself runs from source as under vitest, operations/*.ts.
  const handler =
    'export default async (input) => ({ echo: input.shout ? input.message.toUpperCase() : input.message });\n';
  await mkdir(join(root, 'dist/operations'), { recursive: true });
  await mkdir(join(root, 'operations'), { recursive: true });
  await writeFile(join(root, `dist/operations/${FAKE_OPERATION}.js`), handler);
  await writeFile(join(root, `operations/${FAKE_OPERATION}.ts`), `// @ts-nocheck\n${handler}`);
  const manifest = JSON.parse(await readFile(join(root, 'connector.json'), 'utf8')) as { operations: unknown[] };
  manifest.operations.push({
    name: FAKE_OPERATION,
    title: 'Fake echo',
    description: 'Echo a message (a test operation).',
    kind: 'action',
    input: `schemas/${FAKE_OPERATION}.input.json`,
    output: `schemas/${FAKE_OPERATION}.output.json`,
    handler: `operations/${FAKE_OPERATION}`,
    permissions: [],
    annotations: { readOnly: true, destructive: false, idempotent: true },
  });
  await writeFile(join(root, 'connector.json'), JSON.stringify(manifest, null, 2));
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}
