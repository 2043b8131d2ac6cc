import { HeadObjectCommand } from '@aws-sdk/client-s3';
import type { HeadObjectInput, HeadObjectOutput } from '../src/generated/types.js';
import { checkReadAnswer } from '../src/answers.js';
import { compact, defineOperation, isoDate } from '../src/operation.js';

export default defineOperation<HeadObjectInput, HeadObjectOutput>(async (input, { s3, signal }) => {
  const head = await s3.send(new HeadObjectCommand({
    Bucket: input.bucket,
    Key: input.key,
    VersionId: input.versionId,
    IfMatch: input.ifMatch,
    IfNoneMatch: input.ifNoneMatch,
    IfModifiedSince: input.ifModifiedSince ? new Date(input.ifModifiedSince) : undefined,
    IfUnmodifiedSince: input.ifUnmodifiedSince ? new Date(input.ifUnmodifiedSince) : undefined,
  }), { abortSignal: signal });
  checkReadAnswer(input, head);
  return compact({
    bucket: input.bucket,
    key: input.key,
    contentType: head.ContentType,
    contentLength: head.ContentLength ?? 0,
    etag: head.ETag,
    lastModified: isoDate(head.LastModified),
    metadata: head.Metadata ?? {},
    storageClass: head.StorageClass ?? 'STANDARD',
    serverSideEncryption: head.ServerSideEncryption,
    sseKmsKeyId: head.SSEKMSKeyId,
    bucketKeyEnabled: head.BucketKeyEnabled,
    versionId: head.VersionId,
    cacheControl: head.CacheControl,
    contentDisposition: head.ContentDisposition,
    contentEncoding: head.ContentEncoding,
    contentLanguage: head.ContentLanguage,
    expires: head.ExpiresString ?? isoDate(head.Expires),
    partsCount: head.PartsCount,
  });
});
