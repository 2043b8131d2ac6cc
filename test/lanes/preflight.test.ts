// testConnection with a bucket reports which operations the connection can run there: by
// harmless probes against moto (which has no IAM policy simulation), and by simulation against
// a stand-in STS/IAM (an injected answer: moto cannot simulate policies).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PermissionReport } from '../../src/probes/preflight.js';
import { PROBE_PREFIX } from '../../src/probes/preflight.js';
import { fakeStore, testConnector, uniqueBucket } from '../support/helpers.js';
import { startIamMoto, type IamMoto } from '../support/iamMoto.js';

let moto: IamMoto;
const bucket = uniqueBucket('pre');

beforeAll(async () => {
  moto = await startIamMoto();
  await moto.admin(['s3api', 'create-bucket', '--bucket', bucket]);
});
afterAll(() => moto?.server.stop());

async function report(connection: unknown): Promise<PermissionReport> {
  const c = await testConnector();
  const res = await c.testConnection(connection, { bucket });
  if (!res.ok) throw new Error(res.error.message);
  return res.output.permissions as PermissionReport;
}

const allowed = (r: PermissionReport, op: string) => r.operations.find((o) => o.name === op)?.allowed;

describe('permission preflight by probes', () => {
  it('a read-only user: reads allowed, writes and deletes denied, nothing written', async () => {
    const reader = await moto.userConnection([
      {
        Effect: 'Allow',
        Action: [
          's3:ListAllMyBuckets',
          's3:ListBucket',
          's3:GetBucketLocation',
          's3:GetObject',
          's3:GetObjectAcl',
          's3:GetBucketVersioning',
          's3:HeadBucket',
        ],
        Resource: '*',
      },
    ]);
    const r = await report(reader);
    expect(r.method).toBe('probes');
    expect(r.actions).toMatchObject({
      's3:ListBucket': true,
      's3:GetObject': true,
      's3:GetObjectAcl': true,
      's3:PutObject': false,
      's3:PutObjectAcl': false,
      's3:DeleteObject': false,
    });
    for (const op of ['list_objects', 'head_object', 'get_object', 'get_object_acl'])
      expect(allowed(r, op), op).toBe(true);
    for (const op of ['put_object_text', 'put_object_file', 'delete_object', 'delete_objects', 'put_object_acl'])
      expect(allowed(r, op), op).toBe(false);
    const listing = JSON.parse((await moto.admin(['s3api', 'list-objects-v2', '--bucket', bucket])) || '{}') as {
      Contents?: unknown[];
    };
    expect(listing.Contents ?? []).toEqual([]);
  });

  it('a writer without delete: puts allowed, deletes denied; the write probe leaves nothing', async () => {
    const writer = await moto.userConnection([{ Effect: 'Allow', NotAction: 's3:DeleteObject', Resource: '*' }]);
    const r = await report(writer);
    expect(r.actions).toMatchObject({ 's3:PutObject': true, 's3:DeleteObject': false, 's3:GetObject': true });
    expect(allowed(r, 'put_object_text')).toBe(true);
    expect(allowed(r, 'delete_objects')).toBe(false);
    const listing = JSON.parse(
      (await moto.admin(['s3api', 'list-objects-v2', '--bucket', bucket, '--prefix', PROBE_PREFIX])) || '{}',
    ) as { Contents?: unknown[] };
    expect(listing.Contents ?? []).toEqual([]);
  });

  it('a versioned bucket: deletes are not probed (a delete marker would be left), said so', async () => {
    const versioned = uniqueBucket('pre-v');
    await moto.admin(['s3api', 'create-bucket', '--bucket', versioned]);
    await moto.admin([
      's3api',
      'put-bucket-versioning',
      '--bucket',
      versioned,
      '--versioning-configuration',
      'Status=Enabled',
    ]);
    const everything = await moto.userConnection([{ Effect: 'Allow', Action: '*', Resource: '*' }]);
    const c = await testConnector();
    const res = await c.testConnection(everything, { bucket: versioned });
    const r = (res.ok ? res.output.permissions : null) as PermissionReport;
    expect(r.actions['s3:DeleteObject']).toBeNull();
    expect(allowed(r, 'delete_object')).toBeNull();
    expect(r.notes.join(' ')).toMatch(/versioned/);
    const versions = JSON.parse(
      (await moto.admin(['s3api', 'list-object-versions', '--bucket', versioned])) || '{}',
    ) as { DeleteMarkers?: unknown[]; Versions?: unknown[] };
    expect([...(versions.DeleteMarkers ?? []), ...(versions.Versions ?? [])]).toEqual([]);
  });
});

describe('permission preflight by IAM policy simulation (stand-in STS and IAM)', () => {
  it('uses the simulation when the credentials may call it', async () => {
    const bodies: string[] = [];
    const store = await fakeStore((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        bodies.push(body);
        if (body.includes('Action=GetCallerIdentity')) {
          res
            .writeHead(200, { 'content-type': 'text/xml' })
            .end(
              '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:sts::123456789012:assumed-role/flow-role/session-1</Arn><UserId>AROA:session-1</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
            );
        } else if (body.includes('Action=SimulatePrincipalPolicy')) {
          const params = new URLSearchParams(body);
          const actions = [...params.entries()].filter(([k]) => k.startsWith('ActionNames.member.')).map(([, v]) => v);
          const members = actions
            .map(
              (a) =>
                `<member><EvalActionName>${a}</EvalActionName><EvalResourceName>*</EvalResourceName><EvalDecision>${a === 's3:PutObject' ? 'implicitDeny' : 'allowed'}</EvalDecision></member>`,
            )
            .join('');
          res
            .writeHead(200, { 'content-type': 'text/xml' })
            .end(
              `<SimulatePrincipalPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><SimulatePrincipalPolicyResult><IsTruncated>false</IsTruncated><EvaluationResults>${members}</EvaluationResults></SimulatePrincipalPolicyResult><ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata></SimulatePrincipalPolicyResponse>`,
            );
        } else {
          res.writeHead(200).end(); // HeadBucket
        }
      });
    });
    try {
      const c = await testConnector();
      const res = await c.testConnection(
        {
          region: 'us-east-1',
          endpoint: store.endpoint,
          credentials: { type: 'accessKey', accessKeyId: 'AKID', secretAccessKey: 'x' },
        },
        { bucket: 'data-bucket' },
      );
      const r = (res.ok ? res.output.permissions : res.error) as PermissionReport;
      expect(r.method).toBe('simulation');
      expect(r.actions['s3:PutObject']).toBe(false);
      expect(r.actions['s3:GetObject']).toBe(true);
      expect(allowed(r, 'put_object_text')).toBe(false);
      expect(allowed(r, 'head_object')).toBe(true);
      // The assumed-role session is simulated as its role, on the bucket and its objects.
      const simulation = new URLSearchParams(bodies.find((b) => b.includes('SimulatePrincipalPolicy'))!);
      expect(simulation.get('PolicySourceArn')).toBe('arn:aws:iam::123456789012:role/flow-role');
      expect([...simulation.entries()].filter(([k]) => k.startsWith('ResourceArns')).map(([, v]) => v)).toEqual([
        'arn:aws:s3:::data-bucket',
        'arn:aws:s3:::data-bucket/*',
      ]);
    } finally {
      await store.close();
    }
  });
});
