// The playground's server: the page, the manifest with form-ready schemas, and `invoke`.
// Loopback only. Connections arrive with each request and are never stored or echoed back:
// an invoke answers with invoke's result and nothing else.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { extname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { loadConnector, type Connector } from '../../runtime/connector.js';
import { ConnectorError, type ConnectorErrorInfo } from '../../runtime/errors.js';
import { LocalFileStore } from '../../io/files.js';
import { bundleSchema } from '../../runtime/bundle.js';
import { packageRoot, type JsonSchema } from '../../runtime/manifest.js';

/** The only interface the playground listens on. */
export const PLAYGROUND_HOST = '127.0.0.1';
/** Largest JSON request (an invoke's input may carry a data: URL of up to 10 MiB, base64-encoded). */
export const MAX_JSON_BODY_BYTES = 16 * 1024 * 1024;
/** Largest file the page may upload into the file store (streamed to disk, not held in memory). */
export const MAX_UPLOAD_BYTES = 2 * 1024 * 1024 * 1024;

export interface PlaygroundOptions {
  /** The connector to invoke (defaults to `loadConnector()`). */
  connector?: Connector;
  /** The file store behind file references: uploads land in it, downloads come from it. */
  files?: LocalFileStore;
  /** The connection the page's form starts with (e.g. the local moto); sent to the page, never stored. */
  localConnection?: Record<string, unknown>;
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Folder holding the built page (index.html, app.js, app.css); dist/playground by default. */
  staticDir?: string;
}

export interface Playground {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A schema the form library can use on its own (the runtime's bundled form, see src/runtime/bundle.ts). */
export function formSchema(schema: JsonSchema, defs: JsonSchema): Record<string, unknown> {
  return bundleSchema(schema, defs);
}

/** The form of testConnection's options: an optional bucket, the shared bucket field (a dropdown fed by its lookup). */
const TEST_CONNECTION_SCHEMA: JsonSchema = {
  $id: 'https://schemas.s3-connector.dev/aws-s3/playground/test-connection.json', // dropped by formSchema
  type: 'object',
  title: 'Test connection',
  additionalProperties: false,
  properties: {
    bucket: {
      $ref: 'defs.json#/$defs/bucket',
      title: 'Bucket to check (optional)',
      description:
        'Also prove this bucket is reachable, and report which operations the connection can run there and what the store can do.',
    },
  },
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly info: ConnectorErrorInfo,
  ) {
    super(info.message);
  }
}

const badRequest = (code: string, message: string, status = 400) =>
  new HttpError(status, { type: 'user_input', code, message, retryable: false });

const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
};

const PAGE_HEADERS = {
  // ajv compiles the page's validators into functions: scripts need 'unsafe-eval', nothing more.
  'content-security-policy':
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...PAGE_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    throw badRequest('UnsupportedMediaType', 'Send the request body as application/json.', 415);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JSON_BODY_BYTES) {
      throw badRequest(
        'BodyTooLarge',
        `A request body may be at most ${MAX_JSON_BODY_BYTES} bytes; upload large content as a file.`,
        413,
      );
    }
    chunks.push(chunk);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw badRequest('InvalidJson', 'The request body is not valid JSON.'); // never echo the body: it may hold a secret
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw badRequest('InvalidJson', 'The request body must be a JSON object.');
  return parsed as Record<string, unknown>;
}

export async function startPlayground(options: PlaygroundOptions = {}): Promise<Playground> {
  const connector = options.connector ?? (await loadConnector());
  const files = options.files ?? new LocalFileStore();
  const staticDir = options.staticDir ?? join(packageRoot(), 'dist', 'playground');
  const defs = connector.defsSchema;
  // Prepared once: the schemas do not change while the server runs.
  const manifest = {
    name: connector.manifest.name,
    title: connector.manifest.title,
    version: connector.manifest.version,
    description: connector.manifest.description,
    connection: {
      schema: formSchema(connector.connectionSchema, defs),
      initial: options.localConnection ?? {},
      test: { schema: formSchema(TEST_CONNECTION_SCHEMA, defs) },
    },
    operations: connector
      .operations()
      .map(({ inputSchema, outputSchema, handler: _handler, input: _input, output: _output, ...op }) => ({
        ...op,
        inputSchema: formSchema(inputSchema, defs),
        outputSchema: formSchema(outputSchema, defs),
      })),
  };
  const stopping = new AbortController();
  let port = 0;
  const origins = () => [`http://${PLAYGROUND_HOST}:${port}`, `http://localhost:${port}`];

  /** Aborted when the client goes away before its answer, or when the server stops. */
  function requestSignal(_req: IncomingMessage, res: ServerResponse): AbortSignal {
    const gone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) gone.abort();
    });
    return AbortSignal.any([gone.signal, stopping.signal]);
  }

  async function serveStatic(res: ServerResponse, name: string): Promise<void> {
    const type = STATIC_TYPES[extname(name)];
    if (!type || !/^[\w.-]+$/.test(name) || name.startsWith('.')) throw badRequest('NotFound', 'No such page.', 404);
    const path = join(staticDir, name);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) {
      if (name === 'index.html')
        throw badRequest('NotBuilt', `The page is not built (${path} is missing): run npm run build.`, 500);
      throw badRequest('NotFound', 'No such page.', 404);
    }
    res.writeHead(200, { ...PAGE_HEADERS, 'content-type': type, 'content-length': info.size });
    await pipeline(createReadStream(path), res);
  }

  const triggers = manifest.operations.filter((op) => op.kind === 'trigger').map((op) => op.name);

  /** `/api/invoke` runs any operation; `/api/poll` (the watch panel) one poll of a trigger, nothing else. */
  async function invoke(req: IncomingMessage, res: ServerResponse, only?: 'trigger'): Promise<void> {
    const body = await readJson(req);
    if (typeof body.operation !== 'string')
      throw badRequest(
        'InvalidRequest',
        'Name the operation to run: {"operation": "list_buckets", "input": {...}, "connection": {...}}.',
      );
    if (only === 'trigger' && !triggers.includes(body.operation))
      throw badRequest('NotATrigger', `Only a trigger is polled here: ${triggers.join(', ')}.`);
    const result = await connector.invokeDynamic(body.operation, body.input ?? {}, {
      connection: body.connection,
      files,
      signal: requestSignal(req, res),
    });
    sendJson(res, 200, result); // invoke's result only: never the connection
  }

  async function testConnection(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson(req);
    const bucket = typeof body.bucket === 'string' && body.bucket ? { bucket: body.bucket } : {};
    sendJson(res, 200, await connector.testConnection(body.connection, bucket));
  }

  async function download(url: URL, res: ServerResponse): Promise<void> {
    const ref = url.searchParams.get('url');
    if (!ref) throw badRequest('InvalidRequest', 'Give the file reference: /api/files?url=file://...');
    // Confined to the store's root (.., other folders and symlinks out are refused), opened
    // once: the name and the bytes come from the same checked descriptor.
    const opened = await files.open(ref);
    const name = opened.name ?? 'download';
    res.writeHead(200, {
      ...PAGE_HEADERS,
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
      ...(opened.size !== undefined ? { 'content-length': opened.size } : {}),
    });
    await pipeline(opened.stream, res);
  }

  async function upload(req: IncomingMessage, url: URL, res: ServerResponse): Promise<void> {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > MAX_UPLOAD_BYTES)
      throw badRequest('BodyTooLarge', `The playground uploads files of at most ${MAX_UPLOAD_BYTES} bytes.`, 413);
    const mimeType = (req.headers['content-type'] ?? '').split(',')[0]!.trim() || 'application/octet-stream';
    if (!/^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/.test(mimeType))
      throw badRequest('InvalidRequest', "The upload's Content-Type is not a MIME type.");
    const draft = await files.create(url.searchParams.get('name') || 'upload');
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > MAX_UPLOAD_BYTES)
          done(badRequest('BodyTooLarge', `The playground uploads files of at most ${MAX_UPLOAD_BYTES} bytes.`, 413));
        else done(null, chunk);
      },
    });
    try {
      await pipeline(req, counter, draft.stream, { signal: stopping.signal });
    } catch (err) {
      await draft.abort();
      throw err;
    }
    sendJson(res, 201, await draft.commit({ mimeType, size }));
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // DNS rebinding: only our own host names. Cross-site requests: only our own origin.
    if (!origins().some((o) => o === `http://${req.headers.host}`))
      throw badRequest('WrongHost', 'Open the playground at its loopback address.', 421);
    const origin = req.headers.origin;
    if (req.method !== 'GET' && req.method !== 'HEAD' && origin !== undefined && !origins().includes(origin)) {
      throw badRequest('WrongOrigin', 'The playground answers its own page only.', 403);
    }
    const url = new URL(req.url ?? '/', origins()[0]);
    const key = `${req.method} ${url.pathname}`;
    switch (key) {
      case 'GET /':
        return serveStatic(res, 'index.html');
      case 'GET /favicon.ico':
        res.writeHead(204).end();
        return;
      case 'GET /api/manifest':
        return sendJson(res, 200, manifest);
      case 'POST /api/invoke':
        return invoke(req, res);
      case 'POST /api/poll':
        return invoke(req, res, 'trigger');
      case 'POST /api/test-connection':
        return testConnection(req, res);
      case 'GET /api/files':
        return download(url, res);
      case 'POST /api/files':
        return upload(req, url, res);
      default:
        if (req.method === 'GET' && !url.pathname.startsWith('/api/')) return serveStatic(res, url.pathname.slice(1));
        throw badRequest('NotFound', `No route ${key}.`, 404);
    }
  }

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof HttpError) return sendJson(res, err.status, { ok: false, error: err.info });
      if (err instanceof ConnectorError)
        return sendJson(res, err.info.type === 'not_found' ? 404 : 400, { ok: false, error: err.info });
      sendJson(res, 500, {
        ok: false,
        error: {
          type: 'internal',
          code: 'PlaygroundError',
          message: 'The playground server failed to answer.',
          retryable: false,
        },
      });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, PLAYGROUND_HOST, () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://${PLAYGROUND_HOST}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        stopping.abort();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
