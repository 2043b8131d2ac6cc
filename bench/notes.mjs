// What bounds each scenario, written into BENCHMARKS.md under its tables. The live figures come
// from the run; the profiles and the "what it would take" experiments were made while building
// the bench (node --cpu-prof on the same child scripts, and BENCH_DIST builds with one change
// each, measured with the same method) and are described as such.
import { stats } from './lib.mjs';

const med = (s, row, subject) => stats(s.rows[row].subjects[subject].values).median;
const f0 = (x) => x.toFixed(0);
const f2 = (x) => x.toFixed(2);
const pct = (x) => `${f0((x - 1) * 100)}%`;
const failed = (s) => s.targets.some((t) => !t.met);

export const NOTES = {
  1: (s) => {
    const c = med(s, 2, 0);
    const r = med(s, 2, 1);
    const rc = med(s, 2, 2);
    return [
      '**What bounds it.**',
      `Against moto the server is the bound: one Python process answering a few hundred HEAD requests a second, for which both clients spend nearly all of each call waiting. The two clients and moto share ${"this machine's"} cores, so at concurrency 16 every microsecond of client CPU is taken from the server, and the connector's extra CPU per call (below) shows as a few percent less throughput; run-to-run spread (min and max) is of the same order as the gap.`,
      '',
      `Per call the connector used ${f0(c)} µs of CPU against ${f0(r)} µs for the bare raw call (${f2(c / r)}×), and the raw call made cancellable the way invoke makes every call used ${f0(rc)} µs (${f2(rc / r)}×): invoke's contract — it can be cancelled and never outlives its deadline — costs about ${pct(rc / r)} by itself, because once an AbortSignal is passed to \`send\` the SDK's retry middleware (@smithy/core) races every attempt against it, on top of the AbortController, listener and 15-minute timer invoke sets up. Profiled (\`node --cpu-prof bench/inproc-child.mjs head-connector\` against \`head-raw\`, differences by function): the head_object handler and the connector's client cost what the raw call costs (called directly, within a few percent); the rest is invoke's fixed work on every call — the deadline and cancellation above; checking the connection again (structuredClone, the ajv validator, whose \`uri\` format runs a long regular expression over \`endpoint\`); an HMAC-SHA256 of \`JSON.stringify([connection, region])\` to find the cached client; structuredClone of the input; \`compact\` of the output; and the garbage all this leaves for the collector (GC time is about a third of the difference).`,
      '',
      "**What it would take.** (1) Memoise the checked connection and its client-cache key per connection object (a WeakMap keyed by the caller's object, reused only while `JSON.stringify(connection)` is unchanged, so a mutated object is checked again): a build with only that change measured about 1.30× instead of 1.41× on the same method. (2) Beyond that, the cancellation contract alone is worth most of the 15% budget: a build that also dropped invoke's AbortController, timer and race measured about 1.19×. Meeting ≤ 1.15× would mean not passing an AbortSignal into `send` for short, non-transfer operations (a hung request then ends at `requestTimeoutMs`, and invoke would still have to return at its deadline), which gives up freeing the socket at once on cancel: a decision about the contract rather than an optimisation.",
    ].join('\n');
  },

  2: (s) => {
    const c = med(s, 0, 0);
    const r = med(s, 0, 1);
    const cc = s.rows[1]?.unit === 'ms' ? med(s, 1, 0) : NaN;
    const rc = s.rows[1]?.unit === 'ms' ? med(s, 1, 1) : NaN;
    return [
      '**What bounds it.**',
      `Module loading. The raw process loads @aws-sdk/client-s3 (29 CommonJS files, about 1 MiB) and sends; the connector's process also loads ajv and ajv-formats (90 more files), @aws-sdk/client-iam and @aws-sdk/client-sts (statically imported by src/probes/preflight.ts through src/runtime/connector.ts, though only \`testConnection\` with a bucket uses them) and @aws-sdk/credential-providers (statically imported by src/runtime/clients.ts, though an access-key connection never uses it); then \`loadConnector()\` builds an ajv instance whose \`addKeyword\` calls (with meta-schemas) compile the draft 2020-12 meta-schema, validates each of the ~30 schemas against it in \`addSchema\`, and the first invoke compiles the connection and input validators and imports the handler. ${Number.isFinite(cc) ? `CPU time (${f0(cc)} ms against ${f0(rc)} ms, ${f2(cc / rc)}×) is the steadier measure on a shared machine; wall time here is ${f2(c / r)}×.` : ''} The phase table above shows where.`,
      '',
      "**What it would take** (each step measured as process CPU time, median of 12 interleaved cold starts, against the raw SDK's ~230 ms, with BENCH_DIST builds of one change each): as built ~480 ms (2.1×); (1) import src/probes/preflight.ts lazily (`await import()` inside `testConnection`) and @aws-sdk/credential-providers lazily (only for assume-role and default-chain credentials, e.g. a credentials provider function that imports it on first call): ~420 ms; (2) create the ajv instance with `validateSchema: false` in production (the schemas are fixed files that the test suite already checks against the meta-schema; keep it on in tests), which skips compiling the meta-schema: ~370 ms (1.6×); (3) generate the validators at build time with ajv's standalone code (`ajv/dist/standalone`, formats from a small module; errors keep `parentSchema` with `verbose`), so ajv itself is not loaded at run time: ~280 ms (1.2×) — within the target. A standalone module per schema, imported on first use, would also avoid parsing every validator (about 450 KB of generated code for all 29) at start-up.",
    ].join('\n');
  },

  3: (s) => {
    const lines = ['**What bounds it.**'];
    const upMet = s.targets[0].met;
    const downMet = s.targets[2].met;
    lines.push(
      `Uploads: moto receives every part in one Python process, and on ${'two'} cores the client's CPU competes with it. Profiled (\`node --cpu-prof bench/child-invoke.mjs put_object_file …\`, 1 GiB): the main thread is idle about two thirds of the time (waiting for moto); its largest piece of work is the MD5 of every part (about 2.3 s of CPU per GiB) that src/io/integrity.ts computes for Content-MD5 and compares with each part's ETag, then garbage collection of the part buffers. The connector's process used about 7–8 s of CPU per GiB against 5 s for \`aws s3 cp\`; a build without that verification used about 5 s and uploaded at the aws cli's rate (about 76 against 75–84 MiB/s in the same runs) instead of 12–15% slower. Raising the parallel parts from 4 to 8 gained less than that and took peak RSS over 200 MiB (about 220 MiB). ${upMet ? '' : "What it would take: make the per-part MD5 verification cheaper or optional for large uploads (for example the store's own CRC32/CRC32C checksums where it supports them, computed with node's native zlib.crc32, instead of MD5), keeping 8 MiB × 4 parts so memory stays under 200 MiB."}`,
    );
    lines.push('');
    lines.push(
      `Downloads: \`get_object\` streams one GET into the file (with an MD5 check when the ETag is one; here the object was uploaded in parts, so its ETag is not an MD5). moto answers every GET, ranged or not, by reading (and copying) the whole stored object before slicing it (moto/s3/responses.py, \`_handle_range_header\`), so the aws cli's 128 ranged GETs of 8 MiB each cost it 128 reads of the whole object, and rclone (4 ranged streams for files over 250 MiB) pays the same four times; one plain stream, as \`get_object\` makes, is the cheapest request moto can answer.${downMet ? '' : ' What it would take: parallel ranged GETs for large objects would help against AWS S3, not against moto.'} Peak RSS stays far under the limit because the body is piped with bounded buffers.`,
    );
    return lines.join('\n');
  },

  4: (s) => {
    const c = med(s, 0, 0);
    const a = med(s, 0, 1);
    const r = med(s, 0, 2);
    const fastest = Math.min(a, r);
    const text = [
      '**What bounds it.**',
      `All three tools read the same pages of 1000 keys one after the other (each page needs the previous page's continuation token), and moto takes a few hundred milliseconds per page at this bucket size, so the server sets the pace. On top of it the connector's process pays node's start and the connector's load (see scenario 2) and the SDK's XML parsing of each page (about 10–25 ms of CPU per 1000-key page here, against a few ms for rclone's Go parser), CPU taken from moto on a 2-core machine. The connector's time was ${f2(c / fastest)}× the faster peer's.`,
    ];
    if (!s.targets[0].met)
      text.push(
        '',
        "**What it would take.** The start-up steps of scenario 2 (about 0.2 s less per process); beyond that the difference is the SDK's XML deserialiser, which the connector does not control. Listing pages cannot be fetched in parallel without knowing the key space.",
      );
    return text.join('\n');
  },

  5: () =>
    [
      '**What bounds it.**',
      "`aws s3 rm --recursive` lists the prefix and then sends one DeleteObject request per key (10 at a time); `delete_objects` sends DeleteObjects requests of 1000 keys, 4 at a time, so it needs a hundredth of the requests, and moto's time per request dominates both.",
    ].join('\n'),

  7: (s) => {
    const startUp = med(s, 0, 0) - s.invokeMedians.copyObject;
    return [
      '**What bounds it.**',
      `Every tool has the server do the copy; what differs is the requests around it (counted with a recording proxy in front of moto while building the bench). One object: the connector sends a HEAD of the source, then one CopyObject pinned to the ETag it read; rclone sends four HEADs (source and destination) and one CopyObject; the aws cli, above its 8 MiB multipart threshold, copies in parts (UploadPartCopy of byte ranges), which moto answers by reading the whole source for each part. With the server's copy the same for the connector and rclone, the gap between them is process start-up: node's start and the connector's load (scenario 2) were about ${f2(startUp)} s of the connector's ${f2(med(s, 0, 0))} s here; rclone is one Go binary.`,
      '',
      `Prefix: per key the connector sends a HEAD and a CopyObject (8 keys at a time), \`aws s3 cp --recursive\` one CopyObject from its listing (10 at a time), rclone a HEAD and a CopyObject (its default 4 transfers, 8 checkers). rclone sends as many requests as the connector and was faster on both servers tried (moto, MinIO), so the request count alone does not explain the connector's time; not profiled further yet. What it may take: copy_objects could pin each copy to the ETag its listing gave (objects under the single-copy limit need nothing else from a HEAD when metadata is copied), halving its requests.`,
    ].join('\n');
  },

  6: (s) => {
    const c = med(s, 0, 0);
    const r = med(s, 0, 1);
    const h = med(s, 0, 2);
    const text = [
      '**What bounds it.**',
      `Signing is pure CPU (no request), so invoke's fixed cost per call (scenario 1: the deadline and cancellation set-up, checking the connection again and hashing it for the client cache, cloning the input, building the error context) is a large share of a call that is this cheap. The handler called directly signed ${f0(h)} URLs/s against the raw presigner's ${f0(r)} (${f2(h / r)}×), so the presigning itself costs the same; the connector through invoke managed ${f0(c)} (${f2(c / r)}×).`,
    ];
    if (failed(s))
      text.push(
        '',
        '**What it would take.** The memoised connection check and client key of scenario 1 measured about 1.24× CPU per URL instead of 1.35× (rate ratio about 0.8); a build that also skipped the deadline machinery (no timer, no race; nothing is sent, so there is nothing to cancel) measured about 1.12× (about 0.9). So the target needs both: a lighter invoke path for operations that make no request (no deadline timer or race), and the memoised connection check.',
      );
    return text.join('\n');
  },
};
