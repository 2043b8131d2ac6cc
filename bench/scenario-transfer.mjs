// Scenario 3: large transfers. put_object_file and get_object (to a file) of one object of
// BENCH_TRANSFER_MIB, each in a fresh process, against `aws s3 cp` and `rclone copy` of the
// same file to and from the same server. Whole-process wall time and peak RSS (/usr/bin/time)
// for every tool; the three tools rotate which goes first, run by run.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Upload } from '@aws-sdk/lib-storage';
import {
  MiB,
  awsCli,
  connectionFor,
  createBucket,
  deleteKey,
  invokeInChild,
  log,
  rawClient,
  rclone,
  rotate,
  sizeOf,
  stats,
  timed,
  writeRandomFile,
} from './lib.mjs';

const BUCKET = 'bench-transfer';
const TOOLS = ['connector', 'aws', 'rclone'];

async function md5Of(path) {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * MiB })) hash.update(chunk);
  return hash.digest('hex');
}

export async function run({ cfg, server, tmpDir }) {
  const raw = rawClient(server.endpoint);
  await createBucket(raw, BUCKET);
  const filesRoot = join(tmpDir, 'files');
  await mkdir(filesRoot, { recursive: true });
  const source = join(filesRoot, 'source.bin');
  log(`  writing a ${cfg.transferMiB} MiB random file`);
  const sourceMd5 = await writeRandomFile(source, cfg.transferMiB);
  const bytes = cfg.transferMiB * MiB;
  const connection = connectionFor(server.endpoint);
  const aws = awsCli(server.endpoint);
  const rc = rclone(server.endpoint);

  const upKey = { connector: 'up/connector/source.bin', aws: 'up/aws/source.bin', rclone: 'up/rclone/source.bin' };
  const putInput = join(tmpDir, 'put.json');
  await writeFile(
    putInput,
    JSON.stringify({ bucket: BUCKET, key: upKey.connector, file: { url: pathToFileURL(source).href } }),
  );
  const upload = {
    connector: () => invokeInChild({ op: 'put_object_file', inputFile: putInput, connection, filesRoot, tmpDir }),
    aws: () =>
      timed(aws.cmd, ['s3', 'cp', '--only-show-errors', source, `s3://${BUCKET}/${upKey.aws}`, ...aws.endpointArgs], {
        env: aws.env,
        tmpDir,
      }),
    rclone: () => timed(rc.cmd, ['copy', source, `local:${BUCKET}/up/rclone/`], { env: rc.env, tmpDir }),
  };

  const downKey = 'down/source.bin';
  const getInput = join(tmpDir, 'get.json');
  await writeFile(getInput, JSON.stringify({ bucket: BUCKET, key: downKey }));
  const downDir = join(tmpDir, 'downloads');
  const downPath = { aws: join(downDir, 'aws', 'source.bin'), rclone: join(downDir, 'rclone', 'source.bin') };
  const download = {
    connector: () => invokeInChild({ op: 'get_object', inputFile: getInput, connection, filesRoot, tmpDir }),
    aws: () =>
      timed(
        aws.cmd,
        ['s3', 'cp', '--only-show-errors', `s3://${BUCKET}/${downKey}`, downPath.aws, ...aws.endpointArgs],
        { env: aws.env, tmpDir },
      ),
    rclone: () =>
      timed(rc.cmd, ['copy', `local:${BUCKET}/${downKey}`, join(downDir, 'rclone')], { env: rc.env, tmpDir }),
  };

  const mibps = { up: { connector: [], aws: [], rclone: [] }, down: { connector: [], aws: [], rclone: [] } };
  const rss = { up: { connector: [], aws: [], rclone: [] }, down: { connector: [], aws: [], rclone: [] } };
  const invokeMibps = { up: [], down: [] };

  for (let r = 0; r < cfg.runs; r++) {
    for (const tool of rotate(TOOLS, r)) {
      await deleteKey(raw, BUCKET, upKey[tool]);
      const res = await upload[tool]();
      const size = await sizeOf(raw, BUCKET, upKey[tool]);
      if (size !== bytes) throw new Error(`${tool} upload stored ${size} bytes, not ${bytes}`);
      mibps.up[tool].push(cfg.transferMiB / res.seconds);
      if (res.rssMiB) rss.up[tool].push(res.rssMiB);
      if (tool === 'connector') invokeMibps.up.push(cfg.transferMiB / res.summary.invokeSeconds);
      log(
        `  upload run ${r + 1} ${tool}: ${(cfg.transferMiB / res.seconds).toFixed(1)} MiB/s, peak RSS ${res.rssMiB?.toFixed(0)} MiB`,
      );
      await deleteKey(raw, BUCKET, upKey[tool]);
    }
  }

  // The object every tool downloads: uploaded once with the raw SDK (multipart, 8 MiB parts).
  await new Upload({
    client: raw,
    params: { Bucket: BUCKET, Key: downKey, Body: createReadStream(source) },
    partSize: 8 * MiB,
    queueSize: 4,
  }).done();
  for (let r = 0; r < cfg.runs; r++) {
    for (const tool of rotate(TOOLS, r)) {
      await rm(downDir, { recursive: true, force: true });
      await mkdir(join(downDir, 'aws'), { recursive: true });
      const res = await download[tool]();
      const path = tool === 'connector' ? fileURLToPath(res.summary.file.url) : downPath[tool];
      const { size } = await stat(path);
      if (size !== bytes) throw new Error(`${tool} download wrote ${size} bytes, not ${bytes}`);
      // Bytes identical: checked on the first run of each tool (hashing takes a few seconds a GiB).
      if (r === 0 && (await md5Of(path)) !== sourceMd5) throw new Error(`${tool} download differs from the source`);
      mibps.down[tool].push(cfg.transferMiB / res.seconds);
      if (res.rssMiB) rss.down[tool].push(res.rssMiB);
      if (tool === 'connector') {
        invokeMibps.down.push(cfg.transferMiB / res.summary.invokeSeconds);
        await rm(join(path, '..'), { recursive: true, force: true });
      }
      log(
        `  download run ${r + 1} ${tool}: ${(cfg.transferMiB / res.seconds).toFixed(1)} MiB/s, peak RSS ${res.rssMiB?.toFixed(0)} MiB`,
      );
    }
  }
  await rm(downDir, { recursive: true, force: true });
  await rm(filesRoot, { recursive: true, force: true });
  await deleteKey(raw, BUCKET, downKey);
  raw.destroy();

  const names = {
    up: {
      connector: 'connector put_object_file (fresh node process)',
      aws: '`aws s3 cp` file → S3',
      rclone: '`rclone copy` file → S3',
    },
    down: {
      connector: 'connector get_object to a file (fresh node process)',
      aws: '`aws s3 cp` S3 → file',
      rclone: '`rclone copy` S3 → file',
    },
  };
  const rows = [];
  const targets = [];
  for (const dir of ['up', 'down']) {
    const word = dir === 'up' ? 'upload' : 'download';
    rows.push({
      label: `${word} of ${cfg.transferMiB} MiB, whole-process wall time`,
      unit: 'MiB/s',
      higherIsBetter: true,
      subjects: TOOLS.map((t) => ({ name: names[dir][t], connector: t === 'connector', values: mibps[dir][t] })),
    });
    if (rss[dir].connector.length) {
      rows.push({
        label: `${word}: peak RSS of the process`,
        unit: 'MiB',
        higherIsBetter: false,
        subjects: TOOLS.map((t) => ({ name: names[dir][t], connector: t === 'connector', values: rss[dir][t] })),
      });
    }
    const conn = stats(mibps[dir].connector).median;
    const fastest = Math.max(stats(mibps[dir].aws).median, stats(mibps[dir].rclone).median);
    targets.push({ text: `${word} throughput ≥ 1.0 × the faster peer's (aws cli or rclone)`, met: conn >= fastest });
    const peak = rss[dir].connector.length ? stats(rss[dir].connector).max : NaN;
    const limit = dir === 'up' ? 120 : 100;
    targets.push({
      text: `${word}: connector's peak RSS ≤ ${limit} MiB (largest of the runs: ${peak.toFixed(0)} MiB)`,
      met: peak <= limit,
    });
  }
  const im = (d) => stats(invokeMibps[d]).median.toFixed(1);
  return {
    id: 3,
    title: 'Large transfers',
    how: `One ${cfg.transferMiB} MiB file of random bytes. Upload: \`put_object_file\` of a \`file://\` reference in a fresh \`node bench/child-invoke.mjs\` process (its defaults: 8 MiB parts, 4 in flight) against \`aws s3 cp FILE s3://…\` and \`rclone copy FILE local:bucket/dir/\`, each with its own defaults; every upload goes to a fresh key, checked by size afterwards. Download: one object uploaded beforehand (8 MiB parts), \`get_object\` to a file in the file store against \`aws s3 cp s3://… FILE\` and \`rclone copy local:bucket/key DIR\`; sizes checked on every run, bytes (MD5) on each tool's first. Throughput is the object size over the whole process's wall time (start-up included, for every tool); peak RSS from /usr/bin/time. The three tools rotate which goes first each run.`,
    rows,
    extra: [
      `The connector's in-invoke throughput (start-up and loading excluded), medians: upload ${im('up')} MiB/s, download ${im('down')} MiB/s.`,
    ],
    targets,
  };
}
