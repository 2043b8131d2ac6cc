// The playground in a real browser: Debian's chromium driven by playwright-core against the
// playground server (in this process) and the test moto. Every page state is saved as a
// screenshot in test-artifacts/playground-*.png.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalFileStore } from '../../src/io/files.js';
import { startPlayground, type Playground } from '../../src/dev/playground/server.js';
import { aws, motoEndpoint, testConnector, TEST_KEY_ID, uniqueBucket } from '../support/helpers.js';
import { launchChromium } from '../support/chromium.js';

const ARTIFACTS = 'test-artifacts';
/** The secret typed into the page's connection form: no answer of the server may contain it. */
const SECRET = `typed-secret-${randomBytes(8).toString('hex')}`;

let playground: Playground;
let browser: Browser;
let page: Page;
let filesRoot: string;
const bucket = uniqueBucket('pg');
const otherBucket = uniqueBucket('pg2');
const answers: { url: string; body: string }[] = [];
/** Every invoke the page sent, in order. */
const invoked: { operation: string; input: Record<string, unknown> }[] = [];
const pending: Promise<void>[] = [];

async function shot(name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(ARTIFACTS, `playground-${name}.png`), fullPage: true });
}

async function chooseOperation(name: string): Promise<void> {
  await page.selectOption('#operation', name);
  await page
    .locator('#run')
    .filter({ hasText: `Run ${name}` })
    .waitFor();
}

/** Picks a value in a lookup dropdown once the lookup has filled it. */
async function pick(id: string, value: string): Promise<void> {
  if (await page.locator(`#${id}__pick`).count()) await page.click(`#${id}__pick`); // back from free text
  await page.locator(`select#${id} option[value="${value}"]`).waitFor({ state: 'attached' });
  await page.selectOption(`select#${id}`, value);
}

/** Switches a lookup dropdown to free text and types the value. */
async function type(id: string, value: string): Promise<void> {
  await page.locator(`select#${id} option`, { hasText: 'Type another value…' }).waitFor({ state: 'attached' });
  await page.selectOption(`select#${id}`, { label: 'Type another value…' });
  await page.fill(`input#${id}`, value);
}

async function runAndWait(operation: string): Promise<{ ok: boolean; text: string }> {
  const before = await page.locator('#result').getAttribute('data-stamp');
  await page.click('#run');
  await page.waitForFunction(
    ([op, prev]) => {
      const el = document.querySelector('#result');
      return el?.getAttribute('data-operation') === op && el.getAttribute('data-stamp') !== prev;
    },
    [operation, before] as const,
  );
  const ok = (await page.locator('#result').getAttribute('class'))!.includes('ok');
  return { ok, text: await page.locator('#result-json').innerText() };
}

/** A raw HTTP request with chosen headers (fetch will not set Host). */
function rawRequest(
  path: string,
  method: string,
  headers: Record<string, string>,
  body = '',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: playground.port, path, method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  await aws(['s3api', 'create-bucket', '--bucket', otherBucket]);
  filesRoot = await mkdtemp(join(tmpdir(), 'playground-files-'));
  playground = await startPlayground({
    connector: await testConnector(),
    files: new LocalFileStore(filesRoot),
    localConnection: {
      region: 'us-east-1',
      endpoint: motoEndpoint(),
      credentials: { type: 'accessKey', accessKeyId: TEST_KEY_ID, secretAccessKey: 'prefilled-secret' },
    },
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page.on('pageerror', (err) => console.error('page error:', err.message));
  page.on('request', (req) => {
    if (req.url().endsWith('/api/invoke')) invoked.push(JSON.parse(req.postData() ?? '{}') as (typeof invoked)[number]);
  });
  page.on('response', (res) => {
    pending.push(
      res.text().then(
        (body) => void answers.push({ url: res.url(), body }),
        () => undefined,
      ),
    );
  });
  await page.goto(playground.url);
  await page.locator('#operation').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await playground?.close();
  if (filesRoot) await rm(filesRoot, { recursive: true, force: true });
});

describe('playground page', () => {
  it('opens with the connection form prefilled for the local server, the secret as a password field', async () => {
    expect(await page.inputValue('#conn_region')).toBe('us-east-1');
    expect(await page.inputValue('#conn_endpoint')).toBe(motoEndpoint());
    expect(await page.inputValue('#conn_credentials_accessKeyId')).toBe(TEST_KEY_ID);
    expect(await page.getAttribute('#conn_credentials_secretAccessKey', 'type')).toBe('password');
    // The credentials oneOf shows a kind picker with every kind.
    const kinds = await page.locator('select#conn_credentials__oneof_select option').allInnerTexts();
    expect(kinds).toEqual(expect.arrayContaining(['Access key', 'Assume role', 'Default provider chain', 'Anonymous']));
    // The operation picker lists actions only, no lookups.
    const ops = await page
      .locator('#operation option')
      .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(ops).toContain('put_object_text');
    expect(ops).not.toContain('list_buckets_ddl');
    expect(ops).not.toContain('list_objects_ddl');
    await page.fill('#conn_credentials_secretAccessKey', SECRET);
    await shot('1-start');
  });

  it('the bucket dropdown lists the buckets; advanced fields are folded away', async () => {
    await chooseOperation('put_object_text');
    await page.locator(`select#input_bucket option[value="${bucket}"]`).waitFor({ state: 'attached' });
    const options = await page
      .locator('select#input_bucket option')
      .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options).toEqual(expect.arrayContaining([bucket, otherBucket]));
    expect(await page.locator('#input_cacheControl').count()).toBe(0);
    await page.click('#input__advanced');
    await page.locator('#input_cacheControl').waitFor();
    await shot('2-advanced-open');
    await page.click('#input__advanced');
    expect(await page.locator('#input_cacheControl').count()).toBe(0);
  });

  it('put_object_text: fill, run, success; the aws cli reads the object back', async () => {
    await pick('input_bucket', bucket);
    await type('input_key', 'notes/hello.txt');
    await page.fill('#input_content', 'Hello from the playground');
    await shot('3-put-filled');
    const { ok, text } = await runAndWait('put_object_text');
    expect(ok).toBe(true);
    expect(await page.locator('#result-status').innerText()).toContain('Success');
    expect(JSON.parse(text)).toMatchObject({ bucket, key: 'notes/hello.txt', etag: expect.any(String) });
    await shot('4-put-success');
    // What the page sent: what was filled in and the defaults the schema declares (onConflict's
    // overwrite; the content type is guessed from the key, so it has none), no choice the user did
    // not make (rjsf would otherwise default ifNoneMatch to its const "*"), no empty metadata or
    // tags object.
    expect(invoked.filter((i) => i.operation === 'put_object_text').at(-1)!.input).toEqual({
      bucket,
      key: 'notes/hello.txt',
      content: 'Hello from the playground',
      onConflict: 'overwrite',
    });
    const body = await aws(['s3', 'cp', `s3://${bucket}/notes/hello.txt`, '-']);
    expect(body).toBe('Hello from the playground');
  });

  it('list_objects shows the key', async () => {
    await chooseOperation('list_objects');
    expect(await page.inputValue('select#input_bucket')).toBe(bucket); // the bucket is kept across operations
    const { ok, text } = await runAndWait('list_objects');
    expect(ok).toBe(true);
    expect(text).toContain('"notes/hello.txt"');
    await expect(page.locator('#result-json').innerText()).resolves.toContain('notes/hello.txt');
    await shot('5-list-objects');
  });

  it("get_object: the key dropdown lists the bucket's objects and the file output downloads", async () => {
    await chooseOperation('get_object');
    await pick('input_key', 'notes/hello.txt');
    const { ok, text } = await runAndWait('get_object');
    expect(ok).toBe(true);
    expect(JSON.parse(text).file).toMatchObject({ name: 'hello.txt', size: 25 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-link')]);
    expect(download.suggestedFilename()).toBe('hello.txt');
    expect(await readFile((await download.path())!, 'utf8')).toBe('Hello from the playground');
    await shot('6-get-object-download');
  });

  it('put_object_file: the chosen file is uploaded into the file store and then to S3', async () => {
    await chooseOperation('put_object_file');
    await type('input_key', 'uploads/data.csv');
    await page.setInputFiles('#input_file', {
      name: 'data.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('a,b\n1,2\n'),
    });
    await page.locator('.file-field', { hasText: 'Uploaded data.csv' }).waitFor();
    expect(await page.inputValue('#input_file_url')).toMatch(/^file:\/\//);
    const { ok, text } = await runAndWait('put_object_file');
    expect(ok, text).toBe(true);
    await shot('7-put-file');
    expect(await aws(['s3', 'cp', `s3://${bucket}/uploads/data.csv`, '-'])).toBe('a,b\n1,2\n');
    const head = JSON.parse(await aws(['s3api', 'head-object', '--bucket', bucket, '--key', 'uploads/data.csv'])) as {
      ContentType: string;
    };
    expect(head.ContentType).toBe('text/csv');
  });

  it("a bad input shows the field's error and sends nothing", async () => {
    await chooseOperation('put_object_text');
    const invokesBefore = invoked.length;
    await type('input_bucket', 'Not_A_Bucket');
    await page.locator('input#input_key').waitFor();
    await page.fill('input#input_key', 'x.txt');
    await page.fill('#input_content', 'x');
    await page.click('#run');
    const error = page.locator('#input_bucket__error');
    await error.waitFor();
    expect(await error.innerText()).toContain('bucket "Not_A_Bucket" is not valid — Bucket name: 3 to 63 characters');
    await shot('8-bad-input');
    // Lookups may have run (the key list of the typed bucket); the operation itself was not sent.
    expect(invoked.slice(invokesBefore).map((i) => i.operation)).not.toContain('put_object_text');
    expect(await page.locator('#result').getAttribute('data-operation')).toBeNull();
  });

  it('a problem only the server finds lands on its field', async () => {
    await chooseOperation('put_object_text');
    await pick('input_bucket', bucket);
    await type('input_key', 'big-metadata.txt');
    await page.fill('#input_content', 'x');
    await page.click('#input_metadata__add');
    await page.fill('#input_metadata_0_key', 'big');
    await page.fill('#input_metadata_0_value', 'v'.repeat(2100)); // schema-valid; S3's 2 KB limit is checked by the handler
    const { ok, text } = await runAndWait('put_object_text');
    expect(ok).toBe(false);
    expect(JSON.parse(text)).toMatchObject({ type: 'user_input', code: 'MetadataTooLarge' });
    expect(await page.locator('#input_metadata__error').innerText()).toContain('metadata must be at most 2048 bytes');
    await shot('9-server-problem');
  });

  it('a failed call shows the structured error', async () => {
    await chooseOperation('head_object');
    await pick('input_bucket', bucket);
    await type('input_key', 'missing.txt');
    const { ok, text } = await runAndWait('head_object');
    expect(ok).toBe(false);
    expect(JSON.parse(text)).toMatchObject({ type: 'not_found', retryable: false });
    expect(await page.locator('#result-status').innerText()).toContain('Error: not_found');
    await shot('10-error');
  });

  it('put_object_text keeps line breaks: a multi-line CSV typed into the page is stored byte for byte', async () => {
    await chooseOperation('put_object_text');
    await pick('input_bucket', bucket);
    await type('input_key', 'notes/table.csv');
    const csv = 'id,name\n1,alpha\n2,beta\n\n3,"gamma\ndelta"\n';
    await page.fill('#input_content', csv);
    await shot('13-multiline');
    const { ok, text } = await runAndWait('put_object_text');
    expect(ok, text).toBe(true);
    expect(invoked.filter((i) => i.operation === 'put_object_text').at(-1)!.input.content).toBe(csv);
    expect(await aws(['s3', 'cp', `s3://${bucket}/notes/table.csv`, '-'])).toBe(csv);
  });

  it('put_object_file without a file: the field is marked required, Run shows the error and sends nothing', async () => {
    await chooseOperation('put_object_file');
    await pick('input_bucket', bucket);
    await type('input_key', 'uploads/nothing.bin');
    expect(await page.locator('.file-field .required').count()).toBe(1);
    const invokesBefore = invoked.length;
    await page.click('#run');
    const error = page.locator('#input_file__error');
    await error.waitFor();
    expect(await error.innerText()).toContain('file is required');
    await shot('14-file-required');
    expect(invoked.slice(invokesBefore).map((i) => i.operation)).not.toContain('put_object_file');
    // A URL typed into the field instead is accepted, and the error goes away once it is valid.
    await page.fill('#input_file_url', 'data:text/plain;base64,aGk=');
    const { ok, text } = await runAndWait('put_object_file');
    expect(ok, text).toBe(true);
    expect(await error.count()).toBe(0);
    expect(await aws(['s3', 'cp', `s3://${bucket}/uploads/nothing.bin`, '-'])).toBe('hi');
  });

  it("switching operation clears the previous operation's result", async () => {
    await chooseOperation('list_buckets');
    expect((await runAndWait('list_buckets')).ok).toBe(true);
    await chooseOperation('list_objects');
    const result = page.locator('#result');
    expect(await result.getAttribute('class')).toContain('empty');
    expect(await result.getAttribute('data-operation')).toBeNull();
    expect(await page.locator('#result-json').count()).toBe(0);
  });

  it('field errors are worded as the connector words them (describeErrors), not as ajv does', async () => {
    await chooseOperation('put_object_text');
    await type('input_bucket', 'Not_A_Bucket');
    await page.locator('input#input_key').waitFor();
    await page.fill('#input_content', 'x');
    const invokesBefore = invoked.length;
    await page.click('#run');
    await page.locator('#input_key__error').waitFor();
    const shown = {
      bucket: await page.locator('#input_bucket__error').innerText(),
      key: await page.locator('#input_key__error').innerText(),
    };
    await shot('15-connector-wording');
    expect(invoked.slice(invokesBefore).map((i) => i.operation)).not.toContain('put_object_text');
    // The oracle: the connector's own answer to the same input.
    const result = await (await testConnector()).invoke(
      'put_object_text',
      { bucket: 'Not_A_Bucket', content: 'x' },
      { connection: { region: 'us-east-1', endpoint: motoEndpoint(), credentials: { type: 'anonymous' } } },
    );
    expect(result.ok).toBe(false);
    const problems = (result as { error: { details: { problems: { field: string; message: string }[] } } }).error
      .details.problems;
    expect(problems.map((p) => p.field).sort()).toEqual(['bucket', 'key']);
    for (const p of problems) expect(shown[p.field as keyof typeof shown].trim()).toBe(p.message);
    expect(shown.key).toBe('key is required');
    expect(shown.key).not.toContain('must have required property');
  });

  it('metadata: + Add gives an empty row with its name focused; the row is sent as filled in', async () => {
    await chooseOperation('put_object_text');
    await pick('input_bucket', bucket);
    await type('input_key', 'notes/with-metadata.txt');
    await page.fill('#input_content', 'meta');
    await page.click('#input_metadata__add');
    const name = page.locator('#input_metadata_0_key');
    const value = page.locator('#input_metadata_0_value');
    await name.waitFor();
    expect(await name.inputValue()).toBe('');
    expect(await value.inputValue()).toBe('');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('input_metadata_0_key');
    expect(await page.locator('#operation-form').innerText()).not.toMatch(/newKey|New Value/);
    await shot('16-metadata-row');
    await page.keyboard.type('owner');
    await value.fill('team-a');
    const { ok, text } = await runAndWait('put_object_text');
    expect(ok, text).toBe(true);
    expect(invoked.filter((i) => i.operation === 'put_object_text').at(-1)!.input.metadata).toEqual({
      owner: 'team-a',
    });
    const head = JSON.parse(
      await aws(['s3api', 'head-object', '--bucket', bucket, '--key', 'notes/with-metadata.txt']),
    ) as { Metadata: Record<string, string> };
    expect(head.Metadata).toEqual({ owner: 'team-a' });
  });

  it('the badge says what an operation can change: a signed URL can be a PUT URL, so it is not read-only', async () => {
    await chooseOperation('get_object');
    expect(await page.locator('.chips .chip-safe').innerText()).toBe('read-only');
    await chooseOperation('get_object_signed_url');
    expect(await page.locator('.chips .chip-safe').count()).toBe(0);
    expect(await page.locator('.chips').innerText()).toContain('may change data');
    await shot('17-signed-url-badge');
  });

  it('Test connection with a bucket from its dropdown shows which operations the connection can run there', async () => {
    await page.locator(`select#test_bucket option[value="${bucket}"]`).waitFor({ state: 'attached' });
    await page.selectOption('select#test_bucket', bucket);
    const [request] = await Promise.all([
      page.waitForRequest((r) => r.url().endsWith('/api/test-connection')),
      page.click('#test-connection'),
    ]);
    expect((JSON.parse(request.postData()!) as { bucket?: string }).bucket).toBe(bucket);
    await page.waitForFunction(
      () => document.querySelector('#result')?.getAttribute('data-operation') === 'testConnection',
    );
    const output = JSON.parse(await page.locator('#result-json').innerText()) as {
      bucket: string;
      permissions: { method: string; operations: { name: string; allowed: boolean | null }[]; notes: string[] };
      capabilities: Record<string, boolean | undefined>;
    };
    expect(output.bucket).toBe(bucket);
    await page.locator('#report-permissions').scrollIntoViewIfNeeded();
    await shot('18-test-connection-report');
    // Every operation's verdict, as the report table shows it.
    const rows = await page
      .locator('#report-permissions tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-operation'), tr.getAttribute('data-allowed')]));
    expect(rows).toEqual(output.permissions.operations.map((o) => [o.name, String(o.allowed)]));
    // The local moto checks no policy: everything is allowed there.
    expect(rows.find(([name]) => name === 'put_object_text')?.[1]).toBe('true');
    expect(await page.locator('#report-permissions').innerText()).toContain(
      output.permissions.method === 'simulation' ? 'policy simulation' : 'harmless probes',
    );
    const capabilities = await page.locator('#report-capabilities li').allInnerTexts();
    expect(capabilities).toHaveLength(5);
    // Without a bucket: the credentials, region and endpoint only.
    await page.selectOption('select#test_bucket', '');
    const [plain] = await Promise.all([
      page.waitForRequest((r) => r.url().endsWith('/api/test-connection')),
      page.click('#test-connection'),
    ]);
    expect((JSON.parse(plain.postData()!) as { bucket?: string }).bucket).toBeUndefined();
    await page.waitForFunction(
      () =>
        document.querySelector('#result')?.getAttribute('data-stamp') !== null &&
        !document.querySelector('#report-permissions') &&
        document.querySelector('#result')?.getAttribute('data-operation') === 'testConnection',
    );
    expect(await page.locator('#result-status').innerText()).toContain('Success');
  });

  it('booleans whose absence means something (detected capabilities, path style) are Yes / No / not set, not checkboxes', async () => {
    await page.click('#conn__advanced');
    const select = 'select#conn_capabilities_conditionalWrites';
    await page.locator(select).waitFor();
    expect(await page.locator(`${select} option`).allInnerTexts()).toEqual(['— not set —', 'Yes', 'No']);
    expect(await page.inputValue(select)).toBe('');
    expect(await page.locator('select#conn_forcePathStyle').count()).toBe(1);
    expect(await page.locator('#connection input[type=checkbox]').count()).toBe(0);
    await shot('11-capabilities');
    const lastConnection = () => (invoked.at(-1) as unknown as { connection: { capabilities?: object } }).connection;
    await chooseOperation('list_buckets');
    await page.selectOption(select, { label: 'No' });
    expect((await runAndWait('list_buckets')).ok).toBe(true);
    expect(lastConnection().capabilities).toEqual({ conditionalWrites: false });
    await page.selectOption(select, { label: '— not set —' });
    expect((await runAndWait('list_buckets')).ok).toBe(true);
    expect(lastConnection().capabilities ?? {}).toEqual({});
    await page.click('#conn__advanced');
  });

  it("the credentials picker switches kinds: the chosen kind's fields only", async () => {
    await page.selectOption('select#conn_credentials__oneof_select', { label: 'Anonymous' });
    await page.locator('#conn_credentials_accessKeyId').waitFor({ state: 'detached' });
    expect(await page.locator('#connection .summary').innerText()).toContain('anonymous');
    await page.selectOption('select#conn_credentials__oneof_select', { label: 'Assume role' });
    await page.locator('#conn_credentials_roleArn').waitFor();
    await shot('12-assume-role');
    expect(await page.locator('#connection .summary').innerText()).toContain('assumeRole');
  });
});

describe('playground server', () => {
  it('never returns the secret typed into the connection', async () => {
    await Promise.all(pending);
    expect(answers.length).toBeGreaterThan(5);
    for (const a of answers) expect(a.body.includes(SECRET), a.url).toBe(false);
    // Straight to the API: a bad connection, a bad operation, a body that is not JSON.
    const connection = {
      region: 'Not A Region',
      endpoint: motoEndpoint(),
      credentials: { type: 'accessKey', accessKeyId: 'x', secretAccessKey: SECRET },
    };
    const post = (body: string) =>
      fetch(new URL('/api/invoke', playground.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    for (const body of [
      JSON.stringify({ operation: 'list_buckets', input: {}, connection }),
      JSON.stringify({
        operation: 'list_buckets',
        input: {},
        connection: {
          ...connection,
          credentials: { ...connection.credentials, secretAccessKey: 5, sessionToken: SECRET },
        },
      }),
      JSON.stringify({ operation: 'nope', input: {}, connection }),
      `{"operation": "list_buckets", "connection": {"secretAccessKey": "${SECRET}"`,
    ]) {
      const res = await post(body);
      const text = await res.text();
      expect(text).not.toContain(SECRET);
      expect(JSON.parse(text)).toMatchObject({ ok: false, error: { type: 'user_input' } });
    }
  });

  it('serves files of its file store only', async () => {
    const res = await fetch(new URL(`/api/files?url=${encodeURIComponent('file:///etc/passwd')}`, playground.url));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ ok: false, error: { type: 'user_input', code: 'FileNotAllowed' } });
    const escaped = await fetch(
      new URL(`/api/files?url=${encodeURIComponent(`file://${filesRoot}/../etc/passwd`)}`, playground.url),
    );
    expect(escaped.status).toBeGreaterThanOrEqual(400);
    const missing = await fetch(
      new URL(`/api/files?url=${encodeURIComponent(`file://${filesRoot}/nope.txt`)}`, playground.url),
    );
    expect(missing.status).toBe(404);
  });

  it('answers its own host and origin only', async () => {
    const foreignHost = await rawRequest('/api/manifest', 'GET', { host: 'attacker.example' });
    expect(foreignHost.status).toBe(421);
    const body = JSON.stringify({ operation: 'list_buckets', input: {}, connection: {} });
    const foreignOrigin = await rawRequest(
      '/api/invoke',
      'POST',
      { host: `127.0.0.1:${playground.port}`, origin: 'http://attacker.example', 'content-type': 'application/json' },
      body,
    );
    expect(foreignOrigin.status).toBe(403);
    const notJson = await rawRequest(
      '/api/invoke',
      'POST',
      { host: `127.0.0.1:${playground.port}`, 'content-type': 'text/plain' },
      body,
    );
    expect(notJson.status).toBe(415);
    expect(playground.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('serves schemas the form library can resolve alone', async () => {
    const manifest = (await (await fetch(new URL('/api/manifest', playground.url))).json()) as {
      operations: { name: string; inputSchema: Record<string, unknown> }[];
    };
    const text = JSON.stringify(manifest);
    expect(text).not.toContain('defs.json#');
    const put = manifest.operations.find((o) => o.name === 'put_object_text')!;
    expect((put.inputSchema.properties as Record<string, unknown>).bucket).toEqual({ $ref: '#/$defs/bucket' });
    expect(put.inputSchema.$defs).toHaveProperty('bucket.x-lookup.operation', 'list_buckets_ddl');
  });
});
