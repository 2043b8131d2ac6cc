// `npm start`: the local S3 server with a demo bucket, and the connector invoked against it.
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ClientCache } from './clients.js';
import { loadConnector } from './connector.js';
import type { S3Connection } from './generated/types.js';
import { startMoto } from './localS3.js';

export const DEMO_BUCKET = 'demo-bucket';

const server = await startMoto();
const connection: S3Connection = {
  region: 'us-east-1',
  endpoint: server.endpoint,
  credentials: { type: 'accessKey', accessKeyId: 'demo', secretAccessKey: 'demo-secret' },
};

// Seed with the raw SDK so the demo does not depend on the operations it shows.
const seedClients = new ClientCache();
const s3 = seedClients.get(connection);
await s3.send(new CreateBucketCommand({ Bucket: DEMO_BUCKET }));
const seed: [string, string, string][] = [
  ['hello.txt', 'Hello from the S3 connector!\n', 'text/plain; charset=utf-8'],
  ['reports/2026/summary.csv', 'month,total\n2026-01,42\n2026-02,57\n', 'text/csv'],
  ['data/config.json', '{"enabled": true}\n', 'application/json'],
];
for (const [Key, Body, ContentType] of seed) {
  await s3.send(new PutObjectCommand({ Bucket: DEMO_BUCKET, Key, Body, ContentType, Metadata: { source: 'demo' } }));
}

const connector = await loadConnector();
const show = async (name: string, input: unknown) => {
  console.log(`\n> invoke('${name}', ${JSON.stringify(input)})`);
  console.log(JSON.stringify(await connector.invoke(name, input, { connection }), null, 2));
};
console.log(`Local S3 server (moto) on ${server.endpoint}, demo bucket "${DEMO_BUCKET}" with ${seed.length} objects.`);
console.log(`Operations: ${connector.operations().map((o) => o.name).join(', ')}`);
await show('list_buckets', {});
await show('head_object', { bucket: DEMO_BUCKET, key: 'reports/2026/summary.csv' });
await show('head_object', { bucket: DEMO_BUCKET, key: 'missing.txt' });
await show('get_bucket_location', { bucket: 'Not A Bucket' });

console.log(`
Invoke operations yourself while this runs, from Node:
  import { loadConnector } from 'aws-s3-connector';
  const connector = await loadConnector();
  await connector.invoke('head_object', { bucket: '${DEMO_BUCKET}', key: 'hello.txt' },
    { connection: ${JSON.stringify({ ...connection, credentials: { ...connection.credentials, secretAccessKey: '<any>' } })} });
or with the aws cli:
  AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo aws --endpoint-url ${server.endpoint} s3 ls s3://${DEMO_BUCKET} --recursive
Ctrl-C stops the server.`);

const stop = () => {
  seedClients.close();
  connector.close();
  void server.stop().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
