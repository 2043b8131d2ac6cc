// Scenario 7: copies on the server. copy_object of one object of BENCH_COPY_MIB inside one
// bucket against `aws s3 cp s3://… s3://…` and `rclone copyto`; copy_objects of a prefix of
// BENCH_COPY_KEYS small keys against `aws s3 cp --recursive` and `rclone copy`. Every tool runs
// in a fresh process, timed from spawn to exit; the order rotates run by run. Every copy goes
// to a destination that is empty before it, is counted (or sized) after it, then deleted.
import { createReadStream } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Upload } from '@aws-sdk/lib-storage';
import {
  MiB,
  awsCli,
  connectionFor,
  createBucket,
  deleteKey,
  deletePrefix,
  invokeInChild,
  log,
  putKeys,
  rawClient,
  rclone,
  rotate,
  sizeOf,
  stats,
  timed,
  writeRandomFile,
} from './lib.mjs';

const BUCKET = 'bench-copy';
const TOOLS = ['connector', 'aws', 'rclone'];
const SOURCE_KEY = 'large/source.bin';
const SOURCE_PREFIX = 'p/';
/** copy_objects takes at most this many keys a call (MAX_PREFIX_KEYS). */
const MAX_PREFIX_KEYS = 10_000;

/** Each tool's prefix copy destination (rclone's without the slash: it names a directory). */
const destPrefix = { connector: 'q-connector/', aws: 'q-aws/', rclone: 'q-rclone/' };

async function copyLarge({ cfg, raw, tmpDir, connection, aws, rc }) {
  const bytes = cfg.copyMiB * MiB;
  const file = join(tmpDir, 'copy-source.bin');
  log(`  uploading a ${cfg.copyMiB} MiB source object`);
  await writeRandomFile(file, cfg.copyMiB);
  await new Upload({
    client: raw,
    params: { Bucket: BUCKET, Key: SOURCE_KEY, Body: createReadStream(file) },
    partSize: 8 * MiB,
    queueSize: 4,
  }).done();
  await rm(file, { force: true });
  if ((await sizeOf(raw, BUCKET, SOURCE_KEY)) !== bytes) throw new Error('the copy source has the wrong size');

  const inputFile = join(tmpDir, 'copy-object.json');
  const copy = {
    connector: async (dest) => {
      await writeFile(inputFile, JSON.stringify({ bucket: BUCKET, key: SOURCE_KEY, destinationKey: dest }));
      return invokeInChild({ op: 'copy_object', inputFile, connection, filesRoot: tmpDir, tmpDir });
    },
    aws: (dest) =>
      timed(
        aws.cmd,
        [
          's3',
          'cp',
          '--only-show-errors',
          `s3://${BUCKET}/${SOURCE_KEY}`,
          `s3://${BUCKET}/${dest}`,
          ...aws.endpointArgs,
        ],
        { env: aws.env, tmpDir },
      ),
    rclone: (dest) =>
      timed(rc.cmd, ['copyto', `local:${BUCKET}/${SOURCE_KEY}`, `local:${BUCKET}/${dest}`], { env: rc.env, tmpDir }),
  };
  const seconds = { connector: [], aws: [], rclone: [] };
  const invokeSeconds = [];
  for (let r = 0; r < cfg.runs; r++) {
    for (const tool of rotate(TOOLS, r)) {
      const dest = `large/copy-${tool}-${r}.bin`;
      const res = await copy[tool](dest);
      const size = await sizeOf(raw, BUCKET, dest);
      if (size !== bytes) throw new Error(`${tool} copy has ${size} bytes, not ${bytes}`);
      await deleteKey(raw, BUCKET, dest);
      seconds[tool].push(res.seconds);
      if (tool === 'connector') invokeSeconds.push(res.summary.invokeSeconds);
      log(`  copy run ${r + 1} ${tool}: ${res.seconds.toFixed(2)} s`);
    }
  }
  await deleteKey(raw, BUCKET, SOURCE_KEY);
  return { seconds, invokeSeconds };
}

async function copyPrefix({ cfg, raw, tmpDir, connection, aws, rc }) {
  const total = cfg.copyKeys;
  if (total > MAX_PREFIX_KEYS) throw new Error(`BENCH_COPY_KEYS is at most ${MAX_PREFIX_KEYS} (one copy_objects call)`);
  const keys = Array.from({ length: total }, (_, n) => `${SOURCE_PREFIX}${String(n).padStart(6, '0')}.csv`);
  log(`  creating ${total} keys`);
  const createSeconds = await putKeys(raw, BUCKET, keys);

  const inputFile = join(tmpDir, 'copy-objects.json');
  await writeFile(
    inputFile,
    JSON.stringify({
      bucket: BUCKET,
      prefix: SOURCE_PREFIX,
      destinationPrefix: destPrefix.connector,
      limit: MAX_PREFIX_KEYS,
    }),
  );
  const copy = {
    connector: async () => {
      const res = await invokeInChild({ op: 'copy_objects', inputFile, connection, filesRoot: tmpDir, tmpDir });
      const { listed, copied, failed } = res.summary.counts;
      if (listed !== total || copied !== total || failed !== 0 || res.summary.truncated)
        throw new Error(`copy_objects: ${listed} listed, ${copied} copied, ${failed} failed`);
      return res;
    },
    aws: () =>
      timed(
        aws.cmd,
        [
          's3',
          'cp',
          '--recursive',
          '--only-show-errors',
          `s3://${BUCKET}/${SOURCE_PREFIX}`,
          `s3://${BUCKET}/${destPrefix.aws}`,
          ...aws.endpointArgs,
        ],
        { env: aws.env, tmpDir },
      ),
    rclone: () =>
      timed(
        rc.cmd,
        ['copy', `local:${BUCKET}/${SOURCE_PREFIX.slice(0, -1)}`, `local:${BUCKET}/${destPrefix.rclone.slice(0, -1)}`],
        { env: rc.env, tmpDir },
      ),
  };
  const seconds = { connector: [], aws: [], rclone: [] };
  const invokeSeconds = [];
  for (let r = 0; r < cfg.runs; r++) {
    for (const tool of rotate(TOOLS, r)) {
      if ((await deletePrefix(raw, BUCKET, destPrefix[tool])) !== 0)
        throw new Error(`${destPrefix[tool]} was not empty before the copy`);
      const res = await copy[tool]();
      // Counting by deleting: the destination is emptied for the next run at the same time.
      const made = await deletePrefix(raw, BUCKET, destPrefix[tool]);
      if (made !== total) throw new Error(`${tool} made ${made} copies, not ${total}`);
      seconds[tool].push(res.seconds);
      if (tool === 'connector') invokeSeconds.push(res.summary.invokeSeconds);
      log(`  prefix copy run ${r + 1} ${tool}: ${res.seconds.toFixed(2)} s`);
    }
  }
  await deletePrefix(raw, BUCKET, SOURCE_PREFIX);
  return { seconds, invokeSeconds, createSeconds };
}

export async function run({ cfg, server, tmpDir }) {
  const raw = rawClient(server.endpoint);
  await createBucket(raw, BUCKET);
  const env = {
    cfg,
    raw,
    tmpDir,
    connection: connectionFor(server.endpoint),
    aws: awsCli(server.endpoint),
    rc: rclone(server.endpoint),
  };
  const large = await copyLarge(env);
  const prefix = await copyPrefix(env);
  raw.destroy();

  const names = {
    large: {
      connector: 'connector copy_object (fresh node process)',
      aws: '`aws s3 cp s3://b/src s3://b/dst`',
      rclone: '`rclone copyto local:b/src local:b/dst`',
    },
    prefix: {
      connector: `connector copy_objects { limit: ${MAX_PREFIX_KEYS} } (fresh node process)`,
      aws: '`aws s3 cp --recursive s3://b/p/ s3://b/q/`',
      rclone: '`rclone copy local:b/p local:b/q`',
    },
  };
  const row = (which, label, seconds) => ({
    label,
    unit: 's',
    higherIsBetter: false,
    subjects: TOOLS.map((t) => ({ name: names[which][t], connector: t === 'connector', values: seconds[t] })),
  });
  const med = (values) => stats(values).median;
  const fasterPeer = Math.min(med(large.seconds.aws), med(large.seconds.rclone));
  return {
    id: 7,
    title: 'Copies',
    how: `Server-side copies inside one bucket on ${server.label}. One object of ${cfg.copyMiB} MiB of random bytes (uploaded once beforehand with the raw SDK, 8 MiB parts): \`copy_object { bucket, key, destinationKey }\` in a fresh \`node bench/child-invoke.mjs\` process against \`aws s3 cp s3://b/src s3://b/dst\` and \`rclone copyto local:b/src local:b/dst\`, each with its own defaults; every copy to a fresh key, its size checked, then deleted. A prefix of ${cfg.copyKeys} empty keys (created once, 24 PUTs in flight: ${prefix.createSeconds.toFixed(0)} s): \`copy_objects { bucket, prefix, destinationPrefix, limit: ${MAX_PREFIX_KEYS} }\` (its counts checked) against \`aws s3 cp --recursive\` and \`rclone copy\` of the same prefix, each to its own destination prefix, empty before every run and counted after it. Whole-process wall time, the three tools rotating which goes first each run.`,
    rows: [
      row('large', `copy of one ${cfg.copyMiB} MiB object, whole-process wall time`, large.seconds),
      row('prefix', `copy of a prefix of ${cfg.copyKeys} keys, whole-process wall time`, prefix.seconds),
    ],
    extra: [
      `The connector's invoke alone (start-up and loading excluded), medians: copy_object ${med(large.invokeSeconds).toFixed(2)} s, copy_objects ${med(prefix.invokeSeconds).toFixed(2)} s.`,
    ],
    invokeMedians: { copyObject: med(large.invokeSeconds), copyObjects: med(prefix.invokeSeconds) },
    targets: [
      { text: `${cfg.copyMiB} MiB copy ≤ the faster peer's time`, met: med(large.seconds.connector) <= fasterPeer },
      {
        text: `prefix copy of ${cfg.copyKeys} keys ≤ \`aws s3 cp --recursive\``,
        met: med(prefix.seconds.connector) <= med(prefix.seconds.aws),
      },
    ],
  };
}
