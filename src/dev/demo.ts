// The demo data `npm start` puts in the local S3 server, and the connection that reaches it.
import { CreateBucketCommand, PutObjectCommand } from '../runtime/sdk.js';
import { ClientCache } from '../runtime/clients.js';
import type { S3Connection } from '../generated/types.js';

export const DEMO_BUCKET = 'demo-bucket';

/** Objects of the demo bucket: key, body, content type. */
export const DEMO_OBJECTS: readonly (readonly [string, string, string])[] = [
  ['hello.txt', 'Hello from the S3 connector!\n', 'text/plain; charset=utf-8'],
  ['reports/2026/summary.csv', 'month,total\n2026-01,42\n2026-02,57\n', 'text/csv'],
  ['data/config.json', '{"enabled": true}\n', 'application/json'],
];

/** A connection to the local moto: any access key pair works there (signatures are not checked). */
export function demoConnection(endpoint: string): S3Connection {
  return {
    region: 'us-east-1',
    endpoint,
    credentials: { type: 'accessKey', accessKeyId: 'demo', secretAccessKey: 'demo-secret' },
  };
}

/** Creates the demo bucket and its objects, with the raw SDK so the demo does not depend on the operations it shows. */
export async function seedDemo(connection: S3Connection): Promise<void> {
  const clients = new ClientCache();
  try {
    const s3 = clients.get(connection);
    await s3.send(new CreateBucketCommand({ Bucket: DEMO_BUCKET }));
    for (const [Key, Body, ContentType] of DEMO_OBJECTS) {
      await s3.send(
        new PutObjectCommand({ Bucket: DEMO_BUCKET, Key, Body, ContentType, Metadata: { source: 'demo' } }),
      );
    }
  } finally {
    clients.close();
  }
}
