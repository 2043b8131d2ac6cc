// How a connection's requests reach the store: directly or through a CONNECT proxy, and which
// TLS certificates it trusts. The connection's `proxy` and `tls` fields (or, for a connection on
// the runtime's own credentials, HTTPS_PROXY / NO_PROXY in its environment) become the HTTP
// agents of its S3 client; a refusal by the proxy and a certificate the connection does not
// trust become errors in the connector's terms. Signed URLs and upload forms are made locally
// and never go through here.
import { X509Certificate } from 'node:crypto';
import { Agent as HttpAgent, type AgentOptions, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Socket } from 'node:net';
import { rootCertificates } from 'node:tls';
import type { AgentConnectOpts } from 'agent-base';
import { getProxyForUrl } from 'proxy-from-env';
// An ES module (no CommonJS scan to avoid, and require() of it needs Node 20.19): imported as such.
import { HttpsProxyAgent } from 'https-proxy-agent';
import type { S3Connection } from '../generated/types.js';
import { ConnectorError, type FieldProblem } from './errors.js';

/** The loud note every result of a connection that does not verify certificates carries. */
export const TLS_UNVERIFIED_WARNING =
  "WARNING: this connection does not verify the store's TLS certificate (tls.rejectUnauthorized is false): anyone on the network path can read and change what it sends and receives, credentials included. Give the store's CA in tls.ca instead and turn verification back on.";

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** The certificates of a PEM bundle; throws user_input naming tls.ca when it holds none or a broken one. */
export function caCertificates(pem: string): string[] {
  const blocks = pem.match(PEM_BLOCK) ?? [];
  const refuse = (message: string): never => {
    throw new ConnectorError({
      type: 'user_input',
      code: 'InvalidConnection',
      message: `Invalid connection: tls.ca ${message}.`,
      details: { problems: [{ field: 'tls.ca', rule: 'pem', message: `tls.ca ${message}` } satisfies FieldProblem] },
    });
  };
  if (blocks.length === 0) refuse('holds no certificate: it must be PEM text with -----BEGIN CERTIFICATE----- blocks');
  // What is left between the blocks must be blank: a stray key or a cut-off block is a mistake.
  if (pem.replace(PEM_BLOCK, '').trim() !== '')
    refuse('holds text outside its -----BEGIN CERTIFICATE----- … -----END CERTIFICATE----- blocks');
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch {
      refuse(`certificate ${i + 1} of ${blocks.length} is not a valid X.509 certificate`);
    }
  });
  return blocks;
}

function proxyProblem(message: string): ConnectorError {
  return new ConnectorError({
    type: 'user_input',
    code: 'InvalidConnection',
    message: `Invalid connection: proxy ${message}.`,
    details: { problems: [{ field: 'proxy', rule: 'proxyUrl', message: `proxy ${message}` } satisfies FieldProblem] },
  });
}

/** A proxy URL checked: http(s), a host, no path, query or fragment. The URL's text is never in the error. */
export function parseProxyUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw proxyProblem('is not a URL: give it as http://host:port or https://user:password@host:port');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw proxyProblem(`must be an http:// or https:// URL of a CONNECT proxy, not ${url.protocol}//`);
  if (!url.hostname) throw proxyProblem('names no host');
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash)
    throw proxyProblem('must be only scheme, optional user:password, host and port: no path, query or fragment');
  return url;
}

/** Checks the connection's proxy and CA bundle before anything is sent (the schema checked their shape). */
export function checkTransport(connection: S3Connection): void {
  if (connection.proxy !== undefined) parseProxyUrl(connection.proxy);
  if (connection.tls?.ca !== undefined) caCertificates(connection.tls.ca);
}

/** The store's URL as the proxy rules see it: the endpoint, or Amazon S3's in the connection's region. */
function storeUrl(connection: S3Connection): string {
  return connection.endpoint ?? `https://s3.${connection.region}.amazonaws.com`;
}

/**
 * The proxy this connection's requests go through, if any: its own `proxy`; otherwise, only
 * when it signs in with the runtime's own environment (the default credentials chain), the
 * environment's HTTPS_PROXY (HTTP_PROXY for an http endpoint, ALL_PROXY) unless NO_PROXY
 * names the store's host. A connection with its own credentials ignores the environment.
 */
export function proxyOf(connection: S3Connection): string | undefined {
  if (connection.proxy !== undefined) return connection.proxy;
  if ((connection.credentials?.type ?? 'defaultChain') !== 'defaultChain') return undefined;
  return getProxyForUrl(storeUrl(connection)) || undefined;
}

/** A proxy URL fit to show: scheme, host and port, never its user or password. */
export function shownProxy(proxy: string): string {
  try {
    const url = new URL(proxy);
    return `${url.protocol}//${url.host}`;
  } catch {
    return '(the proxy)';
  }
}

/** The proxy's answer to CONNECT when it was not 200: raised instead of handing it to the SDK as the store's. */
export class ProxyRefusedError extends Error {
  readonly code = 'ERR_PROXY_REFUSED';
  constructor(
    readonly proxyStatus: number,
    readonly proxyStatusText: string,
    readonly proxy: string,
  ) {
    super(`The proxy ${proxy} answered CONNECT with HTTP ${proxyStatus} ${proxyStatusText}`.trim());
    this.name = 'ProxyRefused';
  }
}

interface ProxyConnectAnswer {
  statusCode: number;
  statusText: string;
}

/**
 * https-proxy-agent's CONNECT tunnel, with the connection's TLS settings for the store behind
 * it, a refused CONNECT raised as ProxyRefusedError (the agent would replay the proxy's answer
 * as if the store gave it), and a proxy it cannot reach named as such.
 */
class TunnelAgent extends HttpsProxyAgent<string> {
  constructor(
    proxy: string,
    options: AgentOptions,
    private readonly tlsOptions: TlsOptions,
  ) {
    super(proxy, { ...options, ...tlsOptions });
  }

  override async connect(req: ClientRequest, opts: AgentConnectOpts): Promise<Socket> {
    let answer: ProxyConnectAnswer | undefined;
    const onAnswer = (a: ProxyConnectAnswer) => {
      answer = a;
    };
    req.once('proxyConnect', onAnswer);
    const shown = shownProxy(this.proxy.href);
    let socket: Socket;
    try {
      socket = await super.connect(req, { ...opts, ...this.tlsOptions } as AgentConnectOpts);
    } catch (err) {
      if (err !== null && typeof err === 'object') Object.assign(err, { viaProxy: shown });
      throw err;
    } finally {
      req.removeListener('proxyConnect', onAnswer);
    }
    if (answer && answer.statusCode !== 200) {
      socket.destroy();
      throw new ProxyRefusedError(answer.statusCode, answer.statusText ?? '', shown);
    }
    return socket;
  }
}

type TlsOptions = { rejectUnauthorized: boolean; ca?: string[] };

function tlsOptionsOf(connection: S3Connection): TlsOptions {
  const ca = connection.tls?.ca;
  return {
    rejectUnauthorized: connection.tls?.rejectUnauthorized ?? true,
    // Added to Node's own trusted roots (as NODE_EXTRA_CA_CERTS does), not in their place.
    ...(ca !== undefined ? { ca: [...rootCertificates, ...caCertificates(ca)] } : {}),
  };
}

/** The HTTP agents of a connection's S3 client: every request of it, http or https, goes through them. */
export function transportAgents(
  connection: S3Connection,
  options: AgentOptions,
): { httpAgent: HttpAgent; httpsAgent: HttpsAgent } {
  const tls = tlsOptionsOf(connection);
  const proxy = proxyOf(connection);
  if (proxy !== undefined) {
    // One tunnelling agent for both: plain http to the store goes through CONNECT as well.
    const agent = new TunnelAgent(proxy, options, tls) as unknown as HttpsAgent;
    return { httpAgent: agent, httpsAgent: agent };
  }
  return { httpAgent: new HttpAgent(options), httpsAgent: new HttpsAgent({ ...options, ...tls }) };
}

/** What the transport adds to the cache identity of a client beyond the connection: the proxy from the environment. */
export function transportIdentity(connection: S3Connection): string {
  return proxyOf(connection) ?? '';
}

/** The notes every result of this connection carries. */
export function transportNotes(connection: S3Connection | undefined): string[] {
  return connection?.tls?.rejectUnauthorized === false ? [TLS_UNVERIFIED_WARNING] : [];
}

/**
 * The proxy credentials to scrub from anything returned: `user:password@` as written and
 * decoded, the password alone, and the Proxy-Authorization value made of them. Read leniently:
 * the connection may not have been checked yet.
 */
export function transportSecrets(connection: unknown, minLength: number): string[] {
  const sources = [(connection as { proxy?: unknown } | null)?.proxy];
  if ((connection as { proxy?: unknown } | null)?.proxy === undefined && connection && typeof connection === 'object')
    try {
      // The environment's proxy may hold credentials too; an unchecked connection must not make this throw.
      sources.push(proxyOf(connection as S3Connection));
    } catch {
      // Not a connection the environment's proxy could apply to.
    }
  const found: string[] = [];
  for (const proxy of sources) {
    const userinfo = typeof proxy === 'string' ? /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)@/i.exec(proxy)?.[1] : undefined;
    if (!userinfo) continue;
    const decode = (s: string) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    };
    const [user = '', ...rest] = userinfo.split(':');
    const password = rest.join(':');
    const plain = `${decode(user)}:${decode(password)}`;
    // With its `@` a userinfo cannot mangle an ordinary word, so it is scrubbed whatever its length.
    found.push(`${userinfo}@`, `${plain}@`, Buffer.from(plain).toString('base64'));
    if (password.length >= minLength) found.push(password, decode(password));
    if (plain.length >= minLength) found.push(plain);
  }
  return [...new Set(found)];
}
