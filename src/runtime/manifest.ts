// Reads connector.json and the schema files it names. Nothing here runs operation code.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface OperationAnnotations {
  readOnly: boolean;
  destructive: boolean;
  idempotent: boolean;
  /** False for an operation that sends no request (signing a URL); true when left out. */
  openWorld?: boolean;
}

export interface ManifestOperation {
  name: string;
  title: string;
  description: string;
  /** action: offered in pickers; lookup: feeds a dropdown; trigger: polled by the runtime to start flows (README, Triggers). */
  kind: 'action' | 'lookup' | 'trigger';
  input: string;
  output: string;
  handler: string;
  permissions: string[];
  annotations: OperationAnnotations;
}

export interface Manifest {
  name: string;
  title: string;
  version: string;
  description: string;
  connection: { schema: string };
  operations: ManifestOperation[];
}

export type JsonSchema = Record<string, unknown> & { $id: string };

const here = dirname(fileURLToPath(import.meta.url));
/** True when running the TypeScript sources (tests, dev), false from the built package. */
const fromSource = import.meta.url.endsWith('.ts');

/** The package root: the nearest folder above this module holding connector.json. */
export function packageRoot(): string {
  let dir = here;
  while (!existsSync(join(dir, 'connector.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('connector.json not found above ' + here);
    dir = up;
  }
  return dir;
}

export async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

export async function readManifest(root = packageRoot()): Promise<Manifest> {
  return readJson<Manifest>(join(root, 'connector.json'));
}

/** Every schema file the manifest names, plus the shared definitions, keyed by manifest path. */
export async function readSchemas(manifest: Manifest, root = packageRoot()): Promise<Map<string, JsonSchema>> {
  const paths = new Set(['schemas/defs.json', manifest.connection.schema]);
  for (const op of manifest.operations) {
    paths.add(op.input);
    paths.add(op.output);
  }
  const entries = await Promise.all(
    [...paths].map(async (p) => [p, await readJson<JsonSchema>(join(root, p))] as const),
  );
  return new Map(entries);
}

/** The module URL of a handler path such as `operations/head_object`, source or built. */
export function handlerUrl(handler: string, root = packageRoot()): string {
  const file = fromSource ? join(root, `${handler}.ts`) : join(root, 'dist', `${handler}.js`);
  return pathToFileURL(file).href;
}
