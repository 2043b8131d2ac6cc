// Pages through a listing in one fresh process, as a flow that loops over list_objects would:
//   node bench/child-pages.mjs <bucket> <connection JSON> <files root> <most pages>
// Each call is list_objects { bucket, limit: 1000, continuationToken } with the previous page's
// token; stops after <most pages> pages or at the last. Prints one JSON line: pages, keys, peak RSS.
import { distModule } from './dist.mjs';

const [bucket, connectionJson, filesRoot, mostPages] = process.argv.slice(2);
const { loadConnector, LocalFileStore } = await distModule('src/index.js');
const connector = await loadConnector({ files: new LocalFileStore(filesRoot) });
const connection = JSON.parse(connectionJson);
let pages = 0;
let keys = 0;
let continuationToken;
do {
  const result = await connector.invoke(
    'list_objects',
    { bucket, limit: 1000, ...(continuationToken ? { continuationToken } : {}) },
    { connection },
  );
  if (!result.ok) {
    process.stdout.write(JSON.stringify({ ok: false, error: result.error }) + '\n');
    process.exit(0);
  }
  pages++;
  keys += result.output.count;
  continuationToken = result.output.nextContinuationToken;
} while (continuationToken && pages < Number(mostPages));
process.stdout.write(
  JSON.stringify({ ok: true, pages, keys, peakRssMiB: process.resourceUsage().maxRSS / 1024 }) + '\n',
);
process.exit(0);
