// How much of a store's answer the connector reads. Whoever can write a connection's endpoint
// decides how long its answers are; the SDK buffers a whole answer body before it parses it, so
// an endless error body or listing would exhaust the heap and take the host process down. This
// middleware reads answer bodies itself, below the SDK's deserializer, and stops at a limit:
// error answers at MAX_ERROR_BODY_BYTES, every other non-streamed answer (listings, ACLs, ...)
// at MAX_ANSWER_BYTES. A success body that is streamed to the caller (GetObject) is not
// touched: its size is the object's, and the handlers stream it.
import type { S3Client } from '@aws-sdk/client-s3';
import { ConnectorError } from './errors.js';

/**
 * Most bytes read of a non-streamed answer. S3's largest (a 1000-key ListObjectsV2 page with
 * 1024-byte keys and owners) is about 3.2 MiB; this leaves room for chattier stores.
 */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;
/** Most bytes read of an error answer. S3's are under 2 KiB; a proxy's HTML error page fits too. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** Longest store message an error carries; a longer one is cut, and the error says so. */
export const MAX_STORE_MESSAGE_CHARS = 2048;
/** How much of an oversized error answer's message is quoted. */
const QUOTED_CHARS = 512;

/** Commands whose success body is handed to the caller as a stream. */
const STREAMED_COMMANDS = new Set(['GetObjectCommand', 'GetObjectTorrentCommand', 'SelectObjectContentCommand']);

interface Answer {
  statusCode: number;
  headers: Record<string, string | undefined>;
  body?: unknown;
}

const isAnswer = (r: unknown): r is Answer =>
  typeof r === 'object' &&
  r !== null &&
  typeof (r as Answer).statusCode === 'number' &&
  typeof (r as Answer).headers === 'object';

const isStream = (b: unknown): b is AsyncIterable<Uint8Array> =>
  typeof b === 'object' && b !== null && typeof (b as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function';

/** Stops a body that will not be read further (a Node stream, or a web ReadableStream). */
function discard(body: unknown): void {
  const b = body as { destroy?: () => void; cancel?: () => Promise<void> };
  if (typeof b.destroy === 'function') b.destroy();
  else if (typeof b.cancel === 'function') b.cancel().catch(() => undefined);
}

function size(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`;
}

/**
 * Reads `body` whole if it holds at most `limit` bytes. Past the limit it stops (the stream is
 * destroyed, and with it the socket) and hands back what it read, cut at the limit.
 */
async function readUpTo(
  body: AsyncIterable<Uint8Array>,
  limit: number,
): Promise<{ chunks: Buffer[]; complete: boolean }> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (total + buffer.length > limit) {
      chunks.push(buffer.subarray(0, limit - total));
      discard(body);
      return { chunks, complete: false };
    }
    chunks.push(buffer);
    total += buffer.length;
  }
  return { chunks, complete: true };
}

/** Printable text of a store's bytes: control characters and runs of white space become one space. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\s]+/gu, ' ').trim();
}

/** What an error answer's first bytes say: S3's Code and the start of its Message, if they are there. */
function salvage(prefix: Buffer): { code?: string; text?: string } {
  const head = prefix.toString('utf8');
  const code = /<Code>([A-Za-z0-9._:-]{1,64})<\/Code>/.exec(head)?.[1];
  const message = /<Message>([^<]*)/.exec(head)?.[1];
  const text = printable(message ?? head.replace(/<[^>]*>?/g, ' '));
  return { ...(code ? { code } : {}), ...(text ? { text } : {}) };
}

function tooLarge(
  status: number,
  command: string,
  limit: number,
  failed: boolean,
  declared: number | undefined,
  prefix?: Buffer,
): ConnectorError {
  const length =
    declared !== undefined
      ? `declares ${declared} bytes, more than the ${size(limit)} the connector reads`
      : `is over ${size(limit)}`;
  if (!failed) {
    return new ConnectorError({
      type: 'api',
      code: 'AnswerTooLarge',
      status,
      message: `The store's answer to ${command.replace(/Command$/, '')} ${length}, so it was not read further (S3's largest answers are a few MiB). The endpoint does not behave like S3: check the connection's endpoint.`,
      details: { limitBytes: limit, ...(declared !== undefined ? { declaredBytes: declared } : {}) },
    });
  }
  const said = prefix ? salvage(prefix) : {};
  const quoted = said.text ? ` It began: "${said.text.slice(0, QUOTED_CHARS)}…" (cut).` : '';
  return new ConnectorError({
    type: 'api',
    code: 'AnswerTooLarge',
    status,
    message: `The store failed with HTTP ${status}${said.code ? ` (${said.code})` : ''}, and its error answer ${length}: the connector stopped reading it there, so the message is cut.${quoted}`,
    details: {
      limitBytes: limit,
      ...(said.code ? { storeCode: said.code } : {}),
      ...(declared !== undefined ? { declaredBytes: declared } : {}),
    },
  });
}

/** Cuts a store's over-long message on an error the SDK parsed, saying so. */
function cutMessage(err: unknown): void {
  const e = err as { message?: unknown; $metadata?: unknown };
  if (
    typeof e !== 'object' ||
    e === null ||
    typeof e.message !== 'string' ||
    e.message.length <= MAX_STORE_MESSAGE_CHARS
  )
    return;
  const length = e.message.length;
  try {
    e.message = `${e.message.slice(0, MAX_STORE_MESSAGE_CHARS)}… (cut: the store's message was ${length} characters)`;
  } catch {
    // a read-only message stays as it is
  }
}

/**
 * Installs the answer limits on a client: `answerLimits` right above the HTTP handler (below the
 * deserializer and S3's 200-error check, which would otherwise buffer first), and
 * `storeMessageLimit` right above the deserializer, for the message of an error it parsed.
 */
export function addAnswerLimits(client: { middlewareStack: Pick<S3Client['middlewareStack'], 'add'> }): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const answer = result.response;
      if (!isAnswer(answer) || (args.request as { method?: string }).method === 'HEAD') return result;
      const command = context.commandName ?? 'the request';
      const failed = answer.statusCode < 200 || answer.statusCode >= 300;
      if (!failed && STREAMED_COMMANDS.has(command)) return result;
      const limit = failed ? MAX_ERROR_BODY_BYTES : MAX_ANSWER_BYTES;
      const body = answer.body;
      if (!isStream(body)) return result; // already in memory, or none
      const lengthHeader = Object.entries(answer.headers).find(
        ([name]) => name.toLowerCase() === 'content-length',
      )?.[1];
      const declared = lengthHeader !== undefined && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
      if (declared !== undefined && declared > limit && !failed) {
        discard(body);
        throw tooLarge(answer.statusCode, command, limit, failed, declared);
      }
      // An error answer is read up to the limit even when it declares more: its start names the error.
      const read = await readUpTo(body, limit);
      if (!read.complete)
        throw tooLarge(
          answer.statusCode,
          command,
          limit,
          failed,
          declared,
          failed ? Buffer.concat(read.chunks) : undefined,
        );
      answer.body = Buffer.concat(read.chunks);
      return result;
    },
    { step: 'deserialize', priority: 'low', name: 'answerLimits' },
  );
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        if (!(err instanceof ConnectorError)) cutMessage(err);
        throw err;
      }
    },
    { step: 'deserialize', priority: 'high', name: 'storeMessageLimit' },
  );
}
