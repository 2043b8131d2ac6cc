// connector.json and the schema files alone are enough to render every form: the manifest
// matches its meta-schema, every schema compiles in strict mode, every field is described,
// lookups point at lookup operations, and handlers exist. Also: generated types are current.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  handlerUrl,
  packageRoot,
  readJson,
  readManifest,
  readSchemas,
  type JsonSchema,
} from '../../src/runtime/manifest.js';
import { createAjv } from '../../src/runtime/validation.js';
import { testConnector } from '../support/helpers.js';

const run = promisify(execFile);
const root = packageRoot();

/** Every subschema that describes an object property, with its path. */
function properties(schema: unknown, path: string, out: [string, Record<string, unknown>][] = []) {
  if (Array.isArray(schema)) schema.forEach((s, i) => properties(s, `${path}[${i}]`, out));
  else if (schema && typeof schema === 'object') {
    for (const [k, v] of Object.entries(schema)) {
      if (k === 'if') continue; // a condition, not a form field
      if (k === 'properties')
        for (const [name, prop] of Object.entries(v as object))
          out.push([`${path}.${name}`, prop as Record<string, unknown>]);
      properties(v, `${path}/${k}`, out);
    }
  }
  return out;
}

describe('manifest', async () => {
  const manifest = await readManifest();
  const schemas = await readSchemas(manifest);

  it('matches the meta-schema', async () => {
    const ajv = createAjv();
    const validate = ajv.compile(await readJson<JsonSchema>(join(root, 'schemas/manifest.schema.json')));
    expect(validate(manifest), ajv.errorsText(validate.errors)).toBe(true);
  });

  it('has unique operation names and schema files named after them', () => {
    const names = manifest.operations.map((o) => o.name);
    expect(new Set(names).size).toBe(names.length);
    for (const op of manifest.operations) {
      expect(op.input).toBe(`schemas/${op.name}.input.json`);
      expect(op.output).toBe(`schemas/${op.name}.output.json`);
      expect(op.handler).toBe(`operations/${op.name}`);
    }
  });

  it('every schema compiles in strict mode and has $id, title, description', () => {
    const ajv = createAjv();
    for (const s of schemas.values()) ajv.addSchema(s);
    for (const [path, s] of schemas) {
      expect(s.$id, path).toMatch(/^https:\/\/schemas\.s3-connector\.dev\/aws-s3\//);
      expect(typeof s.title, path).toBe('string');
      expect(typeof s.description, path).toBe('string');
      expect(() => ajv.getSchema(s.$id), path).not.toThrow();
    }
  });

  it('every property has a description, and field names are camelCase', () => {
    for (const [path, s] of schemas) {
      for (const [field, prop] of properties(s, path)) {
        const described = typeof prop.description === 'string' || typeof prop.$ref === 'string';
        expect(described, `${field} has no description`).toBe(true);
        expect(field.split('.').pop(), field).toMatch(/^[a-z][a-zA-Z0-9]*$/);
      }
    }
  });

  it('every input schema has valid examples (root `examples`: forms, adapters and tests use them)', () => {
    const ajv = createAjv();
    for (const s of schemas.values()) ajv.addSchema(s);
    for (const op of manifest.operations) {
      const schema = schemas.get(op.input)!;
      const examples = schema.examples as unknown[] | undefined;
      expect(Array.isArray(examples) && examples.length > 0, `${op.input} has no examples`).toBe(true);
      const validate = ajv.getSchema(schema.$id)!;
      for (const [i, example] of examples!.entries()) {
        expect(
          validate(structuredClone(example)),
          `${op.input} example ${i + 1}: ${ajv.errorsText(validate.errors)}`,
        ).toBe(true);
      }
    }
  });

  it('an example that breaks its schema is caught (the check above can fail)', () => {
    const ajv = createAjv();
    for (const s of schemas.values()) ajv.addSchema(s);
    const head = schemas.get('schemas/head_object.input.json')!;
    const validate = ajv.getSchema(head.$id)!;
    const [example] = head.examples as Record<string, unknown>[];
    expect(validate(structuredClone(example))).toBe(true);
    expect(validate({ ...example, bucket: 'Not_A_Bucket' })).toBe(false);
    expect(validate({ ...example, colour: 'blue' })).toBe(false);
  });

  it('secrets are password fields that are never read back', () => {
    const connection = JSON.stringify(schemas.get(manifest.connection.schema));
    for (const [field, prop] of properties(JSON.parse(connection), 'connection')) {
      if (/secret|sessionToken/i.test(field))
        expect(prop, field).toMatchObject({ format: 'password', writeOnly: true });
    }
  });

  it('x-lookup fields name an existing lookup operation and fields of the same form', () => {
    const lookups = new Set(manifest.operations.filter((o) => o.kind === 'lookup').map((o) => o.name));
    const defs = schemas.get('schemas/defs.json')!.$defs as Record<string, { 'x-lookup'?: { operation: string } }>;
    let seen = 0;
    for (const def of Object.values(defs)) {
      if (def['x-lookup']) {
        seen++;
        expect(lookups.has(def['x-lookup'].operation), def['x-lookup'].operation).toBe(true);
      }
    }
    expect(seen).toBeGreaterThan(0);
  });

  it('every handler module exists and exports a function', async () => {
    for (const op of manifest.operations) {
      const mod = (await import(handlerUrl(op.handler))) as { default: unknown };
      expect(typeof mod.default, op.name).toBe('function');
    }
  });

  it('operations() resolves each schema for runtimes', async () => {
    const c = await testConnector();
    const ops = c.operations();
    expect(ops.map((o) => o.name)).toEqual(manifest.operations.map((o) => o.name));
    for (const op of ops) {
      expect(op.inputSchema.$id).toContain(`${op.name}.input.json`);
      expect(op.outputSchema.$id).toContain(`${op.name}.output.json`);
    }
  });
});

describe('generated types', () => {
  it('are up to date with the schemas', async () => {
    await expect(run('node', [join(root, 'scripts/generate-types.mjs'), '--check'])).resolves.toBeTruthy();
  });

  it('the check fails when a schema changes without regenerating', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'types-'));
    for (const p of ['connector.json', 'schemas', 'scripts', 'src/generated'])
      await cp(join(root, p), join(dir, p), { recursive: true });
    await symlink(join(root, 'node_modules'), join(dir, 'node_modules'));
    const path = join(dir, 'schemas/head_object.input.json');
    const schema = JSON.parse(await readFile(path, 'utf8'));
    schema.properties.partNumber = { type: 'integer', description: 'A new field nobody regenerated types for.' };
    await writeFile(path, JSON.stringify(schema));
    const result = await run('node', [join(dir, 'scripts/generate-types.mjs'), '--check']).then(
      () => 0,
      (e: { code: number }) => e.code,
    );
    expect(result).toBe(1);
  });
});
