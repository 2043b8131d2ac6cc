// Scenario 4: listing, list_objects with `limit` over BENCH_LIST_KEYS keys against
// `aws s3api list-objects-v2` (all pages) and `rclone lsf`.
// Scenario 5: bulk delete, delete_objects of BENCH_DELETE_KEYS keys against
// `aws s3 rm --recursive`, with fresh keys for every run.
// Every tool runs in a fresh process, timed from spawn to exit; the order rotates run by run.
// Scenario 4 also measures memory when a caller pages: one process looping over list_objects
// pages of 1000 through every key, against one that lists only the first page.
// Creating keys on moto is slow (a few hundred PUTs a second), so the keys listed in scenario 4
// are made in chunks of BENCH_DELETE_KEYS that scenario 5 then deletes with the connector.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import {
  BENCH_DIR,
  awsCli,
  connectionFor,
  createBucket,
  invokeInChild,
  log,
  putKeys,
  rawClient,
  rclone,
  rotate,
  stats,
  timed,
} from './lib.mjs';

const BUCKET = 'bench-keys';
const pad = (n) => String(n).padStart(6, '0');
/** Flat keys (no `/`), so `rclone lsf` without --recursive lists them all. */
const chunkKeys = (chunk, count) => Array.from({ length: count }, (_, n) => `k${chunk}-${pad(n)}.csv`);

/** State shared by the two scenarios, per server: the bucket and the chunks of keys that exist. */
const states = new WeakMap();
function stateOf(server) {
  if (!states.has(server)) states.set(server, { bucketMade: false, chunks: [] });
  return states.get(server);
}

async function ensureBucket(raw, state) {
  if (!state.bucketMade) await createBucket(raw, BUCKET);
  state.bucketMade = true;
}

async function countUnder(raw, prefix) {
  const page = await raw.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix, MaxKeys: 1 }));
  return page.KeyCount ?? 0;
}

export async function runList({ cfg, server, tmpDir }) {
  const raw = rawClient(server.endpoint);
  const state = stateOf(server);
  await ensureBucket(raw, state);
  const total = cfg.listKeys;
  const chunks = Math.ceil(total / cfg.deleteKeys);
  const keys = [];
  for (let c = 0; c < chunks; c++) {
    const count = Math.min(cfg.deleteKeys, total - c * cfg.deleteKeys);
    keys.push(...chunkKeys(c, count));
    if (count === cfg.deleteKeys) state.chunks.push(c);
  }
  log(`  creating ${total} keys`);
  const createSeconds = await putKeys(raw, BUCKET, keys);
  log(`  created ${total} keys in ${createSeconds.toFixed(0)} s (${(total / createSeconds).toFixed(0)} PUT/s)`);

  const connection = connectionFor(server.endpoint);
  const aws = awsCli(server.endpoint);
  const rc = rclone(server.endpoint);
  const inputFile = join(tmpDir, 'list.json');
  await writeFile(inputFile, JSON.stringify({ bucket: BUCKET, limit: total }));
  const outFile = join(tmpDir, 'listing.out');
  const lines = async () => (await readFile(outFile, 'utf8')).split('\n').filter(Boolean);
  const tools = {
    connector: async () => {
      const res = await invokeInChild({ op: 'list_objects', inputFile, connection, filesRoot: tmpDir, tmpDir });
      return { ...res, count: res.summary.count };
    },
    aws: async () => {
      const res = await timed(aws.cmd, ['s3api', 'list-objects-v2', '--bucket', BUCKET, ...aws.endpointArgs], {
        env: aws.env,
        stdoutFile: outFile,
        tmpDir,
      });
      return { ...res, count: (await lines()).filter((l) => l.includes('"Key":')).length };
    },
    rclone: async () => {
      const res = await timed(rc.cmd, ['lsf', `local:${BUCKET}`], { env: rc.env, stdoutFile: outFile, tmpDir });
      return { ...res, count: (await lines()).length };
    },
  };
  const seconds = { connector: [], aws: [], rclone: [] };
  const rss = { connector: [], aws: [], rclone: [] };
  const invokeSeconds = [];
  for (let r = 0; r < cfg.runs; r++) {
    for (const tool of rotate(Object.keys(tools), r)) {
      const res = await tools[tool]();
      if (res.count !== total) throw new Error(`${tool} listed ${res.count} keys, not ${total}`);
      seconds[tool].push(res.seconds);
      if (res.rssMiB) rss[tool].push(res.rssMiB);
      if (tool === 'connector') invokeSeconds.push(res.summary.invokeSeconds);
      log(`  list run ${r + 1} ${tool}: ${res.seconds.toFixed(2)} s`);
    }
  }
  const paging = await pagingMemory({ cfg, connection, tmpDir, total });
  raw.destroy();
  const names = {
    connector: `connector list_objects { limit: ${total} } (fresh node process)`,
    aws: '`aws s3api list-objects-v2` (all pages)',
    rclone: '`rclone lsf`',
  };
  const rows = [
    {
      label: `list ${total} keys, whole-process wall time`,
      unit: 's',
      higherIsBetter: false,
      subjects: Object.keys(tools).map((t) => ({ name: names[t], connector: t === 'connector', values: seconds[t] })),
    },
  ];
  if (rss.connector.length) {
    rows.push({
      label: 'peak RSS of the process',
      unit: 'MiB',
      higherIsBetter: false,
      subjects: Object.keys(tools).map((t) => ({ name: names[t], connector: t === 'connector', values: rss[t] })),
    });
  }
  rows.push({
    label: `peak RSS of a process paging through ${total} keys, against one listing only the first page`,
    unit: 'MiB',
    higherIsBetter: false,
    subjects: [
      {
        name: `connector, list_objects { limit: 1000, continuationToken } in a loop, ${paging.pages} pages (fresh node process)`,
        connector: true,
        values: paging.rss.all,
      },
      {
        name: 'connector, list_objects { limit: 1000 }, the first page only (fresh node process)',
        values: paging.rss.one,
      },
    ],
  });
  const fastest = Math.min(stats(seconds.aws).median, stats(seconds.rclone).median);
  const pagingRatio = stats(paging.rss.all).median / stats(paging.rss.one).median;
  return {
    id: 4,
    title: 'Listing',
    how: `${total} keys in one bucket (created with the raw SDK, 24 PUTs in flight: ${createSeconds.toFixed(0)} s, ${(total / createSeconds).toFixed(0)} PUT/s on this server). \`list_objects { bucket, limit: ${total} }\` (pages of 1000) in a fresh \`node bench/child-invoke.mjs\` process against \`aws s3api list-objects-v2 --bucket …\` (it follows every page; JSON to a file) and \`rclone lsf local:bucket\` (names to a file); every count checked. Whole-process wall time, the order rotating each run. Memory when a caller pages: a fresh \`node bench/child-pages.mjs\` process calls \`list_objects { bucket, limit: 1000, continuationToken }\` in a loop, each with the previous page's token, through all ${total} keys, against the same script stopping after the first page; peak RSS from /usr/bin/time, every count checked, the two alternating.`,
    rows,
    extra: [
      `The connector's invoke alone (start-up and loading excluded): median ${stats(invokeSeconds).median.toFixed(2)} s.`,
    ],
    targets: [
      { text: 'connector ≤ the faster peer', met: stats(seconds.connector).median <= fastest },
      {
        text: `memory does not grow with the listing when a caller pages: peak RSS paging through ${total} keys ≤ 1.1 × one page's (${pagingRatio.toFixed(2)}×)`,
        met: pagingRatio <= 1.1,
      },
    ],
  };
}

/** Peak RSS of bench/child-pages.mjs paging through every key, and stopping after one page. */
async function pagingMemory({ cfg, connection, tmpDir, total }) {
  const rss = { all: [], one: [] };
  let pages = 0;
  const expected = { all: total, one: Math.min(1000, total) };
  for (let r = 0; r < cfg.runs; r++) {
    for (const which of rotate(['all', 'one'], r)) {
      const res = await timed(
        process.execPath,
        [
          '--no-warnings',
          join(BENCH_DIR, 'child-pages.mjs'),
          BUCKET,
          JSON.stringify(connection),
          tmpDir,
          which === 'all' ? String(Number.MAX_SAFE_INTEGER) : '1',
        ],
        { tmpDir },
      );
      const line = JSON.parse(res.stdout.trim().split('\n').pop());
      if (!line.ok) throw new Error(`list_objects failed in the child: ${JSON.stringify(line.error)}`);
      if (line.keys !== expected[which]) throw new Error(`paging listed ${line.keys} keys, not ${expected[which]}`);
      if (which === 'all') pages = line.pages;
      rss[which].push(res.rssMiB ?? line.peakRssMiB);
      log(
        `  paging run ${r + 1} ${which === 'all' ? `${line.pages} pages` : 'one page'}: peak RSS ${rss[which].at(-1).toFixed(0)} MiB`,
      );
    }
  }
  return { rss, pages };
}

export async function runDelete({ cfg, server, tmpDir }) {
  const raw = rawClient(server.endpoint);
  const state = stateOf(server);
  await ensureBucket(raw, state);
  const connection = connectionFor(server.endpoint);
  const aws = awsCli(server.endpoint);
  const inputFile = join(tmpDir, 'delete.json');
  const seconds = { connector: [], aws: [] };
  const rss = { connector: [], aws: [] };
  const invokeSeconds = [];
  let createSeconds = 0;
  let created = 0;
  for (let r = 0; r < cfg.runs; r++) {
    // Fresh keys for this run: the connector's from the listing (or new ones), the aws cli's new.
    let chunk = state.chunks.shift();
    if (chunk === undefined) {
      chunk = `x${r}`;
      createSeconds += await putKeys(raw, BUCKET, chunkKeys(chunk, cfg.deleteKeys));
      created += cfg.deleteKeys;
    }
    const connectorKeys = chunkKeys(chunk, cfg.deleteKeys);
    await writeFile(inputFile, JSON.stringify({ bucket: BUCKET, objects: connectorKeys.map((key) => ({ key })) }));
    const awsPrefix = `a${r}/`;
    createSeconds += await putKeys(
      raw,
      BUCKET,
      Array.from({ length: cfg.deleteKeys }, (_, n) => `${awsPrefix}${pad(n)}.csv`),
    );
    created += cfg.deleteKeys;
    if ((await countUnder(raw, `k${chunk}-`)) === 0 || (await countUnder(raw, awsPrefix)) === 0)
      throw new Error('keys to delete are missing');

    for (const tool of rotate(['connector', 'aws'], r)) {
      if (tool === 'connector') {
        const res = await invokeInChild({ op: 'delete_objects', inputFile, connection, filesRoot: tmpDir, tmpDir });
        const { deleted, failed } = res.summary.counts;
        if (deleted !== cfg.deleteKeys || failed !== 0)
          throw new Error(`delete_objects: ${deleted} deleted, ${failed} failed`);
        if ((await countUnder(raw, `k${chunk}-`)) !== 0) throw new Error('delete_objects left keys behind');
        seconds.connector.push(res.seconds);
        invokeSeconds.push(res.summary.invokeSeconds);
        if (res.rssMiB) rss.connector.push(res.rssMiB);
        log(`  delete run ${r + 1} connector: ${res.seconds.toFixed(2)} s`);
      } else {
        const res = await timed(
          aws.cmd,
          ['s3', 'rm', '--recursive', '--only-show-errors', `s3://${BUCKET}/${awsPrefix}`, ...aws.endpointArgs],
          { env: aws.env, tmpDir },
        );
        if ((await countUnder(raw, awsPrefix)) !== 0) throw new Error('aws s3 rm left keys behind');
        seconds.aws.push(res.seconds);
        if (res.rssMiB) rss.aws.push(res.rssMiB);
        log(`  delete run ${r + 1} aws: ${res.seconds.toFixed(2)} s`);
      }
    }
  }
  raw.destroy();
  const names = {
    connector: `connector delete_objects of ${cfg.deleteKeys} keys (fresh node process)`,
    aws: '`aws s3 rm --recursive s3://bucket/prefix/`',
  };
  const rows = [
    {
      label: `delete ${cfg.deleteKeys} keys, whole-process wall time`,
      unit: 's',
      higherIsBetter: false,
      subjects: ['connector', 'aws'].map((t) => ({ name: names[t], connector: t === 'connector', values: seconds[t] })),
    },
  ];
  if (rss.connector.length) {
    rows.push({
      label: 'peak RSS of the process',
      unit: 'MiB',
      higherIsBetter: false,
      subjects: ['connector', 'aws'].map((t) => ({ name: names[t], connector: t === 'connector', values: rss[t] })),
    });
  }
  const ratio = stats(seconds.connector).median / stats(seconds.aws).median;
  return {
    id: 5,
    title: 'Bulk delete',
    how: `Each run deletes ${cfg.deleteKeys} keys that exist, with each tool: \`delete_objects { bucket, objects: [{ key }, …] }\` (its defaults: batches of 1000 keys, 4 batches in flight) in a fresh \`node bench/child-invoke.mjs\` process, against \`aws s3 rm --recursive s3://bucket/prefix/\` on ${cfg.deleteKeys} other keys (the aws cli lists the prefix, then deletes). Keys were created before each run (${created} created for this scenario in ${createSeconds.toFixed(0)} s; the connector's first ones are the listing scenario's keys, which that scenario no longer needs); afterwards no key is left under either set. Whole-process wall time, the order alternating each run.`,
    rows,
    extra: [
      `The connector's invoke alone (start-up and loading excluded): median ${stats(invokeSeconds).median.toFixed(2)} s. The connector is given the keys; listing ${cfg.deleteKeys} keys first, as \`aws s3 rm --recursive\` does, adds about a ${Math.ceil(cfg.deleteKeys / 1000)}-page listing (see scenario 4 for the cost of a page on this server).`,
    ],
    targets: [{ text: 'connector ≤ 0.5 × aws s3 rm --recursive', met: ratio <= 0.5 }],
  };
}
