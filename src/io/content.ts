// Content in and out of handlers: where an upload's bytes come from (file store, data: URL,
// allowed https host), inline reads with a cap, and content types from file names.
import { lookup, type LookupOptions } from 'node:dns';
import type { IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import mime from 'mime-types';
import { ConnectorError } from '../runtime/errors.js';
import type { FileStore, PositionedRead } from './files.js';

/** Largest data: URL accepted as an upload source (it is already in memory as input). */
export const MAX_DATA_URL_BYTES = 10 * 1024 * 1024;

export interface Source {
  stream: Readable;
  size?: number;
  mimeType?: string;
  /** Reads at a position, for a source that allows it (a file of the file store); see OpenedFile. */
  read?: PositionedRead;
}

export interface SourcePolicy {
  files: FileStore;
  /** Hosts https:// sources may come from; none unless the runtime allows them. */
  allowedHttpsHosts: readonly string[];
  /** Whether those hosts may resolve to loopback, link-local or private addresses. */
  allowPrivateNetworks?: boolean;
  signal: AbortSignal;
}

function userError(code: string, message: string): ConnectorError {
  return new ConnectorError({ type: 'user_input', code, message });
}

/** Opens the bytes behind a file reference URL, under the runtime's rules. */
export async function openSource(url: string, policy: SourcePolicy): Promise<Source> {
  if (url.startsWith('data:')) return dataUrlSource(url);
  if (url.startsWith('file:')) return policy.files.open(url);
  if (url.startsWith('https:')) return httpsSource(url, policy);
  throw userError(
    'FileNotAllowed',
    'A file reference must be a file:// URL of the file store, a data: URL, or an https:// URL from an allowed host.',
  );
}

/** A data: URL's media type: empty, or type/subtype, then ;name=value parameters (RFC 2397, RFC 9110 tokens). */
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const MEDIA_TYPE = new RegExp(`^(?:${TOKEN}/${TOKEN})?(?:;${TOKEN}=(?:${TOKEN}|"[^"\\\\]*"))*$`);

function dataUrlSource(url: string): Source {
  const comma = url.indexOf(',');
  if (comma < 0) throw userError('InvalidDataUrl', 'The data: URL has no comma before its content.');
  const header = url.slice(5, comma);
  const isBase64 = /;base64$/i.test(header);
  const mediaType = header.replace(/;base64$/i, '');
  // The media type becomes the object's Content-Type header: nothing but a media type may pass
  // (a CR or LF would otherwise reach the HTTP layer).
  if (!MEDIA_TYPE.test(mediaType)) {
    throw userError(
      'InvalidDataUrl',
      "The data: URL's media type is not valid: give type/subtype with optional ;name=value parameters (e.g. data:text/csv;charset=utf-8,…), or none.",
    );
  }
  const payload = url.slice(comma + 1);
  let bytes: Buffer;
  try {
    bytes = isBase64 ? Buffer.from(payload, 'base64') : Buffer.from(decodeURIComponent(payload), 'utf8');
  } catch {
    throw userError(
      'InvalidDataUrl',
      "The data: URL's content has a broken percent escape (a % must be followed by two hex digits that spell UTF-8): encode it with encodeURIComponent, or use ;base64.",
    );
  }
  if (bytes.length > MAX_DATA_URL_BYTES) {
    throw userError(
      'DataUrlTooLarge',
      `A data: URL may carry at most ${MAX_DATA_URL_BYTES} bytes; pass larger content as a file from the file store.`,
    );
  }
  // RFC 2397: no type means text/plain, and so does a bare ;charset=….
  const mimeType =
    mediaType === '' ? 'text/plain;charset=US-ASCII' : mediaType.startsWith(';') ? `text/plain${mediaType}` : mediaType;
  return { stream: Readable.from([bytes]), size: bytes.length, mimeType };
}

/** Address ranges an https:// source may not resolve to unless the runtime allows private networks. */
const PRIVATE_V4 = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE_V4.addSubnet(net, prefix, 'ipv4');
}
const PRIVATE_V6 = new BlockList();
// Unique local, link-local, site-local (deprecated), multicast, and NAT64's local-use prefix.
// (:: and ::1, and the forms that carry an IPv4 address, are judged as IPv4: see embeddedIpv4.)
for (const [net, prefix] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
  ['64:ff9b:1::', 48],
] as const)
  PRIVATE_V6.addSubnet(net, prefix, 'ipv6');

/** The eight 16-bit words of an IPv6 address (a zone such as %eth0 dropped), or undefined. */
function ipv6Words(address: string): number[] | undefined {
  let a = address.replace(/%.*$/, '');
  if (isIP(a) !== 6) return undefined;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a);
  if (dotted) {
    const [b0, b1, b2, b3] = dotted.slice(1).map(Number) as [number, number, number, number];
    a = `${a.slice(0, dotted.index)}${((b0 << 8) | b1).toString(16)}:${((b2 << 8) | b3).toString(16)}`;
  }
  const [head = '', tail] = a.split('::');
  const front = head ? head.split(':') : [];
  const back = tail ? tail.split(':') : [];
  const words = [
    ...front,
    ...Array<string>(tail === undefined ? 0 : 8 - front.length - back.length).fill('0'),
    ...back,
  ].map((w) => parseInt(w, 16));
  return words.length === 8 ? words : undefined;
}

const v4Of = (high: number, low: number) => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;

/**
 * The IPv4 address an IPv6 one stands for, when it embeds one that a connection can reach:
 * IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d, deprecated; :: and ::1 included),
 * NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::).
 */
function embeddedIpv4(w: number[]): string | undefined {
  const zeros = (from: number, to: number) => w.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && (w[5] === 0xffff || w[5] === 0)) return v4Of(w[6]!, w[7]!);
  if (w[0] === 0x64 && w[1] === 0xff9b && zeros(2, 6)) return v4Of(w[6]!, w[7]!);
  if (w[0] === 0x2002) return v4Of(w[1]!, w[2]!);
  return undefined;
}

/**
 * True for loopback, link-local, private, shared, multicast and unspecified addresses, in
 * whatever form they are written: an IPv6 address that carries an IPv4 one is judged by it.
 */
export function isPrivateAddress(address: string): boolean {
  const words = ipv6Words(address);
  if (!words) return PRIVATE_V4.check(address, 'ipv4');
  const v4 = embeddedIpv4(words);
  if (v4) return PRIVATE_V4.check(v4, 'ipv4');
  return PRIVATE_V6.check(words.map((x) => x.toString(16)).join(':'), 'ipv6');
}

/**
 * An allowed-host entry, or a URL's host and port, as one comparable string: the host as URL
 * writes it (lowercase, IPv6 compressed in brackets, IPv4 in dotted decimal) and the port (443
 * unless given). `host`, `host:port`, `[v6]`, `[v6]:port` and a bare IPv6 address are entries;
 * anything else matches nothing.
 */
export function hostAndPort(entry: string): string | undefined {
  const e = entry.trim();
  const authority = isIP(e) === 6 ? `[${e}]` : e;
  if (authority === '' || /[/?#@\\]/.test(authority)) return undefined;
  try {
    const u = new URL(`https://${authority}/`);
    return `${u.hostname}:${u.port || '443'}`;
  } catch {
    return undefined;
  }
}

async function httpsSource(url: string, policy: SourcePolicy): Promise<Source> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw userError('InvalidUrl', 'The https:// URL of the file reference is not a valid URL.');
  }
  // Node would send them as Basic auth to the host, and they would be echoed in messages.
  if (parsed.username || parsed.password) {
    throw userError(
      'CredentialsInUrl',
      'The https:// URL carries a user name or password (user:password@host): credentials in a URL are refused, never sent. Give a URL without them, e.g. a presigned URL.',
    );
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const target = `${parsed.hostname}:${parsed.port || '443'}`;
  if (!policy.allowedHttpsHosts.some((h) => hostAndPort(h) === target)) {
    throw userError(
      'HostNotAllowed',
      `Downloading from ${target} is not allowed: the runtime allows https:// sources only from ${policy.allowedHttpsHosts.join(', ') || 'no host'} (an entry without a port allows port 443 only).`,
    );
  }
  if (isIP(host) && isPrivateAddress(host) && !policy.allowPrivateNetworks) {
    throw userError(
      'AddressNotAllowed',
      `${host} is a loopback, link-local or private address: the runtime does not allow downloads from those.`,
    );
  }
  // Addresses are checked when the socket connects, so DNS cannot swap in a private one later.
  const guardedLookup = ((hostname: string, options: LookupOptions, callback: (...args: unknown[]) => void) => {
    lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err);
      const blocked = addresses.find((a) => isPrivateAddress(a.address));
      if (blocked && !policy.allowPrivateNetworks) {
        return callback(
          userError(
            'AddressNotAllowed',
            `${hostname} resolves to ${blocked.address}, a loopback, link-local or private address: the runtime does not allow downloads from those.`,
          ),
        );
      }
      return options.all ? callback(null, addresses) : callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  }) as unknown as LookupFunction;
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = httpsGet(
      url,
      { lookup: guardedLookup, signal: policy.signal, ...(isIP(host) ? {} : { servername: host }) },
      resolve,
    );
    req.on('error', reject);
  });
  const status = res.statusCode ?? 0;
  if (status < 200 || status >= 300) {
    res.destroy();
    // Redirects could lead to a host that is not allowed: they are refused, not followed.
    // Named without its query: a presigned URL's signature and token stay out of the message.
    throw new ConnectorError({
      type: status === 404 ? 'not_found' : status >= 300 && status < 400 ? 'user_input' : 'api',
      code: 'SourceHttpError',
      status,
      message: `Fetching ${parsed.origin}${parsed.pathname} answered HTTP ${status}${status >= 300 && status < 400 ? ' (a redirect: give the final URL)' : ''}.`,
    });
  }
  const length = Number(res.headers['content-length']);
  const type = res.headers['content-type'];
  return {
    stream: res,
    ...(Number.isFinite(length) && res.headers['content-length'] !== undefined ? { size: length } : {}),
    ...(type ? { mimeType: type } : {}),
  };
}

/** Reads a stream into memory, refusing past `cap` bytes (before reading when the size is known). */
export async function readCapped(stream: AsyncIterable<Uint8Array>, cap: number, knownSize?: number): Promise<Buffer> {
  const tooBig = () =>
    userError(
      'TooLargeForInline',
      `The content is larger than maxInlineBytes (${cap} bytes). Read it as a file (as: "file"), ask for a byte range, or raise maxInlineBytes.`,
    );
  if (knownSize !== undefined && knownSize > cap) throw tooBig();
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += chunk.length;
    if (total > cap) throw tooBig();
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/**
 * Bytes as text in a charset. Bytes that are not valid in it are refused rather than turned
 * into U+FFFD: the caller would get different content than the object holds.
 */
export function decodeText(bytes: Uint8Array, charset: 'utf-8' | 'utf-16le' | 'latin1' | 'ascii'): string {
  if (charset === 'latin1') return Buffer.from(bytes).toString('latin1'); // every byte is a character
  const strict = charset === 'ascii' ? bytes.every((b) => b < 0x80) : undefined;
  try {
    if (strict === false) throw new TypeError('not ascii');
    return new TextDecoder(charset === 'ascii' ? 'utf-8' : charset, { fatal: true }).decode(bytes);
  } catch {
    throw userError(
      'NotText',
      `The object's bytes are not valid ${charset} text. Read it as base64 (as: "base64") or as a file, or pick the charset it was written in.`,
    );
  }
}

/** The content type for a key when none was given: from its extension, else octet-stream. */
export function contentTypeFor(name: string, fallback = 'application/octet-stream'): string {
  const last = name.split('/').pop() ?? '';
  // mime-types takes a bare word as an extension ("h" would be C source): only a real extension counts.
  return (last.includes('.') && mime.contentType(last)) || fallback;
}
