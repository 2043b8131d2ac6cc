// BENCHMARKS.md from a run's figures: `render({ machine, sections })`. bench/run.mjs keeps the
// figures beside the report (BENCHMARKS.json), so the report, and the notes on what bounds each
// figure (bench/notes.mjs), can be rendered again without measuring again:
// `node bench/report.mjs [BENCHMARKS.json [BENCHMARKS.md]]`.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, stats } from './lib.mjs';
import { note } from './notes.mjs';

const num = (x, unit) => {
  if (!Number.isFinite(x)) return '–';
  const digits =
    unit === 'calls/s' || unit === 'URLs/s' || unit === 'ms' ? 0 : Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2;
  return x.toFixed(digits);
};

function table(row) {
  const lines = [
    `**${row.label}** (${row.unit}, ${row.higherIsBetter ? 'higher' : 'lower'} is better)`,
    '',
    '| tool | median | min | max | runs | connector ÷ this |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  const conn = row.subjects.find((s) => s.connector);
  const cm = stats(conn.values).median;
  for (const s of row.subjects) {
    const st = stats(s.values);
    const ratio = s.connector ? '' : (cm / st.median).toFixed(2);
    const name = s.connector ? `**${s.name}**` : s.name;
    lines.push(
      `| ${name} | ${num(st.median, row.unit)} | ${num(st.min, row.unit)} | ${num(st.max, row.unit)} | ${st.n} | ${ratio} |`,
    );
  }
  return lines.join('\n');
}

const serverOf = (s) => (s.server ? `against ${s.server}` : 'in process');

/** The report: the machine lines, a summary of every target, then each scenario's tables and notes. */
export function render({ machine, sections }) {
  const md = [
    '# Benchmarks',
    '',
    "Written by `npm run bench` (bench/run.mjs, from the figures it keeps in BENCHMARKS.json); do not edit by hand. Each figure is the median of the runs, with their min and max; the ratio column is the connector's median over that tool's median (for times and memory, lower is better; for rates, higher). Every peer was measured in the same run as the connector, against the same server, and the subjects of a scenario were interleaved, taking turns at going first, so drift in the machine's load falls on all of them alike. The scenarios that talk to a server ran against each server in turn, one server running at a time; the in-process ones ran once.",
    '',
    '## Machine and run',
    '',
    ...machine,
  ];

  // Sections grouped by scenario id, in id order; within one, the in-process part first, then
  // the servers in run order.
  const byId = new Map();
  for (const s of [...sections].sort((a, b) => a.id - b.id)) {
    if (!byId.has(s.id)) byId.set(s.id, []);
    byId.get(s.id).push(s);
  }
  md.push('', '## Summary', '', '| # | scenario | measured | target | met |', '|---|---|---|---|---|');
  for (const parts of byId.values())
    for (const s of parts)
      for (const t of s.targets)
        md.push(`| ${s.id} | ${s.title} | ${serverOf(s)} | ${t.text} | ${t.met ? 'yes' : '**no**'} |`);
  for (const [id, parts] of byId) {
    md.push('', `## ${id}. ${parts[0].title}`);
    for (const s of parts) {
      md.push('', `### ${serverOf(s)}`, '', s.how);
      for (const row of s.rows) {
        md.push('', table({ ...row, label: s.server ? `${row.label}, against ${s.server}` : row.label }));
      }
      if (s.extra?.length) md.push('', ...s.extra);
      md.push(
        '',
        `Targets (${serverOf(s)}): ${s.targets.map((t) => `${t.text}: ${t.met ? '**met**' : '**not met**'}`).join('; ')}.`,
      );
      const text = note(s, s.server);
      if (text) md.push('', text);
    }
  }
  md.push('');
  return md.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const from = process.argv[2] ?? join(ROOT, 'BENCHMARKS.json');
  const to = process.argv[3] ?? from.replace(/\.json$/, '.md');
  await writeFile(to, render(JSON.parse(await readFile(from, 'utf8'))));
  process.stderr.write(`wrote ${to}\n`);
}
