// What reads of one object (get_object, head_object) share: the conditions they send, the
// metadata they return, and a check of the answer against what was asked, because partial S3
// stores sometimes ignore a condition, a version or a range and answer as if it held.
import type { HeadObjectOutput as SdkHead } from '@aws-sdk/client-s3';
import { ConnectorError } from '../runtime/errors.js';
import type { IfMatch, IfModifiedSince, IfNoneMatch, IfUnmodifiedSince, VersionId } from '../generated/types.js';
import { isoDate } from '../runtime/operation.js';

/** What a read asked for (get_object's input has all of it; head_object's all but the range). */
export interface ReadRequest {
  versionId?: VersionId;
  /** An HTTP byte range (get_object only). */
  range?: string;
  ifMatch?: IfMatch;
  ifNoneMatch?: IfNoneMatch;
  ifModifiedSince?: IfModifiedSince;
  ifUnmodifiedSince?: IfUnmodifiedSince;
}

export interface ReadAnswer {
  ETag?: string;
  LastModified?: Date;
  VersionId?: string;
  ContentRange?: string;
}

const unquote = (etag: string) => etag.replace(/^W\/|"/g, '');

function ignored(code: string, what: string): ConnectorError {
  return new ConnectorError({
    type: 'unsupported',
    code,
    message: `The store ignored ${what} and answered with something else: it does not support it.`,
  });
}

function failed(code: 'PreconditionFailed' | 'NotModified', what: string): ConnectorError {
  return new ConnectorError({ type: 'precondition_failed', code, message: `A condition did not hold: ${what}.` });
}

/** The [first, last] bytes a Range header asks of an object of `size` bytes. */
function wantedRange(range: string, size: number): [number, number] | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(range);
  if (!m) return undefined;
  if (m[1] === '') return [Math.max(0, size - Number(m[2])), size - 1];
  return [Number(m[1]), m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)];
}

export function checkReadAnswer(asked: ReadRequest, answer: ReadAnswer): void {
  const etag = answer.ETag ? unquote(answer.ETag) : undefined;
  const modified = answer.LastModified?.getTime();
  if (asked.ifMatch && asked.ifMatch !== '*' && etag && unquote(asked.ifMatch) !== etag)
    throw failed('PreconditionFailed', `the ETag is ${answer.ETag}, not ${asked.ifMatch}`);
  if (asked.ifNoneMatch && etag && (asked.ifNoneMatch === '*' || unquote(asked.ifNoneMatch) === etag))
    throw failed('NotModified', `the ETag is ${answer.ETag}`);
  if (asked.ifUnmodifiedSince && modified !== undefined && modified > Date.parse(asked.ifUnmodifiedSince))
    throw failed('PreconditionFailed', `the object changed at ${answer.LastModified!.toISOString()}`);
  // HTTP dates have whole seconds: compare at that precision.
  if (
    asked.ifModifiedSince &&
    modified !== undefined &&
    Math.floor(modified / 1000) <= Math.floor(Date.parse(asked.ifModifiedSince) / 1000)
  ) {
    throw failed('NotModified', `the object has not changed since ${asked.ifModifiedSince}`);
  }
  if (asked.versionId && answer.VersionId !== asked.versionId)
    throw ignored('VersionIdIgnored', `versionId ${asked.versionId}`);
  if (asked.range) {
    const got = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(answer.ContentRange ?? '');
    const want = got ? wantedRange(asked.range, Number(got[3])) : undefined;
    if (!got || !want || Number(got[1]) !== want[0] || Number(got[2]) !== want[1])
      throw ignored('RangeNotHonoured', `the range ${asked.range}`);
  }
}

/** The version and conditions of a read, as SDK parameters. */
export function readParams(asked: ReadRequest) {
  return {
    VersionId: asked.versionId,
    IfMatch: asked.ifMatch,
    IfNoneMatch: asked.ifNoneMatch,
    IfModifiedSince: asked.ifModifiedSince ? new Date(asked.ifModifiedSince) : undefined,
    IfUnmodifiedSince: asked.ifUnmodifiedSince ? new Date(asked.ifUnmodifiedSince) : undefined,
  };
}

/** The object metadata every read returns (undefined fields are dropped by the handler's compact). */
export function objectFields(answer: Omit<SdkHead, '$metadata'>) {
  return {
    contentType: answer.ContentType,
    contentLength: answer.ContentLength ?? 0,
    etag: answer.ETag,
    lastModified: isoDate(answer.LastModified),
    metadata: answer.Metadata ?? {},
    storageClass: answer.StorageClass ?? 'STANDARD',
    versionId: answer.VersionId,
    cacheControl: answer.CacheControl,
    contentDisposition: answer.ContentDisposition,
    contentEncoding: answer.ContentEncoding,
    contentLanguage: answer.ContentLanguage,
    serverSideEncryption: answer.ServerSideEncryption,
  };
}
