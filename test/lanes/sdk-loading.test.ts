// The SDK's CommonJS packages reach the runtime through src/runtime/sdk.ts (require(), not
// `import`: see there why). A value import of them anywhere else would bring back the cost that
// module removes, silently; this keeps it out. Type imports are erased, so they may stay.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as sdk from '../../src/runtime/sdk.js';
import { packageRoot } from '../../src/runtime/manifest.js';

const root = packageRoot();
/** The packages sdk.ts loads; every value the connector takes from them comes from there. */
const REQUIRED_PACKAGES = ['@aws-sdk/client-s3', '@smithy/node-http-handler'];
const SDK_MODULE = 'src/runtime/sdk.ts';

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return path === 'src/dev/playground/web' ? [] : sourceFiles(path);
    return /\.(ts|mts|cts)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** `package: names` for each import or re-export of those packages that brings a value in. */
function valueImports(path: string, text = readFileSync(join(root, path), 'utf8')): string[] {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false);
  const found: string[] = [];
  const specifierOf = (node: ts.Node | undefined) =>
    node && ts.isStringLiteral(node) && REQUIRED_PACKAGES.includes(node.text) ? node.text : undefined;
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const pkg = specifierOf(node.moduleSpecifier);
      const clause = node.importClause;
      if (pkg && !clause) found.push(`${pkg}: (side effects)`);
      if (pkg && clause && !clause.isTypeOnly) {
        const bindings = clause.namedBindings;
        const values = [
          ...(clause.name ? [clause.name.text] : []),
          ...(bindings && ts.isNamespaceImport(bindings) ? [`* as ${bindings.name.text}`] : []),
          ...(bindings && ts.isNamedImports(bindings)
            ? bindings.elements.filter((e) => !e.isTypeOnly).map((e) => e.name.text)
            : []),
        ];
        if (values.length) found.push(`${pkg}: ${values.join(', ')}`);
      }
    } else if (ts.isExportDeclaration(node) && !node.isTypeOnly) {
      const pkg = specifierOf(node.moduleSpecifier);
      if (pkg) found.push(`${pkg}: (re-export)`);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const pkg = specifierOf(node.arguments[0]);
      if (pkg) found.push(`${pkg}: import()`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe('SDK loading', () => {
  it('no module but sdk.ts takes a value from the required packages', () => {
    const files = [...sourceFiles('src'), ...sourceFiles('operations')].filter((f) => f !== SDK_MODULE);
    expect(files).toContain('operations/list_buckets.ts');
    expect(files).toContain('src/runtime/clients.ts');
    const offenders = Object.fromEntries(
      files.map((f) => [relative(root, join(root, f)), valueImports(f)] as const).filter(([, v]) => v.length),
    );
    expect(offenders, `import these from ${SDK_MODULE} (add a missing name there)`).toEqual({});
  });

  it('the scan sees value imports, re-exports and import(), and lets type imports pass', () => {
    const text = [
      "import { S3Client, type Bucket } from '@aws-sdk/client-s3';",
      "import type { _Object } from '@aws-sdk/client-s3';",
      "import * as http from '@smithy/node-http-handler';",
      "export { NodeHttpHandler } from '@smithy/node-http-handler';",
      "const later = () => import('@aws-sdk/client-s3');",
    ].join('\n');
    expect(valueImports('x.ts', text)).toEqual([
      '@aws-sdk/client-s3: S3Client',
      '@smithy/node-http-handler: * as http',
      '@smithy/node-http-handler: (re-export)',
      '@aws-sdk/client-s3: import()',
    ]);
  });

  it('sdk.ts gives the same classes an import of the packages gives (one instance, shared with the host)', async () => {
    const s3 = await import('@aws-sdk/client-s3');
    expect(sdk.S3Client).toBe(s3.S3Client);
    expect(sdk.ListBucketsCommand).toBe(s3.ListBucketsCommand);
    expect(sdk.PutObjectCommand).toBe(s3.PutObjectCommand);
    expect(sdk.NodeHttpHandler).toBe((await import('@smithy/node-http-handler')).NodeHttpHandler);
  });
});
