// The validators generated at build time (scripts/generate-validators.mjs → src/generated/validators/):
// every schema of the manifest has a current one and the runtime uses it; it accepts, rejects,
// fills defaults and reports errors exactly as ajv compiling the schema does; a module that is
// stale is not used (the schema is compiled instead); the generator's check fails on a stale,
// missing or extra module and on a schema strict mode refuses; and the built package validates
// without loading ajv.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot, readManifest, readSchemas, type JsonSchema } from '../../src/runtime/manifest.js';
import { Registry } from '../../src/runtime/registry.js';
import { createAjv } from '../../src/runtime/validation.js';
import { describeErrors, plainCopy, samePlainData } from '../../src/runtime/validators.js';
import { validatorModuleName } from '../../src/runtime/validatorsGenerated.js';

const run = promisify(execFile);
const root = packageRoot();
const temps: string[] = [];
afterAll(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

const manifest = await readManifest();
const schemas = await readSchemas(manifest);
const paths = [...schemas.keys()].filter((p) => p !== 'schemas/defs.json');

/** Good data (the schema's examples) and bad variants of it: wrong types, unknown and missing fields. */
function samples(schema: JsonSchema): unknown[] {
  const examples = (Array.isArray(schema.examples) ? schema.examples : []) as Record<string, unknown>[];
  const out: unknown[] = [{}, null, 'text', 42, [], ...examples];
  const wrong = [
    12345,
    -1,
    1.5,
    '',
    'x',
    'Not_A_Bucket..',
    'a'.repeat(2000),
    true,
    null,
    {},
    [],
    [{}],
    { type: 'nope' },
  ];
  const props = Object.keys((schema.properties ?? {}) as object);
  for (const example of examples.length ? examples : [{}]) {
    out.push({ ...example, zzUnknown: 1 });
    for (const field of Object.keys(example)) {
      const { [field]: _gone, ...rest } = example;
      out.push(rest);
    }
    for (const field of props) for (const value of wrong) out.push({ ...example, [field]: value });
  }
  return out;
}

describe('generated validators', async () => {
  const registry = await Registry.load(root);
  const ajv = createAjv();
  for (const s of schemas.values()) ajv.addSchema(s);

  it('every schema in connector.json has a current generated module, and the registry uses it', async () => {
    for (const path of paths) {
      await registry.validator(path);
      expect(registry.validatorOrigin(path), `${path}: run \`npm run validators\``).toBe('generated');
    }
  });

  it.each(paths)(
    '%s: same verdicts, defaults and errors (plain words too) as ajv compiling the schema',
    async (path) => {
      const generated = await registry.validator(path);
      const compiled = ajv.getSchema(schemas.get(path)!.$id)!;
      for (const sample of samples(schemas.get(path)!)) {
        const a = structuredClone(sample);
        const b = structuredClone(sample);
        const verdict = generated(a);
        expect(verdict, JSON.stringify(sample)).toBe(compiled(b));
        expect(a).toEqual(b); // defaults filled in alike
        expect(generated.errors ?? null).toEqual(compiled.errors ?? null); // parentSchema, data, params, paths
        if (!verdict) expect(describeErrors(generated.errors!)).toEqual(describeErrors(compiled.errors!));
      }
    },
  );

  it('a generated module made from other schemas is not used: that schema is compiled from the files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'validators-stale-'));
    temps.push(dir);
    await cp(join(root, 'connector.json'), join(dir, 'connector.json'));
    await cp(join(root, 'schemas'), join(dir, 'schemas'), { recursive: true });
    const file = join(dir, 'schemas/head_object.input.json');
    const head = JSON.parse(await readFile(file, 'utf8'));
    head.properties.zzAdded = { type: 'string', description: 'A field the generated module does not know.' };
    await writeFile(file, JSON.stringify(head, null, 2));
    const other = await Registry.load(dir);
    const validate = await other.validator('schemas/head_object.input.json');
    expect(other.validatorOrigin('schemas/head_object.input.json')).toBe('compiled');
    expect(validate({ bucket: 'my-bucket', key: 'a.txt', zzAdded: 'yes' })).toBe(true);
    await other.validator('schemas/get_object.input.json');
    expect(other.validatorOrigin('schemas/get_object.input.json')).toBe('generated');
    // The generated one refuses the field, so the check above can fail.
    expect(
      (await registry.validator('schemas/head_object.input.json'))({
        bucket: 'my-bucket',
        key: 'a.txt',
        zzAdded: 'yes',
      }),
    ).toBe(false);
  });
});

describe('plain copies and snapshots', () => {
  it('copies plain data as structuredClone does, and sends anything else its way', () => {
    const input = JSON.parse('{"a": [1, "x", null, true, {"b": {}}], "__proto__": {"polluted": 1}, "u": 2}');
    const copy = plainCopy(input, 'input');
    expect(copy).toEqual(structuredClone(input));
    expect(copy).not.toBe(input);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['a', '__proto__', 'u']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const date = new Date(0);
    expect(plainCopy({ when: date }, 'input').when).toEqual(date); // structuredClone's copy
    expect(() => plainCopy({ f: () => 1 }, 'input')).toThrow(expect.objectContaining({ name: 'DataCloneError' }));
    let deep: unknown = {};
    for (let i = 0; i < 40; i++) deep = { deep };
    expect(() => plainCopy(deep, 'input')).toThrow(/nested more than 32 levels/);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => plainCopy(cycle, 'connection')).toThrow(/Invalid connection: it is nested more than 32 levels/);
  });

  it('a snapshot matches only the same plain data', () => {
    const value = { region: 'us-east-1', credentials: { type: 'accessKey', accessKeyId: 'A' }, list: [1, 2] };
    const snapshot = plainCopy(value, 'connection');
    expect(samePlainData(value, snapshot)).toBe(true);
    expect(samePlainData({ ...value, extra: undefined }, snapshot)).toBe(false);
    expect(samePlainData({ ...value, credentials: { ...value.credentials, accessKeyId: 'B' } }, snapshot)).toBe(false);
    expect(samePlainData({ ...value, list: [1, 2, 3] }, snapshot)).toBe(false);
    expect(samePlainData({ ...value, list: { 0: 1, 1: 2 } }, snapshot)).toBe(false);
    expect(samePlainData({ credentials: value.credentials, region: value.region, list: value.list }, snapshot)).toBe(
      false,
    ); // key order is data too
    expect(samePlainData({ ...value, region: new String('us-east-1') }, snapshot)).toBe(false);
  });
});

describe('the generator', () => {
  /** A copy of what the generator reads and writes, so it can be run against changed schemas. */
  async function workspace(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'validators-gen-'));
    temps.push(dir);
    for (const path of ['connector.json', 'schemas', 'scripts/generate-validators.mjs', 'src']) {
      await cp(join(root, path), join(dir, path), { recursive: true });
    }
    await symlink(join(root, 'node_modules'), join(dir, 'node_modules'));
    return dir;
  }
  const generate = (dir: string, ...args: string[]) =>
    run(process.execPath, [join(dir, 'scripts/generate-validators.mjs'), ...args], { cwd: dir }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
    );

  it('--check passes on the committed modules and fails on a stale, missing or extra one; a run brings them up to date', async () => {
    const dir = await workspace();
    expect(await generate(dir, '--check')).toEqual({ code: 0, stderr: '' });
    const file = join(dir, 'schemas/head_object.input.json');
    const head = JSON.parse(await readFile(file, 'utf8'));
    head.description = `${head.description} Changed.`;
    await writeFile(file, JSON.stringify(head, null, 2));
    await rm(join(dir, 'src/generated/validators', `${validatorModuleName('schemas/list_buckets.input.json')}.ts`));
    const extra = join(dir, 'src/generated/validators/gone_operation.input.ts');
    await writeFile(
      extra,
      '// @ts-nocheck\n// GENERATED by scripts/generate-validators.mjs from schemas/gone_operation.input.json\n',
    );
    const stale = await generate(dir, '--check');
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('stale: src/generated/validators/head_object.input.ts');
    expect(stale.stderr).toContain('missing: src/generated/validators/list_buckets.input.ts');
    expect(stale.stderr).toContain(
      'extra (no schema in connector.json): src/generated/validators/gone_operation.input.ts',
    );
    expect(await generate(dir)).toEqual({ code: 0, stderr: '' });
    expect(await generate(dir, '--check')).toEqual({ code: 0, stderr: '' });
    expect(await readFile(join(dir, 'src/generated/validators/head_object.input.ts'), 'utf8')).toContain('Changed.');
  });

  it('a schema that strict mode refuses fails the run, naming the file', async () => {
    const dir = await workspace();
    const file = join(dir, 'schemas/head_object.input.json');
    const head = JSON.parse(await readFile(file, 'utf8'));
    head.properties.key = { ...head.properties.key, colour: 'blue' };
    await writeFile(file, JSON.stringify(head, null, 2));
    for (const args of [[], ['--check']]) {
      const failed = await generate(dir, ...args);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/schemas\/head_object\.input\.json: strict mode: unknown keyword: "colour"/);
    }
  });
});

describe('the built package', () => {
  it('validates connections and inputs without loading ajv', async () => {
    const script = `
      import { createRequire } from 'node:module';
      const { loadConnector } = await import(${JSON.stringify(join(root, 'dist/src/index.js'))});
      const connector = await loadConnector();
      const connection = { region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { type: 'accessKey', accessKeyId: 'AKID', secretAccessKey: 'secret-value-1' } };
      const bad = await connector.invoke('head_object', { bucket: 'Not_A_Bucket', key: 'a' }, { connection });
      const badConnection = await connector.invoke('head_object', { bucket: 'my-bucket', key: 'a' }, { connection: { region: 'US' } });
      const signed = await connector.invoke('get_object_signed_url', { bucket: 'my-bucket', key: 'a' }, { connection });
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((f) => /node_modules\\/ajv\\/dist\\/(ajv|2020|core|compile)/.test(f));
      console.log(JSON.stringify({ bad: bad.error, badConnection: badConnection.error, signed: signed.ok, loaded }));
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: root });
    const out = JSON.parse(stdout);
    expect(out.loaded).toEqual([]);
    expect(out.signed).toBe(true);
    expect(out.bad.message).toMatch(/^Invalid input: bucket "Not_A_Bucket" is not valid — Bucket name: /);
    expect(out.badConnection.message).toMatch(/^Invalid connection: region "US" is not valid/);
  });
});
