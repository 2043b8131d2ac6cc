// Content in and out of handlers: where an upload's bytes come from (file store, data: URL,
// allowed https host), inline reads with a cap, and content types from file names.
import { lookup, type LookupOptions } from 'node:dns';
import type { IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import mime from 'mime-types';
import { ConnectorError } from '../runtime/errors.js';
import type { FileStore } from './files.js';

/** Largest data: URL accepted as an upload source (it is already in memory as input). */
export const MAX_DATA_URL_BYTES = 10 * 1024 * 1024;

export interface Source {
  stream: Readable;
  size?: number;
  mimeType?: string;
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
  throw userError('FileNotAllowed', 'A file reference must be a file:// URL of the file store, a data: URL, or an https:// URL from an allowed host.');
}

function dataUrlSource(url: string): Source {
  const comma = url.indexOf(',');
  const header = url.slice(5, comma);
  if (comma < 0) throw userError('InvalidDataUrl', 'The data: URL has no comma before its content.');
  const isBase64 = /;base64$/i.test(header);
  const payload = url.slice(comma + 1);
  const bytes = isBase64 ? Buffer.from(payload, 'base64') : Buffer.from(decodeURIComponent(payload), 'utf8');
  if (bytes.length > MAX_DATA_URL_BYTES) {
    throw userError('DataUrlTooLarge', `A data: URL may carry at most ${MAX_DATA_URL_BYTES} bytes; pass larger content as a file from the file store.`);
  }
  const mimeType = header.replace(/;base64$/i, '') || 'text/plain;charset=US-ASCII';
  return { stream: Readable.from([bytes]), size: bytes.length, mimeType };
}

/** Address ranges an https:// source may not resolve to unless the runtime allows private networks. */
const PRIVATE_V4 = new BlockList();
for (const [net, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) {
  PRIVATE_V4.addSubnet(net, prefix, 'ipv4');
}
const PRIVATE_V6 = new BlockList();
for (const [net, prefix] of [['::', 127], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) PRIVATE_V6.addSubnet(net, prefix, 'ipv6');

/** True for loopback, link-local, private, shared, multicast and unspecified addresses. */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return PRIVATE_V4.check(mapped, 'ipv4');
  return isIP(address) === 6 ? PRIVATE_V6.check(address, 'ipv6') : PRIVATE_V4.check(address, 'ipv4');
}

async function httpsSource(url: string, policy: SourcePolicy): Promise<Source> {
  const host = new URL(url).hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (!policy.allowedHttpsHosts.map((h) => h.toLowerCase()).includes(host)) {
    throw userError('HostNotAllowed', `Downloading from ${host} is not allowed: the runtime allows https:// sources only from ${policy.allowedHttpsHosts.join(', ') || 'no host'}.`);
  }
  if (isIP(host) && isPrivateAddress(host) && !policy.allowPrivateNetworks) {
    throw userError('AddressNotAllowed', `${host} is a loopback, link-local or private address: the runtime does not allow downloads from those.`);
  }
  // Addresses are checked when the socket connects, so DNS cannot swap in a private one later.
  const guardedLookup = ((hostname: string, options: LookupOptions, callback: (...args: unknown[]) => void) => {
    lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err);
      const blocked = addresses.find((a) => isPrivateAddress(a.address));
      if (blocked && !policy.allowPrivateNetworks) {
        return callback(userError('AddressNotAllowed', `${hostname} resolves to ${blocked.address}, a loopback, link-local or private address: the runtime does not allow downloads from those.`));
      }
      return options.all ? callback(null, addresses) : callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  }) as unknown as LookupFunction;
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = httpsGet(url, { lookup: guardedLookup, signal: policy.signal, ...(isIP(host) ? {} : { servername: host }) }, resolve);
    req.on('error', reject);
  });
  const status = res.statusCode ?? 0;
  if (status < 200 || status >= 300) {
    res.destroy();
    // Redirects could lead to a host that is not allowed: they are refused, not followed.
    throw new ConnectorError({ type: status === 404 ? 'not_found' : status >= 300 && status < 400 ? 'user_input' : 'api', code: 'SourceHttpError', status, message: `Fetching ${url} answered HTTP ${status}${status >= 300 && status < 400 ? ' (a redirect: give the final URL)' : ''}.` });
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
  const tooBig = () => userError('TooLargeForInline',
    `The content is larger than maxInlineBytes (${cap} bytes). Read it as a file (as: "file"), ask for a byte range, or raise maxInlineBytes.`);
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
    throw userError('NotText', `The object's bytes are not valid ${charset} text. Read it as base64 (as: "base64") or as a file, or pick the charset it was written in.`);
  }
}

/** The content type for a key when none was given: from its extension, else octet-stream. */
export function contentTypeFor(name: string, fallback = 'application/octet-stream'): string {
  const last = name.split('/').pop() ?? '';
  // mime-types takes a bare word as an extension ("h" would be C source): only a real extension counts.
  return (last.includes('.') && mime.contentType(last)) || fallback;
}
