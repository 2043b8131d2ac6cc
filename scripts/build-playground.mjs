// Builds the playground page into dist/playground: the React app bundled by esbuild, with its
// page and stylesheet. Runs after tsc in `npm run build` (so `npm install` and `npm test` make it).
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src/dev/playground/web');
const out = join(root, 'dist/playground');
await mkdir(out, { recursive: true });
await build({
  entryPoints: [join(source, 'main.tsx')],
  outfile: join(out, 'app.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome120', 'firefox120', 'safari17'],
  jsx: 'automatic',
  minify: true,
  sourcemap: false, // the bundle is mostly third-party code; keeps the package small
  define: { 'process.env.NODE_ENV': '"production"' },
  legalComments: 'linked',
  logLevel: 'warning',
});
await copyFile(join(source, 'index.html'), join(out, 'index.html'));
await copyFile(join(source, 'app.css'), join(out, 'app.css'));
console.log(`playground page built into ${out}`);
