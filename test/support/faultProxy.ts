// A fault-injecting HTTP proxy of the tests' own. It sits between the connector (which talks to
// it as a custom, path-style endpoint) and the real moto, forwards every request it does not
// fault (bodies streamed both ways), and per rule injects one kind of fault on chosen
// occurrences of the matching requests:
//   reset        destroy the connection (TCP RST) as soon as the request arrives
//   status       answer 500 InternalError / 503 SlowDown (S3 XML error body) instead of forwarding
//   delay        forward, then hold the answer for `ms` (past the connection's requestTimeoutMs)
//   cutBody      forward, send the headers with the full Content-Length, half the body, then destroy
//   stallBody    like cutBody, but keep the connection open and silent after the half
//   cutUpload    read `afterBytes` of the request body (an UploadPart, say), then destroy
//   flipByte     forward, with one byte of the request body changed in transit
//   slowUpload   forward, reading the request body at `bytesPerSecond` (TCP backpressure slows the sender)
//   trickle      forward, then send the response body `bytes` every `everyMs`
// It counts what it saw, what it forwarded, what each rule matched and injected, and how many
// requests it held (delayed, stalled or trickled), for the figures in RELIABILITY.md.
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import { Transform } from 'node:stream';
import { s3ErrorXml } from './helpers.js';

export type Fault =
  | { kind: 'reset' }
  | { kind: 'status'; status: 500 | 503; code: string; message?: string }
  | { kind: 'delay'; ms: number }
  | { kind: 'cutBody'; fraction?: number }
  | { kind: 'stallBody'; fraction?: number }
  | { kind: 'cutUpload'; afterBytes: number }
  | { kind: 'flipByte'; offset: number }
  | { kind: 'slowUpload'; bytesPerSecond: number }
  | { kind: 'trickle'; bytes: number; everyMs: number };

export type FaultKind = Fault['kind'];

export const FAULTS = {
  reset: (): Fault => ({ kind: 'reset' }),
  internalError: (): Fault => ({
    kind: 'status',
    status: 500,
    code: 'InternalError',
    message: 'We encountered an internal error. Please try again.',
  }),
  slowDown: (): Fault => ({
    kind: 'status',
    status: 503,
    code: 'SlowDown',
    message: 'Please reduce your request rate.',
  }),
} as const;

export interface RequestInfo {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
}

export interface FaultRule {
  /** Label used in the log. */
  name?: string;
  /** HTTP method to match (any when absent). */
  method?: string;
  /** Matches the path and query (`/bucket/key?partNumber=2&uploadId=...`). */
  url?: RegExp | ((url: URL, req: RequestInfo) => boolean);
  /** Which matching requests (1-based occurrence numbers) get the fault; every one when 'all'. */
  on: number[] | 'all';
  fault: Fault;
}

export interface LoggedRequest {
  n: number;
  /** When the request arrived (ms since epoch). */
  at: number;
  method: string;
  url: string;
  /** The SDK's own attempt counter, from the `amz-sdk-request: attempt=N; max=M` header. */
  attempt?: number;
  rule?: string;
  fault?: FaultKind;
  forwarded: boolean;
  status?: number;
  /** Request body bytes received so far. */
  bodyBytes: number;
  /** When the connector's side of this request closed before the answer was complete (ms since epoch). */
  clientClosedAt?: number;
  /** The request's headers, minus Authorization. */
  headers: IncomingHttpHeaders;
}

interface RuleState {
  rule: FaultRule;
  matched: number;
  injected: number;
}

export interface FaultProxy {
  endpoint: string;
  /** Requests received from the connector. */
  readonly seen: number;
  /** Requests passed on to moto. */
  readonly forwarded: number;
  /** Requests held: answers delayed, stalled or trickled. */
  readonly held: number;
  /** Faults injected, by kind. */
  readonly injected: Record<FaultKind, number>;
  /** Client connections that closed while the proxy was still holding or sending their answer. */
  readonly clientGaveUp: number;
  log: LoggedRequest[];
  addRule(rule: FaultRule): FaultRuleHandle;
  clearRules(): void;
  close(): Promise<void>;
}

export interface FaultRuleHandle {
  /** Requests this rule matched (faulted or not). */
  readonly matched: number;
  /** Faults this rule injected. */
  readonly injected: number;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'expect',
]);

function endToEnd(headers: IncomingHttpHeaders, keepTransferEncoding: boolean): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) {
    if (HOP_BY_HOP.has(k) && !(keepTransferEncoding && k === 'transfer-encoding')) continue;
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function attemptOf(headers: IncomingHttpHeaders): number | undefined {
  const m = /attempt=(\d+)/.exec(String(headers['amz-sdk-request'] ?? ''));
  return m ? Number(m[1]) : undefined;
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** Destroys a socket with a TCP RST where Node can, else a plain close. */
function hardClose(socket: Socket | null | undefined): void {
  if (!socket || socket.destroyed) return;
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstreamUrl = new URL(target);
  const upstreamAgent = new Agent({ keepAlive: true, maxSockets: 256 });
  const rules: RuleState[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const stats = {
    seen: 0,
    forwarded: 0,
    held: 0,
    clientGaveUp: 0,
    injected: {
      reset: 0,
      status: 0,
      delay: 0,
      cutBody: 0,
      stallBody: 0,
      cutUpload: 0,
      flipByte: 0,
      slowUpload: 0,
      trickle: 0,
    } as Record<FaultKind, number>,
  };
  const log: LoggedRequest[] = [];

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
    return t;
  };

  /** The first rule matching this request, if its occurrence is one to fault. */
  function pick(info: RequestInfo): { state: RuleState; fault: Fault } | undefined {
    for (const state of rules) {
      const { rule } = state;
      if (rule.method && rule.method !== info.method) continue;
      if (rule.url instanceof RegExp && !rule.url.test(info.url.pathname + info.url.search)) continue;
      if (typeof rule.url === 'function' && !rule.url(info.url, info)) continue;
      state.matched++;
      if (rule.on === 'all' || rule.on.includes(state.matched)) {
        state.injected++;
        stats.injected[rule.fault.kind]++;
        return { state, fault: rule.fault };
      }
      return undefined; // matched, but this occurrence passes untouched
    }
    return undefined;
  }

  /** Sends the request on to moto; the answer goes to `onResponse`. */
  function forward(
    req: IncomingMessage,
    entry: LoggedRequest,
    onResponse: (up: IncomingMessage) => void,
    bodyTransform?: Transform,
  ): void {
    stats.forwarded++;
    entry.forwarded = true;
    const up = httpRequest(
      {
        host: upstreamUrl.hostname,
        port: upstreamUrl.port,
        method: req.method,
        path: req.url,
        headers: endToEnd(req.headers, true),
        agent: upstreamAgent,
      },
      (upRes) => {
        entry.status = upRes.statusCode;
        onResponse(upRes);
      },
    );
    up.on('error', () => hardClose(req.socket));
    req.on('close', () => {
      if (!req.complete) up.destroy();
    });
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        entry.bodyBytes += chunk.length;
        done(null, chunk);
      },
    });
    if (bodyTransform) req.pipe(counter).pipe(bodyTransform).pipe(up);
    else req.pipe(counter).pipe(up);
  }

  function passThrough(res: ServerResponse, upRes: IncomingMessage): void {
    res.writeHead(upRes.statusCode ?? 502, endToEnd(upRes.headers, false));
    upRes.pipe(res);
    upRes.on('error', () => hardClose(res.socket));
    res.on('close', () => {
      if (!upRes.complete) upRes.destroy();
    });
  }

  const server = createServer((req, res) => {
    stats.seen++;
    const url = new URL(req.url ?? '/', 'http://proxy.invalid');
    const info: RequestInfo = { method: req.method ?? 'GET', url, headers: req.headers };
    const { authorization: _signature, ...headers } = req.headers;
    const entry: LoggedRequest = {
      n: stats.seen,
      at: Date.now(),
      method: info.method,
      url: url.pathname + url.search,
      forwarded: false,
      bodyBytes: 0,
      headers,
    };
    const attempt = attemptOf(req.headers);
    if (attempt !== undefined) entry.attempt = attempt;
    log.push(entry);
    const picked = pick(info);
    if (!picked) {
      forward(req, entry, (upRes) => passThrough(res, upRes));
      return;
    }
    const { fault, state } = picked;
    entry.fault = fault.kind;
    if (state.rule.name) entry.rule = state.rule.name;
    // Note when the connector gives up on a request the proxy is still busy with.
    let answered = false;
    let gone = false;
    res.on('finish', () => {
      answered = true;
    });
    res.on('close', () => {
      if (answered) return;
      gone = true;
      entry.clientClosedAt = Date.now();
      if (fault.kind !== 'reset' && fault.kind !== 'cutUpload' && fault.kind !== 'cutBody') stats.clientGaveUp++;
    });

    switch (fault.kind) {
      case 'reset':
        hardClose(req.socket);
        return;

      case 'status': {
        req.resume();
        const body = s3ErrorXml(fault.code, fault.message ?? fault.code);
        entry.status = fault.status;
        res.writeHead(fault.status, {
          'content-type': 'application/xml',
          'content-length': Buffer.byteLength(body),
          'x-amz-request-id': `FAULT${stats.seen}`,
          ...(fault.status === 503 ? { 'retry-after': '1' } : {}),
        });
        res.end(req.method === 'HEAD' ? undefined : body);
        return;
      }

      case 'delay':
        stats.held++;
        forward(req, entry, (upRes) => {
          later(fault.ms, () => {
            if (gone) {
              upRes.destroy();
              return;
            }
            passThrough(res, upRes);
          });
        });
        return;

      case 'cutBody':
      case 'stallBody':
        if (fault.kind === 'stallBody') stats.held++;
        forward(req, entry, (upRes) => {
          void readAll(upRes).then(
            (body) => {
              const headers = endToEnd(upRes.headers, false);
              headers['content-length'] = String(body.length); // the full length: the client expects it all
              res.writeHead(upRes.statusCode ?? 200, headers);
              const half = body.subarray(0, Math.floor(body.length * (fault.fraction ?? 0.5)));
              res.write(half, () => {
                if (fault.kind === 'cutBody') later(20, () => hardClose(res.socket));
                // stallBody: nothing more, until the client gives up (or the proxy closes).
              });
            },
            () => hardClose(res.socket),
          );
        });
        return;

      case 'cutUpload': {
        req.on('data', (chunk: Buffer) => {
          entry.bodyBytes += chunk.length;
          if (entry.bodyBytes >= fault.afterBytes) {
            req.pause();
            hardClose(req.socket);
          }
        });
        req.on('end', () => hardClose(req.socket)); // a body smaller than afterBytes: cut at its end
        return;
      }

      case 'flipByte': {
        let offset = 0;
        const flip = new Transform({
          transform(chunk: Buffer, _enc, done) {
            if (fault.offset >= offset && fault.offset < offset + chunk.length) {
              const copy = Buffer.from(chunk);
              const i = fault.offset - offset;
              copy[i] = copy[i]! ^ 0xff;
              chunk = copy;
            }
            offset += chunk.length;
            done(null, chunk);
          },
        });
        forward(req, entry, (upRes) => passThrough(res, upRes), flip);
        return;
      }

      case 'slowUpload': {
        stats.held++;
        const slow = new Transform({
          transform(chunk: Buffer, _enc, done) {
            later(Math.ceil((chunk.length / fault.bytesPerSecond) * 1000), () => done(null, chunk));
          },
        });
        forward(req, entry, (upRes) => passThrough(res, upRes), slow);
        return;
      }

      case 'trickle':
        stats.held++;
        forward(req, entry, (upRes) => {
          res.writeHead(upRes.statusCode ?? 200, endToEnd(upRes.headers, false));
          const queue: Buffer[] = [];
          let ended = false;
          upRes.on('data', (c: Buffer) => queue.push(c));
          upRes.on('end', () => {
            ended = true;
          });
          const tick = () => {
            if (gone) {
              upRes.destroy();
              return;
            }
            let budget = fault.bytes;
            const out: Buffer[] = [];
            while (budget > 0 && queue.length) {
              const head = queue[0]!;
              if (head.length <= budget) {
                out.push(head);
                queue.shift();
                budget -= head.length;
              } else {
                out.push(head.subarray(0, budget));
                queue[0] = head.subarray(budget);
                budget = 0;
              }
            }
            if (out.length) res.write(Buffer.concat(out));
            if (ended && !queue.length) {
              res.end();
              return;
            }
            later(fault.everyMs, tick);
          };
          later(fault.everyMs, tick);
        });
        return;
    }
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };

  return {
    endpoint: `http://127.0.0.1:${port}`,
    get seen() {
      return stats.seen;
    },
    get forwarded() {
      return stats.forwarded;
    },
    get held() {
      return stats.held;
    },
    get injected() {
      return { ...stats.injected };
    },
    get clientGaveUp() {
      return stats.clientGaveUp;
    },
    log,
    addRule(rule) {
      const state: RuleState = { rule, matched: 0, injected: 0 };
      rules.push(state);
      return {
        get matched() {
          return state.matched;
        },
        get injected() {
          return state.injected;
        },
      };
    },
    clearRules() {
      rules.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        for (const s of sockets) s.destroy();
        upstreamAgent.destroy();
        server.close(() => resolve());
      }),
  };
}

/** An UploadPart request: `PUT /bucket/key?partNumber=N&uploadId=...`. */
export function isUploadPart(partNumber?: number) {
  return (url: URL, req: RequestInfo): boolean =>
    req.method === 'PUT' &&
    url.searchParams.has('uploadId') &&
    url.searchParams.has('partNumber') &&
    (partNumber === undefined || url.searchParams.get('partNumber') === String(partNumber));
}

/** A plain PutObject (not a part, not a copy) of this key. */
export function isPutObject(bucket: string, key: string) {
  return (url: URL, req: RequestInfo): boolean =>
    req.method === 'PUT' &&
    url.pathname === `/${bucket}/${key}` &&
    !url.searchParams.has('uploadId') &&
    [...url.searchParams.keys()].every((k) => k === 'x-id') &&
    req.headers['x-amz-copy-source'] === undefined;
}

/** A GetObject of this key (path-style). */
export function isGetObject(bucket: string, key: string) {
  return (url: URL, req: RequestInfo): boolean => req.method === 'GET' && url.pathname === `/${bucket}/${key}`;
}
