// create_presigned_post against moto: forms posted by Node's fetch (multipart/form-data) and by
// a real Chromium page, the aws cli as the oracle for what landed. moto 5.2.5 stores what a POST
// sends without checking the policy at all (not its signature, expiry or conditions: see
// _bucket_response_post in moto/s3/responses.py), so a condition is proved by decoding the
// policy, and the policy and its signature are checked with botocore (test/support/presigned_post.py).
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${filename} is S3's placeholder in a form's key, not a template
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  aws,
  awsJson,
  examplesOf,
  invoke,
  motoConnection,
  motoEndpoint,
  retarget,
  TEST_KEY_ID,
  TEST_SECRET,
  testConnector,
  uniqueBucket,
} from '../support/helpers.js';
import { launchChromium } from '../support/chromium.js';

const python = fileURLToPath(new URL('../../.venv/bin/python', import.meta.url));
const botocorePost = fileURLToPath(new URL('../support/presigned_post.py', import.meta.url));

type Condition = Record<string, string> | [string, string | number, string | number];
interface Post {
  url: string;
  fields: Record<string, string>;
  expiresAt: string;
  conditions: Condition[];
}

const bucket = uniqueBucket('post');
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'presigned-post-'));
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
});

async function presign(input: Record<string, unknown>, connection = motoConnection()): Promise<Post> {
  const res = await invoke<Post>('create_presigned_post', { bucket, ...input }, { connection });
  if (!res.ok) throw new Error(`${res.error.type}: ${res.error.message}`);
  return res.output;
}

/** A multipart/form-data POST of the fields, then the file last, as a browser form sends it. */
async function postForm(
  post: { url: string; fields: Record<string, string> },
  file: { bytes: Uint8Array; name: string; type?: string },
  extra: Record<string, string> = {},
): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries({ ...post.fields, ...extra })) form.append(name, value);
  form.append('file', new Blob([file.bytes], { type: file.type ?? 'application/octet-stream' }), file.name);
  return fetch(post.url, { method: 'POST', body: form, redirect: 'manual' });
}

/** The object as the aws cli reads it back. */
async function cliObject(key: string): Promise<{ bytes: Buffer; head: Record<string, unknown> }> {
  const out = join(dir, `cli-${randomBytes(4).toString('hex')}`);
  const head = await awsJson(['s3api', 'get-object', '--bucket', bucket, '--key', key, out]);
  return { bytes: await readFile(out), head };
}

async function cliKeys(prefix: string): Promise<string[]> {
  const listed = await awsJson<{ Contents?: { Key: string }[] }>([
    's3api',
    'list-objects-v2',
    '--bucket',
    bucket,
    '--prefix',
    prefix,
  ]);
  return (listed.Contents ?? []).map((o) => o.Key);
}

/** The policy's conditions with field names in lower case (S3 reads form field names case-insensitively). */
function normalized(conditions: unknown[]): string[] {
  return conditions
    .map((c) =>
      Array.isArray(c)
        ? JSON.stringify(c.map((v, i) => (i === 1 && typeof v === 'string' ? v.toLowerCase() : v)))
        : JSON.stringify(Object.fromEntries(Object.entries(c as object).map(([k, v]) => [k.toLowerCase(), v]))),
    )
    .sort();
}

function decoded(post: Post): { expiration: string; conditions: Condition[] } {
  return JSON.parse(Buffer.from(post.fields.Policy ?? '', 'base64').toString('utf8'));
}

/** botocore's generate_presigned_post against the test moto at a fixed clock, and its verdict on a signature. */
async function botocore(request: Record<string, unknown>): Promise<{
  url: string;
  fields: Record<string, string>;
  policy: { expiration: string; conditions: unknown[] };
  verified?: boolean;
}> {
  const child = execFile(python, [botocorePost]);
  const out = new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (d: Buffer) => {
      text += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      text += d.toString();
    });
    child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(text))));
  });
  child.stdin?.end(
    JSON.stringify({
      accessKeyId: TEST_KEY_ID,
      secretAccessKey: TEST_SECRET,
      region: 'us-east-1',
      endpoint: motoEndpoint(),
      ...request,
    }),
  );
  return JSON.parse(await out);
}

afterEach(() => {
  vi.useRealTimers();
});

describe('create_presigned_post: uploads', () => {
  it('a fetch multipart POST of the fields and a file stores it byte for byte, with metadata and ACL', async () => {
    const key = 'forms/exact key (1).bin';
    const post = await presign({
      key,
      expiresIn: 600,
      contentType: 'application/x-custom',
      acl: 'public-read',
      metadata: { 'uploaded-by': 'form-test' },
      contentLengthRange: { min: 1, max: 1_000_000 },
    });
    expect(post.url).toBe(`${motoEndpoint()}/${bucket}`);
    expect(post.fields).toMatchObject({
      key,
      bucket,
      acl: 'public-read',
      'Content-Type': 'application/x-custom',
      'x-amz-meta-uploaded-by': 'form-test',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    });
    const bytes = randomBytes(256 * 1024); // every byte value, not text
    const res = await postForm(post, { bytes, name: 'local.bin', type: 'application/x-custom' });
    expect(res.status).toBe(204); // S3's default success status
    const stored = await cliObject(key);
    expect(stored.bytes.equals(bytes)).toBe(true);
    expect(stored.head.Metadata).toEqual({ 'uploaded-by': 'form-test' });
    const acl = await awsJson<{ Grants: { Grantee: { URI?: string }; Permission: string }[] }>([
      's3api',
      'get-object-acl',
      '--bucket',
      bucket,
      '--key',
      key,
    ]);
    expect(acl.Grants).toContainEqual({
      Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' },
      Permission: 'READ',
    });
  });

  it('a key ending in ${filename} stores the upload under the browser file name, within the prefix', async () => {
    const post = await presign({ key: 'uploads/${filename}' });
    expect(post.fields.key).toBe('uploads/${filename}');
    expect(post.conditions).toContainEqual(['starts-with', '$key', 'uploads/']);
    expect(post.conditions).not.toContainEqual({ key: 'uploads/${filename}' });
    const res = await postForm(post, { bytes: Buffer.from('pixels'), name: 'photo 1.png', type: 'image/png' });
    expect(res.status).toBe(204);
    expect(await cliKeys('uploads/')).toEqual(['uploads/photo 1.png']);
    expect((await cliObject('uploads/photo 1.png')).bytes.toString()).toBe('pixels');
  });

  it('successActionStatus 201 answers 201; successActionRedirect answers 303 to it with bucket and key', async () => {
    const created = await presign({ key: 'status/201.txt', successActionStatus: 201 });
    expect(created.fields.success_action_status).toBe('201');
    expect((await postForm(created, { bytes: Buffer.from('a'), name: 'a.txt' })).status).toBe(201);

    const redirected = await presign({
      key: 'status/redirect.txt',
      successActionRedirect: 'https://example.com/done?from=form',
    });
    expect(redirected.conditions).toContainEqual({ success_action_redirect: 'https://example.com/done?from=form' });
    const res = await postForm(redirected, { bytes: Buffer.from('b'), name: 'b.txt' });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.origin + location.pathname).toBe('https://example.com/done');
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      from: 'form',
      bucket,
      key: 'status/redirect.txt',
    });
    expect((await cliObject('status/redirect.txt')).bytes.toString()).toBe('b');
  });

  it("a connection's key prefix and default ACL and metadata go into the form; a key climbing out is refused", async () => {
    const connection = motoConnection({
      defaults: { keyPrefix: 'tenant/7', acl: 'public-read', metadata: { origin: 'flows' } },
    });
    const post = await presign({ key: 'uploads/${filename}' }, connection);
    expect(post.fields.key).toBe('tenant/7/uploads/${filename}');
    expect(post.conditions).toContainEqual(['starts-with', '$key', 'tenant/7/uploads/']);
    expect(post.fields).toMatchObject({ acl: 'public-read', 'x-amz-meta-origin': 'flows' });
    const res = await postForm(post, { bytes: Buffer.from('tenant file'), name: 'a.txt' });
    expect(res.status).toBe(204);
    expect(await cliKeys('tenant/7/uploads/')).toEqual(['tenant/7/uploads/a.txt']);
    const climbing = await invoke('create_presigned_post', { bucket, key: '../8/${filename}' }, { connection });
    expect(climbing.ok ? null : climbing.error).toMatchObject({ type: 'user_input', code: 'KeyOutsidePrefix' });
  });

  it('a real Chromium page posts an HTML form built from url and fields; the object lands', async () => {
    const post = await presign({
      key: 'browser/${filename}',
      contentTypeStartsWith: 'image/',
      contentLengthRange: { min: 1, max: 5_000_000 },
      successActionStatus: 201,
    });
    const escaped = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    const hidden = Object.entries(post.fields)
      .map(([name, value]) => `<input type="hidden" name="${escaped(name)}" value="${escaped(value)}">`)
      .join('\n');
    // The page sets Content-Type from the chosen file, as contentTypeStartsWith asks of it.
    const html = `<!doctype html><form id="f" action="${escaped(post.url)}" method="post" enctype="multipart/form-data">
${hidden}
<input type="hidden" name="Content-Type" id="ct" value="">
<input type="file" name="file" id="file" onchange="ct.value = this.files[0].type">
<button type="submit" id="send">Upload</button></form>`;
    const bytes = randomBytes(64 * 1024);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.setContent(html);
      await page.setInputFiles('#file', { name: 'cat.png', mimeType: 'image/png', buffer: bytes });
      expect(await page.inputValue('#ct')).toBe('image/png');
      const answered = page.waitForResponse((r) => r.url() === post.url && r.request().method() === 'POST', {
        timeout: 60_000,
      });
      await page.click('#send');
      const response = await answered;
      expect(response.status()).toBe(201);
      expect(response.request().headers()['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    } finally {
      await browser.close();
    }
    const stored = await cliObject('browser/cat.png');
    expect(stored.bytes.equals(bytes)).toBe(true);
  });
});

describe('create_presigned_post: conditions', () => {
  // What moto enforces of a POST policy: nothing. Each case shows moto storing the violating
  // upload, and the decoded policy carrying the condition S3 refuses it by. If one of these
  // starts failing because moto refuses the upload, moto enforces the condition now: assert its
  // refusal (and that nothing landed) instead.
  it('too big a file: the policy carries content-length-range (S3: EntityTooLarge); moto stores it anyway', async () => {
    const post = await presign({ key: 'limits/small.bin', contentLengthRange: { min: 1, max: 10 } });
    expect(post.conditions).toContainEqual(['content-length-range', 1, 10]);
    expect(decoded(post).conditions).toContainEqual(['content-length-range', 1, 10]);
    const res = await postForm(post, { bytes: randomBytes(11), name: 'big.bin' });
    expect(res.status).toBe(204);
    expect((await cliObject('limits/small.bin')).bytes.length).toBe(11);
  });

  it('another content type: the policy holds Content-Type to its value or prefix; moto stores it anyway', async () => {
    const exact = await presign({ key: 'limits/typed.csv', contentType: 'text/csv' });
    expect(decoded(exact).conditions).toContainEqual({ 'Content-Type': 'text/csv' });
    const prefixed = await presign({ key: 'limits/image', contentTypeStartsWith: 'image/' });
    expect(decoded(prefixed).conditions).toContainEqual(['starts-with', '$Content-Type', 'image/']);
    const res = await postForm(
      prefixed,
      { bytes: Buffer.from('<p>'), name: 'x.html' },
      { 'Content-Type': 'text/html' },
    );
    expect(res.status).toBe(204);
    expect(await cliKeys('limits/image')).toEqual(['limits/image']);
  });

  it('a key outside the prefix: the policy holds key to the prefix; moto stores it anyway', async () => {
    const post = await presign({ key: 'inbox/${filename}' });
    expect(decoded(post).conditions).toContainEqual(['starts-with', '$key', 'inbox/']);
    const res = await postForm(
      { url: post.url, fields: { ...post.fields, key: 'elsewhere/escaped.txt' } },
      { bytes: Buffer.from('x'), name: 'x.txt' },
    );
    expect(res.status).toBe(204);
    expect(await cliKeys('elsewhere/')).toEqual(['elsewhere/escaped.txt']);
  });

  it('every preset field is held to its value, and the signature is the one S3 computes (botocore)', async () => {
    const post = await presign({
      key: 'held/a.txt',
      acl: 'private',
      metadata: { owner: 'ada' },
      fields: { 'Cache-Control': 'max-age=60', 'x-amz-storage-class': 'STANDARD_IA' },
    });
    const { conditions, expiration } = decoded(post);
    for (const [name, value] of Object.entries(post.fields))
      if (name !== 'Policy' && name !== 'X-Amz-Signature') expect(conditions).toContainEqual({ [name]: value });
    expect(expiration).toBe(new Date(post.expiresAt).toISOString().replace('.000Z', 'Z'));
    expect(post.conditions).toEqual(conditions);
    const verdict = await botocore({
      bucket,
      key: 'held/a.txt',
      fields: {},
      conditions: [],
      expiresIn: 60,
      now: new Date().toISOString(),
      verify: {
        policy: post.fields.Policy,
        signature: post.fields['X-Amz-Signature'],
        date: post.fields['X-Amz-Date'],
      },
    });
    expect(verdict.verified).toBe(true);
    // A policy changed after signing (a wider size range) does not carry that signature.
    const widened = Buffer.from(
      JSON.stringify({ expiration, conditions: [...conditions, ['content-length-range', 0, 5368709120]] }),
    ).toString('base64');
    const forged = await botocore({
      bucket,
      key: 'held/a.txt',
      fields: {},
      conditions: [],
      expiresIn: 60,
      now: new Date().toISOString(),
      verify: { policy: widened, signature: post.fields['X-Amz-Signature'], date: post.fields['X-Amz-Date'] },
    });
    expect(forged.verified).toBe(false);
  });
});

describe('create_presigned_post: botocore generate_presigned_post as the oracle', () => {
  it('for the same inputs at a fixed date both policies carry the same conditions, and moto takes both forms', async () => {
    const now = new Date('2026-03-04T05:06:07Z');
    const input = {
      key: 'oracle/${filename}',
      expiresIn: 900,
      contentLengthRange: { min: 10, max: 2048 },
      contentTypeStartsWith: 'text/',
      acl: 'bucket-owner-full-control',
      metadata: { source: 'oracle' },
      successActionStatus: 201,
    };
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(now);
    const ours = await presign(input);
    vi.useRealTimers();
    // The same form as botocore's documentation says to ask for it: preset fields, and a
    // condition for each of them and for the size and type.
    const theirs = await botocore({
      bucket,
      key: 'oracle/${filename}',
      expiresIn: 900,
      now: now.toISOString(),
      fields: { acl: 'bucket-owner-full-control', 'x-amz-meta-source': 'oracle', success_action_status: '201' },
      conditions: [
        { acl: 'bucket-owner-full-control' },
        { 'x-amz-meta-source': 'oracle' },
        { success_action_status: '201' },
        ['content-length-range', 10, 2048],
        ['starts-with', '$Content-Type', 'text/'],
      ],
    });
    const policy = decoded(ours);
    expect(policy.expiration).toBe('2026-03-04T05:21:07Z');
    expect(theirs.policy.expiration).toBe(policy.expiration);
    expect(ours.expiresAt).toBe('2026-03-04T05:21:07.000Z');
    expect(ours.fields['X-Amz-Date']).toBe(theirs.fields['x-amz-date']);
    // botocore leaves bucket out of the fields (the URL names it); ours posts it too, held by the same condition.
    expect(normalized(policy.conditions)).toEqual(normalized(theirs.policy.conditions));
    expect(ours.url).toBe(theirs.url);

    const body = Buffer.from('0123456789 text body');
    for (const [who, form] of [
      ['ours', ours],
      ['botocore', theirs],
    ] as const) {
      const res = await postForm(
        form,
        { bytes: body, name: `${who}.txt`, type: 'text/plain' },
        {
          'Content-Type': 'text/plain',
        },
      );
      expect(res.status, who).toBe(201);
      const stored = await cliObject(`oracle/${who}.txt`);
      expect(stored.bytes.equals(body), who).toBe(true);
      expect(stored.head.Metadata, who).toEqual({ source: 'oracle' });
    }
  });
});

describe('create_presigned_post: refused input', () => {
  async function refused(input: Record<string, unknown>, connection = motoConnection()) {
    const res = await invoke('create_presigned_post', { bucket, key: 'k', ...input }, { connection });
    expect(res.ok).toBe(false);
    return res.ok ? undefined : res.error;
  }
  const fieldsOf = (error: { details?: Record<string, unknown> } | undefined) =>
    ((error?.details?.problems ?? []) as { field: string }[]).map((p) => p.field);

  it.each([
    [{ expiresIn: 604801 }, 'expiresIn', 'must be <= 604800'],
    [{ expiresIn: 0 }, 'expiresIn', 'must be >= 1'],
    [{ bucket: 'Bad_Bucket' }, 'bucket', 'is not valid'],
    [{ contentLengthRange: { min: 11, max: 10 } }, 'contentLengthRange', 'min (11) must not be more than max (10)'],
    [{ contentLengthRange: { max: 5368709121 } }, 'contentLengthRange.max', 'must be <= 5368709120'],
    [{ contentType: 'text/csv', contentTypeStartsWith: 'text/' }, 'contentTypeStartsWith', 'not both'],
    [{ successActionStatus: 201, successActionRedirect: 'https://example.com/' }, 'successActionRedirect', 'not both'],
    [{ successActionStatus: 202 }, 'successActionStatus', ''],
    [{ key: 'a/${filename}/b' }, 'key', 'only at its end'],
    [{ fields: { Policy: 'x' } }, 'fields.Policy', 'the connector signs the form'],
    [{ fields: { 'X-Amz-Meta-Owner': 'x' } }, 'fields.X-Amz-Meta-Owner', 'the metadata input'],
    [{ fields: { 'content-type': 'x' } }, 'fields.content-type', 'contentType or contentTypeStartsWith'],
  ])('%j is user_input naming %s', async (input, field, message) => {
    const error = await refused(input);
    expect(error).toMatchObject({ type: 'user_input', code: 'InvalidInput', retryable: false });
    expect(fieldsOf(error)).toContain(field);
    expect(error?.message).toContain(message);
  });

  it('refuses an anonymous connection: there is nothing to sign with', async () => {
    expect(await refused({}, motoConnection({ credentials: { type: 'anonymous' } }))).toMatchObject({
      type: 'user_input',
      code: 'CredentialsRequired',
    });
  });

  it('the schema examples are valid input and sign; no secret is in the answer', async () => {
    const op = (await testConnector()).operations().find((o) => o.name === 'create_presigned_post');
    for (const example of examplesOf(op!).map((e) => retarget(e, { bucket }))) {
      const res = await invoke<Post>('create_presigned_post', example);
      expect(res.ok, JSON.stringify(res)).toBe(true);
      expect(JSON.stringify(res)).not.toContain(TEST_SECRET);
    }
  });

  it('caps expiresAt at the expiry of temporary credentials, and posts their session token', async () => {
    const connection = motoConnection({
      credentials: {
        type: 'assumeRole',
        roleArn: 'arn:aws:iam::123456789012:role/form-signer',
        durationSeconds: 900,
        accessKeyId: TEST_KEY_ID,
        secretAccessKey: TEST_SECRET,
      },
    });
    const before = Date.now();
    const post = await presign({ key: 'temp/a.txt', expiresIn: 604800 }, connection);
    expect(post.fields['X-Amz-Security-Token']).toBeTruthy();
    expect(decoded(post).conditions).toContainEqual({ 'X-Amz-Security-Token': post.fields['X-Amz-Security-Token'] });
    const expiresAt = new Date(post.expiresAt).getTime();
    expect(expiresAt).toBeGreaterThan(before + 800_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 900_000);
    expect((await postForm(post, { bytes: Buffer.from('t'), name: 't' })).status).toBe(204);
  });
});
