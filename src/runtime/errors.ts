// The error model: every failure becomes a plain, structured ConnectorErrorInfo that a runtime
// can show, retry or branch on. S3 errors are matched on `name` and HTTP status, not `Code`, by
// the ordered rules in errorRules.ts.
import { ERROR_RULES, FALLBACK_RULE, failureOf, matches } from './errorRules.js';
import { TRANSPORT_ERROR_RULES } from './transportErrors.js';

export type ErrorType =
  | 'user_input'
  | 'auth'
  | 'forbidden'
  | 'not_found'
  | 'precondition_failed'
  | 'conflict'
  | 'region_mismatch'
  | 'throttled'
  | 'timeout'
  | 'network'
  | 'unsupported'
  | 'api'
  | 'internal';

export interface FieldProblem {
  field: string;
  rule: string;
  message: string;
}

export interface ConnectorErrorInfo {
  type: ErrorType;
  code?: string;
  message: string;
  retryable: boolean;
  status?: number;
  requestId?: string;
  details?: Record<string, unknown>;
}

const RETRYABLE: ReadonlySet<ErrorType> = new Set(['throttled', 'timeout', 'network']);

/** An error a handler or the runtime raises on purpose, already in the connector's terms. */
export class ConnectorError extends Error {
  readonly info: ConnectorErrorInfo;
  constructor(info: Omit<ConnectorErrorInfo, 'retryable'> & { retryable?: boolean }) {
    super(info.message);
    this.name = 'ConnectorError';
    this.info = { ...info, retryable: info.retryable ?? RETRYABLE.has(info.type) };
  }
}

/** What the mapper knows about the call that failed, to make the message useful. */
export interface ErrorContext {
  operation: string;
  permissions: readonly string[];
  region: string;
  bucket?: string;
  key?: string;
  /** Set when the request was cancelled because the invoke's deadline passed. */
  deadlineExceeded?: boolean;
  /** The deadline that passed, in milliseconds. */
  deadlineMs?: number;
}

const annotations = new WeakMap<object, { note: string; details: Record<string, unknown> }>();

/**
 * Adds what happened around a failure to its report: an object that was written anyway, parts
 * an upload left behind. The note ends the message; the details join the error's details.
 */
export function annotate<E>(err: E, note: string, details: Record<string, unknown>): E {
  if (err !== null && typeof err === 'object') annotations.set(err, { note, details });
  return err;
}

/** Maps anything a handler threw to the connector's error model. Never includes a stack. */
export function toErrorInfo(err: unknown, ctx: ErrorContext): ConnectorErrorInfo {
  const info = classify(err, ctx);
  const extra = err !== null && typeof err === 'object' ? annotations.get(err) : undefined;
  if (!extra) return info;
  return { ...info, message: joinSentences(info.message, extra.note), details: { ...info.details, ...extra.details } };
}

/** Sentences joined by one space, each ended with a full stop unless it already ends a sentence. */
export function joinSentences(...parts: string[]): string {
  return parts
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => (/[.!?]["')\]]*$/.test(p) ? p : `${p}.`))
    .join(' ');
}

const RULES = [...TRANSPORT_ERROR_RULES, ...ERROR_RULES];

/** The first rule that matches, the transport's (transportErrors.ts) before ERROR_RULES (errorRules.ts), applied. */
function classify(err: unknown, ctx: ErrorContext): ConnectorErrorInfo {
  if (err instanceof ConnectorError) return err.info;
  const f = failureOf(err);
  const rule = RULES.find((r) => matches(r, f, ctx)) ?? FALLBACK_RULE;
  const requestId = f.raw.$metadata?.requestId;
  const details = rule.details?.(ctx, f);
  return {
    type: rule.type,
    code: typeof rule.code === 'function' ? rule.code(f) : (rule.code ?? f.name),
    message: rule.message(ctx, f),
    retryable: rule.retryable ?? RETRYABLE.has(rule.type),
    ...(f.status ? { status: f.status } : {}),
    ...(requestId ? { requestId } : {}),
    ...(details ? { details } : {}),
  };
}
