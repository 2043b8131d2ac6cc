// Cold start, raw SDK: a fresh process creates an S3Client and sends its first ListBuckets.
//   node bench/cold-raw.mjs <connection JSON>
// Prints one JSON line with the milestones in ms since the process started (performance.now()).
const imported0 = performance.now();
const { S3Client, ListBucketsCommand } = await import('@aws-sdk/client-s3');
const imported = performance.now();
const c = JSON.parse(process.argv[2]);
const s3 = new S3Client({
  region: c.region,
  endpoint: c.endpoint,
  forcePathStyle: true,
  credentials: { accessKeyId: c.credentials.accessKeyId, secretAccessKey: c.credentials.secretAccessKey },
});
const loaded = performance.now();
let ok = true;
let error;
try {
  await s3.send(new ListBucketsCommand({}));
} catch (err) {
  ok = false;
  error = String(err);
}
const done = performance.now();
process.stdout.write(JSON.stringify({ ok, error, start: imported0, imported, loaded, done }) + '\n');
process.exit(0);
