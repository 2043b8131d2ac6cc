// For each operation, a policy missing exactly one action it needs gives `forbidden` naming
// that action, with moto enforcing signatures and IAM policies (see iamMoto.ts). The inputs are
// the examples of each input schema, pointed at this suite's bucket.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keysOf, operationExamples, putObjects, retarget, testConnector, uniqueBucket } from '../support/helpers.js';
import { startIamMoto, type IamMoto } from '../support/iamMoto.js';

let moto: IamMoto;
const bucket = uniqueBucket('perm');
const key = 'data/report.txt';

/** A user allowed everything but the one action: nothing else stands in the way. */
const userMissing = (action: string) => moto.userConnection([{ Effect: 'Allow', NotAction: action, Resource: '*' }]);

beforeAll(async () => {
  moto = await startIamMoto();
  await moto.admin(['s3api', 'create-bucket', '--bucket', bucket]);
  await moto.admin(['s3api', 'put-object', '--bucket', bucket, '--key', key]);
  await putObjects(
    bucket,
    EXAMPLES.flatMap(({ examples }) => examples.flatMap(keysOf)),
    moto.adminStore,
  );
});
afterAll(() => moto?.server.stop());

const EXAMPLES = (await operationExamples()).map((op) => ({
  ...op,
  examples: op.examples.map((e) => retarget(e, { bucket })),
}));

/** Signed from the credentials alone, or a link made from the connection (get_object_url): no request is sent, so no policy can refuse it (proved below). */
const SIGNED_LOCALLY = ['get_object_signed_url', 'create_presigned_post', 'get_object_url'];

/**
 * Requests moto authorizes under another action than AWS does (moto's ACTION_MAP checks DELETE
 * ?tagging as s3:DeleteObject, and HEAD on a bucket as s3:HeadBucket, which is no IAM action;
 * DeleteObjects is checked as s3:DeleteObject whether it names versions or not): such a case
 * denies moto's action and still expects the manifest's action named. Proved below, so an entry
 * goes once moto checks the real action.
 */
const MOTO_CHECKS_AS: Record<string, Record<string, string>> = {
  delete_object_tagging: { 's3:DeleteObjectTagging': 's3:DeleteObject' },
  delete_bucket: { 's3:DeleteObjectVersion': 's3:DeleteObject' },
  delete_prefix: { 's3:DeleteObjectVersion': 's3:DeleteObject' },
  head_bucket: { 's3:ListBucket': 's3:HeadBucket' },
};

/** Operations that answer a denial instead of failing (head_bucket: accessible false, with a note naming the action). */
const ANSWERS_DENIAL = ['head_bucket'];

/**
 * Operations whose examples delete what other cases need (delete_prefix empties reports/2026/
 * when the action left out is one its other example needs): each case gets a bucket of its own,
 * holding the same objects as this suite's.
 */
const OWN_BUCKET = ['delete_prefix'];

/**
 * Actions needed only for inputs this suite's one bucket of empty objects cannot hold: a second
 * bucket (the source bucket's region is looked up), or a store that drops tags sent with a write,
 * declared in the connection (the copies then read and write tags by requests of their own).
 * Each is proved against an IAM-enforcing moto in the operation's own suite, by a test named
 * "without <action> …" (checked below).
 */
const COPY_ONLY_SOME_INPUTS = ['s3:GetBucketLocation', 's3:GetObjectTagging', 's3:PutObjectTagging'];
const PROVED_IN_OWN_SUITE: Record<string, string[]> = {
  copy_object: COPY_ONLY_SOME_INPUTS,
  move_object: COPY_ONLY_SOME_INPUTS,
  copy_objects: COPY_ONLY_SOME_INPUTS,
  move_objects: COPY_ONLY_SOME_INPUTS,
};

/** Every action every operation needs, with the operation's examples: one of them must be refused without it. */
const CASES = EXAMPLES.filter((op) => !SIGNED_LOCALLY.includes(op.name)).flatMap((op) =>
  op.permissions
    .filter((action) => !PROVED_IN_OWN_SUITE[op.name]?.includes(action))
    .map((action) => ({
      operation: op.name,
      action,
      deny: MOTO_CHECKS_AS[op.name]?.[action] ?? action,
      inputs: op.examples,
    })),
);

describe('a policy missing exactly one required action', () => {
  it('leaves out only the signed URL, the upload form and the direct link, which are made locally: a user denied everything still gets one from each example', async () => {
    const c = await testConnector();
    expect(
      c
        .operations()
        .filter((o) => !CASES.some((k) => k.operation === o.name))
        .map((o) => o.name),
    ).toEqual(SIGNED_LOCALLY);
    const nothingAllowed = await moto.userConnection([{ Effect: 'Deny', Action: '*', Resource: '*' }]);
    for (const { name, examples } of EXAMPLES.filter((op) => SIGNED_LOCALLY.includes(op.name))) {
      for (const input of examples) {
        const res = await c.invoke(name, input, { connection: nothingAllowed });
        expect(res.ok, `${name} ${JSON.stringify(res)}`).toBe(true);
      }
    }
  });

  it.each(CASES)('$operation without $action is forbidden, naming it', async ({ operation, action, deny, inputs }) => {
    const c = await testConnector();
    const connection = await userMissing(deny);
    const own = OWN_BUCKET.includes(operation) ? uniqueBucket('perm') : bucket;
    if (own !== bucket) {
      await moto.admin(['s3api', 'create-bucket', '--bucket', own]);
      await putObjects(own, [key, ...EXAMPLES.flatMap(({ examples }) => examples.flatMap(keysOf))], moto.adminStore);
    }
    const results = [];
    for (const input of inputs)
      results.push(await c.invoke(operation, 'bucket' in input ? { ...input, bucket: own } : input, { connection }));
    if (ANSWERS_DENIAL.includes(operation)) {
      const answered = results.find((r) => r.ok && (r.output as { accessible?: boolean }).accessible === false);
      expect(answered, JSON.stringify(results)).toBeDefined();
      expect(answered!.ok ? answered!.output : null).toMatchObject({ note: expect.stringContaining(action) });
      return;
    }
    // An operation needs an action for some inputs only (put_object_acl reads the ACL only to keep
    // the owner's grant): one of its examples must be refused.
    const refused = results.find((r) => !r.ok && r.error.type === 'forbidden');
    expect(refused, JSON.stringify(results)).toBeDefined();
    expect(refused!.ok ? null : refused!.error).toMatchObject({ type: 'forbidden', retryable: false });
    expect(refused!.ok ? '' : refused!.error.message).toContain(action);
    // moto says only "Access Denied"; the action named comes from the manifest (see errors.test.ts
    // for AWS's "not authorized to perform: s3:..." messages, where exactly the denied one is named).
  });

  it.each(
    Object.entries(MOTO_CHECKS_AS).flatMap(([operation, actions]) =>
      Object.keys(actions).map((action) => ({ operation, action })),
    ),
  )(
    'moto still lets $operation through without $action (it checks another action: see MOTO_CHECKS_AS)',
    async ({ operation, action }) => {
      // Each example on a bucket of its own, holding its keys and one object more (delete_bucket
      // removes the bucket): one of them must get through, answered as allowed.
      const c = await testConnector();
      const connection = await userMissing(action);
      const results = [];
      for (const example of EXAMPLES.find((op) => op.name === operation)!.examples) {
        const own = uniqueBucket('proof');
        await moto.admin(['s3api', 'create-bucket', '--bucket', own]);
        const input = { ...example, bucket: own };
        await putObjects(own, [...keysOf(input), 'proof/object.txt'], moto.adminStore);
        results.push(await c.invoke(operation, input, { connection }));
      }
      expect(
        results.some((r) => r.ok && (r.output as { accessible?: boolean }).accessible !== false),
        JSON.stringify(results),
      ).toBe(true);
    },
  );

  it.each(
    Object.entries(PROVED_IN_OWN_SUITE).flatMap(([operation, actions]) =>
      actions.map((action) => ({ operation, action })),
    ),
  )(
    '$operation needs $action for some inputs only: its own suite proves it denied (see PROVED_IN_OWN_SUITE)',
    async ({ operation, action }) => {
      expect(EXAMPLES.find((op) => op.name === operation)?.permissions).toContain(action);
      const suite = await readFile(new URL(`../operations/${operation}.test.ts`, import.meta.url), 'utf8');
      expect(suite).toMatch(new RegExp(`it\\((['"\`])without ${action.replace(':', '\\:')}\\b`));
    },
  );

  it('the same users can run what their policy allows (the denial is that one action)', async () => {
    const c = await testConnector();
    const connection = await userMissing('s3:PutObject');
    const res = await c.invoke('head_object', { bucket, key }, { connection });
    expect(res.ok).toBe(true);
  });
});
