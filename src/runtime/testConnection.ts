// testConnection: proves a connection's credentials, region and endpoint, and with a bucket
// reports which operations it can run there and what the store can do.
import { HeadBucketCommand, ListBucketsCommand, type S3Client } from './sdk.js';
import { CAPABILITIES, type StoreCapabilities, type StoreSupport } from '../probes/capabilities.js';
import type { PermissionReport } from '../probes/preflight.js';
import type { S3Connection } from '../generated/types.js';
import type { ManifestOperation } from './manifest.js';

export interface TestConnectionOptions {
  /** Also prove the connection reaches this bucket, and report which operations it can run there. */
  bucket?: string;
}

export interface ConnectionReport {
  region: string;
  ownerId?: string;
  bucket?: string;
  permissions?: PermissionReport;
  capabilities?: StoreSupport;
}

/** The IAM actions testConnection itself needs. */
export function testConnectionPermissions(options: TestConnectionOptions): string[] {
  return options.bucket ? ['s3:ListBucket'] : ['s3:ListAllMyBuckets'];
}

export async function connectionReport(
  s3: S3Client,
  connection: S3Connection,
  options: TestConnectionOptions,
  operations: ManifestOperation[],
  capabilities: StoreCapabilities,
  signal: AbortSignal,
): Promise<ConnectionReport> {
  const { bucket } = options;
  if (!bucket) {
    const listed = await s3.send(new ListBucketsCommand({ MaxBuckets: 1 }), { abortSignal: signal });
    return { region: connection.region, ...(listed.Owner?.ID ? { ownerId: listed.Owner.ID } : {}) };
  }
  await s3.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: signal });
  // Loaded on use: it brings the IAM and STS clients, which nothing else needs.
  const { permissionReport } = await import('../probes/preflight.js');
  const permissions = await permissionReport(s3, connection, bucket, operations, signal);
  // What the store does with conditions, versions, tags, ACLs and encryption. A custom
  // endpoint is probed on a scratch object: only when it can be written and deleted again.
  const canProbe = permissions.actions['s3:PutObject'] === true && permissions.actions['s3:DeleteObject'] !== false;
  const can = await capabilities.detect(connection, s3, bucket, [...CAPABILITIES], signal, () => canProbe);
  return { region: connection.region, bucket, permissions, capabilities: can };
}
