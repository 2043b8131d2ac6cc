// Measures the peak RSS of a 1 GiB put_object_file and a 1 GiB get_object (to a file), each in
// its own fresh process, against the local moto. Run after `npm install`:
//   node scripts/measure-transfer-memory.mjs [sizeMiB]
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const sizeMiB = Number(process.argv[2] ?? 1024);
const { startMoto } = await import('../dist/src/localS3.js');

if (process.argv[2] === '--child') {
  // Child: one invoke, then print its result and this process's peak RSS.
  const [, , , op, input, connection, filesRoot] = process.argv;
  const { loadConnector, LocalFileStore } = await import('../dist/src/index.js');
  const connector = await loadConnector({ files: new LocalFileStore(filesRoot) });
  const started = process.hrtime.bigint();
  const result = await connector.invoke(op, JSON.parse(input), { connection: JSON.parse(connection) });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(JSON.stringify({ result, seconds, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
  process.exit(0);
}

const server = await startMoto();
const root = await mkdtemp(join(tmpdir(), 'rss-'));
try {
  const connection = { region: 'us-east-1', endpoint: server.endpoint, credentials: { type: 'accessKey', accessKeyId: 'a', secretAccessKey: 'b' } };
  const source = join(root, 'source.bin');
  const hash = createHash('md5');
  await new Promise((resolve, reject) => {
    const out = createWriteStream(source);
    out.on('error', reject).on('finish', resolve);
    let left = sizeMiB;
    const write = () => {
      while (left > 0) {
        const chunk = randomBytes(1024 * 1024);
        hash.update(chunk);
        left--;
        if (!out.write(chunk)) return out.once('drain', write);
      }
      out.end();
    };
    write();
  });
  const sourceMd5 = hash.digest('hex');
  const child = async (op, input) => {
    const { stdout } = await run(process.execPath, [new URL(import.meta.url).pathname, '--child', op, JSON.stringify(input), JSON.stringify(connection), root], { maxBuffer: 1 << 20 });
    return JSON.parse(stdout.trim().split('\n').pop());
  };
  const bucket = 'rss-bucket';
  const { S3Client, CreateBucketCommand } = await import('@aws-sdk/client-s3');
  await new S3Client({ region: 'us-east-1', endpoint: server.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } })
    .send(new CreateBucketCommand({ Bucket: bucket }));

  const put = await child('put_object_file', { bucket, key: 'big.bin', file: { url: pathToFileURL(source).href } });
  if (!put.result.ok) throw new Error(JSON.stringify(put.result.error));
  const get = await child('get_object', { bucket, key: 'big.bin' });
  if (!get.result.ok) throw new Error(JSON.stringify(get.result.error));
  const downloaded = new URL(get.result.output.file.url).pathname;
  const back = createHash('md5');
  for await (const chunk of createReadStream(downloaded)) back.update(chunk);
  const same = back.digest('hex') === sourceMd5;
  const mibps = (s) => (sizeMiB / s).toFixed(1);
  console.log(`size ${sizeMiB} MiB`);
  console.log(`put_object_file: peak RSS ${put.peakRssMiB.toFixed(1)} MiB, ${put.seconds.toFixed(1)} s (${mibps(put.seconds)} MiB/s), ${put.result.output.parts} parts`);
  console.log(`get_object (file): peak RSS ${get.peakRssMiB.toFixed(1)} MiB, ${get.seconds.toFixed(1)} s (${mibps(get.seconds)} MiB/s), bytes identical: ${same}`);
  if (!same) process.exitCode = 1;
} finally {
  await server.stop();
  await rm(root, { recursive: true, force: true });
}
