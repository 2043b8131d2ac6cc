// `npm run new-operation` (scripts/new-operation.mjs) in a copy of the repository: what it
// scaffolds passes the generated-types check, the compiler, the manifest checks and its own test
// against moto, untouched; and it refuses a bad or taken name without writing anything.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/runtime/manifest.js';

const execFileP = promisify(execFile);
const root = packageRoot();
/** Not copied: dependencies and the local S3 server's environment are linked instead; the rest is built or kept per checkout. */
const LINKED = ['node_modules', '.venv'];
const SKIPPED = new Set([...LINKED, 'dist', '.git', '.cache', 'test-artifacts']);

let copy: string;

/** The environment of a child run in the copy, without this vitest's own variables. */
function childEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS'),
  );
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
async function runIn(dir: string, command: string, args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await execFileP(command, args, {
      cwd: dir,
      env: childEnv(),
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(err) };
  }
}
const expectOk = (run: Run, what: string) =>
  expect(run.code, `${what} failed:\n${run.stdout.slice(-4000)}\n${run.stderr.slice(-4000)}`).toBe(0);

/** Every file of the copy that the scaffold could touch, with its content. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const folder of ['schemas', 'operations', 'test/operations', 'src/generated', 'src/generated/validators']) {
    for (const entry of await readdir(join(dir, folder), { withFileTypes: true })) {
      if (entry.isFile()) out.set(`${folder}/${entry.name}`, await readFile(join(dir, folder, entry.name), 'utf8'));
    }
  }
  out.set('connector.json', await readFile(join(dir, 'connector.json'), 'utf8'));
  return out;
}

beforeAll(async () => {
  copy = await mkdtemp(join(tmpdir(), 'scaffold-'));
  for (const entry of await readdir(root)) {
    if (!SKIPPED.has(entry)) await cp(join(root, entry), join(copy, entry), { recursive: true });
  }
  for (const entry of LINKED) await symlink(join(root, entry), join(copy, entry));
});
afterAll(async () => {
  if (copy) await rm(copy, { recursive: true, force: true });
});

describe('npm run new-operation', () => {
  it('refuses a name that is not snake_case, or that is taken, and writes nothing', async () => {
    const before = await snapshot(copy);
    for (const [name, message] of [
      ['GetBucketThing', /not a snake_case name/],
      ['get-bucket-thing', /not a snake_case name/],
      ['get__thing', /not a snake_case name/],
      ['head_object', /already exists/],
    ] as const) {
      const run = await runIn(copy, process.execPath, ['scripts/new-operation.mjs', name]);
      expect(run.code, name).toBe(1);
      expect(run.stderr, name).toMatch(message);
    }
    expect(
      (await runIn(copy, process.execPath, ['scripts/new-operation.mjs', 'get_thing', '--permission', 'GetThing']))
        .stderr,
    ).toMatch(/not an IAM action/);
    expect(await snapshot(copy)).toEqual(before);
  });

  it('scaffolds an action and a lookup that pass types:check, tsc, the manifest checks and their own tests against moto', async () => {
    const manifestBefore = await readFile(join(copy, 'connector.json'), 'utf8');
    const action = await runIn(copy, 'npm', [
      'run',
      'new-operation',
      '--',
      'get_scaffolded_thing',
      '--permission',
      's3:ListBucket',
    ]);
    expectOk(action, 'new-operation get_scaffolded_thing');
    const lookup = await runIn(copy, 'npm', [
      'run',
      'new-operation',
      '--',
      'list_scaffolded_ddl',
      '--kind',
      'lookup',
      '--title',
      'Scaffolded dropdown',
    ]);
    expectOk(lookup, 'new-operation list_scaffolded_ddl');

    // What it wrote: the manifest entries, schemas with examples, a handler on the generated types.
    // connector.json keeps its layout: every line before the last entry's end is as it was
    // (short arrays stay on one line; lint below checks the rest).
    const manifestText = await readFile(join(copy, 'connector.json'), 'utf8');
    const lastEntryEnd = manifestBefore.lastIndexOf('\n    }\n  ]');
    expect(lastEntryEnd).toBeGreaterThan(0);
    expect(manifestText.slice(0, lastEntryEnd)).toBe(manifestBefore.slice(0, lastEntryEnd));
    expect(manifestText).toContain('"permissions": ["s3:ListBucket"]');
    const manifest = JSON.parse(manifestText) as {
      operations: Record<string, unknown>[];
    };
    expect(manifest.operations.slice(-2)).toMatchObject([
      {
        name: 'get_scaffolded_thing',
        kind: 'action',
        input: 'schemas/get_scaffolded_thing.input.json',
        output: 'schemas/get_scaffolded_thing.output.json',
        handler: 'operations/get_scaffolded_thing',
        permissions: ['s3:ListBucket'],
        annotations: { readOnly: true, destructive: false, idempotent: true },
      },
      { name: 'list_scaffolded_ddl', kind: 'lookup', title: 'Scaffolded dropdown' },
    ]);
    const input = JSON.parse(await readFile(join(copy, 'schemas/get_scaffolded_thing.input.json'), 'utf8'));
    expect(input).toMatchObject({
      $id: expect.stringContaining('get_scaffolded_thing.input.json'),
      title: expect.any(String),
      examples: [{ bucket: 'example-bucket' }],
    });
    const handler = await readFile(join(copy, 'operations/get_scaffolded_thing.ts'), 'utf8');
    expect(handler).toMatch(/defineOperation<GetScaffoldedThingInput, GetScaffoldedThingOutput>/);
    expect(await readFile(join(copy, 'src/generated/types.ts'), 'utf8')).toMatch(
      /get_scaffolded_thing: \{ input: GetScaffoldedThingInput; output: GetScaffoldedThingOutput \}/,
    );

    // The same name again is refused now that it exists.
    expect((await runIn(copy, process.execPath, ['scripts/new-operation.mjs', 'get_scaffolded_thing'])).stderr).toMatch(
      /already exists/,
    );

    // The checks npm test runs before vitest: generated types and validators current, lint clean.
    expectOk(await runIn(copy, 'npm', ['run', 'types:check']), 'npm run types:check');
    expectOk(await runIn(copy, 'npm', ['run', 'validators:check']), 'npm run validators:check');
    expectOk(await runIn(copy, 'npm', ['run', 'lint']), 'npm run lint');
    expectOk(await runIn(copy, 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']), 'tsc');
    const tests = [
      'test/lanes/manifest.test.ts',
      'test/operations/get_scaffolded_thing.test.ts',
      'test/operations/list_scaffolded_ddl.test.ts',
    ];
    expectOk(await runIn(copy, 'npx', ['vitest', 'run', ...tests]), 'vitest in the copy');

    // They really ran there (the copy's JSON report), each with passing tests and none skipped.
    const report = JSON.parse(await readFile(join(copy, 'test-artifacts/vitest.json'), 'utf8')) as {
      testResults: { name: string; assertionResults: { status: string }[] }[];
    };
    for (const file of tests) {
      const result = report.testResults.find((r) => r.name === join(copy, file));
      expect(result, `${file} did not run`).toBeDefined();
      expect(result!.assertionResults.length, file).toBeGreaterThanOrEqual(2);
      expect(
        result!.assertionResults.every((a) => a.status === 'passed'),
        file,
      ).toBe(true);
    }
  }, 900_000);
});
