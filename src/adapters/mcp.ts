// The connector as a Model Context Protocol server, generated from the manifest as it is:
// every action a tool, every lookup a read-only tool (MCP completions only complete the
// arguments of prompts and resource templates, never a tool's), and every trigger a tool doing
// one poll (MCP has no triggers: the client carries the cursor or acks from call to call, the
// server keeps nothing), with its bundled schemas, its annotations as hints, its output as structuredContent and
// its errors as isError results. Nothing here names an operation. Served on stdio, or on a
// loopback Streamable HTTP port. The connection is the server's own (given at start), never an
// argument, never echoed.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv, type ValidateFunction } from 'ajv';
import formatsPlugin from 'ajv-formats';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { FileStore } from '../io/files.js';
import type { Connector, InvokeResult, OperationInfo } from '../runtime/connector.js';
import type { ConnectorErrorInfo } from '../runtime/errors.js';
import type { Progress } from '../runtime/operation.js';
import { pollContract } from '../triggers/pollContract.js';

/** Streamable HTTP mode: the only address it binds, and its one path. */
export const MCP_HTTP_HOST = '127.0.0.1';
export const MCP_HTTP_PATH = '/mcp';
/** Open HTTP sessions kept at once; past this the least recently used one is closed. */
export const MAX_MCP_HTTP_SESSIONS = 64;
/** Progress notifications for one call: at most one per this many milliseconds (and the last). */
export const PROGRESS_EVERY_MS = 250;

export interface McpServerOptions {
  /** The connection every call uses (schemas/connection.json); never shown to the client. */
  connection: unknown;
  /** The file store for file inputs and outputs (the connector's default otherwise). */
  files?: FileStore;
  /** Deadline of each call in milliseconds (the connector's default otherwise). */
  timeoutMs?: number;
}

/** Keys of our own in a tool's `_meta`: what the manifest says beyond MCP's vocabulary. */
const META_KIND = 's3-connector/kind';
const META_PERMISSIONS = 's3-connector/permissions';

/** What a trigger's tool adds to its description: how one call goes on from the previous one (the trigger contract). */
function triggerNote(op: OperationInfo): string {
  const contract = pollContract(op.inputSchema);
  return [
    ' As a tool, each call is one poll.',
    contract.cursor
      ? " Pass the previous result's cursor back unchanged as cursor to get only what came since; the first call goes without one."
      : '',
    contract.ack ? ' Acknowledge the events you handled by passing their ack tokens as ack in the next call.' : '',
    ' hasMore: true means call again now.',
  ].join('');
}

/** One operation as an MCP tool: its bundled (self-contained, root `type: "object"`) schemas. */
export function toolOf(op: OperationInfo): Tool {
  return {
    name: op.name,
    title: op.title,
    description: op.kind === 'trigger' ? `${op.description}${triggerNote(op)}` : op.description,
    inputSchema: op.inputSchema as unknown as Tool['inputSchema'],
    outputSchema: op.outputSchema as unknown as Tool['outputSchema'],
    annotations: {
      title: op.title,
      readOnlyHint: op.annotations.readOnly,
      destructiveHint: op.annotations.destructive,
      idempotentHint: op.annotations.idempotent,
      // A remote store, whose contents others change too; false only where the manifest says
      // the operation sends no request (signing a URL).
      openWorldHint: op.annotations.openWorld ?? true,
    },
    _meta: { [META_KIND]: op.kind, [META_PERMISSIONS]: op.permissions },
  };
}

/** The manifest kinds that are tools, in the order tools/list gives them. */
export const MCP_TOOL_KINDS = ['action', 'lookup', 'trigger'] as const;

/**
 * Every tool of the connector's manifest, in manifest order: the actions, then the lookups,
 * then the triggers (one poll per call: stateless, the cursor goes out in the result and comes
 * back as an argument).
 */
export function mcpTools(connector: Connector): Tool[] {
  const ops = connector.operations({ bundled: true });
  return MCP_TOOL_KINDS.flatMap((kind) => ops.filter((op) => op.kind === kind)).map(toolOf);
}

const addFormats = formatsPlugin.default;

/**
 * Whether a tool's output schema accepts a value, judged the way the SDK client judges
 * structuredContent (its default: ajv, formats checked, unknown keywords and formats ignored).
 * A client validates structuredContent against the output schema even on an isError result,
 * so an error goes there only when the schema allows it.
 */
class OutputCheck {
  private readonly ajv = new Ajv({
    strict: false,
    validateFormats: true,
    validateSchema: false,
    allErrors: true,
    logger: false,
  });
  private readonly compiled = new Map<string, ValidateFunction>();
  constructor() {
    addFormats(this.ajv);
  }

  accepts(tool: Tool, value: unknown): boolean {
    if (!tool.outputSchema) return true;
    let validate = this.compiled.get(tool.name);
    if (!validate) {
      validate = this.ajv.compile(tool.outputSchema);
      this.compiled.set(tool.name, validate);
    }
    return validate(value) === true;
  }
}

/** An error result: the connector's structured error as JSON text, and structured when the schema allows. */
function errorResult(tool: Tool, error: ConnectorErrorInfo, check: OutputCheck): CallToolResult {
  const body = { error };
  return {
    isError: true,
    content: [{ type: 'text', text: JSON.stringify(body) }],
    ...(check.accepts(tool, body) ? { structuredContent: body } : {}),
  };
}

function resultOf(tool: Tool, result: InvokeResult, check: OutputCheck): CallToolResult {
  if (!result.ok) return errorResult(tool, result.error, check);
  const output = result.output as Record<string, unknown>;
  // The serialized output as text too, for clients that do not read structuredContent.
  return { content: [{ type: 'text', text: JSON.stringify(output) }], structuredContent: output };
}

/**
 * Progress of one call as `notifications/progress`, when the client asked for it (a progress
 * token): increasing, at most one per PROGRESS_EVERY_MS, and always the last. `flush` waits for
 * those sent, so every notice goes out before the call's result.
 */
function progressReporter(token: string | number | undefined, send: (progress: Progress) => Promise<void>) {
  if (token === undefined) return undefined;
  let last = -Infinity;
  let sent = -1;
  let pending: Promise<void> = Promise.resolve();
  return {
    onProgress(p: Progress): void {
      const done = p.total !== undefined && p.loaded >= p.total;
      if (p.loaded <= sent || (!done && Date.now() - last < PROGRESS_EVERY_MS)) return;
      last = Date.now();
      sent = p.loaded;
      // A client gone mid-call: the call's own signal deals with that, not the notice.
      pending = pending.then(() => send(p)).catch(() => undefined);
    },
    flush: () => pending,
  };
}

/** A low-level MCP Server (schemas passed through unchanged) for one client connection. */
export function createMcpServer(connector: Connector, options: McpServerOptions): Server {
  const { manifest } = connector;
  const tools = mcpTools(connector);
  const byName = new Map(tools.map((t) => [t.name, t]));
  const check = new OutputCheck();
  const server = new Server(
    { name: manifest.name, title: manifest.title, version: manifest.version },
    {
      capabilities: { tools: {} },
      instructions:
        `${manifest.description} Every tool runs with the connection this server was started with; ` +
        'a failed call is an isError result whose text is {"error": {type, code, message, retryable, …}}.',
    },
  );

  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const { name, arguments: args } = request.params;
    const tool = byName.get(name);
    if (!tool) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `There is no tool named ${JSON.stringify(name)}. Known tools: ${tools.map((t) => t.name).join(', ')}.`,
      );
    }
    const token = extra._meta?.progressToken;
    const progress = progressReporter(token, (p) =>
      extra.sendNotification({
        method: 'notifications/progress',
        params: { progressToken: token!, progress: p.loaded, ...(p.total !== undefined ? { total: p.total } : {}) },
      }),
    );
    const result = await connector.invokeDynamic(name, args ?? {}, {
      connection: options.connection,
      signal: extra.signal,
      ...(options.files ? { files: options.files } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(progress ? { onProgress: progress.onProgress } : {}),
    });
    await progress?.flush();
    return resultOf(tool, result, check);
  });
  return server;
}

/** Serves one client on stdin/stdout until stdin closes; resolves then. Logs go to stderr only. */
export async function serveMcpStdio(connector: Connector, options: McpServerOptions): Promise<void> {
  const server = createMcpServer(connector, options);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    server.onclose = () => resolve();
  });
  // The host ends the server by closing its stdin (or with a signal).
  const stop = () => void server.close();
  process.stdin.once('end', stop);
  process.stdin.once('close', stop);
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await server.connect(transport);
  await closed;
  process.off('SIGTERM', stop);
  process.off('SIGINT', stop);
}

export interface McpHttpServer {
  /** The endpoint, http://127.0.0.1:<port>/mcp. */
  url: string;
  port: number;
  /** Closes every session and the listener. */
  close(): Promise<void>;
}

function refuse(res: ServerResponse, status: number, message: string): void {
  res
    .writeHead(status, { 'content-type': 'application/json' })
    .end(JSON.stringify({ jsonrpc: '2.0', error: { code: ErrorCode.InvalidRequest, message }, id: null }));
}

/**
 * Serves Streamable HTTP on 127.0.0.1:<port> (0: a free one), at MCP_HTTP_PATH. One MCP
 * server per session; requests must be addressed to this host and port (no DNS rebinding),
 * and a browser's request from another origin is refused.
 */
export async function serveMcpHttp(
  connector: Connector,
  options: McpServerOptions & { port: number },
): Promise<McpHttpServer> {
  const sessions = new Map<string, StreamableHTTPServerTransport>(); // in order of last use
  let port = options.port;
  const ownOrigins = () => [`http://${MCP_HTTP_HOST}:${port}`, `http://localhost:${port}`];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!ownOrigins().includes(`http://${req.headers.host ?? ''}`))
      return refuse(res, 421, `Address this server as ${ownOrigins()[0]}${MCP_HTTP_PATH}.`);
    const origin = req.headers.origin;
    if (origin !== undefined && !ownOrigins().includes(origin))
      return refuse(res, 403, 'Requests from another origin are refused.');
    if (new URL(req.url ?? '/', ownOrigins()[0]).pathname !== MCP_HTTP_PATH)
      return refuse(res, 404, `The MCP endpoint is ${MCP_HTTP_PATH}.`);

    const id = req.headers['mcp-session-id'];
    if (typeof id === 'string') {
      const transport = sessions.get(id);
      if (!transport) return refuse(res, 404, 'Unknown or closed session: initialize a new one.');
      sessions.delete(id);
      sessions.set(id, transport);
      return transport.handleRequest(req, res);
    }
    // No session yet: a new transport, which answers an initialize request and refuses anything else.
    const server = createMcpServer(connector, options);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sid) => {
        sessions.set(sid, transport);
        while (sessions.size > MAX_MCP_HTTP_SESSIONS) {
          const [oldest, old] = sessions.entries().next().value as [string, StreamableHTTPServerTransport];
          sessions.delete(oldest);
          void old.close();
        }
      },
    });
    // Set before connect, which chains the server's own cleanup after it.
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res);
    if (!transport.sessionId) await transport.close(); // not an initialize: nothing to keep
  }

  const http = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) refuse(res, 500, `Internal error: ${err instanceof Error ? err.message : String(err)}`);
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, MCP_HTTP_HOST, () => {
      http.off('error', reject);
      resolve();
    });
  });
  port = (http.address() as AddressInfo).port;
  return {
    url: `http://${MCP_HTTP_HOST}:${port}${MCP_HTTP_PATH}`,
    port,
    async close() {
      await Promise.all([...sessions.values()].map((t) => t.close()));
      sessions.clear();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
