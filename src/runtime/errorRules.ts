// How an S3 / SDK failure maps onto the error model: an ordered table, the first rule that
// matches wins (errors.ts applies it). Most rows are a name, status or socket code list; the few
// that need more say so in a predicate. Order matters where rows overlap: a socket code before a
// name (the SDK names a reset socket `TimeoutError`), a region hint before a 400 / 403, a bad
// signature before AccessDenied, a named error before the bare status that would also catch it.
import type { ConnectorErrorInfo, ErrorContext, ErrorType } from './errors.js';

/** What the SDK's errors carry that we look at (S3's XML `Code` is matched through `name`). */
export interface SdkErrorLike {
  name?: string;
  message?: string;
  code?: string;
  Code?: string;
  Region?: string;
  Endpoint?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string; extendedRequestId?: string };
  $response?: { headers?: Record<string, string | undefined> };
  cause?: unknown;
}

/** A failure as the rules see it, read once from the thrown value. */
export interface Failure {
  /** The SDK error's name (S3's error code), `Error` when there is none. */
  name: string;
  status?: number;
  /** Node's socket error code (`ECONNRESET`, …), on the error or its cause. */
  code?: string;
  /** The error's own message (the store's `Message`). */
  text?: string;
  /** The bucket's real region, wherever the answer carries it. */
  bucketRegion?: string;
  raw: SdkErrorLike;
}

/** A rule matches when any listed field matches (names OR statuses OR codes OR minStatus). */
export interface Match {
  names?: readonly string[];
  statuses?: readonly number[];
  codes?: readonly string[];
  /** Any HTTP status at or above this one. */
  minStatus?: number;
}

export interface ErrorRule {
  when: Match | ((f: Failure, ctx: ErrorContext) => boolean);
  type: ErrorType;
  /** The error's code; the SDK error's name when left out. */
  code?: string | ((f: Failure) => string);
  message: (ctx: ErrorContext, f: Failure) => string;
  /** Left out: retryable when the type is (throttled, timeout, network). */
  retryable?: boolean;
  details?: (ctx: ErrorContext, f: Failure) => ConnectorErrorInfo['details'];
}

export function failureOf(err: unknown): Failure {
  const e = (err ?? {}) as SdkErrorLike;
  const code = e.code ?? (e.cause as { code?: string } | undefined)?.code;
  const status = e.$metadata?.httpStatusCode;
  const bucketRegion = regionHint(e);
  return {
    name: e.name ?? 'Error',
    ...(status !== undefined ? { status } : {}),
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof e.message === 'string' ? { text: e.message } : {}),
    ...(bucketRegion ? { bucketRegion } : {}),
    raw: e,
  };
}

export function matches(rule: ErrorRule, f: Failure, ctx: ErrorContext): boolean {
  const w = rule.when;
  if (typeof w === 'function') return w(f, ctx);
  return Boolean(
    w.names?.includes(f.name) ||
      (f.status !== undefined &&
        (w.statuses?.includes(f.status) || (w.minStatus !== undefined && f.status >= w.minStatus))) ||
      (f.code !== undefined && w.codes?.includes(f.code)),
  );
}

/** The bucket's real region, wherever this error carries it. */
function regionHint(e: SdkErrorLike): string | undefined {
  const header = e.$response?.headers?.['x-amz-bucket-region'];
  if (header) return header;
  if (typeof e.Region === 'string' && e.Region) return e.Region;
  // PermanentRedirect bodies name the endpoint, e.g. bucket.s3.eu-west-2.amazonaws.com
  const m = typeof e.Endpoint === 'string' ? /s3[.-]([a-z]{2}(?:-[a-z]+)+-\d+)\./.exec(e.Endpoint) : null;
  return m?.[1];
}

function where(ctx: ErrorContext): string {
  if (ctx.bucket && ctx.key) return ` on s3://${ctx.bucket}/${ctx.key}`;
  if (ctx.bucket) return ` on bucket ${ctx.bucket}`;
  return '';
}

/** The store's own message, when it says more than the error's name. */
function serverSays(f: Failure): string {
  return f.text && f.text !== f.name && f.text !== 'UnknownError' ? ` The store said: ${f.text}` : '';
}

function duration(ms: number): string {
  if (ms < 10_000 || ms % 1000 !== 0) return `${ms} ms`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}

const NETWORK_CODES = [
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'ERR_STREAM_PREMATURE_CLOSE',
];
const OTHER_AUTH_NAMES = [
  'InvalidSignatureException',
  'InvalidToken',
  'TokenRefreshRequired',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'AuthorizationQueryParametersError',
  'MissingSecurityHeader',
];
const FORBIDDEN_NAMES = ['AccessDenied', 'Forbidden', 'AllAccessDisabled'];
/** A 403 whose message blames the signature or the key, not a policy (Garage: "Forbidden: Invalid signature"). */
const BAD_CREDENTIALS = /invalid signature|signature.*(does not|doesn't) match|invalid access key|invalid credentials/i;
const THROTTLE_NAMES = [
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestThrottled',
  'ServiceUnavailable',
];
const USER_INPUT_NAMES = [
  'InvalidArgument',
  'InvalidBucketName',
  'KeyTooLongError',
  'MalformedXML',
  'InvalidRange',
  'InvalidRequest',
  'MetadataTooLarge',
  'EntityTooLarge',
  'EntityTooSmall',
  'InvalidDigest',
  'InvalidStorageClass',
  'InvalidTag',
  'InvalidPart',
  'InvalidPartOrder',
  'InvalidObjectState',
  'MalformedACLError',
  'InvalidEncryptionAlgorithmError',
  'UnresolvableGrantByEmailAddress',
  'IllegalLocationConstraintException',
  'InvalidLocationConstraint',
];

const regionMismatch: Omit<ErrorRule, 'when'> = {
  type: 'region_mismatch',
  code: (f) => (f.name === 'Unknown' ? 'PermanentRedirect' : f.name),
  message: (ctx, f) => {
    const real = f.bucketRegion ?? 'another region';
    return `${ctx.bucket ? `Bucket ${ctx.bucket}` : 'The bucket'} is in region ${real}, but the connection is set to ${ctx.region}. Set the connection's region to ${real}.`;
  },
  details: (ctx, f) => ({ bucketRegion: f.bucketRegion, connectionRegion: ctx.region }),
};

/** AccessDenied: name the IAM action the store denied, or those the operation needs. */
function accessDenied(ctx: ErrorContext, f: Failure): string {
  const denied = deniedAction(f);
  const actions = denied ? [denied] : [...ctx.permissions];
  const missingKeyNote =
    ctx.key && actions.includes('s3:GetObject')
      ? ' If the object may not exist: S3 answers 403 instead of 404 for a missing key when the caller lacks s3:ListBucket on the bucket.'
      : '';
  const credentialNote = bodiless(f)
    ? ' (This answer carried no error code: if the permission is there, check the credentials.)'
    : '';
  const many = actions.length > 1;
  return `Access denied${where(ctx)}: the credentials need ${many ? 'the IAM actions' : 'the IAM action'} ${actions.join(', ')} for ${ctx.operation}. Grant ${many ? 'them' : 'it'} in the IAM or bucket policy.${missingKeyNote}${credentialNote}`;
}

/** AWS (and moto) often name the denied action: "... is not authorized to perform: s3:GetObject ...". */
function deniedAction(f: Failure): string | undefined {
  return /not authorized to perform:?\s+([a-z0-9-]+:[A-Za-z0-9*]+)/i.exec(f.text ?? '')?.[1];
}

/** HEAD answers carry no error code: a bad signature looks the same as a missing permission. */
function bodiless(f: Failure): boolean {
  return f.name === 'Unknown' || f.name === 'Forbidden';
}

function deadlineMessage(ctx: ErrorContext): string {
  const limit = ctx.deadlineMs !== undefined ? ` of ${duration(ctx.deadlineMs)}` : '';
  return `The ${ctx.operation} call ran past its deadline${limit}${where(ctx)} and was stopped. The deadline is the caller's (timeoutMs in the invoke context, --timeout on the command line), not the store's: give the call more time if it needs it, then try again.`;
}

export const ERROR_RULES: readonly ErrorRule[] = [
  // Sockets first: the SDK's HTTP handler names a reset socket `TimeoutError` too.
  {
    when: { codes: NETWORK_CODES },
    type: 'network',
    code: (f) => f.code ?? f.name,
    message: (_, f) =>
      `The connection to the store failed (${f.code}). Check the endpoint and the network, then try again.`,
  },

  // Stopped from outside: the caller's AbortSignal, or the invoke's own deadline.
  {
    when: (f, ctx) => f.name === 'AbortError' && !ctx.deadlineExceeded,
    type: 'timeout',
    code: 'Cancelled',
    retryable: false,
    message: (ctx) => `The ${ctx.operation} call was cancelled before it finished.`,
  },
  { when: { names: ['AbortError'] }, type: 'timeout', code: 'DeadlineExceeded', message: deadlineMessage },
  // One request got no answer within the connection's own timeouts.
  {
    when: { names: ['TimeoutError', 'RequestTimeout'], codes: ['ETIMEDOUT'] },
    type: 'timeout',
    message: (ctx) =>
      `The store did not answer in time${where(ctx)}. Try again, or raise the connection's timeouts if the store is slow.`,
  },

  // A region hint that differs from the connection's region means the bucket lives elsewhere.
  { when: { names: ['PermanentRedirect'], statuses: [301] }, ...regionMismatch },
  {
    when: (f, ctx) =>
      Boolean(f.bucketRegion) &&
      (f.name === 'AuthorizationHeaderMalformed' ||
        (f.bucketRegion !== ctx.region && (f.status === 400 || f.status === 403))),
    ...regionMismatch,
  },

  // Credentials the store does not accept.
  {
    when: { names: ['ExpiredToken', 'ExpiredTokenException'] },
    type: 'auth',
    message: () => 'The session token has expired: get new temporary credentials.',
  },
  {
    when: { names: ['InvalidAccessKeyId'] },
    type: 'auth',
    message: () => 'The access key ID is not known to this store: check it, and that the endpoint is the right one.',
  },
  {
    when: { names: ['SignatureDoesNotMatch'] },
    type: 'auth',
    message: () => 'The secret access key does not match the access key ID: check the secret.',
  },
  {
    when: { names: ['CredentialsProviderError'] },
    type: 'auth',
    message: () =>
      'No credentials could be found: set an access key in the connection, or provide credentials in the environment.',
  },
  { when: { names: OTHER_AUTH_NAMES }, type: 'auth', message: () => 'The credentials were not accepted: check them.' },
  {
    when: (f) => (f.status === 403 || FORBIDDEN_NAMES.includes(f.name)) && BAD_CREDENTIALS.test(f.text ?? ''),
    type: 'auth',
    message: (ctx, f) =>
      `The store refused the credentials${where(ctx)}: check the access key ID and the secret access key, and that the endpoint is the right one.${serverSays(f)}`,
  },

  // Credentials accepted, permission missing.
  {
    when: { names: FORBIDDEN_NAMES, statuses: [403] },
    type: 'forbidden',
    code: (f) => (bodiless(f) ? 'AccessDenied' : f.name),
    message: accessDenied,
    details: (ctx, f) => {
      const denied = deniedAction(f);
      return { requiredActions: [...ctx.permissions], ...(denied ? { deniedAction: denied } : {}) };
    },
  },

  {
    when: { names: ['NoSuchBucket'] },
    type: 'not_found',
    message: (ctx) => `Bucket ${ctx.bucket ?? ''} does not exist (on this endpoint and account). Check its name.`,
  },
  {
    when: { names: ['NoSuchKey'] },
    type: 'not_found',
    message: (ctx) =>
      `No object with key ${JSON.stringify(ctx.key ?? '')} in bucket ${ctx.bucket ?? ''}. Check the key.`,
  },
  {
    when: { names: ['NoSuchVersion'] },
    type: 'not_found',
    message: (ctx) => `That version of ${JSON.stringify(ctx.key ?? '')} does not exist.`,
  },
  {
    when: { names: ['NotFound'], statuses: [404] },
    type: 'not_found',
    code: (f) => (f.name === 'Unknown' ? 'NotFound' : f.name),
    message: (ctx, f) =>
      ctx.key
        ? `Not found: no object ${JSON.stringify(ctx.key)} in bucket ${ctx.bucket ?? ''}, or the bucket does not exist.`
        : `Not found${where(ctx)}.${serverSays(f)}`,
  },

  {
    when: { names: ['NotModified'], statuses: [304] },
    type: 'precondition_failed',
    code: 'NotModified',
    message: (ctx) => `The object has not changed${where(ctx)} (ifNoneMatch / ifModifiedSince held).`,
  },
  {
    when: { names: ['PreconditionFailed'], statuses: [412] },
    type: 'precondition_failed',
    code: 'PreconditionFailed',
    message: (ctx) => `A condition did not hold${where(ctx)} (ifMatch / ifUnmodifiedSince / ifNoneMatch).`,
  },
  {
    when: { names: ['BucketNotEmpty', 'BucketAlreadyExists', 'OperationAborted'], statuses: [409] },
    type: 'conflict',
    message: (ctx, f) => `The request conflicts with the current state${where(ctx)}.${serverSays(f)}`,
  },
  {
    when: { names: ['BadDigest', 'XAmzContentSHA256Mismatch', 'ChecksumMismatch'] },
    type: 'api',
    retryable: true,
    message: (ctx) =>
      `The bytes were damaged on the way${where(ctx)}: the store refused them, nothing was written. Try again.`,
  },
  {
    when: { names: THROTTLE_NAMES, statuses: [429, 503] },
    type: 'throttled',
    message: (ctx) => `The store is throttling requests${where(ctx)}. Slow down and try again.`,
  },

  // What the store (or the bucket's settings) does not do.
  {
    when: { names: ['AccessControlListNotSupported'] },
    type: 'unsupported',
    message: (ctx) =>
      `ACLs are disabled on bucket ${ctx.bucket ?? ''} (Object Ownership is "bucket owner enforced"): use bucket policies instead, or enable ACLs on the bucket.`,
  },
  {
    when: { names: ['NotImplemented'], statuses: [501] },
    type: 'unsupported',
    message: (ctx, f) => `This store does not implement what ${ctx.operation} needs.${serverSays(f)}`,
  },
  {
    when: { names: ['MethodNotAllowed'], statuses: [405] },
    type: 'unsupported',
    message: (ctx, f) => `The store does not allow this request${where(ctx)}.${serverSays(f)}`,
  },

  {
    when: { names: USER_INPUT_NAMES, statuses: [400, 411, 416] },
    type: 'user_input',
    message: (ctx, f) => `The store rejected the request${where(ctx)}.${serverSays(f)}`,
  },
  {
    when: { minStatus: 500 },
    type: 'api',
    retryable: true,
    message: (ctx, f) => `The store failed with HTTP ${f.status}${where(ctx)}. Try again.${serverSays(f)}`,
  },
  // Any other HTTP answer.
  {
    when: { minStatus: 0 },
    type: 'api',
    message: (ctx, f) => `The store answered HTTP ${f.status}${where(ctx)}.${serverSays(f)}`,
  },
];

/** What no rule matched: not an answer from the store at all. */
export const FALLBACK_RULE: ErrorRule = {
  when: () => true,
  type: 'internal',
  message: (ctx, f) => `Unexpected failure in ${ctx.operation}: ${f.text ?? f.name}`,
};
