// One invoke in a fresh process, as a workflow runtime's worker would run it:
//   node bench/child-invoke.mjs <operation> <input.json> <connection JSON> <files root>
// Prints one JSON line: ok/error, a short summary of the output, the time to load the connector
// and the invoke's own time, and this process's peak RSS.
import { readFile } from 'node:fs/promises';
import { distModule } from './dist.mjs';

const [op, inputFile, connectionJson, filesRoot] = process.argv.slice(2);
const started = performance.now();
const { loadConnector, LocalFileStore } = await distModule('src/index.js');
const connector = await loadConnector({ files: new LocalFileStore(filesRoot) });
const input = JSON.parse(await readFile(inputFile, 'utf8'));
const loaded = performance.now();
const result = await connector.invoke(op, input, { connection: JSON.parse(connectionJson) });
const finished = performance.now();

const o = result.ok ? result.output : {};
const summary = {
  ok: result.ok,
  ...(result.ok ? {} : { error: result.error }),
  ...(o.count !== undefined ? { count: o.count, truncated: o.nextContinuationToken !== undefined } : {}),
  ...(o.counts ? { counts: o.counts } : {}),
  ...(o.file ? { file: o.file } : {}),
  ...(o.parts !== undefined ? { parts: o.parts, size: o.size } : {}),
  loadSeconds: (loaded - started) / 1000,
  invokeSeconds: (finished - loaded) / 1000,
  peakRssMiB: process.resourceUsage().maxRSS / 1024,
};
process.stdout.write(JSON.stringify(summary) + '\n');
process.exit(0);
