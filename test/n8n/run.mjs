#!/usr/bin/env node
// npm run test:n8n — the real-n8n lane (after npm run build):
//  1. n8n 2.8.4 in .cache/n8n (ignored), installed on first use with "overrides": {"xlsx": "0.18.5"}
//     (n8n's own sheetjs tarball is unreachable): ~10 minutes and 2.3 GB once, then reused;
//  2. the node package as n8n installs a community package: this repository packed, the n8n
//     package generated with that tarball as its dependency and packed, unpacked into a fresh
//     user folder's .n8n/nodes/node_modules/<package>, its peer and dev dependencies dropped and
//     `npm install` run there with the flags n8n's community package installer uses;
//  3. moto's virtual environment (.venv) ensured;
//  4. vitest on test/n8n/*.lane.ts, inside a network namespace that has only loopback
//     (`unshare --net`, when this user may make one), so n8n cannot reach anything but the
//     local moto; otherwise with n8n's outbound features switched off (see real-n8n.lane.ts).
// Steps 1-3 need the registry; the tests themselves run offline.
//   node test/n8n/run.mjs [--if-warm]   (--if-warm: skip, exit 0, when n8n is not installed yet)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const N8N_VERSION = '2.8.4';
export const CACHE = join(repo, '.cache', 'n8n');
const SPEC = {
  name: 'n8n-lane-cache',
  private: true,
  description: 'The n8n that npm run test:n8n runs (test/n8n/run.mjs); ignored, safe to delete.',
  dependencies: { n8n: N8N_VERSION },
  overrides: { xlsx: '0.18.5' },
};
/** Written once an install completed, holding the spec it was made from. */
const MARKER = join(CACHE, 'install.ok');
/** n8n's community package installer (packages/cli/src/modules/community-packages): its npm flags. */
const N8N_INSTALL_FLAGS = [
  '--audit=false',
  '--fund=false',
  '--bin-links=false',
  '--install-strategy=shallow',
  '--ignore-scripts=true',
  '--package-lock=false',
];

const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(0)} s`;
const log = (line) => process.stderr.write(`[test:n8n] ${line}\n`);

function sh(command, args, options = {}) {
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...options });
  if (r.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout}`);
  return r.stdout;
}

export function n8nIsInstalled() {
  if (!existsSync(MARKER)) return false;
  try {
    const installed = JSON.parse(readFileSync(join(CACHE, 'node_modules', 'n8n', 'package.json'), 'utf8')).version;
    return installed === N8N_VERSION && readFileSync(MARKER, 'utf8') === JSON.stringify(SPEC);
  } catch {
    return false;
  }
}

async function installN8n() {
  const started = Date.now();
  log(`installing n8n ${N8N_VERSION} into ${CACHE} (about 10 minutes and 2.3 GB, once)…`);
  await mkdir(CACHE, { recursive: true });
  await rm(MARKER, { force: true });
  await writeFile(join(CACHE, 'package.json'), `${JSON.stringify(SPEC, null, 2)}\n`);
  await new Promise((done, fail) => {
    const child = spawn('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: CACHE,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', fail);
    child.once('exit', (code) => (code === 0 ? done() : fail(new Error(`npm install of n8n failed (exit ${code})`))));
  });
  await writeFile(MARKER, JSON.stringify(SPEC));
  log(`n8n installed in ${seconds(started)}`);
}

/** The node package installed in a fresh n8n user folder, as n8n installs a community package. */
async function installPackage(userFolder) {
  const started = Date.now();
  const work = join(userFolder, 'packing');
  await mkdir(work, { recursive: true });
  const [connector] = JSON.parse(
    sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: repo }),
  );
  const connectorTarball = join(work, connector.filename);
  const { generate, PACKAGE_NAME } = await import(pathToFileURL(join(repo, 'n8n', 'generate.mjs')).href);
  const source = join(work, 'package');
  await generate({ out: source, connector: `file:${connectorTarball}` });
  const [packed] = JSON.parse(sh('npm', ['pack', '--json', '--pack-destination', work], { cwd: source }));
  const target = join(userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME);
  await mkdir(target, { recursive: true });
  sh('tar', ['-xzf', join(work, packed.filename), '-C', target, '--strip-components=1']);
  const pkg = JSON.parse(await readFile(join(target, 'package.json'), 'utf8'));
  // As n8n does: no peer dependencies (n8n-workflow is n8n's own), no dev or optional ones.
  const { devDependencies: _d, peerDependencies: _p, optionalDependencies: _o, ...kept } = pkg;
  await writeFile(join(target, 'package.json'), JSON.stringify(kept, null, 2));
  sh('npm', ['install', ...N8N_INSTALL_FLAGS, '--prefer-offline', '--loglevel=error'], { cwd: target });
  await writeFile(
    join(userFolder, '.n8n', 'nodes', 'package.json'),
    JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { [PACKAGE_NAME]: pkg.version } }, null, 2),
  );
  log(`${PACKAGE_NAME} ${pkg.version} installed into ${target} in ${seconds(started)}`);
}

function canIsolateNetwork() {
  const r = spawnSync('unshare', ['--net', 'sh', '-c', 'ip link set lo up'], { stdio: 'ignore' });
  return r.status === 0;
}

async function main() {
  if (process.argv.includes('--if-warm') && !n8nIsInstalled()) {
    log(`n8n ${N8N_VERSION} is not in ${CACHE} yet: the lane is skipped (npm run test:n8n installs it).`);
    return 0;
  }
  if (!existsSync(join(repo, 'dist', 'src', 'cjs', 'index.cjs')))
    throw new Error('dist/ is missing: run npm run build first.');
  if (!n8nIsInstalled()) await installN8n();
  const started = Date.now();
  const userFolder = await mkdtemp(join(tmpdir(), 's3c-n8n-lane-'));
  try {
    await installPackage(userFolder);
    const { ensureMoto } = await import(pathToFileURL(join(repo, 'dist', 'src', 'dev', 'localS3.js')).href);
    await ensureMoto();
    const vitest = [
      join(repo, 'node_modules', 'vitest', 'vitest.mjs'),
      'run',
      '--config',
      join(repo, 'test', 'n8n', 'vitest.config.ts'),
    ];
    const env = { ...process.env, N8N_LANE_USER_FOLDER: userFolder };
    let command = process.execPath;
    let args = vitest;
    if (canIsolateNetwork()) {
      env.N8N_LANE_NETWORK = 'loopback only (network namespace)';
      command = 'unshare';
      args = ['--net', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', process.execPath, ...vitest];
    } else {
      env.N8N_LANE_NETWORK = 'shared (no network namespace: n8n outbound features off)';
      log(
        'cannot make a network namespace here (unshare --net needs root or user namespaces): running with n8n outbound features off',
      );
    }
    const code = await new Promise((done) => {
      const child = spawn(command, args, { cwd: repo, env, stdio: 'inherit' });
      child.once('exit', (c, signal) => done(c ?? (signal ? 1 : 0)));
    });
    log(`lane finished in ${seconds(started)} (exit ${code})`);
    return code;
  } finally {
    await rm(userFolder, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      log(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
