// The house: one hop from an operation to everything about it, and the runtime's import path
// free of development tools.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/runtime/manifest.js';

const root = packageRoot();
const manifest = JSON.parse(readFileSync(join(root, 'connector.json'), 'utf8')) as {
  operations: { name: string; handler: string; input: string; output: string }[];
};

/** Every module a source file reaches through its static and dynamic relative imports. */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [entry];
  for (let file = queue.pop(); file; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = resolve(dirname(file), m[1]!).replace(/\.js$/, '.ts');
      if (existsSync(target)) queue.push(target);
    }
  }
  return seen;
}

describe('layout', () => {
  it.each(manifest.operations.map((op) => op.name))(
    '%s: handler, both schemas and its own test file, named after it',
    (name) => {
      const op = manifest.operations.find((o) => o.name === name)!;
      expect(op.handler).toBe(`operations/${name}`);
      expect([op.input, op.output]).toEqual([`schemas/${name}.input.json`, `schemas/${name}.output.json`]);
      for (const path of [`operations/${name}.ts`, op.input, op.output, `test/operations/${name}.test.ts`])
        expect(existsSync(join(root, path)), path).toBe(true);
      expect(readFileSync(join(root, `test/operations/${name}.test.ts`), 'utf8')).toContain(`'${name}'`);
    },
  );

  it('the package entry point never reaches the development tools (src/dev)', () => {
    const modules = [...reachable(join(root, 'src/index.ts'))].map((f) => relative(root, f));
    expect(modules).toContain('src/runtime/connector.ts');
    expect(modules.filter((m) => m.startsWith('src/dev/'))).toEqual([]);
    // The check can fail: the playground's starter does reach them.
    expect(
      [...reachable(join(root, 'src/dev/playground/start.ts'))].some((f) => f.includes('/src/dev/localS3.ts')),
    ).toBe(true);
  });

  it("README's layout names every folder of src/ and test/", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const layout = readme.slice(readme.indexOf('## Layout'), readme.indexOf('\n## ', readme.indexOf('## Layout') + 5));
    // Every folder there is, read from the tree, so a new one cannot go unmentioned.
    const folders = ['src', 'test'].flatMap((parent) =>
      readdirSync(join(root, parent), { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => `${parent}/${e.name}/`),
    );
    expect(folders).toContain('test/fixtures/');
    for (const folder of folders) {
      expect(layout).toContain(`\`${folder}`);
    }
  });
});
