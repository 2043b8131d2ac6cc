// Content-addressed puts (contentAddressed: "sha256", RT's attachment store): the object is
// named by the SHA-256 of its bytes, hashed while streaming, so the same bytes are stored once.
// The name is looked up first (HEAD): when it is there nothing is uploaded. Otherwise the upload
// is a conditional write (If-None-Match: *) where the store has them, so racing writers of the
// same bytes store one object; it carries the SHA-256 as its S3 checksum, and the bytes that
// stream up are hashed again, so nothing but bytes with that hash can be stored under the name.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HeadObjectCommand, type HeadObjectCommandOutput, type PutObjectCommandInput } from '../runtime/sdk.js';
import type {
  ContentAddress,
  PutObjectFileInput,
  PutObjectFileOutput,
  PutObjectTextOutput,
} from '../generated/types.js';
import { ConnectorError } from '../runtime/errors.js';
import { compact, type OperationContext } from '../runtime/operation.js';
import { MAX_KEY_BYTES } from '../runtime/vocabulary.js';
import { statusOf } from '../probes/verdict.js';
import { contentTypeFor, type Source } from './content.js';
import type { UploadResult } from './transfers.js';
import { keyTaken, writeOutput, writeParams, writeTagsSeparately, type WriteOptions } from './writes.js';

/** Letters and digits in one extension segment kept on a hashed name (keepExtension). */
export const MAX_EXTENSION_CHARS = 16;
/** Suffixes that keep the extension before them too (report.tar.gz keeps .tar.gz). */
export const COMPRESSION_SUFFIXES: readonly string[] = ['gz', 'bz2', 'xz', 'zst', 'br', 'lz', 'lz4', 'lzma', 'z'];
/** Where a source that cannot be read twice (https://) is spooled: a fresh 0700 folder in the OS temp folder. */
export const SPOOL_PREFIX = 's3-connector-spool-';
/** Bytes read at a time when hashing or spooling. */
const CHUNK_BYTES = 1024 * 1024;

type WriteParams = Omit<PutObjectCommandInput, 'Body'>;

export interface ContentHash {
  hex: string;
  base64: string;
  size: number;
}

export interface ContentAddressedOptions {
  contentAddressed?: 'sha256';
  keepExtension?: boolean;
}

function hashOf(hash: Hash, size: number): ContentHash {
  const digest = hash.digest();
  return { hex: digest.toString('hex'), base64: digest.toString('base64'), size };
}

/** The SHA-256 of bytes in memory. */
export function hashBytes(bytes: Uint8Array): ContentHash {
  return hashOf(createHash('sha256').update(bytes), bytes.length);
}

function problem(field: string, rule: string, message: string) {
  return { field, rule, message };
}

/**
 * Refuses what cannot go with a content address (user_input, before anything is read or sent):
 * names of its own (onConflict fail or rename), conditions of the caller's (ifMatch,
 * ifNoneMatch: the put is conditional already), another checksum; keepExtension alone.
 */
export function checkContentAddressed(input: WriteOptions & ContentAddressedOptions & { gzip?: boolean }): void {
  const problems = input.contentAddressed
    ? [
        input.onConflict === 'fail' || input.onConflict === 'rename'
          ? problem(
              'onConflict',
              'conflictsWith',
              `onConflict ${input.onConflict} cannot go with contentAddressed: the name is the content's hash, and an object already there holds the same bytes (deduplicated)`,
            )
          : undefined,
        input.ifMatch !== undefined
          ? problem('ifMatch', 'conflictsWith', 'ifMatch cannot go with contentAddressed, which never overwrites')
          : undefined,
        input.ifNoneMatch !== undefined
          ? problem(
              'ifNoneMatch',
              'conflictsWith',
              'ifNoneMatch cannot go with contentAddressed: it writes only when the name is free already, and answers deduplicated instead of an error',
            )
          : undefined,
        input.gzip === true
          ? problem(
              'gzip',
              'conflictsWith',
              'gzip cannot go with contentAddressed: the name is the hash of the bytes stored as they are (a content type in gzipContentTypes is not compressed either)',
            )
          : undefined,
        input.checksumAlgorithm !== undefined && input.checksumAlgorithm !== 'SHA256'
          ? problem(
              'checksumAlgorithm',
              'conflictsWith',
              `checksumAlgorithm ${input.checksumAlgorithm} cannot go with contentAddressed, which sends SHA256`,
            )
          : undefined,
      ]
    : [
        input.keepExtension
          ? problem('keepExtension', 'requires', 'keepExtension needs contentAddressed: "sha256"')
          : undefined,
      ];
  const found = problems.filter((p) => p !== undefined);
  if (!found.length) return;
  throw new ConnectorError({
    type: 'user_input',
    code: 'InvalidInput',
    message: `${found.map((p) => p.message).join('; ')}. Nothing was sent.`,
    details: { problems: found },
  });
}

/** The extension kept on a hashed name: the last `.xyz` (and the one before a compression suffix), or ''. */
export function extensionOf(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const segment = `\\.[A-Za-z0-9]{1,${MAX_EXTENSION_CHARS}}`;
  const m = new RegExp(`[^.](${segment})?(${segment})$`).exec(base);
  if (!m) return '';
  const [, before, last] = m;
  return before && COMPRESSION_SUFFIXES.includes(last!.slice(1).toLowerCase()) ? before + last : last!;
}

/** The content-addressed key: the key's folder, the hex digest, and the extension of `named` when kept. */
export function contentKey(key: string, hex: string, extensionFrom?: string): string {
  const folder = key.slice(0, key.lastIndexOf('/') + 1);
  const stored = `${folder}${hex}${extensionFrom ? extensionOf(extensionFrom) : ''}`;
  if (Buffer.byteLength(stored) > MAX_KEY_BYTES) {
    throw new ConnectorError({
      type: 'user_input',
      code: 'KeyTooLong',
      message: `The content-addressed key would be ${Buffer.byteLength(stored)} bytes; S3 allows ${MAX_KEY_BYTES}. Use a shorter folder.`,
      details: {
        problems: [problem('key', 'maxBytes', `the key's folder leaves no room for the 64-character digest`)],
      },
    });
  }
  return stored;
}

/** A Transform that hashes what passes; `expected` makes it fail at the end unless the bytes hash to it. */
function hashing(expected?: ContentHash) {
  const hash = createHash('sha256');
  let size = 0;
  let result: ContentHash | undefined;
  const transform = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
    flush(done) {
      result = hashOf(hash, size);
      if (expected && (result.hex !== expected.hex || result.size !== expected.size)) {
        done(
          new ConnectorError({
            type: 'conflict',
            code: 'SourceChanged',
            retryable: true,
            message: `The source changed while it was uploaded: its bytes no longer have the SHA-256 ${expected.hex} it was named by (${result.size} bytes instead of ${expected.size}), so nothing was stored. Try again once it stops changing.`,
          }),
        );
        return;
      }
      done();
    },
  });
  return { transform, result: () => result! };
}

/** The bytes a file put uploads: hashed before the upload starts, opened again for it. */
export interface HashedSource {
  hash: ContentHash;
  mimeType?: string;
  /** The bytes again, as a stream that fails at its end unless they still have `hash`. */
  open(): Promise<Source>;
  /** Removes the spooled copy (if any); always called. */
  dispose(): Promise<void>;
}

/**
 * Hashes a source. One that can be opened again (a file of the file store, a data: URL) is read
 * twice; an https:// one is streamed once into a private temp file (a fresh 0700 folder, the
 * file 0600), removed by `dispose`, or at once when hashing fails or is cancelled.
 */
export async function hashSource(
  url: string,
  openSource: () => Promise<Source>,
  signal: AbortSignal,
): Promise<HashedSource> {
  const first = await openSource();
  const verified = (stream: Readable, hash: ContentHash): Source => {
    const check = hashing(hash);
    stream.on('error', (err) => check.transform.destroy(err));
    return { stream: stream.pipe(check.transform), size: hash.size };
  };
  if (!url.startsWith('https:')) {
    const pass = hashing();
    await pipeline(
      first.stream,
      pass.transform,
      async (hashed: AsyncIterable<Buffer>) => {
        for await (const _ of hashed); // only hashed
      },
      { signal },
    );
    const hash = pass.result();
    return {
      hash,
      ...(first.mimeType ? { mimeType: first.mimeType } : {}),
      open: async () => verified((await openSource()).stream, hash),
      dispose: async () => undefined,
    };
  }
  const dir = await mkdtemp(join(tmpdir(), SPOOL_PREFIX));
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    const path = join(dir, 'content');
    const handle = await open(path, 'wx', 0o600);
    const pass = hashing();
    await pipeline(first.stream, pass.transform, handle.createWriteStream({ highWaterMark: CHUNK_BYTES }), { signal });
    const hash = pass.result();
    return {
      hash,
      ...(first.mimeType ? { mimeType: first.mimeType } : {}),
      open: async () => verified(createReadStream(path, { highWaterMark: CHUNK_BYTES }), hash),
      dispose,
    };
  } catch (err) {
    first.stream.destroy();
    await dispose();
    throw err;
  }
}

interface WriteAnswer {
  ETag?: string;
  VersionId?: string;
  ServerSideEncryption?: string;
  SSEKMSKeyId?: string;
  ChecksumSHA256?: string;
  ChecksumType?: string;
}

/** What the store's SHA-256 in an answer shows about the bytes named `hash`. */
function storeChecksum(answer: WriteAnswer, hash: ContentHash): ContentAddress['storeChecksum'] {
  const value = answer.ChecksumSHA256;
  if (!value) return 'none';
  // A checksum of the parts' checksums: said so, or an object uploaded in parts (its ETag ends in -N) not said otherwise.
  const inParts = /-\d+"?$/.test(answer.ETag ?? '') && answer.ChecksumType !== 'FULL_OBJECT';
  if (answer.ChecksumType === 'COMPOSITE' || /-\d+$/.test(value) || inParts) return 'parts';
  if (value !== hash.base64) {
    throw new ConnectorError({
      type: 'api',
      code: 'ChecksumMismatch',
      retryable: true,
      message: `The store answered the SHA-256 ${value} for an object named by the SHA-256 ${hash.base64} (base64): it holds other bytes than were sent. Delete it and try again.`,
    });
  }
  return 'object';
}

async function lookUp(
  ctx: Pick<OperationContext, 's3' | 'signal'>,
  params: WriteParams,
): Promise<HeadObjectCommandOutput | undefined> {
  try {
    return await ctx.s3.send(
      new HeadObjectCommand({ Bucket: params.Bucket, Key: params.Key, ChecksumMode: 'ENABLED' }),
      { abortSignal: ctx.signal },
    );
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
}

/** An object found under the name: it must be as large as the bytes (and have their SHA-256, when it says). */
function checkFound(found: HeadObjectCommandOutput, params: WriteParams, hash: ContentHash): void {
  if (found.ContentLength === undefined || found.ContentLength === hash.size) return;
  throw new ConnectorError({
    type: 'conflict',
    code: 'ContentAddressTaken',
    message: `An object of ${found.ContentLength} bytes is at ${JSON.stringify(params.Key)}, the name of these ${hash.size} bytes: it was not written by a content-addressed put. Nothing was written; delete that object, or use another folder.`,
  });
}

export interface ContentAddressedWrite<T extends WriteAnswer> {
  result?: T;
  params: WriteParams;
  output: PutObjectTextOutput;
}

/**
 * Stores bytes named by `hash` unless they are there: HEAD first (nothing uploaded when found),
 * then `write` with If-None-Match: * where the store has conditional writes, its 412 meaning a
 * racing writer stored them first (deduplicated). A store known to lack them gets a plain put:
 * a racing writer then overwrites the object with the same bytes, which changes nothing.
 */
export async function writeContentAddressed<T extends WriteAnswer>(
  ctx: Pick<OperationContext, 's3' | 'signal' | 'capabilities' | 'keys'>,
  base: WriteParams,
  hash: ContentHash,
  write: (params: WriteParams) => Promise<{ answer: T; size: number; parts?: number }>,
): Promise<ContentAddressedWrite<T> & { parts?: number }> {
  const conditional = ctx.capabilities.conditionalWrites !== false;
  const params: WriteParams = { ...base, ...(conditional ? { IfNoneMatch: '*' } : {}) };
  const deduplicated = async (found: HeadObjectCommandOutput | undefined): Promise<ContentAddressedWrite<T>> => {
    const existing = found ?? (await lookUp(ctx, params));
    if (!existing) {
      // Refused (412, or S3's 409 for a conditional write of the key under way), yet nothing is
      // there: another writer's upload has not completed yet, or the object was deleted meanwhile.
      throw new ConnectorError({
        type: 'conflict',
        code: 'ConcurrentChange',
        retryable: true,
        message: `The store refused to write ${JSON.stringify(params.Key)} as taken, and nothing was there when looked up: another writer's upload of the same bytes is still under way, or the object was deleted meanwhile. Try again.`,
      });
    }
    checkFound(existing, params, hash);
    const shown = { ...params, ContentType: existing.ContentType };
    return {
      params,
      output: {
        ...writeOutput(shown, existing, existing.ContentLength ?? hash.size, { keys: ctx.keys }),
        deduplicated: true,
        contentAddress: address(hash, conditional, storeChecksum(existing, hash)),
      },
    };
  };
  const found = await lookUp(ctx, params);
  if (found) return deduplicated(found);
  let sent: { answer: T; size: number; parts?: number };
  try {
    sent = await write(params);
  } catch (err) {
    if (conditional && keyTaken(err)) return deduplicated(undefined);
    throw err;
  }
  // A store may keep a multipart upload's checksum without naming it in the completion's answer (moto): asked once.
  const checked =
    !sent.answer.ChecksumSHA256 && (sent.parts ?? 1) > 1
      ? storeChecksum((await lookUp(ctx, params).catch(() => undefined)) ?? {}, hash)
      : storeChecksum(sent.answer, hash);
  return {
    result: sent.answer,
    params,
    ...(sent.parts !== undefined ? { parts: sent.parts } : {}),
    output: {
      ...writeOutput(params, sent.answer, sent.size, { keys: ctx.keys }),
      deduplicated: false,
      contentAddress: address(hash, conditional, checked),
    },
  };
}

function address(hash: ContentHash, conditional: boolean, checked: ContentAddress['storeChecksum']): ContentAddress {
  return compact({ algorithm: 'sha256', digest: hash.hex, conditional, storeChecksum: checked });
}

/**
 * put_object_file with contentAddressed: the source hashed first (spooled when it cannot be
 * read twice), the name looked up, and only then uploaded. A single request carries the whole
 * object's SHA-256; a multipart upload has each part's computed and sent (S3's COMPOSITE type).
 */
export async function putFileContentAddressed(
  input: PutObjectFileInput,
  ctx: OperationContext,
  openSource: () => Promise<Source>,
  upload: (params: WriteParams, source: Source) => Promise<UploadResult>,
  partSize: number,
): Promise<PutObjectFileOutput> {
  // The write options are checked before the source is read (its type is known only once it is opened).
  const options = writeParams(input, 'application/octet-stream', ctx.capabilities);
  const hashed = await hashSource(input.file.url, openSource, ctx.signal);
  try {
    const { hash } = hashed;
    const contentType =
      input.contentType ?? input.file.mimeType ?? hashed.mimeType ?? contentTypeFor(input.file.name ?? input.key);
    const params = { ...options, ContentType: contentType };
    const named = input.key.endsWith('/') ? (input.file.name ?? '') : input.key;
    const key = contentKey(input.key, hash.hex, input.keepExtension ? named : undefined);
    const checksum = {
      ChecksumAlgorithm: 'SHA256' as const,
      ...(hash.size <= partSize ? { ChecksumSHA256: hash.base64 } : { ChecksumType: 'COMPOSITE' as const }),
    };
    const stored = await writeContentAddressed(ctx, { ...params, Key: key, ...checksum }, hash, async (p) => {
      const sent = await upload(p, await hashed.open());
      return { answer: sent.output, size: sent.size, parts: sent.parts };
    });
    if (stored.result) await writeTagsSeparately(ctx, stored.params, input, stored.result.VersionId);
    return { ...stored.output, ...(stored.parts !== undefined ? { parts: stored.parts } : {}) };
  } finally {
    await hashed.dispose();
  }
}
