// The invocation contract itself: typed by operation name, never throwing on hostile input,
// one `ok` per result, and what each handler is told about its own operation.
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MAX_INPUT_DEPTH } from '../../src/runtime/validation.js';
import { packageRoot } from '../../src/runtime/manifest.js';
import { aws, fakeStore, motoConnection, testConnector, uniqueBucket } from '../support/helpers.js';

const run = promisify(execFile);

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

const fixtures = join(packageRoot(), 'test', 'fixtures');
const tsc = join(packageRoot(), 'node_modules', 'typescript', 'bin', 'tsc');

/** Type-checks with a config in the fixtures folder; the compiler's report, empty when clean. */
async function typeCheck(config: string): Promise<string> {
  return run(process.execPath, [tsc, '-p', config]).then(
    () => '',
    (err: { stdout: string }) => err.stdout || 'failed',
  );
}

describe('invoke typed by operation name', () => {
  it('a correct call compiles; a misspelt operation, field or output field does not', async () => {
    // Every @ts-expect-error line of the fixture must really be an error, and the rest must compile.
    expect(await typeCheck(join(fixtures, 'tsconfig.json'))).toBe('');
  }, 120_000);

  it('the same fixture with one expected error removed fails to compile (the check can fail)', async () => {
    const source = (await readFile(join(fixtures, 'typed-invoke.ts'), 'utf8')).replace(
      '// @ts-expect-error: no such operation\n',
      '',
    );
    const name = `.broken-${process.pid}`;
    await writeFile(join(fixtures, `${name}.ts`), source);
    await writeFile(
      join(fixtures, `${name}.json`),
      JSON.stringify({ extends: './tsconfig.json', include: [`${name}.ts`] }),
    );
    try {
      expect(await typeCheck(join(fixtures, `${name}.json`))).toMatch(/"list_object"/);
    } finally {
      await rm(join(fixtures, `${name}.ts`), { force: true });
      await rm(join(fixtures, `${name}.json`), { force: true });
    }
  }, 120_000);
});

describe('hostile input never makes invoke throw', () => {
  it(`an input nested 10,000 levels deep is user_input (limit ${MAX_INPUT_DEPTH}), with no request sent`, async () => {
    const store = await fakeStore((_req, res) => res.writeHead(500).end());
    try {
      const c = await testConnector();
      const res = await c.invokeDynamic('list_buckets', nested(10_000), {
        connection: motoConnection({ endpoint: store.endpoint }),
      });
      expect(res).toMatchObject({ ok: false, error: { type: 'user_input', code: 'InvalidInput' } });
      expect(res.ok ? '' : res.error.message).toContain(`${MAX_INPUT_DEPTH} levels`);
      expect(store.requests).toHaveLength(0);
    } finally {
      await store.close();
    }
  });

  it('a connection nested as deep is user_input too', async () => {
    const c = await testConnector();
    const res = await c.invokeDynamic(
      'list_buckets',
      {},
      { connection: { region: 'us-east-1', extra: nested(10_000) } },
    );
    expect(res).toMatchObject({ ok: false, error: { type: 'user_input', code: 'InvalidConnection' } });
  });

  it('an input that is not plain data (a function) is user_input', async () => {
    const c = await testConnector();
    const res = await c.invokeDynamic('list_buckets', { prefix: () => 'x' }, { connection: motoConnection() });
    expect(res).toMatchObject({ ok: false, error: { type: 'user_input', code: 'InvalidInput' } });
  });

  it('nesting up to the limit is still validated as usual (the field is named)', async () => {
    const c = await testConnector();
    const res = await c.invokeDynamic('list_buckets', nested(MAX_INPUT_DEPTH - 2), { connection: motoConnection() });
    expect(res.ok ? null : res.error).toMatchObject({
      type: 'user_input',
      code: 'InvalidInput',
      message: expect.stringContaining('not a known field'),
    });
  });
});

describe('results', () => {
  it('testConnection answers one ok: the report has none of its own', async () => {
    const c = await testConnector();
    const res = await c.testConnection(motoConnection());
    expect(res).toMatchObject({ ok: true, output: { region: 'us-east-1' } });
    expect(res.ok && res.output).not.toHaveProperty('ok');
  });
});

describe('what a handler is told about its operation', () => {
  it('a batch refused as a whole names the version variant when the objects name versions', async () => {
    // A stand-in store refusing DeleteObjects as a whole with a bodiless 403 for one of two batches.
    let n = 0;
    const store = await fakeStore((_req, res) => {
      n++;
      if (n === 1) return void res.writeHead(403).end();
      res
        .writeHead(200, { 'content-type': 'application/xml' })
        .end('<?xml version="1.0"?><DeleteResult></DeleteResult>');
    });
    try {
      const c = await testConnector();
      const objects = Array.from({ length: 1001 }, (_, i) => ({ key: `k${i}`, versionId: 'v1' }));
      const res = await c.invoke(
        'delete_objects',
        { bucket: 'data-bucket', objects },
        {
          connection: motoConnection({ endpoint: store.endpoint, maxAttempts: 1, capabilities: { versioning: true } }),
        },
      );
      if (!res.ok) throw new Error(res.error.message);
      const refused = res.output.results.find((r) => r.error?.code === 'AccessDenied');
      expect(refused?.error?.message).toContain('s3:DeleteObjectVersion');
    } finally {
      await store.close();
    }
  });

  it('get_bucket_location answers from a region redirect with its own operation context', async () => {
    const bucket = uniqueBucket('loc');
    await aws([
      's3api',
      'create-bucket',
      '--bucket',
      bucket,
      '--create-bucket-configuration',
      'LocationConstraint=eu-west-2',
    ]);
    const c = await testConnector();
    const res = await c.invoke('get_bucket_location', { bucket }, { connection: motoConnection() });
    expect(res).toMatchObject({ ok: true, output: { bucket, region: 'eu-west-2' } });
  });
});

describe('secrets in errors', () => {
  it('a session token echoed by the store is scrubbed as it is and in its JSON-escaped forms', async () => {
    const token = 'tok"en\\with-quote-and-backslash';
    // A stand-in store that quotes the token back: raw, and inside a JSON text of its own.
    const store = await fakeStore((req, res) => {
      const sent = String(req.headers['x-amz-security-token'] ?? '');
      res
        .writeHead(400, { 'content-type': 'application/xml' })
        .end(
          `<?xml version="1.0"?><Error><Code>InvalidArgument</Code><Message>bad token ${sent} ${JSON.stringify({ token: sent })}</Message></Error>`,
        );
    });
    try {
      const c = await testConnector();
      const res = await c.invoke(
        'list_buckets',
        {},
        {
          connection: motoConnection({
            endpoint: store.endpoint,
            maxAttempts: 1,
            credentials: {
              type: 'accessKey',
              accessKeyId: 'AKIDEXAMPLE',
              secretAccessKey: 'secret-key-123',
              sessionToken: token,
            },
          }),
        },
      );
      expect(res.ok).toBe(false);
      const text = JSON.stringify(res);
      expect(store.requests.length).toBe(1);
      for (const form of [
        token,
        JSON.stringify(token).slice(1, -1),
        JSON.stringify(JSON.stringify(token)).slice(1, -1),
      ])
        expect(text).not.toContain(form);
      expect(text).not.toContain('en\\\\with');
      expect(res.ok ? '' : res.error.message).toContain('***');
    } finally {
      await store.close();
    }
  });
});
