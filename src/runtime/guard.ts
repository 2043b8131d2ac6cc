// Every call runs inside this guard: it never throws, never outlives its deadline, and turns
// every failure into the error model with the connection's secrets scrubbed out.
import { setMaxListeners } from 'node:events';
import { toErrorInfo, type ConnectorErrorInfo, type ErrorContext } from './errors.js';

/** Default deadline of one invoke, transfers included; `timeoutMs` in the invoke context overrides it. */
export const DEFAULT_INVOKE_TIMEOUT_MS = 15 * 60 * 1000;
/** How long a cancelled or timed-out invoke waits for its handler to clean up before returning. */
export const CLEANUP_GRACE_MS = 1000;
/**
 * Listeners one call's signal may have at once without Node's leak warning: every request in
 * flight listens on it (parts, delete batches, copies, each removing its listener when done), and
 * the connection's clients allow 64 sockets.
 */
const MAX_SIGNAL_LISTENERS = 128;

/** `notes`: what the caller must know about every result of its connection (e.g. TLS not verified). */
export type InvokeResult<O = Record<string, unknown>> =
  | { ok: true; output: O; notes?: string[] }
  | { ok: false; error: ConnectorErrorInfo; notes?: string[] };

export interface GuardOptions {
  /** What the error mapper knows of the call; the body may fill in more (the region). */
  errorContext: ErrorContext;
  /** The caller's signal, if any. */
  signal?: AbortSignal;
  timeoutMs?: number;
  /** The secrets to scrub from an error, asked only when there is one. */
  secrets: () => string[];
}

export async function guarded<O>(
  options: GuardOptions,
  body: (signal: AbortSignal) => Promise<O>,
): Promise<InvokeResult<O>> {
  const { errorContext } = options;
  const deadline = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal;
  setMaxListeners(MAX_SIGNAL_LISTENERS, signal);
  const timeoutMs = options.timeoutMs ?? DEFAULT_INVOKE_TIMEOUT_MS;
  // Settles when the signal fires, so a handler stuck in a request cannot hold the caller.
  const stopped = new Promise<never>((_, reject) => {
    const onAbort = () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  stopped.catch(() => undefined);
  const timer = setTimeout(() => {
    errorContext.deadlineExceeded = true;
    errorContext.deadlineMs = timeoutMs;
    deadline.abort();
  }, timeoutMs);
  try {
    const work = body(signal);
    work.catch(() => undefined);
    try {
      return { ok: true, output: await Promise.race([work, stopped]) };
    } catch (err) {
      // Stopped: give the handler a moment to clean up (temp files, multipart aborts) first.
      if (signal.aborted)
        await Promise.race([work.catch(() => undefined), new Promise((r) => setTimeout(r, CLEANUP_GRACE_MS))]);
      throw err;
    }
  } catch (err) {
    return { ok: false, error: scrub(toErrorInfo(err, errorContext), options.secrets()) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Replaces any secret of the connection that found its way into an error, as it is and in its
 * JSON-escaped forms (a secret holding `"` or `\\` is escaped once in the error's JSON, and
 * twice when the error quotes a JSON text).
 */
export function scrub(error: ConnectorErrorInfo, secrets: string[]): ConnectorErrorInfo {
  if (!secrets.length) return error;
  let text = JSON.stringify(error);
  const escapedOnce = (s: string) => JSON.stringify(s).slice(1, -1);
  const forms = [...new Set(secrets.flatMap((s) => [escapedOnce(s), escapedOnce(escapedOnce(s))]))].sort(
    (a, b) => b.length - a.length,
  );
  if (!forms.some((f) => text.includes(f))) return error;
  for (const f of forms) text = text.split(f).join('***');
  try {
    return JSON.parse(text) as ConnectorErrorInfo;
  } catch {
    // A replacement cut through an escape sequence: say less rather than risk the secret.
    return {
      type: error.type,
      ...(error.code ? { code: error.code } : {}),
      retryable: error.retryable,
      message: 'The error could not be shown without a secret of the connection in it.',
    };
  }
}
