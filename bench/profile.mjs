// CPU profiles of the bench's child scripts (`node --cpu-prof`), summarised as markdown: where a
// process spends its time, by function and by package, and (for a connector against its raw
// counterpart) the difference per call by function, which is what explains their ratio.
// The .cpuprofile format: nodes (id, callFrame {functionName, url, lineNumber (0-based)},
// children), samples (a node id per sample) and timeDeltas (µs before each sample).
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, timed } from './lib.mjs';

/** Sampling interval: finer than node's default 1 ms, so a run of a few seconds gives enough samples. */
export const PROFILE_INTERVAL_MICROS = 250;
const TOP = 12;

/**
 * Runs `node --cpu-prof <args>` with the given node binary; returns the parsed profile and the
 * process's CPU time (user + system, from /usr/bin/time; undefined without it).
 */
export async function profileOf(nodePath, args, tmpDir) {
  const dir = await mkdtemp(join(tmpDir, 'cpuprof-'));
  try {
    const res = await timed(
      nodePath,
      ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-interval=${PROFILE_INTERVAL_MICROS}`, ...args],
      { tmpDir },
    );
    const [file] = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`node --cpu-prof ${args.join(' ')} wrote no profile`);
    return {
      profile: JSON.parse(await readFile(join(dir, file), 'utf8')),
      cpuMs: res.cpuSeconds === undefined ? undefined : res.cpuSeconds * 1000,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Where a frame's code lives: a path inside node_modules or the repo, or node's own. */
function fileOf(url) {
  if (!url) return '';
  if (!url.startsWith('file://')) return url; // node:internal/..., [eval]
  const path = fileURLToPath(url);
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) return path.slice(nm + '/node_modules/'.length);
  const rel = relative(ROOT, path);
  return rel.startsWith('..') ? path : rel;
}

/** The bucket a frame's time is counted in for the share by package. */
function packageOf(frame) {
  const { functionName, url } = frame;
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(program)') return 'V8 and node native code (program)';
  if (functionName === '(idle)') return 'idle';
  if (!url) return 'native functions (builtins, C++)';
  if (url.startsWith('node:')) return 'node internals';
  const file = fileOf(url);
  if (url.startsWith('file://') && fileURLToPath(url).includes('/node_modules/')) {
    const parts = file.split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const dir = file.split('/').slice(0, -1).join('/');
  return dir ? `${dir}/` : file;
}

/**
 * Self time per frame (function, file, line) and per package, in ms. A sample's time is the
 * gap to the next sample, as Chrome's profiler counts it.
 */
export function summarise(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const selfMicros = new Map();
  const { samples, timeDeltas } = profile;
  let t = profile.startTime;
  const stamps = timeDeltas.map((d) => (t += d));
  for (let i = 0; i < samples.length; i++) {
    const dt = (i + 1 < samples.length ? stamps[i + 1] : profile.endTime) - stamps[i];
    selfMicros.set(samples[i], (selfMicros.get(samples[i]) ?? 0) + Math.max(0, dt));
  }
  const frames = new Map();
  const packages = new Map();
  let idle = 0;
  for (const [id, micros] of selfMicros) {
    const cf = byId.get(id);
    const pkg = packageOf(cf);
    if (pkg === 'idle') {
      idle += micros;
      continue;
    }
    const file = fileOf(cf.url);
    const key = `${cf.functionName}\0${file}\0${cf.lineNumber}`;
    const f = frames.get(key) ?? {
      key,
      name: cf.functionName || '(anonymous)',
      where: file ? `${file}:${cf.lineNumber + 1}` : '',
      ms: 0,
    };
    f.ms += micros / 1000;
    frames.set(key, f);
    packages.set(pkg, (packages.get(pkg) ?? 0) + micros / 1000);
  }
  const busyMs = [...frames.values()].reduce((a, f) => a + f.ms, 0);
  return {
    busyMs,
    idleMs: idle / 1000,
    frames: [...frames.values()].sort((a, b) => b.ms - a.ms),
    packages: [...packages.entries()].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms),
  };
}

const pct = (part, whole) => `${((100 * part) / whole).toFixed(1)}%`;
const frameText = (f) => `\`${f.name}\`${f.where ? ` ${f.where}` : ''}`;
/** Packages under this share in both profiles are summed into one row. */
const MINOR_SHARE = 0.005;

/**
 * Markdown for a connector's profile and its raw counterpart's (each { profile, cpuMs } from
 * profileOf): totals, the top frames by self time side by side, and the share by package. With
 * `calls` (calls made by each process), also the difference per call by function, connector
 * minus raw. The profiler's samples are spaced in wall time, which other jobs on the machine
 * stretch; so the per-call figures are each function's share of the samples times the process's
 * CPU time, the same clock the CPU-per-call rows use.
 */
export function profileMarkdown({ title, connector, raw, calls }) {
  const c = summarise(connector.profile);
  const r = summarise(raw.profile);
  const ms = (x) => x.toFixed(0);
  const cpuText = connector.cpuMs && raw.cpuMs ? `; process CPU ${ms(connector.cpuMs)} and ${ms(raw.cpuMs)} ms` : '';
  const lines = [
    `**${title}.** Sampled (\`--cpu-prof\`, ${PROFILE_INTERVAL_MICROS} µs, wall clock, idle left out): connector ${ms(c.busyMs)} ms, raw ${ms(r.busyMs)} ms${cpuText}.`,
    '',
    '| # | connector: top self time | share | raw: top self time | share |',
    '|---:|---|---:|---|---:|',
  ];
  for (let i = 0; i < TOP; i++) {
    const a = c.frames[i];
    const b = r.frames[i];
    lines.push(
      `| ${i + 1} | ${a ? frameText(a) : ''} | ${a ? pct(a.ms, c.busyMs) : ''} | ${b ? frameText(b) : ''} | ${b ? pct(b.ms, r.busyMs) : ''} |`,
    );
  }
  const msOf = (s, name) => s.packages.find((p) => p.name === name)?.ms ?? 0;
  const minor = (name) => msOf(c, name) < MINOR_SHARE * c.busyMs && msOf(r, name) < MINOR_SHARE * r.busyMs;
  const names = [...new Set([...c.packages, ...r.packages].map((p) => p.name))];
  const major = names.filter((n) => !minor(n)).sort((x, y) => msOf(c, y) / c.busyMs - msOf(c, x) / c.busyMs);
  const rest = (s) => names.filter(minor).reduce((a, n) => a + msOf(s, n), 0);
  const share = (s, m) => `${pct(m, s.busyMs)}`;
  lines.push('', '| by package | connector | raw |', '|---|---:|---:|');
  for (const name of major) lines.push(`| ${name} | ${share(c, msOf(c, name))} | ${share(r, msOf(r, name))} |`);
  if (names.some(minor)) lines.push(`| everything else | ${share(c, rest(c))} | ${share(r, rest(r))} |`);
  if (calls) {
    // µs a call that a millisecond of samples stands for, on the process-CPU clock.
    const scale = (s, run) => ((run.cpuMs ?? s.busyMs) / s.busyMs) * (1000 / calls);
    const cs = scale(c, connector);
    const rs = scale(r, raw);
    const byKey = (s) => new Map(s.frames.map((f) => [f.key, f]));
    const cm = byKey(c);
    const rm = byKey(r);
    const diff = [...new Set([...cm.keys(), ...rm.keys()])]
      .map((k) => {
        const cu = (cm.get(k)?.ms ?? 0) * cs;
        const ru = (rm.get(k)?.ms ?? 0) * rs;
        return { f: cm.get(k) ?? rm.get(k), cu, ru, d: cu - ru };
      })
      .sort((x, y) => y.d - x.d);
    lines.push(
      '',
      `Difference per call, connector minus raw (${calls} calls a process, start-up included; ${(c.busyMs * cs).toFixed(0)} against ${(r.busyMs * rs).toFixed(0)} µs a call, ${(c.busyMs * cs - r.busyMs * rs).toFixed(0)} µs more; the top ${TOP}):`,
      '',
      '| function | connector µs | raw µs | difference µs |',
      '|---|---:|---:|---:|',
    );
    for (const x of diff.slice(0, TOP))
      lines.push(`| ${frameText(x.f)} | ${x.cu.toFixed(1)} | ${x.ru.toFixed(1)} | ${x.d.toFixed(1)} |`);
  }
  return lines;
}
