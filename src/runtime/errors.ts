// The error model: every failure becomes a plain, structured ConnectorErrorInfo that a runtime
// can show, retry or branch on. S3 errors are matched on `name` and HTTP status, not `Code`.

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
}

interface SdkErrorLike {
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

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH',
  'ECONNABORTED', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE',
]);
const AUTH_NAMES = new Set([
  'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'TokenRefreshRequired',
  'CredentialsProviderError', 'InvalidClientTokenId', 'ExpiredTokenException', 'UnrecognizedClientException',
  'AuthorizationQueryParametersError', 'MissingSecurityHeader',
]);
const THROTTLE_NAMES = new Set([
  'SlowDown', 'Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException',
  'RequestThrottled', 'ServiceUnavailable',
]);
const USER_INPUT_NAMES = new Set([
  'InvalidArgument', 'InvalidBucketName', 'KeyTooLongError', 'MalformedXML', 'InvalidRange', 'InvalidRequest',
  'MetadataTooLarge', 'EntityTooLarge', 'EntityTooSmall', 'InvalidDigest', 'InvalidStorageClass',
  'InvalidTag', 'InvalidPart', 'InvalidPartOrder', 'InvalidObjectState', 'MalformedACLError', 'InvalidEncryptionAlgorithmError',
  'UnresolvableGrantByEmailAddress', 'IllegalLocationConstraintException', 'InvalidLocationConstraint',
]);

function where(ctx: ErrorContext): string {
  if (ctx.bucket && ctx.key) return ` on s3://${ctx.bucket}/${ctx.key}`;
  if (ctx.bucket) return ` on bucket ${ctx.bucket}`;
  return '';
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
  return { ...info, message: `${info.message} ${extra.note}`, details: { ...info.details, ...extra.details } };
}

function classify(err: unknown, ctx: ErrorContext): ConnectorErrorInfo {
  if (err instanceof ConnectorError) return err.info;
  const e = (err ?? {}) as SdkErrorLike;
  const name = e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const requestId = e.$metadata?.requestId;
  const base = { ...(status ? { status } : {}), ...(requestId ? { requestId } : {}) };
  const make = (type: ErrorType, code: string, message: string, extra?: Partial<ConnectorErrorInfo>): ConnectorErrorInfo => ({
    type, code, message, retryable: RETRYABLE.has(type), ...base, ...extra,
  });
  const serverSays = e.message && e.message !== name && e.message !== 'UnknownError' ? ` The store said: ${e.message}` : '';

  // The SDK's HTTP handler names a reset socket `TimeoutError` too: the code tells them apart.
  const code = e.code ?? (e.cause as { code?: string } | undefined)?.code;
  if (code && NETWORK_CODES.has(code)) {
    return make('network', code, `The connection to the store failed (${code}). Check the endpoint and the network, then try again.`);
  }
  if (name === 'AbortError' || name === 'TimeoutError' || code === 'ETIMEDOUT' || name === 'RequestTimeout') {
    if (name === 'AbortError' && !ctx.deadlineExceeded) {
      return make('timeout', 'Cancelled', `The ${ctx.operation} call was cancelled before it finished.`, { retryable: false });
    }
    return make('timeout', name === 'AbortError' ? 'DeadlineExceeded' : name,
      `The store did not answer in time${where(ctx)}. Try again, or raise the connection's timeouts if the store is slow.`);
  }

  // A region hint that differs from the connection's region means the bucket lives elsewhere.
  const hinted = regionHint(e);
  if (
    name === 'PermanentRedirect' || status === 301 ||
    name === 'AuthorizationHeaderMalformed' && hinted ||
    hinted && hinted !== ctx.region && (status === 400 || status === 403)
  ) {
    const real = hinted ?? 'another region';
    return make('region_mismatch', name === 'Unknown' ? 'PermanentRedirect' : name,
      `Bucket ${ctx.bucket ?? ''} is in region ${real}, but the connection is set to ${ctx.region}. Set the connection's region to ${real}.`.replace('Bucket  is', 'The bucket is'),
      { details: { bucketRegion: hinted, connectionRegion: ctx.region } });
  }

  if (AUTH_NAMES.has(name) || name === 'InvalidSignatureException') {
    const what = name === 'ExpiredToken' || name === 'ExpiredTokenException' ? 'The session token has expired: get new temporary credentials.'
      : name === 'InvalidAccessKeyId' ? 'The access key ID is not known to this store: check it, and that the endpoint is the right one.'
      : name === 'SignatureDoesNotMatch' ? 'The secret access key does not match the access key ID: check the secret.'
      : name === 'CredentialsProviderError' ? 'No credentials could be found: set an access key in the connection, or provide credentials in the environment.'
      : 'The credentials were not accepted: check them.';
    return make('auth', name, what);
  }

  if (name === 'AccessDenied' || name === 'Forbidden' || name === 'AllAccessDisabled' || status === 403) {
    // AWS (and moto) often name the denied action: "... is not authorized to perform: s3:GetObject ...".
    const denied = /not authorized to perform:?\s+([a-z0-9-]+:[A-Za-z0-9*]+)/i.exec(e.message ?? '')?.[1];
    const actions = denied ? [denied] : [...ctx.permissions];
    const missingKeyNote = ctx.key && actions.includes('s3:GetObject')
      ? ' If the object may not exist: S3 answers 403 instead of 404 for a missing key when the caller lacks s3:ListBucket on the bucket.'
      : '';
    // HEAD answers carry no error code: a bad signature looks the same as a missing permission.
    const bodiless = name === 'Unknown' || name === 'Forbidden';
    const credentialNote = bodiless ? ' (This answer carried no error code: if the permission is there, check the credentials.)' : '';
    return make('forbidden', bodiless ? 'AccessDenied' : name,
      `Access denied${where(ctx)}: the credentials need ${actions.length > 1 ? 'the IAM actions' : 'the IAM action'} ${actions.join(', ')} for ${ctx.operation}. Grant ${actions.length > 1 ? 'them' : 'it'} in the IAM or bucket policy.${missingKeyNote}${credentialNote}`,
      { details: { requiredActions: [...ctx.permissions], ...(denied ? { deniedAction: denied } : {}) } });
  }

  if (name === 'NoSuchBucket') return make('not_found', name, `Bucket ${ctx.bucket ?? ''} does not exist (on this endpoint and account). Check its name.`);
  if (name === 'NoSuchKey') return make('not_found', name, `No object with key ${JSON.stringify(ctx.key ?? '')} in bucket ${ctx.bucket ?? ''}. Check the key.`);
  if (name === 'NoSuchVersion') return make('not_found', name, `That version of ${JSON.stringify(ctx.key ?? '')} does not exist.`);
  if (name === 'NotFound' || status === 404) {
    return make('not_found', name === 'Unknown' ? 'NotFound' : name,
      ctx.key ? `Not found: no object ${JSON.stringify(ctx.key)} in bucket ${ctx.bucket ?? ''}, or the bucket does not exist.` : `Not found${where(ctx)}.${serverSays}`);
  }

  if (name === 'NotModified' || status === 304) {
    return make('precondition_failed', 'NotModified', `The object has not changed${where(ctx)} (ifNoneMatch / ifModifiedSince held).`);
  }
  if (name === 'PreconditionFailed' || status === 412) {
    return make('precondition_failed', 'PreconditionFailed', `A condition did not hold${where(ctx)} (ifMatch / ifUnmodifiedSince / ifNoneMatch).`);
  }
  if (status === 409 || name === 'BucketNotEmpty' || name === 'BucketAlreadyExists' || name === 'OperationAborted') {
    return make('conflict', name, `The request conflicts with the current state${where(ctx)}.${serverSays}`);
  }
  if (name === 'BadDigest' || name === 'XAmzContentSHA256Mismatch' || name === 'ChecksumMismatch') {
    return make('api', name, `The bytes were damaged on the way${where(ctx)}: the store refused them, nothing was written. Try again.`, { retryable: true });
  }
  if (THROTTLE_NAMES.has(name) || status === 429 || status === 503) {
    return make('throttled', name, `The store is throttling requests${where(ctx)}. Slow down and try again.`);
  }
  if (name === 'AccessControlListNotSupported') {
    return make('unsupported', name, `ACLs are disabled on bucket ${ctx.bucket ?? ''} (Object Ownership is "bucket owner enforced"): use bucket policies instead, or enable ACLs on the bucket.`);
  }
  if (name === 'NotImplemented' || status === 501) {
    return make('unsupported', name, `This store does not implement what ${ctx.operation} needs.${serverSays}`);
  }
  if (name === 'MethodNotAllowed' || status === 405) {
    return make('unsupported', name, `The store does not allow this request${where(ctx)}.${serverSays}`);
  }
  if (USER_INPUT_NAMES.has(name) || status === 400 || status === 411 || status === 416) {
    return make('user_input', name, `The store rejected the request${where(ctx)}.${serverSays}`);
  }
  if (status !== undefined && status >= 500) {
    return make('api', name, `The store failed with HTTP ${status}${where(ctx)}. Try again.${serverSays}`, { retryable: true });
  }
  if (status !== undefined) return make('api', name, `The store answered HTTP ${status}${where(ctx)}.${serverSays}`);
  return make('internal', name, `Unexpected failure in ${ctx.operation}: ${e.message ?? name}`);
}
