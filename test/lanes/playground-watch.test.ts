// The playground's watch panel in a real browser (Debian's chromium via playwright-core) against
// the playground server in this process and the test moto: watching new_object, objects the aws
// cli puts appear in the panel, and after Stop no poll reaches the server; watching object_events
// (a queue set up by configure_object_events), an S3 event appears and the next poll acks it. The polls are counted
// at the server (its connector wrapped to count the trigger's invocations, the real one doing
// the work). The page's clock is playwright's (installed before the page loads, flowing as
// usual): after Stop it is run far past many intervals, so a timer left behind would fire.
// Screenshots in test-artifacts/playground-watch-*.png.
import { mkdir } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector } from '../../src/runtime/connector.js';
import { startPlayground, type Playground } from '../../src/dev/playground/server.js';
import {
  aws,
  awsJson,
  invoke,
  motoEndpoint,
  testConnector,
  TEST_KEY_ID,
  TEST_SECRET,
  uniqueBucket,
  until,
} from '../support/helpers.js';
import { launchChromium } from '../support/chromium.js';

const ARTIFACTS = 'test-artifacts';
/** Generous: only stops a wait for the DOM that would hang; the verdict never depends on it. */
const DOM_WAIT = { timeout: 120_000 };

let playground: Playground;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const bucket = uniqueBucket('watch');
/** Every trigger invocation the server made, in order (counted at the server). */
const serverPolls: { operation: string; input: Record<string, unknown> }[] = [];
/** Every /api/poll request the page sent. */
const pagePolls: string[] = [];
const answers: string[] = [];

/** The real connector, its trigger invocations counted on the way through. */
function counting(connector: Connector): Connector {
  const triggers = new Set(
    connector
      .operations()
      .filter((o) => o.kind === 'trigger')
      .map((o) => o.name),
  );
  return Object.assign(Object.create(connector) as Connector, {
    invokeDynamic: (name: string, input: unknown, ctx: Parameters<Connector['invokeDynamic']>[2]) => {
      if (triggers.has(name)) serverPolls.push({ operation: name, input: input as Record<string, unknown> });
      return connector.invokeDynamic(name, input, ctx);
    },
  });
}

async function put(key: string): Promise<void> {
  await aws(['s3api', 'put-object', '--bucket', bucket, '--key', key]);
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `playground-watch-${name}.png`), fullPage: true });
}

const eventKeys = () =>
  page.$$eval('#watch-events .watch-event pre', (els) => els.map((e) => JSON.parse(e.textContent ?? '{}').key));

/** A raw HTTP request with chosen headers (fetch will not set Host). */
function rawRequest(
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: playground.port, path, method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Pauses the page's flowing clock a moment ahead of its time (playwright's pauseAt wants a time
 * still to come). On a loaded machine that moment can pass before the call lands: then it is
 * tried again from the page's new time, so the verdict never hangs on how quick the machine is.
 */
async function pauseSoon(target: Page): Promise<void> {
  for (;;) {
    try {
      await target.clock.pauseAt((await target.evaluate(() => Date.now())) + 1000);
      return;
    } catch (err) {
      if (!/to the past/.test(String((err as Error).message))) throw err;
    }
  }
}

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  await put('incoming/before.txt');
  playground = await startPlayground({
    connector: counting(await testConnector()),
    localConnection: {
      region: 'us-east-1',
      endpoint: motoEndpoint(),
      credentials: { type: 'accessKey', accessKeyId: TEST_KEY_ID, secretAccessKey: TEST_SECRET },
    },
  });
  browser = await launchChromium();
  // A context of its own: the fake clock is the context's.
  context = await browser.newContext({ viewport: { width: 1280, height: 1400 } });
  page = await context.newPage();
  page.on('pageerror', (err) => console.error('page error:', err.message));
  page.on('request', (req) => {
    if (req.url().endsWith('/api/poll')) pagePolls.push(req.postData() ?? '');
  });
  page.on('response', (res) => {
    if (res.url().endsWith('/api/poll'))
      void res.text().then(
        (t) => answers.push(t),
        () => undefined,
      );
  });
  await page.clock.install();
  await page.goto(playground.url);
  await page.locator('#watch-trigger').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await playground?.close();
});

describe('playground watch panel', () => {
  it('lists the triggers of the manifest, and its form has no cursor or ack field (the panel carries them)', async () => {
    const manifest = JSON.parse(await (await fetch(`${playground.url}api/manifest`)).text()) as {
      operations: { name: string; kind: string }[];
    };
    const triggers = manifest.operations.filter((o) => o.kind === 'trigger').map((o) => o.name);
    expect(triggers).toContain('new_object');
    const offered = await page.$$eval('#watch-trigger option', (els) => els.map((e) => (e as HTMLOptionElement).value));
    expect(offered).toEqual(triggers);
    await page.selectOption('#watch-trigger', 'new_object');
    await page.locator('#watch_bucket').waitFor({ state: 'attached' });
    expect(await page.locator('#watch_cursor').count()).toBe(0);
    await page.selectOption('#watch-trigger', 'object_events');
    await page.locator('#watch_queue').waitFor({ state: 'attached' });
    expect(await page.locator('#watch_ack').count()).toBe(0);
    await page.selectOption('#watch-trigger', 'new_object');
  });

  it('new_object: objects the aws cli puts appear newest first, the cursor goes from poll to poll; after Stop no poll is sent', async () => {
    await page.selectOption('#watch-trigger', 'new_object');
    await page.locator(`select#watch_bucket option[value="${bucket}"]`).waitFor({ state: 'attached', ...DOM_WAIT });
    await page.selectOption('select#watch_bucket', bucket);
    await page.fill('#watch_prefix', 'incoming/');
    await page.fill('#watch-every', '1');
    await page.click('#watch-start');
    await page.locator('#watch-panel[data-state="watching"]').waitFor(DOM_WAIT);
    // The first poll answers (starts now: what is already there is not replayed).
    await page.locator('#watch-panel[data-polls="1"]').waitFor({ state: 'attached', ...DOM_WAIT });
    expect(await eventKeys()).toEqual([]);

    await put('incoming/one.txt');
    await page.locator('#watch-events .watch-event').first().waitFor(DOM_WAIT);
    await put('incoming/two.txt');
    await page.locator('#watch-events .watch-event:nth-child(2)').waitFor(DOM_WAIT);
    expect(await eventKeys()).toEqual(['incoming/two.txt', 'incoming/one.txt']);
    const head = JSON.parse(await aws(['s3api', 'head-object', '--bucket', bucket, '--key', 'incoming/two.txt'])) as {
      ETag: string;
    };
    const newest = JSON.parse(await page.locator('#watch-events .watch-event pre').first().innerText()) as {
      etag: string;
    };
    expect(newest.etag).toBe(head.ETag);
    await shot('events');

    // Each poll after the first carried the cursor the previous one answered, unchanged.
    const sent = serverPolls.filter((p) => p.operation === 'new_object');
    expect(sent.length).toBeGreaterThanOrEqual(3);
    expect(sent[0]!.input.cursor).toBeUndefined();
    for (let i = 1; i < Math.min(sent.length, answers.length + 1); i++) {
      const previous = JSON.parse(answers[i - 1]!) as { ok: boolean; output: { cursor: unknown } };
      expect(sent[i]!.input.cursor).toEqual(previous.output.cursor);
    }
    expect(sent.every((p) => p.input.bucket === bucket && p.input.prefix === 'incoming/')).toBe(true);

    // Stop between two polls: time is paused so no timer fires meanwhile, the poll on its way
    // (if any) lands, then Stop.
    await pauseSoon(page);
    await page.locator('#watch-panel[data-phase="waiting"]').waitFor({ state: 'attached', ...DOM_WAIT });
    const before = { server: serverPolls.length, page: pagePolls.length };
    expect(before.server).toBe(before.page);
    await page.click('#watch-stop');
    await page.locator('#watch-panel[data-state="stopped"]').waitFor({ state: 'attached', ...DOM_WAIT });
    await put('incoming/after-stop.txt');
    // A minute of page time: 60 intervals, every timer due fires.
    await page.clock.runFor(60_000);
    await page.clock.resume();
    // A round trip to the server after the timers ran: a poll they had sent would be there by now.
    await page.evaluate(() => fetch('/api/manifest').then((r) => r.text()));
    expect(pagePolls.length).toBe(before.page);
    expect(serverPolls.length).toBe(before.server);
    expect(await eventKeys()).toEqual(['incoming/two.txt', 'incoming/one.txt']);
    await shot('stopped');
  });

  it('object_events: an S3 event arrives in the panel, and the next poll acknowledges it (its message is deleted)', async () => {
    const evBucket = uniqueBucket('watch-ev');
    await aws(['s3api', 'create-bucket', '--bucket', evBucket]);
    const configured = await invoke<{ queueUrl: string }>('configure_object_events', {
      bucket: evBucket,
      queue: `${evBucket}-events`,
      createQueue: true,
    });
    if (!configured.ok) throw new Error(configured.error.message);
    const { queueUrl } = configured.output;
    const onQueue = async () => {
      const { Attributes } = await awsJson<{ Attributes: Record<string, string> }>([
        'sqs',
        'get-queue-attributes',
        '--queue-url',
        queueUrl,
        '--attribute-names',
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
      ]);
      return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
    };
    await page.selectOption('#watch-trigger', 'object_events');
    await page.locator('#watch_queue').waitFor({ state: 'attached' });
    await page.fill('#watch_queue', queueUrl);
    await page.fill('#watch_waitSeconds', '1');
    await page.fill('#watch-every', '1');
    const first = serverPolls.length;
    await page.click('#watch-start');
    await page.locator('#watch-panel[data-state="watching"]').waitFor({ state: 'attached', ...DOM_WAIT });
    await put('incoming/ignored-other-bucket.txt'); // another bucket: no event on this queue
    await aws(['s3api', 'put-object', '--bucket', evBucket, '--key', 'in/event one.txt']);
    await page.locator('#watch-events .watch-event').first().waitFor(DOM_WAIT);
    const shown = JSON.parse(await page.locator('#watch-events .watch-event pre').first().innerText()) as {
      key: string;
      bucket: string;
      eventName: string;
      ack: string;
    };
    expect(shown).toMatchObject({ key: 'in/event one.txt', bucket: evBucket });
    expect(shown.eventName).toMatch(/^ObjectCreated:/);
    // The poll after the one that showed it hands its ack token in; then the message is gone.
    await until(() => serverPolls.slice(first).some((p) => (p.input.ack as string[] | undefined)?.includes(shown.ack)));
    expect(serverPolls.slice(first).some((p) => (p.input.ack as string[] | undefined)?.includes(shown.ack))).toBe(true);
    await until(async () => (await onQueue()) === 0);
    expect(await onQueue()).toBe(0);
    await shot('object-events');
    await page.click('#watch-stop');
    await page.locator('#watch-panel[data-state="stopped"]').waitFor({ state: 'attached', ...DOM_WAIT });
    expect(await eventKeys()).toEqual(['in/event one.txt']);
  });

  it('a bad input is refused in the page: the field error shows and nothing is polled', async () => {
    const before = serverPolls.length;
    await page.selectOption('#watch-trigger', 'object_events');
    await page.locator('#watch_queue').waitFor({ state: 'attached' });
    await page.fill('#watch_queue', '');
    await page.click('#watch-start');
    const error = page.locator('#watch_queue__error');
    await error.waitFor(DOM_WAIT);
    expect(await error.innerText()).toContain('queue is required');
    expect(await page.locator('#watch-panel').getAttribute('data-state')).toBe('stopped');
    expect(serverPolls.length).toBe(before);
  });

  it('a failed poll shows the structured error and the watch ends when it is not worth a retry', async () => {
    await page.selectOption('#watch-trigger', 'new_object');
    await page.locator('#watch_bucket').waitFor({ state: 'attached' });
    await page.selectOption('select#watch_bucket', { label: 'Type another value…' });
    await page.fill('input#watch_bucket', uniqueBucket('missing'));
    await page.click('#watch-start');
    await page.locator('#watch-error').waitFor(DOM_WAIT);
    await page.locator('#watch-panel[data-state="stopped"]').waitFor({ state: 'attached', ...DOM_WAIT });
    expect(await page.locator('#watch-error').getAttribute('data-type')).toBe('not_found');
    await shot('error');
  });
});

describe('playground /api/poll', () => {
  const origin = () => `http://127.0.0.1:${playground.port}`;
  const connection = {
    region: 'us-east-1',
    endpoint: motoEndpoint(),
    credentials: { type: 'accessKey', accessKeyId: TEST_KEY_ID, secretAccessKey: 'watch-secret-never-echoed' },
  };

  it('polls a trigger only: an action is refused as user_input NotATrigger, and nothing runs', async () => {
    const before = serverPolls.length;
    const res = await fetch(`${origin()}/api/poll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operation: 'delete_object', input: { bucket, key: 'incoming/one.txt' }, connection }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { ok: boolean; error: { type: string; code: string } };
    expect(body).toMatchObject({ ok: false, error: { type: 'user_input', code: 'NotATrigger' } });
    expect(serverPolls.length).toBe(before);
    // Still there: nothing was deleted.
    await aws(['s3api', 'head-object', '--bucket', bucket, '--key', 'incoming/one.txt']);
  });

  it('has the same Host and Origin checks as every route, and never echoes the secret', async () => {
    const body = JSON.stringify({ operation: 'new_object', input: { bucket: 'no-such-bucket-x' }, connection });
    const json = { 'content-type': 'application/json' };
    const rebound = await rawRequest('/api/poll', { ...json, host: 'evil.example' }, body);
    expect(rebound.status).toBe(421);
    const foreign = await rawRequest(
      '/api/poll',
      { ...json, host: `127.0.0.1:${playground.port}`, origin: 'http://evil.example' },
      body,
    );
    expect(foreign.status).toBe(403);
    const own = await rawRequest('/api/poll', { ...json, host: `127.0.0.1:${playground.port}` }, body);
    expect(own.status).toBe(200);
    expect(JSON.parse(own.body)).toMatchObject({ ok: false, error: { type: 'not_found' } });
    for (const answer of [rebound, foreign, own, ...answers.map((b) => ({ body: b }))])
      expect(answer.body).not.toContain('watch-secret-never-echoed');
  });
});
