// npm run export:tray [-- --out <dir>] [--connector-dependency <npm spec>] [--allow-host <host>]…
// Writes the Tray CDK project of connector.json (src/adapters/tray.ts) into <dir>, by default
// export/tray/ (git-ignored). Then, in that folder: npm install, npx tray-cdk build, npx tray-cdk test.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist/src/adapters/tray.js');
if (!existsSync(built)) {
  console.error('dist/src/adapters/tray.js is missing: run `npm run build` (or `npx tsc -p tsconfig.json`) first.');
  process.exit(1);
}
const { values } = parseArgs({
  options: {
    out: { type: 'string', default: join(root, 'export', 'tray') },
    'connector-dependency': { type: 'string' },
    'allow-host': { type: 'string', multiple: true, default: [] },
  },
});
const { exportTrayProject } = await import(built);
const { loadConnector } = await import(join(root, 'dist/src/index.js'));
const connector = await loadConnector();
const result = await exportTrayProject(connector, {
  out: resolve(values.out),
  ...(values['connector-dependency'] ? { connectorDependency: values['connector-dependency'] } : {}),
  allowedHttpsHosts: values['allow-host'],
});
connector.close();
console.log(`wrote ${result.files.length} files for ${result.operations.length} operations into ${result.out}`);
