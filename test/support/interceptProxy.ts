// A pass-through HTTP proxy in front of a real store (moto) for the answers it cannot be made to
// give: each request is read whole, shown to a hook, and then forwarded unchanged, unless the
// hook answers it itself (a stand-in answer, which the test names as such). The hook may also
// hold a request (await something) before it goes on, or act on the store first (overwrite an
// object between two requests). Every request is kept, headers and body, in arrival order.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';

export interface SeenRequest {
  method: string;
  /** Path and query, as sent (`/bucket/key?uploadId=…`). */
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** An answer the proxy gives instead of the store's. */
export interface StandIn {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export type Hook = (req: SeenRequest) => StandIn | undefined | Promise<StandIn | undefined>;

export interface InterceptProxy {
  endpoint: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** `answered` is told when the answer to a request (the store's or a stand-in) has been sent. */
export async function interceptProxy(
  target: string,
  hook: Hook = () => undefined,
  answered: (req: SeenRequest) => void = () => undefined,
): Promise<InterceptProxy> {
  const upstream = new URL(target);
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const info: SeenRequest = {
        method: req.method ?? 'GET',
        url: new URL(req.url ?? '/', 'http://proxy'),
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      seen.push(info);
      res.on('close', () => answered(info));
      Promise.resolve(hook(info)).then(
        (standIn) => {
          if (standIn) {
            res
              .writeHead(standIn.status, { 'content-type': 'application/xml', ...standIn.headers })
              .end(standIn.body ?? '');
            return;
          }
          const forward = httpRequest(
            { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
            (answer) => {
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              answer.pipe(res);
            },
          );
          forward.on('error', () => res.destroy());
          forward.end(info.body);
        },
        () => res.destroy(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The region a request was signed for (SigV4's credential scope), if it was signed. */
export function signedRegion(req: SeenRequest): string | undefined {
  return /Credential=[^/]+\/\d{8}\/([^/]+)\/s3\//.exec(String(req.headers.authorization ?? ''))?.[1];
}

/** What kind of S3 request this is, by method, query and headers (enough for the tests' checks). */
export function requestKind(req: SeenRequest): string {
  const q = req.url.searchParams;
  const copy = req.headers['x-amz-copy-source'] !== undefined;
  if (req.method === 'GET' && q.has('location')) return 'GetBucketLocation';
  if (req.method === 'GET' && q.has('list-type')) return 'ListObjectsV2';
  if (req.method === 'GET' && q.has('tagging')) return 'GetObjectTagging';
  if (req.method === 'PUT' && q.has('tagging')) return 'PutObjectTagging';
  if (req.method === 'HEAD') return 'HeadObject';
  if (req.method === 'PUT' && copy && q.has('partNumber')) return 'UploadPartCopy';
  if (req.method === 'PUT' && copy) return 'CopyObject';
  if (req.method === 'POST' && q.has('uploads')) return 'CreateMultipartUpload';
  if (req.method === 'POST' && q.has('uploadId')) return 'CompleteMultipartUpload';
  if (req.method === 'DELETE' && q.has('uploadId')) return 'AbortMultipartUpload';
  if (req.method === 'DELETE') return 'DeleteObject';
  return `${req.method} ${req.url.pathname}`;
}

/**
 * A gate for racing writers, for a store whose conditional write is not atomic (moto checks
 * If-None-Match and then stores, unlocked, in a threaded server, where S3 decides atomically):
 * the requests `picked` chooses are held until `count` of them have arrived, then let on to the
 * store one at a time, each once the previous one has been answered, as an atomic store takes
 * them. The race on the connector's side stays real: every writer has sent its request before
 * any is answered. `hook` and `answered` go to interceptProxy.
 */
export function oneAtATime(
  count: number,
  picked: (req: SeenRequest) => boolean,
): { hook: Hook; answered: (req: SeenRequest) => void } {
  let arrived = 0;
  let allArrived!: () => void;
  const together = new Promise<void>((r) => {
    allArrived = r;
  });
  let previous = Promise.resolve();
  const turns = new Map<SeenRequest, () => void>();
  return {
    hook: async (req) => {
      if (!picked(req)) return undefined;
      if (++arrived === count) allArrived();
      const mine = previous;
      previous = new Promise<void>((r) => turns.set(req, r));
      await together;
      await mine;
      return undefined;
    },
    answered: (req) => turns.get(req)?.(),
  };
}
