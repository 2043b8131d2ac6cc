// A second form library on our schemas: JSON Forms (React, the vanilla renderers and the few
// generic additions of test/jsonforms/renderers.tsx) renders every operation's input form and
// the connection form from the bundled draft-07 schemas, in Debian's chromium. Nothing here
// names an operation's fields: what a form must show is read from its schema. A form filled in
// through the page validates with JSON Forms' own ajv, and its data is what the connector is
// invoked with against moto. Screenshots in test-artifacts/jsonforms-*.png.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Connection } from '../../src/generated/types.js';
import {
  aws,
  examplesOf,
  motoEndpoint,
  testConnector,
  TEST_KEY_ID,
  TEST_SECRET,
  uniqueBucket,
} from '../support/helpers.js';
import { launchChromium } from '../support/chromium.js';

const ARTIFACTS = 'test-artifacts';
const ORIGIN = 'http://jsonforms.test';
const PAGE_DIR = join(import.meta.dirname, '..', 'jsonforms');

type Schema = Record<string, any>;
interface Form {
  name: string;
  schema: Schema;
  examples: Record<string, unknown>[];
}
interface Field {
  label: string;
  tag: string;
  type: string;
  options: string[];
}

let browser: Browser;
let page: Page;
let forms: Form[];
let connection: S3Connection | undefined;
const bucket = uniqueBucket('jf');

/** A property as JSON Forms is given it (test/jsonforms/page.tsx): a `$ref` merged with the keywords beside it. */
function resolve(node: Schema, root: Schema): Schema {
  if (typeof node.$ref !== 'string') return node;
  const { $ref, ...beside } = node;
  const target = $ref
    .slice(2)
    .split('/')
    .reduce((n: Schema | undefined, part: string) => n?.[part], root);
  return { ...resolve(target ?? {}, root), ...beside };
}

const startCase = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
const titleOf = (name: string, p: Schema) => (typeof p.title === 'string' ? p.title : startCase(name));
const isChoice = (p: Schema) => Array.isArray(p.oneOf) && p.oneOf.every((b: Schema) => 'const' in b);
const isSecret = (p: Schema) => p.writeOnly === true || p.format === 'password';

async function show(schema: Schema): Promise<void> {
  const stamp = await page.evaluate((s) => (window as any).jsonForms.render(s), schema);
  await page.locator(`#form[data-stamp="${stamp}"]`).waitFor();
}

/** Every labelled field on the page: its label, element, input type and the options of a select. */
function fields(): Promise<Field[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('#form label[for]')].map((label) => {
      const el = document.getElementById(label.getAttribute('for')!) as HTMLInputElement | HTMLSelectElement | null;
      return {
        label: label.textContent ?? '',
        tag: el?.tagName.toLowerCase() ?? '',
        type: el?.getAttribute('type') ?? '',
        options: el instanceof HTMLSelectElement ? [...el.options].map((o) => o.label) : [],
      };
    }),
  );
}

/**
 * The form's data and JSON Forms' errors once the data is `expected` (JSON Forms reports a
 * change after rendering it); if it never gets there, the data as it is, for the diff.
 */
async function settled(expected: unknown): Promise<{ data: Record<string, unknown>; errors: unknown[] }> {
  await page
    .waitForFunction((e) => (window as any).jsonForms.holds(e), expected, { timeout: 60_000 })
    .catch(() => undefined);
  return page.evaluate(() => (window as any).jsonForms.state());
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `jsonforms-${name}.png`), fullPage: true });
}

/** A field found by its label, as a user finds it. */
function byLabel(scope: Page | Locator, label: string): Locator {
  return scope.getByLabel(label, { exact: true });
}

/**
 * Fills fields of an object through the page, the way its schema says they are shown (text, a
 * choice, a checkbox, a JSON text area, a group, a table of rows).
 */
async function fill(
  scope: Page | Locator,
  schema: Schema,
  root: Schema,
  values: Record<string, unknown>,
): Promise<void> {
  for (const [name, value] of Object.entries(values)) {
    const p = resolve(schema.properties[name], root);
    const label = (schema.required ?? []).includes(name) ? `${titleOf(name, p)}*` : titleOf(name, p);
    await leaveField();
    if (isChoice(p)) {
      const choice = p.oneOf.find((b: Schema) => b.const === value);
      await byLabel(scope, label).selectOption({ label: choice.title ?? String(value) });
    } else if (Array.isArray(p.enum)) await byLabel(scope, label).selectOption(String(value));
    else if (p.type === 'boolean') await byLabel(scope, label).setChecked(value === true);
    else if (p.type === 'object' && p.properties) {
      const group = scope.locator('fieldset', { has: page.locator('legend', { hasText: titleOf(name, p) }) }).first();
      await fill(group, p, root, value as Record<string, unknown>);
    } else if (p.type === 'object') await byLabel(scope, label).fill(JSON.stringify(value));
    else if (p.type === 'array') {
      const item = resolve(p.items, root);
      const columns = Object.keys(item.properties ?? {});
      for (const [i, row] of (value as Record<string, unknown>[]).entries()) {
        await leaveField();
        await scope.getByRole('button', { name: `Add to ${titleOf(name, p)}` }).click();
        const cells = scope.locator('table tbody tr').nth(i).locator('td');
        for (const [column, v] of Object.entries(row))
          await cells.nth(columns.indexOf(column)).locator('input').fill(String(v));
      }
    } else await byLabel(scope, label).fill(String(value));
  }
}

/**
 * Leaves the focused field first, as a user's click does: a focused field shows its description
 * below it, and losing focus in the middle of a click would move what is clicked.
 */
async function leaveField(): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
}

/** Whether a field is typed in as it is: text (not a date picker), a number, a choice, a checkbox. */
const isPlain = (p: Schema) =>
  isChoice(p) ||
  ['integer', 'number', 'boolean'].includes(p.type) ||
  (p.type === 'string' && !p.format?.match(/^(date|time)/));

/**
 * The values a form is filled with, from its first example, in the test's bucket: every
 * required field, and every other field of the example that is typed in plainly.
 */
function formValues(form: Form, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const required: string[] = form.schema.required ?? [];
  const example = form.examples[0] ?? {};
  for (const name of Object.keys(form.schema.properties ?? {})) {
    const p = resolve(form.schema.properties[name], form.schema);
    let value = required.includes(name) ? form.examples.find((e) => e[name] !== undefined)?.[name] : example[name];
    if (value === undefined || (!required.includes(name) && !isPlain(p))) continue;
    if (name === 'bucket') value = bucket;
    // A file travels as a data: URL here: the examples name files of a store this test has not.
    if (p.title === 'File' && p.properties?.url) value = { url: 'data:text/plain;base64,aGVsbG8gZnJvbSBKU09OIEZvcm1z' };
    // A table row holds only the item's required fields.
    if (Array.isArray(value) && p.items)
      value = value.slice(0, 1).map((row: Record<string, unknown>) => {
        const item = resolve(p.items, form.schema);
        return Object.fromEntries((item.required ?? []).map((k: string) => [k, row[k]]));
      });
    out[name] = value;
  }
  return { ...out, ...overrides };
}

async function invoke(name: string, input: unknown) {
  const c = await testConnector();
  return c.invokeDynamic(name, input, { connection: connection! });
}

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  const c = await testConnector();
  forms = [
    { name: 'connection', schema: c.bundledConnectionSchema({ dialect: 'draft-07' }), examples: [] },
    ...c.operations({ bundled: { dialect: 'draft-07' } }).map((op) => ({
      name: op.name,
      schema: op.inputSchema as Schema,
      examples: examplesOf(op),
    })),
  ];
  const bundle = await build({
    entryPoints: [join(PAGE_DIR, 'page.tsx')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  const script = bundle.outputFiles[0]!.text;
  const css = await readFile(join(PAGE_DIR, 'page.css'), 'utf8');
  const html = `<!doctype html><meta charset="utf-8"><title>JSON Forms</title><style>${css}</style><div id="root"></div><script type="module" src="/page.js"></script>`;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 900, height: 800 } });
  page.on('pageerror', (err) => console.error('page error:', err.message));
  await page.route(`${ORIGIN}/**`, (route) =>
    route.request().url().endsWith('/page.js')
      ? route.fulfill({ contentType: 'text/javascript', body: script })
      : route.fulfill({ contentType: 'text/html', body: html }),
  );
  await page.goto(`${ORIGIN}/`);
  await page.waitForFunction(() => (window as any).jsonForms !== undefined);
});

afterAll(async () => {
  await browser?.close();
});

describe('JSON Forms renders every form from the bundled schemas', () => {
  it('covers every operation of the manifest, triggers and lookups too, and the connection', async () => {
    const c = await testConnector();
    expect(forms.map((f) => f.name)).toEqual(['connection', ...c.manifest.operations.map((op) => op.name)]);
    expect(c.manifest.operations.some((op) => op.kind === 'trigger')).toBe(true);
  });

  it('every form shows its required fields, labelled, and every choice with its titles', async () => {
    const missing: string[] = [];
    for (const form of forms) {
      await show(form.schema);
      const shown = await fields();
      const text = await page.locator('#form').innerText();
      for (const [name, node] of Object.entries(form.schema.properties ?? {})) {
        const p = resolve(node as Schema, form.schema);
        const title = titleOf(name, p);
        const required = (form.schema.required ?? []).includes(name);
        const field = shown.find((f) => f.label === (required ? `${title}*` : title));
        if (required && p.type === 'array') {
          if (!(await page.getByRole('button', { name: `Add to ${title}` }).count()))
            missing.push(`${form.name}.${name}`);
        } else if (required && p.type === 'object' && p.properties) {
          if (!text.includes(title)) missing.push(`${form.name}.${name}`);
        } else if (required && !['input', 'select', 'textarea'].includes(field?.tag ?? '')) {
          missing.push(`${form.name}.${name}`);
        }
        if (isChoice(p)) {
          expect(field?.tag, `${form.name}.${name}`).toBe('select');
          expect(field!.options, `${form.name}.${name}`).toEqual(
            expect.arrayContaining(p.oneOf.map((b: Schema) => b.title ?? String(b.const))),
          );
        }
        if (Array.isArray(p.enum))
          expect(field?.options, `${form.name}.${name}`).toEqual(expect.arrayContaining(p.enum.map(String)));
      }
      await shot(form.name);
    }
    expect(missing).toEqual([]);
  });

  it('a oneOf of objects is a picker of its branches by title; every secret is a password field, nothing else is', async () => {
    const form = forms.find((f) => f.name === 'connection')!;
    const secrets = new Set<string>();
    const plain = new Set<string>();
    const walk = (node: unknown, name = ''): void => {
      if (Array.isArray(node)) {
        for (const n of node) walk(n);
        return;
      }
      if (node === null || typeof node !== 'object') return;
      const p = resolve(node as Schema, form.schema);
      if (name && p.type === 'string') (isSecret(p) ? secrets : plain).add(titleOf(name, p));
      for (const [k, v] of Object.entries(p.properties ?? {})) walk(v, k);
      if (Array.isArray(p.oneOf)) walk(p.oneOf);
    };
    walk(form.schema);
    expect(secrets.size).toBeGreaterThan(0);
    await show(form.schema);
    const pickers = page.locator('#form select[id$="-kind"]');
    expect(await pickers.count()).toBeGreaterThan(0);
    const masked = new Set<string>();
    for (let i = 0; i < (await pickers.count()); i++) {
      const picker = pickers.nth(i);
      const branches = (await picker.locator('option').allInnerTexts()).slice(1); // after "— choose —"
      const schemaBranches = (form.schema.properties.credentials?.oneOf ?? []).map((b: Schema) => b.title);
      expect(branches).toEqual(expect.arrayContaining(schemaBranches));
      for (const branch of branches) {
        await picker.selectOption({ label: branch });
        for (const f of await fields()) {
          const label = f.label.replace(/\*$/, '');
          if (secrets.has(label) && !plain.has(label)) expect(f.type, `${branch}: ${label}`).toBe('password');
          if (plain.has(label) && !secrets.has(label)) expect(f.type, `${branch}: ${label}`).not.toBe('password');
          if (f.type === 'password') masked.add(label);
        }
        await shot(`connection-${branch.toLowerCase().replace(/\W+/g, '-')}`);
      }
    }
    // Every secret the schema declares was shown, masked, in some branch.
    expect([...masked].sort()).toEqual([...secrets].sort());
  });

  it('the connection form, filled in, validates and its data connects to moto', async () => {
    const form = forms.find((f) => f.name === 'connection')!;
    await show(form.schema);
    await byLabel(page, 'Region*').fill('us-east-1');
    await byLabel(page, 'Custom endpoint').fill(motoEndpoint());
    await page.locator('#form select[id$="-kind"]').first().selectOption({ label: 'Access key' });
    await byLabel(page, 'Access key ID*').fill(TEST_KEY_ID);
    await byLabel(page, 'Secret access key*').fill(TEST_SECRET);
    const expected = {
      region: 'us-east-1',
      endpoint: motoEndpoint(),
      credentials: { type: 'accessKey', accessKeyId: TEST_KEY_ID, secretAccessKey: TEST_SECRET },
    };
    const { data, errors } = await settled(expected);
    expect(data).toEqual(expected);
    expect(errors).toEqual([]);
    await shot('connection-filled');
    connection = data as unknown as S3Connection;
    const check = await (await testConnector()).testConnection(connection, { bucket });
    expect(check.ok).toBe(true);
  });

  it('put_object_text and get_object, filled in, write and read back an object (the aws cli agrees)', async () => {
    const put = forms.find((f) => f.name === 'put_object_text')!;
    const key = `jsonforms/${uniqueBucket('k')}.txt`;
    const values = { bucket, key, content: 'written from JSON Forms' };
    await show(put.schema);
    await fill(page, put.schema, put.schema, values);
    const filled = await settled(values);
    expect(filled.data).toEqual(values);
    expect(filled.errors).toEqual([]);
    await shot('put_object_text-filled');
    const written = await invoke('put_object_text', filled.data);
    expect(written.ok, JSON.stringify(written)).toBe(true);
    expect(await aws(['s3', 'cp', `s3://${bucket}/${key}`, '-'])).toBe('written from JSON Forms');

    const get = forms.find((f) => f.name === 'get_object')!;
    await show(get.schema);
    const wanted = { bucket, key, as: 'text' }; // `as`: a choice, picked by its title
    await fill(page, get.schema, get.schema, wanted);
    const read = await settled(wanted);
    expect(read.data).toEqual(wanted);
    expect(read.errors).toEqual([]);
    await shot('get_object-filled');
    const got = await invoke('get_object', read.data);
    expect(got.ok, JSON.stringify(got)).toBe(true);
    expect((got as { output: { text?: string } }).output.text, JSON.stringify(got)).toBe('written from JSON Forms');
  });

  it('every form, filled in from its first example, validates and the connector takes its data', async () => {
    expect(connection, 'the connection form test ran first').toBeDefined();
    const refused: string[] = [];
    for (const form of forms.filter((f) => f.name !== 'connection')) {
      const values = formValues(form);
      await show(form.schema);
      await fill(page, form.schema, form.schema, values).catch(async (err: Error) => {
        await shot(`${form.name}-unfilled`);
        throw new Error(`${form.name}: ${err.message}`);
      });
      const { data, errors } = await settled(values);
      expect(data, form.name).toEqual(values);
      expect(errors, form.name).toEqual([]);
      const result = await invoke(form.name, data);
      // The store may answer not_found or conflict (no such queue, archive, version): the input is not in question.
      if (!result.ok && result.error.type === 'user_input') refused.push(`${form.name}: ${result.error.message}`);
    }
    expect(refused).toEqual([]);
  });
});
