// The TLS lane's real parts: a private CA with a server certificate for 127.0.0.1 / localhost
// (made by openssl in a temp folder), a TLS endpoint in front of moto (it terminates TLS and
// pipes the bytes to moto's port, recording where each connection came from), and a CONNECT
// proxy (node:http's `connect` event: it records each tunnel's target and its own upstream
// port, can ask for Basic credentials, and can be told to refuse with a status).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import { connect as netConnect, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCa {
  dir: string;
  /** The CA's certificate, PEM. */
  caPem: string;
  caFile: string;
  serverKey: string;
  serverCert: string;
  remove(): Promise<void>;
}

/** A fresh CA and a server certificate it signed, valid for 127.0.0.1 and localhost. */
export async function makeTestCa(): Promise<TestCa> {
  const dir = await mkdtemp(join(tmpdir(), 'tls-lane-'));
  const f = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=s3-connector test CA',
  ]);
  await run('openssl', ['req', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1']);
  await writeFile(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n');
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('server.pem'),
    '-days',
    '2',
    '-extfile',
    f('ext.cnf'),
  ]);
  return {
    dir,
    caPem: await readFile(f('ca.pem'), 'utf8'),
    caFile: f('ca.pem'),
    serverKey: await readFile(f('server.key'), 'utf8'),
    serverCert: await readFile(f('server.pem'), 'utf8'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

function listening(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function closing(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

function tracked(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return sockets;
}

export interface TlsEndpoint {
  endpoint: string;
  port: number;
  /** The client port of every TLS connection accepted (to tell the proxy's tunnels from direct ones). */
  clientPorts: number[];
  close(): Promise<void>;
}

/** https://127.0.0.1:<port> in front of moto (`target`, http). */
export async function tlsEndpoint(ca: TestCa, target: string): Promise<TlsEndpoint> {
  const upstream = new URL(target);
  const clientPorts: number[] = [];
  const server = createTlsServer({ key: ca.serverKey, cert: ca.serverCert }, (socket) => {
    clientPorts.push(socket.remotePort ?? -1);
    const to = netConnect(Number(upstream.port), upstream.hostname);
    socket.pipe(to).pipe(socket);
    const end = () => {
      socket.destroy();
      to.destroy();
    };
    socket.on('error', end);
    to.on('error', end);
    socket.on('close', end);
    to.on('close', end);
  });
  server.on('tlsClientError', () => undefined);
  const sockets = tracked(server);
  const port = await listening(server);
  return { endpoint: `https://127.0.0.1:${port}`, port, clientPorts, close: () => closing(server, sockets) };
}

export interface ConnectProxy {
  url: string;
  port: number;
  /** Every CONNECT target (host:port), in arrival order, with the headers it came with. */
  tunnels: { target: string; headers: IncomingHttpHeaders }[];
  /** The local port of each upstream connection the proxy opened. */
  upstreamPorts: number[];
  /** Answer CONNECT with this status instead of opening the tunnel. */
  refuseWith?: number;
  close(): Promise<void>;
}

/** A CONNECT proxy; with `credentials` ("user:password") it answers 407 to a CONNECT without them. */
export async function connectProxy(credentials?: string): Promise<ConnectProxy> {
  const server = createHttpServer((_, res) => res.writeHead(405).end('CONNECT only'));
  const proxy: ConnectProxy = { url: '', port: 0, tunnels: [], upstreamPorts: [], close: async () => undefined };
  const expected = credentials ? `Basic ${Buffer.from(credentials).toString('base64')}` : undefined;
  server.on('connect', (req, client: Socket, head: Buffer) => {
    proxy.tunnels.push({ target: req.url ?? '', headers: req.headers });
    if (expected && req.headers['proxy-authorization'] !== expected) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="lane"\r\n\r\n');
      return;
    }
    if (proxy.refuseWith) {
      client.end(`HTTP/1.1 ${proxy.refuseWith} Refused\r\n\r\n`);
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    const to = netConnect(Number(port), host, () => {
      proxy.upstreamPorts.push(to.localPort ?? -1);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) to.write(head);
      to.pipe(client).pipe(to);
    });
    const end = () => {
      client.destroy();
      to.destroy();
    };
    to.on('error', end);
    client.on('error', end);
    to.on('close', end);
    client.on('close', end);
  });
  const sockets = tracked(server);
  proxy.port = await listening(server);
  proxy.url = `http://127.0.0.1:${proxy.port}`;
  proxy.close = () => closing(server, sockets);
  return proxy;
}
