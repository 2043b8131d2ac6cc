// Which operations a connection can run on a bucket, before a flow runs them: by IAM policy
// simulation where the credentials may call it, otherwise by harmless probes (requests that
// read nothing and write nothing, whose answer still shows whether the action is allowed).
import { createHash, randomUUID } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetBucketLocationCommand,
  GetBucketVersioningCommand,
  GetObjectAclCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectAclCommand,
  PutObjectCommand,
  type S3Client,
} from '../runtime/sdk.js';
import { IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { S3Connection } from '../generated/types.js';
import { addAnswerLimits } from '../runtime/answerLimits.js';
import type { ManifestOperation } from '../runtime/manifest.js';
import { statusOf, type Verdict } from './verdict.js';

export type { Verdict } from './verdict.js';

export interface PermissionReport {
  method: 'simulation' | 'probes';
  actions: Record<string, Verdict>;
  operations: { name: string; allowed: Verdict; actions: string[] }[];
  notes: string[];
}

/** Key used by probes; nothing is ever stored under it (a write probe that lands is deleted). */
export const PROBE_PREFIX = '.s3-connector-permission-probe/';

type Probe = () => Promise<unknown>;

async function simulate(
  s3: S3Client,
  connection: S3Connection,
  bucket: string,
  actions: string[],
  signal: AbortSignal,
): Promise<Record<string, Verdict>> {
  const config = {
    region: connection.region === 'auto' ? 'us-east-1' : connection.region,
    credentials: s3.config.credentials,
    maxAttempts: 1,
    ...(connection.endpoint ? { endpoint: connection.endpoint } : {}),
  };
  const sts = new STSClient(config);
  const iam = new IAMClient(config);
  // The same endpoint as the store's: its answers are held to the same limits.
  addAnswerLimits(sts);
  addAnswerLimits(iam);
  try {
    const me = await sts.send(new GetCallerIdentityCommand({}), { abortSignal: signal });
    // An assumed-role session is simulated as its role.
    const arn = (me.Arn ?? '').replace(
      /^arn:(aws[a-z-]*):sts::(\d+):assumed-role\/([^/]+)\/.*$/,
      'arn:$1:iam::$2:role/$3',
    );
    const result = await iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: arn,
        ActionNames: actions,
        ResourceArns: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
      }),
      { abortSignal: signal },
    );
    return Object.fromEntries(
      actions.map((a) => [
        a,
        (result.EvaluationResults ?? []).some((r) => r.EvalActionName === a && r.EvalDecision === 'allowed'),
      ]),
    );
  } finally {
    sts.destroy();
    iam.destroy();
  }
}

async function probe(
  s3: S3Client,
  bucket: string,
  actions: Set<string>,
  signal: AbortSignal,
  notes: string[],
): Promise<Record<string, Verdict>> {
  const Key = `${PROBE_PREFIX}${randomUUID()}`;
  const opts = { abortSignal: signal };
  const out: Record<string, Verdict> = {};
  /** Runs a probe: `allowedOn` statuses (or success) mean allowed, 403 denied, anything else unknown. */
  const verdict = async (action: string, run: Probe, allowedOn: number[] = []): Promise<Verdict> => {
    try {
      await run();
      return true;
    } catch (err) {
      const code = statusOf(err);
      if (code === 403) return false;
      if (code === 501) notes.push(`${action}: the store does not implement it (501), whatever the policy says.`);
      return code !== undefined && allowedOn.includes(code) ? true : null;
    }
  };
  out['s3:ListAllMyBuckets'] = await verdict('s3:ListAllMyBuckets', () =>
    s3.send(new ListBucketsCommand({ MaxBuckets: 1 }), opts),
  );
  out['s3:ListBucket'] = await verdict('s3:ListBucket', () =>
    s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 }), opts),
  );
  out['s3:GetBucketLocation'] = await verdict('s3:GetBucketLocation', () =>
    s3.send(new GetBucketLocationCommand({ Bucket: bucket }), opts),
  );
  // A missing key answers 404 when reading is allowed; 403 is only conclusive when listing is allowed.
  const read = await verdict(
    's3:GetObject',
    () => s3.send(new HeadObjectCommand({ Bucket: bucket, Key }), opts),
    [404],
  );
  out['s3:GetObject'] = read === false && out['s3:ListBucket'] !== true ? null : read;
  out['s3:GetObjectAcl'] = await verdict(
    's3:GetObjectAcl',
    () => s3.send(new GetObjectAclCommand({ Bucket: bucket, Key }), opts),
    [404],
  );
  out['s3:PutObjectAcl'] = await verdict(
    's3:PutObjectAcl',
    () => s3.send(new PutObjectAclCommand({ Bucket: bucket, Key, ACL: 'private' }), opts),
    [404],
  );
  // A write that cannot land: If-Match on a key that does not exist, and a Content-MD5 that does
  // not match the body. S3 checks the permission first, then refuses (404 / 412 / 400).
  const wrongMd5 = createHash('md5').update('not the body').digest('base64');
  out['s3:PutObject'] = await verdict('s3:PutObject', async () => {
    const landed = await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key,
        Body: 'probe',
        ContentMD5: wrongMd5,
        IfMatch: '"00000000000000000000000000000000"',
      }),
      opts,
    );
    notes.push('The store ignored both If-Match and Content-MD5 and stored the write probe; it was deleted.');
    await s3
      .send(new DeleteObjectCommand({ Bucket: bucket, Key, VersionId: landed.VersionId }), opts)
      .catch(() => undefined);
  }, [400, 404, 412]);
  // Deleting a missing key is harmless only where it leaves no delete marker.
  const versioning = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }), opts).catch(() => undefined);
  if (versioning && !versioning.Status) {
    out['s3:DeleteObject'] = await verdict('s3:DeleteObject', () =>
      s3.send(new DeleteObjectCommand({ Bucket: bucket, Key }), opts),
    );
  } else {
    out['s3:DeleteObject'] = null;
    notes.push(
      's3:DeleteObject was not probed: the bucket is versioned (or its versioning could not be read), and a delete would leave a delete marker.',
    );
  }
  return Object.fromEntries([...actions].map((a) => [a, out[a] ?? null]));
}

export async function permissionReport(
  s3: S3Client,
  connection: S3Connection,
  bucket: string,
  operations: ManifestOperation[],
  signal: AbortSignal,
): Promise<PermissionReport> {
  const actions = [...new Set(operations.flatMap((o) => o.permissions))].sort();
  const notes: string[] = [];
  let method: PermissionReport['method'] = 'simulation';
  let verdicts: Record<string, Verdict>;
  try {
    verdicts = await simulate(s3, connection, bucket, actions, signal);
  } catch (err) {
    signal.throwIfAborted();
    method = 'probes';
    notes.push(
      `IAM policy simulation was not possible (${(err as { name?: string }).name ?? 'error'}); used harmless probes instead.`,
    );
    verdicts = await probe(s3, bucket, new Set(actions), signal, notes);
  }
  return {
    method,
    actions: verdicts,
    operations: operations.map((o) => {
      const v = o.permissions.map((a) => verdicts[a] ?? null);
      return {
        name: o.name,
        actions: o.permissions,
        allowed: v.includes(false) ? false : v.includes(null) ? null : true,
      };
    }),
    notes,
  };
}
