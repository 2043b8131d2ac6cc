// gzip on the way up and down: whether a put compresses (gzip, or its content type in
// gzipContentTypes), the compression itself (streaming, flat memory), and get_object's decode,
// which verifies the stored (compressed) bytes and counts what it returns on the decoded ones.
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { constants, createGunzip, createGzip, gzip as gzipCallback } from 'node:zlib';
import { ConnectorError, type FieldProblem } from '../runtime/errors.js';
import type { Progress } from '../runtime/operation.js';
import { verifyMd5 } from './integrity.js';

/** zlib's compression level for uploads: its default, the usual balance of speed and size. */
export const GZIP_LEVEL = constants.Z_DEFAULT_COMPRESSION;

/** What a put says about compression (both puts' inputs). */
export interface GzipRequest {
  gzip?: boolean;
  gzipContentTypes?: string[];
  contentEncoding?: string;
}

function refused(message: string, problems: FieldProblem[]): ConnectorError {
  return new ConnectorError({ type: 'user_input', code: 'InvalidInput', message, details: { problems } });
}

/** Whether a media type (parameters ignored, any case) is in a list of types or type/* entries. */
function listed(contentType: string, types: readonly string[]): boolean {
  const [type = '', subtype = ''] = (contentType.split(';')[0] ?? '').trim().toLowerCase().split('/');
  return types.some((entry) => {
    const [t, s] = entry.toLowerCase().split('/');
    return (t === type || t === '*') && (s === subtype || s === '*');
  });
}

/**
 * Whether a put compresses its content: gzip true or false says so; unset, the content type in
 * gzipContentTypes does (unless contentEncoding says the bytes are already encoded). gzip true
 * with a contentEncoding is refused: the bytes would be encoded twice, or mislabelled.
 */
export function wantsGzip(input: GzipRequest, contentType: string): boolean {
  if (input.gzip === true && input.contentEncoding !== undefined) {
    throw refused(
      `gzip: true compresses the content and stores it with Content-Encoding: gzip; contentEncoding ${JSON.stringify(input.contentEncoding)} says the bytes are already encoded. Leave contentEncoding unset to compress, or set gzip: false to store the bytes as given.`,
      [
        { field: 'gzip', rule: 'conflictsWith', message: 'gzip cannot go with contentEncoding' },
        { field: 'contentEncoding', rule: 'conflictsWith', message: 'contentEncoding cannot go with gzip: true' },
      ],
    );
  }
  if (input.gzip !== undefined) return input.gzip;
  return input.contentEncoding === undefined && listed(contentType, input.gzipContentTypes ?? []);
}

/** The content-encoding of a compressed put. */
export const GZIP_ENCODING = 'gzip';

/** A put's input as written: with Content-Encoding gzip when it compresses (wantsGzip). */
export function gzipPlan<T extends GzipRequest>(input: T, contentType: string): { gzip: boolean; input: T } {
  const gzip = wantsGzip(input, contentType);
  return { gzip, input: gzip ? { ...input, contentEncoding: GZIP_ENCODING } : input };
}

/** What a put's output adds when it compressed: the encoding stored, and the content's own size. */
export function gzipOutput(gzip: boolean, originalSize: number): { contentEncoding?: string; originalSize?: number } {
  return gzip ? { contentEncoding: GZIP_ENCODING, originalSize } : {};
}

/** Bytes held in memory (a text put), compressed off the event loop. */
export const gzipBytes: (bytes: Buffer) => Promise<Buffer> = (bytes) =>
  promisify(gzipCallback)(bytes, { level: GZIP_LEVEL });

export interface Compressing {
  /** The compressed bytes, of unknown length until the end. */
  stream: Readable;
  /** Bytes of the content read so far (all of them once the upload is done). */
  originalSize: () => number;
}

/**
 * A source compressed as it is read, chunk by chunk (memory stays flat whatever its size);
 * progress counts the content's own bytes, against its size when known.
 */
export function compressing(source: Readable, size?: number, onProgress?: (p: Progress) => void): Compressing {
  let read = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      read += chunk.length;
      onProgress?.({ loaded: read, ...(size !== undefined ? { total: size } : {}) });
      done(null, chunk);
    },
  });
  const gz = createGzip({ level: GZIP_LEVEL });
  // pipeline destroys every stage when one fails, so a failing source fails the upload.
  void pipeline(source, counter, gz).catch(() => undefined);
  return { stream: gz, originalSize: () => read };
}

/** Whether a stored Content-Encoding is gzip (x-gzip is its old name); a list of several is not decodable here. */
export function isGzipEncoded(contentEncoding: string | undefined): boolean {
  const e = contentEncoding?.trim().toLowerCase();
  return e === 'gzip' || e === 'x-gzip';
}

/** decode with a range is refused before any request: a slice of gzip bytes cannot be decoded. */
export function checkDecodeRequest(input: { decode?: boolean; range?: string }): void {
  if (input.decode && input.range !== undefined) {
    throw refused('decode cannot go with range: a range of gzip-compressed bytes cannot be decoded. Leave one out.', [
      { field: 'decode', rule: 'conflictsWith', message: 'decode cannot go with range' },
      { field: 'range', rule: 'conflictsWith', message: 'range cannot go with decode' },
    ]);
  }
}

export interface StoredBytes {
  /** Bytes the store said it would send (the compressed size). */
  expectedSize?: number;
  /** The object's MD5 (a single-part ETag): that of the compressed bytes. */
  expectedMd5?: string;
}

/** zlib's error codes for input that is not (or not whole) gzip. */
const NOT_GZIP_CODES = new Set(['Z_DATA_ERROR', 'Z_BUF_ERROR', 'Z_NEED_DICT', 'ERR_ZLIB_INITIALIZATION_FAILED']);

function notGzip(): ConnectorError {
  return new ConnectorError({
    type: 'api',
    code: 'InvalidGzip',
    message:
      'The object is stored with Content-Encoding: gzip, but its bytes are not valid gzip (corrupt or cut short): nothing was returned. Read it without decode to get the bytes as stored.',
  });
}

/**
 * Reads an object's body gunzipped: `consume` gets the decoded bytes (and stops when it likes:
 * a cap on them is the caller's). The stored bytes are checked on the way in: their count and,
 * when the ETag is one, their MD5. Invalid gzip is `api` / `InvalidGzip`; a failure of either
 * side fails the whole read.
 */
export async function readDecoded<T>(
  body: Readable,
  stored: StoredBytes,
  consume: (decoded: Readable) => Promise<T>,
): Promise<{ result: T; storedLength: number }> {
  const hash = stored.expectedMd5 ? createHash('md5') : undefined;
  let received = 0;
  const check = new Transform({
    transform(chunk: Buffer, _enc, done) {
      received += chunk.length;
      hash?.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      try {
        if (stored.expectedSize !== undefined && received !== stored.expectedSize) {
          throw new ConnectorError({
            type: 'network',
            code: 'IncompleteDownload',
            message: `The download stopped after ${received} of ${stored.expectedSize} bytes. Try again.`,
          });
        }
        if (hash) verifyMd5('', stored.expectedMd5, hash.digest('hex'));
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
  const gunzip = createGunzip();
  // The head's pipeline lets go of the gunzip once all bytes are written to it, before a cut
  // stream's error at its end; the consumer may not be reading yet: the error is kept here.
  let decodeError: unknown;
  gunzip.on('error', (err) => {
    decodeError ??= err;
  });
  const [head, tail] = await Promise.allSettled([
    pipeline(body, check, gunzip),
    // A consumer that gives up (a cap reached, a file not created) ends the read too.
    consume(gunzip).catch((err: unknown) => {
      gunzip.destroy();
      throw err;
    }),
  ]);
  if (head.status === 'fulfilled' && tail.status === 'fulfilled') return { result: tail.value, storedLength: received };
  const errors = [tail, head].flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (decodeError) errors.push(decodeError);
  const ours = errors.find((e) => e instanceof ConnectorError);
  if (ours) throw ours;
  if (errors.some((e) => NOT_GZIP_CODES.has((e as { code?: string })?.code ?? ''))) throw notGzip();
  throw errors[0];
}
