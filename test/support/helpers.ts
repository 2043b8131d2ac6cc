// Shared test plumbing: a connector validated against its output schemas, connections to the
// local moto, one invoke against it, the input schemas' examples retargeted at a test's own
// bucket, unique bucket names, and the aws cli as an independent client.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { inject } from 'vitest';
import { loadConnector, type Connector, type InvokeContext, type InvokeResult } from '../../src/index.js';
import type { S3Connection } from '../../src/generated/types.js';

const run = promisify(execFile);

export const TEST_KEY_ID = 'testing';
export const TEST_SECRET = 'testing-secret';

let connectorPromise: Promise<Connector> | undefined;
export function testConnector(): Promise<Connector> {
  connectorPromise ??= loadConnector({ validateOutput: true });
  return connectorPromise;
}

export function motoEndpoint(): string {
  return inject('s3Endpoint');
}

export function motoConnection(overrides: Partial<S3Connection> = {}): S3Connection {
  return {
    region: 'us-east-1',
    endpoint: motoEndpoint(),
    credentials: { type: 'accessKey', accessKeyId: TEST_KEY_ID, secretAccessKey: TEST_SECRET },
    ...overrides,
  };
}

/**
 * Invokes an operation on the tests' connector against the local moto. `context` adds to the
 * invoke context (files, onProgress, signal, timeoutMs) or replaces the connection.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function invoke<O = Record<string, any>>(
  name: string,
  input: unknown,
  context: Partial<InvokeContext> = {},
): Promise<InvokeResult<O>> {
  const c = await testConnector();
  return c.invokeDynamic(name, input, { connection: motoConnection(), ...context }) as Promise<InvokeResult<O>>;
}

type Input = Record<string, unknown>;

/** The valid example inputs an operation's input schema declares (its root `examples`). */
export function examplesOf(op: { name: string; inputSchema: Record<string, unknown> }): Input[] {
  const examples = op.inputSchema.examples;
  if (!Array.isArray(examples) || examples.length === 0)
    throw new Error(`schemas/${op.name}.input.json has no examples`);
  return structuredClone(examples) as Input[];
}

/** Every operation with its examples, in manifest order. */
export async function operationExamples(): Promise<{ name: string; permissions: string[]; examples: Input[] }[]> {
  const c = await testConnector();
  return c.operations().map((op) => ({ name: op.name, permissions: op.permissions, examples: examplesOf(op) }));
}

const isObject = (v: unknown): v is Input => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * An example pointed at a test's own objects: the `bucket` field becomes `target.bucket`, and
 * every object key it names (`key`, and `key` of each item of a list such as `objects`) goes
 * through `target.key` (kept as it is by default). Nothing else changes.
 */
export function retarget(example: Input, target: { bucket: string; key?: (key: string) => string }): Input {
  const mapKey = target.key ?? ((k: string) => k);
  const out: Input = structuredClone(example);
  if ('bucket' in out) out.bucket = target.bucket;
  if (typeof out.key === 'string') out.key = mapKey(out.key);
  for (const [field, value] of Object.entries(out)) {
    if (Array.isArray(value))
      out[field] = value.map((item) =>
        isObject(item) && typeof item.key === 'string' ? { ...item, key: mapKey(item.key) } : item,
      );
  }
  return out;
}

/** The object keys an input names, as `retarget` finds them. */
export function keysOf(input: Input): string[] {
  const keys: string[] = typeof input.key === 'string' ? [input.key] : [];
  for (const value of Object.values(input)) {
    if (Array.isArray(value))
      for (const item of value) if (isObject(item) && typeof item.key === 'string') keys.push(item.key);
  }
  return keys;
}

/**
 * Puts an empty object at each key with an S3 client of the SDK's own (not the connector): the
 * tests' moto by default, or another store's endpoint and keys (an IAM-enforcing moto's admin).
 */
export async function putObjects(
  bucket: string,
  keys: string[],
  store: { endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } } = {
    endpoint: motoEndpoint(),
    credentials: { accessKeyId: TEST_KEY_ID, secretAccessKey: TEST_SECRET },
  },
): Promise<void> {
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: store.endpoint,
    forcePathStyle: true,
    credentials: store.credentials,
  });
  try {
    await Promise.all(
      [...new Set(keys)].map((key) =>
        s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: '', ContentLength: 0 })),
      ),
    );
  } finally {
    s3.destroy();
  }
}

export function uniqueBucket(prefix = 't'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

/** The Debian aws cli, an independent S3 client, pointed at `endpoint`. */
export async function aws(
  args: string[],
  endpoint = motoEndpoint(),
  env: Record<string, string> = {},
): Promise<string> {
  const { stdout } = await run('/usr/bin/aws', ['--endpoint-url', endpoint, '--output', 'json', ...args], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      AWS_ACCESS_KEY_ID: TEST_KEY_ID,
      AWS_SECRET_ACCESS_KEY: TEST_SECRET,
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required',
      ...env,
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

export async function awsJson<T = Record<string, unknown>>(args: string[], endpoint?: string): Promise<T> {
  const out = await aws(args, endpoint);
  return (out.trim() ? JSON.parse(out) : {}) as T;
}

/**
 * A local HTTP server that stands in for a store, for answers a real server cannot be made to
 * give (region redirects, throttling, 5xx, silence). Counts every request it gets.
 */
export interface FakeStore {
  endpoint: string;
  requests: IncomingMessage[];
  close(): Promise<void>;
}

export async function fakeStore(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<FakeStore> {
  const requests: IncomingMessage[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An S3-style XML error body. */
export function s3ErrorXml(code: string, message: string, extra: Record<string, string> = {}): string {
  const fields = Object.entries(extra)
    .map(([k, v]) => `<${k}>${v}</${k}>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>${fields}<RequestId>FAKE123</RequestId><HostId>fakehost</HostId></Error>`;
}

/**
 * Waits for something to happen (polling every 10 ms) and says how long it took. The limit is
 * far above what a quiet machine needs: a verdict is whether it happens, not how fast on a busy one.
 */
export const EVENT_LIMIT_MS = 30_000;
export async function until(happened: () => boolean | Promise<boolean>, limitMs = EVENT_LIMIT_MS): Promise<number> {
  const started = Date.now();
  while (!(await happened()) && Date.now() - started < limitMs) await new Promise((r) => setTimeout(r, 10));
  return Date.now() - started;
}

/** The fields a refused call names in its details.problems (none for a success). */
export function problemFields(res: { ok: boolean; error?: { details?: Record<string, unknown> } }): string[] {
  const problems = (res.ok ? [] : (res.error?.details?.problems ?? [])) as { field: string }[];
  return problems.map((p) => p.field);
}
