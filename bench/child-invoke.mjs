// One invoke in a fresh process, as a workflow runtime's worker would run it:
//   node bench/child-invoke.mjs <operation> <input.json> <connection JSON> <files root> [output.json]
// Prints one JSON line: ok/error, a short summary of the output, the time to load the connector
// and the invoke's own wall and CPU time, and this process's peak RSS. With an output file, the
// whole output is written there too (a trigger's cursor can be too large for the summary).
import { readFile, writeFile } from 'node:fs/promises';
import { distModule } from './dist.mjs';

const [op, inputFile, connectionJson, filesRoot, outputFile] = process.argv.slice(2);
const started = performance.now();
const { loadConnector, LocalFileStore } = await distModule('src/index.js');
const connector = await loadConnector({ files: new LocalFileStore(filesRoot) });
const input = JSON.parse(await readFile(inputFile, 'utf8'));
const loaded = performance.now();
const cpuBefore = process.cpuUsage();
const result = await connector.invoke(op, input, { connection: JSON.parse(connectionJson) });
const cpu = process.cpuUsage(cpuBefore);
const finished = performance.now();
if (outputFile && result.ok) await writeFile(outputFile, JSON.stringify(result.output));

const o = result.ok ? result.output : {};
const summary = {
  ok: result.ok,
  ...(result.ok ? {} : { error: result.error }),
  ...(o.count !== undefined ? { count: o.count, truncated: o.nextContinuationToken !== undefined } : {}),
  ...(o.counts ? { counts: o.counts } : {}),
  ...(o.file ? { file: o.file } : {}),
  ...(o.parts !== undefined ? { parts: o.parts, size: o.size } : {}),
  ...(Array.isArray(o.events) ? { events: o.events.length, hasMore: o.hasMore } : {}),
  loadSeconds: (loaded - started) / 1000,
  invokeSeconds: (finished - loaded) / 1000,
  invokeCpuSeconds: (cpu.user + cpu.system) / 1e6,
  peakRssMiB: process.resourceUsage().maxRSS / 1024,
};
process.stdout.write(JSON.stringify(summary) + '\n');
process.exit(0);
