// The README's code runs. Every ```ts block, and every block marked `<!-- runs: esm | commonjs -->`
// on the line above it, is type-checked against the packed package's types (installed into a fresh
// project, as a runtime gets it) and run on Node with S3_CONNECTION pointing at a moto of its own
// that holds `npm start`'s demo bucket. A marker's `; prints: <line>` parts must each be a whole
// line of the block's output. Other blocks (sh, console transcripts) are not run.
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoConnection, seedDemo } from '../../src/dev/demo.js';
import { startMoto, type LocalS3 } from '../../src/dev/localS3.js';
import { cleanEnv, consumerProject, repoRoot, run, type ConsumerProject } from '../support/packed.js';

interface Block {
  /** 1-based line of the opening fence in README.md. */
  line: number;
  lang: string;
  code: string;
  /** The `<!-- runs: … -->` marker on the line above, if any. */
  marker?: { module: string; prints: string[] };
  /** The file the block becomes in the consumer project. */
  file: string;
}

const MARKER = /^<!--\s*runs:\s*(.*?)\s*-->$/;

/** The fenced blocks of a Markdown text, each with the marker above it. */
function readBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    const above = MARKER.exec(lines[start - 1]?.trim() ?? '');
    let marker: Block['marker'];
    if (above) {
      const [module, ...rest] = above[1]!.split(';').map((p) => p.trim());
      marker = { module: module!, prints: rest.map((p) => /^prints:\s*(.*)$/.exec(p)?.[1] ?? `?${p}`) };
    }
    const lang = open[1]!;
    const ext = lang === 'ts' ? '.mts' : marker?.module === 'commonjs' ? '.cjs' : '.mjs';
    blocks.push({
      line: start + 1,
      lang,
      code: body.join('\n') + '\n',
      marker,
      file: `readme-line-${start + 1}${ext}`,
    });
  }
  return blocks;
}

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const blocks = readBlocks(readme);
const runnable = blocks.filter((b) => b.lang === 'ts' || b.marker);

let project: ConsumerProject;
let moto: LocalS3;
let outDir: string;
let compileProblems: string[] = [];

beforeAll(async () => {
  const [p, m] = await Promise.all([consumerProject(['@types/node']), startMoto()]);
  project = p;
  moto = m;
  await seedDemo(demoConnection(moto.endpoint));
  await writeFile(join(project.dir, 'package.json'), JSON.stringify({ name: 'readme-blocks', private: true }));
  const src = join(project.dir, 'src');
  outDir = join(project.dir, 'out');
  await mkdir(src, { recursive: true });
  for (const b of runnable) await writeFile(join(src, b.file), b.code);
  const program = ts.createProgram(
    runnable.map((b) => join(src, b.file)),
    {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      allowJs: true,
      checkJs: true,
      types: ['node'],
      rootDir: src,
      outDir,
    },
  );
  compileProblems = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    return `${d.file?.fileName.replace(/^.*\//, '') ?? ''}${where ? `:${where.line + 1}` : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  program.emit();
}, 300_000);

afterAll(async () => {
  await moto?.stop();
  await project?.remove();
});

describe('README code blocks', () => {
  it('every ts block is marked to run, every marker is well-formed and sits on a ts or js block', () => {
    expect(runnable.length).toBeGreaterThanOrEqual(2);
    expect(blocks.filter((b) => b.lang === 'ts' && !b.marker).map((b) => `line ${b.line}`)).toEqual([]);
    const bad = blocks.filter(
      (b) =>
        b.marker &&
        (!['ts', 'js'].includes(b.lang) ||
          !['esm', 'commonjs'].includes(b.marker.module) ||
          (b.lang === 'ts' && b.marker.module !== 'esm') ||
          b.marker.prints.some((p) => p.startsWith('?'))),
    );
    expect(bad.map((b) => `line ${b.line}: ${b.lang} ${JSON.stringify(b.marker)}`)).toEqual([]);
    // A marker not on the line right above a fence would be silently ignored: refuse it.
    const markers = readme.split('\n').flatMap((l, i) => (MARKER.test(l.trim()) ? [i + 2] : []));
    expect(markers.filter((fenceLine) => !blocks.some((b) => b.line === fenceLine))).toEqual([]);
  });

  it('the blocks type-check against the published types of the packed package', () => {
    expect(compileProblems).toEqual([]);
  });

  it.each(runnable.map((b) => [b.line, b] as const))(
    'the block at README.md line %i runs against moto',
    async (_line, block) => {
      const file = join(outDir, block.file.replace(/\.mts$/, '.mjs'));
      const r = await run(process.execPath, [file], {
        cwd: project.dir,
        env: cleanEnv({ S3_CONNECTION: JSON.stringify(demoConnection(moto.endpoint)) }),
      });
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stdout.split('\n');
      for (const line of block.marker?.prints ?? []) expect(lines, r.stdout).toContain(line);
    },
  );
});
