// What bounds each scenario, written into BENCHMARKS.md under its tables: a function of the
// section (its rows and targets, from this run) and the server it ran against (undefined for
// the in-process parts), keyed by scenario id. Until the paragraphs are written from a real run
// with both servers, each states only ratios computed from the run's own figures.
import { stats } from './lib.mjs';

const median = (row, subject) => stats(row.subjects[subject].values).median;
const f2 = (x) => x.toFixed(2);
const where = (server) => (server ? `against ${server}` : 'in process');
const pending = (server) =>
  `**What bounds it** (${where(server)}): to be written from a full run. What this run shows:`;
/** "connector ÷ <subject>: r×" for every other subject of the row. */
const ratios = (row) =>
  row.subjects
    .slice(1)
    .map((s, i) => `connector ÷ ${s.name}: ${f2(median(row, 0) / median(row, i + 1))}×`)
    .join('; ');
const rowsWithUnit = (s, unit) => s.rows.filter((r) => r.unit === unit);
/** Which of cold start's rows: wall time, CPU time or peak RSS. */
const coldMeasure = (row) => (row.unit === 'MiB' ? 'peak RSS' : row.label.startsWith('CPU') ? 'CPU time' : 'wall time');

export const NOTES = {
  1: (s, server) =>
    server
      ? `${pending(server)} connector ÷ raw throughput ${s.rows.map((r) => `${f2(median(r, 0) / median(r, 1))} (${r.label.split(' (')[0]})`).join(', ')}.`
      : `${pending(server)} CPU per call, ${ratios(s.rows[0])}.`,

  2: (s, server) =>
    `${pending(server)} connector ÷ raw SDK: ${s.rows.map((r) => `${coldMeasure(r)} ${f2(median(r, 0) / median(r, 1))}×`).join('; ')}.`,

  3: (s, server) => {
    const parts = rowsWithUnit(s, 'MiB/s').map((r) => {
      const fastest = Math.max(median(r, 1), median(r, 2));
      return `${r.label.split(' of ')[0]}: connector ÷ the faster peer ${f2(median(r, 0) / fastest)}`;
    });
    const peaks = rowsWithUnit(s, 'MiB').map(
      (r) => `${r.label.split(':')[0]} peak RSS at most ${stats(r.subjects[0].values).max.toFixed(0)} MiB`,
    );
    return `${pending(server)} ${[...parts, ...peaks].join('; ')}.`;
  },

  4: (s, server) => {
    const r = s.rows[0];
    return `${pending(server)} connector's time ÷ the faster peer's ${f2(median(r, 0) / Math.min(median(r, 1), median(r, 2)))}.`;
  },

  5: (s, server) =>
    `${pending(server)} connector's time ÷ \`aws s3 rm --recursive\`'s ${f2(median(s.rows[0], 0) / median(s.rows[0], 1))}.`,

  6: (s, server) => `${pending(server)} URLs per second, ${ratios(s.rows[0])}.`,
};

/** The note of a section, or for a scenario without one, the connector's ratios in its first row. */
export function note(s, server) {
  return (NOTES[s.id] ?? ((x) => `${pending(server)} ${x.rows[0].unit}, ${ratios(x.rows[0])}.`))(s, server);
}
