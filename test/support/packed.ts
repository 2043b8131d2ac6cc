// The package as a consumer gets it: `npm pack` of this repository, unpacked into a fresh temp
// project's node_modules, with the package's declared dependencies (and nothing else) linked in
// from this repository's node_modules. Also: Node binaries of other majors (the `node@N` npm
// package, installed once into the ignored .cache/ folder) and a child-process runner.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess, type Run } from './processes.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export type { Run } from './processes.js';

/** Runs a command to its end and collects what it printed (a clean environment unless given). */
export function run(
  command: string,
  args: string[],
  o: { cwd?: string; env?: NodeJS.ProcessEnv; stdin?: string } = {},
): Promise<Run> {
  return runProcess(command, args, { ...o, env: o.env ?? cleanEnv() });
}

/**
 * The environment of this process without what would make a child's run depend on it: npm's
 * lifecycle variables, NODE_OPTIONS, vitest's own, and every AWS_* (the test process has loaded
 * the connector, which sets the SDK's Node-version-notice switch; a child must decide for itself).
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|NODE_OPTIONS$|NODE_ENV$|VITEST|TEST$|AWS_)/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

export interface Packed {
  /** The tarball `npm pack` wrote. */
  tarball: string;
  /** The paths inside it, relative to the package root. */
  files: string[];
}

/** `npm pack` of the repository as built (scripts are not run: `npm test` has built dist/ already). */
export async function pack(into: string): Promise<Packed> {
  for (const built of ['dist/src/index.js', 'dist/src/cjs/index.cjs']) {
    if (!existsSync(join(repoRoot, built)))
      throw new Error(`${built} is missing: run \`npm run build\` first (npm test does).`);
  }
  const r = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', into], { cwd: repoRoot });
  if (r.code !== 0) throw new Error(`npm pack failed (${r.code}): ${r.stderr}`);
  const [info] = JSON.parse(r.stdout) as { filename: string; files: { path: string }[] }[];
  return { tarball: join(into, info!.filename), files: info!.files.map((f) => f.path) };
}

export interface ConsumerProject extends Packed {
  /** The project's folder: node_modules/aws-s3-connector is the unpacked tarball. */
  dir: string;
  remove(): Promise<void>;
}

/**
 * A fresh project that depends on the packed package. `devDependencies` names packages of this
 * repository's node_modules the consumer brings itself (e.g. @types/node for a type check).
 */
export async function consumerProject(devDependencies: string[] = []): Promise<ConsumerProject> {
  const dir = await mkdtemp(join(tmpdir(), 's3c-consumer-'));
  const packed = await pack(dir);
  const target = join(dir, 'node_modules', 'aws-s3-connector');
  await mkdir(target, { recursive: true });
  const untar = await run('tar', ['-xzf', packed.tarball, '-C', target, '--strip-components=1']);
  if (untar.code !== 0) throw new Error(`tar failed: ${untar.stderr}`);
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  for (const name of [...Object.keys(pkg.dependencies), ...devDependencies]) {
    const link = join(dir, 'node_modules', name);
    await mkdir(dirname(link), { recursive: true });
    await symlink(join(repoRoot, 'node_modules', name), link, 'dir');
  }
  return { ...packed, dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * The `node` binary of a Node major: this process's own when it is that major, else the `node@N`
 * npm package installed once into .cache/node<N> (git-ignored; CI reaches the npm registry).
 * Installed into a scratch folder and renamed into place, so a half-finished install is never used.
 */
export async function nodeBinary(major: number): Promise<string> {
  if (Number(process.versions.node.split('.')[0]) === major) return process.execPath;
  const home = join(repoRoot, '.cache', `node${major}`);
  const binary = join(home, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(binary)) {
    const scratch = `${home}.partial-${process.pid}`;
    await rm(scratch, { recursive: true, force: true });
    const r = await run(
      'npm',
      ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--prefix', scratch, `node@${major}`],
      { cwd: repoRoot },
    );
    if (r.code !== 0 || !existsSync(join(scratch, 'node_modules', 'node', 'bin', 'node'))) {
      throw new Error(`installing node@${major} from the npm registry failed (${r.code}): ${r.stderr.slice(-2000)}`);
    }
    await rename(scratch, home).catch(async (err: NodeJS.ErrnoException) => {
      await rm(scratch, { recursive: true, force: true });
      if (!existsSync(binary)) throw err; // lost a race to another run: its copy is as good
    });
  }
  const v = await run(binary, ['--version']);
  if (!v.stdout.startsWith(`v${major}.`)) throw new Error(`${binary} is not Node ${major}: ${v.stdout}${v.stderr}`);
  return binary;
}
