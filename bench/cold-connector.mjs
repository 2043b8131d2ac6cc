// Cold start, connector: a fresh process loads the connector and runs its first list_buckets.
//   node bench/cold-connector.mjs <connection JSON>
// Prints one JSON line with the milestones in ms since the process started (performance.now()).
import { distModule } from './dist.mjs';

const imported0 = performance.now();
const { loadConnector } = await distModule('src/index.js');
const imported = performance.now();
const connector = await loadConnector();
const loaded = performance.now();
const result = await connector.invoke('list_buckets', {}, { connection: JSON.parse(process.argv[2]) });
const done = performance.now();
process.stdout.write(
  JSON.stringify({
    ok: result.ok,
    error: result.ok ? undefined : result.error,
    start: imported0,
    imported,
    loaded,
    done,
  }) + '\n',
);
process.exit(0);
