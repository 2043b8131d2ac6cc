// Content in and out of handlers: where an upload's bytes come from (file store, data: URL,
// allowed https host), inline reads with a cap, and content types from file names.
import { Readable } from 'node:stream';
import mime from 'mime-types';
import { ConnectorError } from './errors.js';
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

async function httpsSource(url: string, policy: SourcePolicy): Promise<Source> {
  const host = new URL(url).hostname.toLowerCase();
  if (!policy.allowedHttpsHosts.map((h) => h.toLowerCase()).includes(host)) {
    throw userError('HostNotAllowed', `Downloading from ${host} is not allowed: the runtime allows https:// sources only from ${policy.allowedHttpsHosts.join(', ') || 'no host'}.`);
  }
  // Redirects could lead to a host that is not allowed: refuse them.
  const res = await fetch(url, { redirect: 'error', signal: policy.signal });
  if (!res.ok || !res.body) {
    throw new ConnectorError({ type: res.status === 404 ? 'not_found' : 'api', code: 'SourceHttpError', status: res.status, message: `Fetching ${url} answered HTTP ${res.status}.` });
  }
  const length = Number(res.headers.get('content-length'));
  const type = res.headers.get('content-type');
  return {
    stream: Readable.fromWeb(res.body as import('node:stream/web').ReadableStream),
    ...(Number.isFinite(length) && length >= 0 && res.headers.has('content-length') ? { size: length } : {}),
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

/** The content type for a key when none was given: from its extension, else octet-stream. */
export function contentTypeFor(name: string): string {
  return mime.contentType(name.split('/').pop() ?? '') || 'application/octet-stream';
}
