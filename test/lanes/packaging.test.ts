// The package as a runtime gets it: `npm pack`, unpacked into a fresh project with only its
// declared dependencies, then loaded with require() (n8n and Node-RED load nodes as CommonJS) and
// with import, in child processes on Node 20, 22 and 24, each listing buckets on moto. Its type
// declarations are checked against what each entry really exports. Also: neither library use
// nor `npm start` prints the AWS SDK's Node-version notice, and other warnings still print.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aws, motoConnection, uniqueBucket } from '../support/helpers.js';
import { cleanEnv, consumerProject, nodeBinary, repoRoot, run, type ConsumerProject } from '../support/packed.js';

const NODE_MAJORS = [20, 22, 24];
const NOTICE = /NodeVersionSupportWarning/;
const CANARY = 'canary warning from the host';

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  main: string;
  types: string;
  exports: Record<string, string | Record<string, Record<string, string>>>;
  scripts: Record<string, string>;
};

// What each probe prints: its entry's own keys and the result of list_buckets on moto (the
// CommonJS one also whether its synchronous manifest is connector.json and the runtime's).
const CJS_PROBE = `
const s3 = require('aws-s3-connector');
const manifestFile = require('aws-s3-connector/connector.json');
process.emitWarning(${JSON.stringify(CANARY)});
(async () => {
  const esm = await s3.importConnectorModule();
  const esmKeys = Object.keys(esm);
  const connector = await s3.loadConnector();
  const result = await connector.invoke('list_buckets', {}, { connection: JSON.parse(process.env.CONNECTION) });
  connector.close();
  console.log(JSON.stringify({
    keys: Object.keys(s3), esmKeys, result,
    manifestIsTheFile: JSON.stringify(s3.manifest) === JSON.stringify(manifestFile),
    sameManifest: JSON.stringify(connector.manifest) === JSON.stringify(s3.manifest),
  }));
})().catch((err) => { console.error(err); process.exit(1); });
`;

const ESM_PROBE = `
import * as s3 from 'aws-s3-connector';
process.emitWarning(${JSON.stringify(CANARY)});
const connector = await s3.loadConnector();
const result = await connector.invoke('list_buckets', {}, { connection: JSON.parse(process.env.CONNECTION) });
connector.close();
console.log(JSON.stringify({ keys: Object.keys(s3), result }));
`;

// TypeScript consumers of both entries, as a runtime's node would be written.
const CTS_CONSUMER = `
import s3 = require('aws-s3-connector');
export async function count(connection: s3.S3Connection): Promise<number> {
  const connector: s3.Connector = await s3.loadConnector({ validateOutput: true });
  const result: s3.InvokeResult<s3.ListBucketsOutput> = await connector.invoke('list_buckets', {}, { connection });
  const { LocalFileStore, DEFAULT_INVOKE_TIMEOUT_MS } = await s3.importConnectorModule();
  const files: s3.LocalFileStore = new LocalFileStore();
  await connector.invoke('head_object', { bucket: 'b', key: 'k' }, { connection, files, timeoutMs: DEFAULT_INVOKE_TIMEOUT_MS });
  return result.ok ? result.output.count : s3.manifest.operations.length;
}
export const entry = s3;
`;

const MTS_CONSUMER = `
import * as s3 from 'aws-s3-connector';
import { loadConnector, LocalFileStore, type S3Connection } from 'aws-s3-connector';
export async function count(connection: S3Connection): Promise<number> {
  const connector = await loadConnector({ files: new LocalFileStore() });
  const result = await connector.invoke('list_buckets', {}, { connection });
  return result.ok ? result.output.count : -1;
}
export const entry = s3;
`;

interface CjsReport {
  keys: string[];
  esmKeys: string[];
  result: { ok: boolean; output?: { buckets: { name: string }[] }; error?: unknown };
  manifestIsTheFile: boolean;
  sameManifest: boolean;
}
interface EsmReport {
  keys: string[];
  result: CjsReport['result'];
}

let project: ConsumerProject;
let binaries: Map<number, string>;
let bucket: string;

beforeAll(async () => {
  bucket = uniqueBucket('pack');
  const [p, nodes] = await Promise.all([
    consumerProject(['@types/node']),
    Promise.all(NODE_MAJORS.map(async (major) => [major, await nodeBinary(major)] as const)),
    aws(['s3api', 'create-bucket', '--bucket', bucket]),
  ]);
  project = p;
  binaries = new Map(nodes);
  await writeFile(join(project.dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  await writeFile(join(project.dir, 'probe.cjs'), CJS_PROBE);
  await writeFile(join(project.dir, 'probe.mjs'), ESM_PROBE);
  await writeFile(join(project.dir, 'consumer.cts'), CTS_CONSUMER);
  await writeFile(join(project.dir, 'consumer.mts'), MTS_CONSUMER);
}, 300_000);

afterAll(async () => {
  await project?.remove();
});

function probe(major: number, file: string, env: Record<string, string> = {}) {
  return run(binaries.get(major)!, [file], {
    cwd: project.dir,
    env: cleanEnv({ CONNECTION: JSON.stringify(motoConnection()), ...env }),
  });
}

describe('the packed package', () => {
  it('holds both entries with their types, every path its exports name, and no sources or tests', () => {
    const files = new Set(project.files);
    const named = [pkg.main, pkg.types];
    for (const target of Object.values(pkg.exports)) {
      if (typeof target === 'string') named.push(target);
      else for (const cond of Object.values(target)) named.push(...Object.values(cond));
    }
    for (const path of named.filter((p) => !p.includes('*'))) expect(files, path).toContain(path.replace(/^\.\//, ''));
    for (const f of [
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/cjs/index.cjs',
      'dist/src/cjs/index.d.cts',
      'connector.json',
      'schemas/connection.json',
    ]) {
      expect(files).toContain(f);
    }
    const handlers = (
      JSON.parse(readFileSync(join(repoRoot, 'connector.json'), 'utf8')) as { operations: { name: string }[] }
    ).operations;
    for (const op of handlers) expect(files).toContain(`dist/operations/${op.name}.js`);
    expect(
      project.files.filter((f) => /^(test|src|operations|scripts|bench)\//.test(f) || f.endsWith('.test.js')),
    ).toEqual([]);
  });

  it.each(NODE_MAJORS)(
    'require() works on Node %i: a sync manifest, the ES module API, loadConnector lists buckets on moto',
    async (major) => {
      const r = await probe(major, 'probe.cjs');
      expect(r.stderr).not.toMatch(/ERR_|Error/);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as CjsReport;
      expect(report.result.ok).toBe(true);
      expect(report.result.output!.buckets.map((b) => b.name)).toContain(bucket);
      expect(report.manifestIsTheFile).toBe(true);
      expect(report.sameManifest).toBe(true);
      expect(report.keys.sort()).toEqual(['importConnectorModule', 'loadConnector', 'manifest', 'packageRoot']);
      expect(report.esmKeys).toEqual(
        expect.arrayContaining(['loadConnector', 'LocalFileStore', 'DEFAULT_INVOKE_TIMEOUT_MS']),
      );
    },
  );

  it.each(NODE_MAJORS)('import works on Node %i: loadConnector lists buckets on moto', async (major) => {
    const r = await probe(major, 'probe.mjs');
    expect(r.stderr).not.toMatch(/ERR_|Error/);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as EsmReport;
    expect(report.result.ok).toBe(true);
    expect(report.result.output!.buckets.map((b) => b.name)).toContain(bucket);
    expect(report.keys).toEqual(
      expect.arrayContaining(['loadConnector', 'LocalFileStore', 'DEFAULT_INVOKE_TIMEOUT_MS']),
    );
  });

  it('its types tell the truth: a TypeScript consumer may use as a value exactly what each entry exports at runtime, and consumers of both compile', async () => {
    const options: ts.CompilerOptions = {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      noEmit: true,
      types: ['node'],
    };
    const consumers = ['consumer.cts', 'consumer.mts'].map((f) => join(project.dir, f));
    const program = ts.createProgram(consumers, options);
    const problems = (p: ts.Program) =>
      ts.getPreEmitDiagnostics(p).map((d) => ({
        file: d.file?.fileName ?? '',
        line: d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1,
        text: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
      }));
    expect(problems(program)).toEqual([]);

    // Every name the declarations know on each entry, then which of them compile as a value.
    const checker = program.getTypeChecker();
    const namesOn = (file: string): string[] => {
      const source = program.getSourceFile(file)!;
      const entry = source.statements.filter(ts.isVariableStatement).at(-1)!.declarationList.declarations[0]!;
      const type = checker.getTypeOfSymbolAtLocation(checker.getSymbolAtLocation(entry.name)!, source);
      return checker.getPropertiesOfType(type).map((p) => p.name);
    };
    const cjsNames = namesOn(consumers[0]!);
    const esmNames = namesOn(consumers[1]!);
    const header = { cts: "import s3 = require('aws-s3-connector');", mts: "import * as s3 from 'aws-s3-connector';" };
    await writeFile(join(project.dir, 'values.cts'), [header.cts, ...cjsNames.map((n) => `void s3.${n};`)].join('\n'));
    await writeFile(join(project.dir, 'values.mts'), [header.mts, ...esmNames.map((n) => `void s3.${n};`)].join('\n'));
    const valueCheck = problems(
      ts.createProgram(
        ['values.cts', 'values.mts'].map((f) => join(project.dir, f)),
        options,
      ),
    );
    const usable = (file: string, names: string[]) => {
      const refused = new Set(valueCheck.filter((d) => d.file.endsWith(file)).map((d) => d.line - 1));
      return names.filter((_, i) => !refused.has(i)).sort();
    };

    const [cjsRun, esmRun] = await Promise.all([probe(20, 'probe.cjs'), probe(20, 'probe.mjs')]);
    const cjs = JSON.parse(cjsRun.stdout) as CjsReport;
    const esm = JSON.parse(esmRun.stdout) as EsmReport;
    expect(usable('values.cts', cjsNames)).toEqual([...cjs.keys].sort());
    expect(usable('values.mts', esmNames)).toEqual([...esm.keys].sort());
    // The check can refuse: LocalFileStore is declared on the CommonJS entry, as a type only.
    expect(cjsNames).toContain('LocalFileStore');
    expect(cjs.keys).not.toContain('LocalFileStore');
  });
});

describe("the AWS SDK's Node-version notice", () => {
  it('is not printed by library use on Node 20, through require() or import; other warnings are', async () => {
    for (const file of ['probe.cjs', 'probe.mjs']) {
      const r = await probe(20, file);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr, file).toContain(CANARY);
      expect(r.stderr, file).not.toMatch(NOTICE);
    }
  });

  it('still prints when the host asks for it (AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=false)', async () => {
    const r = await probe(20, 'probe.cjs', { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(NOTICE);
  });

  it('is not printed by npm start on Node 20', async () => {
    const [command, script, ...rest] = pkg.scripts.start!.split(' ');
    expect([command, rest]).toEqual(['node', []]);
    const child = spawn(process.execPath, [script!], {
      cwd: repoRoot,
      env: cleanEnv({ PLAYGROUND_PORT: '0' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Ready once it prints the page's URL (by then it has made its S3 clients and seeded moto).
    const ready = await new Promise<boolean>((resolve) => {
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        if (/Playground: http:\/\/127\.0\.0\.1:\d+/.test(stdout)) resolve(true);
      });
      child.on('close', () => resolve(false));
    });
    child.kill('SIGTERM');
    expect(await closed).toBe(0);
    expect(ready, stdout + stderr).toBe(true);
    expect(stderr).not.toMatch(NOTICE);
  }, 120_000);
});
