// A pass-through proxy in front of the tests' moto: it forwards every request unchanged and only
// records what goes by (moto does not enforce S3's 1000-keys-per-DeleteObjects limit, so
// batching and concurrency are observed here). DeleteObjects requests can be held `delayMs`, so
// overlaps show.
import { createServer, request as httpRequest, type Server } from 'node:http';
import { motoEndpoint } from './helpers.js';

export interface Recorder {
  endpoint: string;
  /** Every request: method, URL (path and query) and body (as UTF-8 text). */
  requests: { method: string; url: string; body: string }[];
  /** Number of <Object> entries in each DeleteObjects request that went through. */
  batches: number[];
  maxInFlight: number;
  close(): Promise<void>;
}

export async function recordingProxy(delayMs = 0): Promise<Recorder> {
  const target = new URL(motoEndpoint());
  let inFlight = 0;
  const rec = { requests: [] as Recorder['requests'], batches: [] as number[], maxInFlight: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      rec.requests.push({ method: req.method ?? '', url: req.url ?? '', body: body.toString('utf8') });
      const isDelete = req.method === 'POST' && /[?&]delete(=|&|$)/.test(req.url ?? '');
      if (isDelete) {
        rec.batches.push(body.toString('utf8').split('<Object>').length - 1);
        inFlight++;
        rec.maxInFlight = Math.max(rec.maxInFlight, inFlight);
      }
      setTimeout(
        () => {
          const upstream = httpRequest(
            {
              host: target.hostname,
              port: target.port,
              method: req.method,
              path: req.url,
              headers: req.headers,
            },
            (answer) => {
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              answer.pipe(res);
              answer.on('end', () => {
                if (isDelete) inFlight--;
              });
            },
          );
          upstream.on('error', () => res.destroy());
          upstream.end(body);
        },
        isDelete ? delayMs : 0,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return Object.assign(rec, {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
