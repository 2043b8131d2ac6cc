// Every write of bytes held in memory (a text put, each part of a file upload) is verified both
// ways: a Content-MD5 header lets the store refuse damaged bytes, and the ETag it answers is
// compared with the MD5 of what was sent, for stores that ignore Content-MD5.
import { createHash } from 'node:crypto';
import { DeleteObjectCommand, type S3Client } from '../runtime/sdk.js';
import { ConnectorError } from '../runtime/errors.js';

const VERIFIED_COMMANDS = new Set(['PutObjectCommand', 'UploadPartCommand']);

/** The MD5 in an ETag, when it is one (not a multipart or KMS-encrypted object's ETag). */
export function md5FromEtag(etag: string | undefined, serverSideEncryption?: string): string | undefined {
  const m = /^"?([0-9a-f]{32})"?$/.exec(etag ?? '');
  return m && !serverSideEncryption?.startsWith('aws:kms') ? m[1] : undefined;
}

/** Throws a retryable ChecksumMismatch when `bytes` do not have the MD5 the store announced. */
export function verifyMd5(bytes: Uint8Array | string, expectedMd5: string | undefined, hash?: string): void {
  if (!expectedMd5) return;
  const actual = hash ?? createHash('md5').update(bytes).digest('hex');
  if (actual !== expectedMd5) {
    throw new ConnectorError({
      type: 'api',
      code: 'ChecksumMismatch',
      retryable: true,
      message:
        "The bytes received do not match the object's MD5 (ETag): the download was damaged or the store holds a damaged object. Try again.",
    });
  }
}

type Headers = Record<string, string | undefined>;

export function addWriteVerification(client: S3Client): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as { headers?: Headers; body?: unknown };
      if (
        !VERIFIED_COMMANDS.has(context.commandName ?? '') ||
        !(request.body instanceof Uint8Array) ||
        !request.headers
      )
        return next(args);
      const md5 = createHash('md5').update(request.body).digest();
      const hasMd5 = Object.keys(request.headers).some((h) => h.toLowerCase() === 'content-md5');
      if (!hasMd5) request.headers['content-md5'] = md5.toString('base64');
      const result = await next(args);
      const headers = (result.response as { headers?: Headers }).headers ?? {};
      const stored = md5FromEtag(headers.etag ?? headers.ETag, headers['x-amz-server-side-encryption']);
      if (stored && stored !== md5.toString('hex')) {
        const input = args.input as { Bucket?: string; Key?: string };
        if (context.commandName === 'PutObjectCommand') {
          // The store ignored Content-MD5 and kept damaged bytes: take them back out.
          await client
            .send(
              new DeleteObjectCommand({ Bucket: input.Bucket, Key: input.Key, VersionId: headers['x-amz-version-id'] }),
            )
            .catch(() => undefined);
        }
        throw new ConnectorError({
          type: 'api',
          code: 'ChecksumMismatch',
          retryable: true,
          message: `The store kept different bytes than were sent for s3://${input.Bucket}/${input.Key} (MD5 ${stored} instead of ${md5.toString('hex')}); the write was undone. Try again.`,
        });
      }
      return result;
    },
    { step: 'build', name: 'verifyWrittenBytes' },
  );
}
