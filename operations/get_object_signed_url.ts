import { GetObjectCommand, PutObjectCommand } from '../src/runtime/sdk.js';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ConnectorError } from '../src/runtime/errors.js';
import { requireSigningCredentials, signatureExpiry } from '../src/io/signing.js';
import type { GetObjectSignedURLInput, GetObjectSignedURLOutput } from '../src/generated/types.js';
import { defineOperation } from '../src/runtime/operation.js';

const GET_ONLY = [
  'versionId',
  'responseContentType',
  'responseContentDisposition',
  'responseCacheControl',
  'responseContentLanguage',
  'responseContentEncoding',
  'responseExpires',
] as const;

/**
 * With default checksums the SDK signs the CRC32 of the empty body it has at signing time into a
 * PUT URL, so S3 would refuse any real upload: drop checksum headers before the presigner runs.
 */
function withoutChecksums(command: PutObjectCommand): PutObjectCommand {
  command.middlewareStack.add(
    (next) => async (args) => {
      const headers = (args.request as { headers?: Record<string, string> }).headers ?? {};
      for (const name of Object.keys(headers))
        if (/^x-amz-(checksum-|sdk-checksum-algorithm$)/i.test(name)) delete headers[name];
      return next(args);
    },
    { step: 'build', priority: 'low', name: 'dropPresignChecksum' },
  );
  return command;
}

export default defineOperation<GetObjectSignedURLInput, GetObjectSignedURLOutput>(async (input, { s3, connection }) => {
  const method = input.method ?? 'GET';
  const misplaced: string[] =
    method === 'PUT'
      ? GET_ONLY.filter((f) => input[f] !== undefined)
      : input.contentType !== undefined
        ? ['contentType']
        : [];
  if (misplaced.length) {
    throw new ConnectorError({
      type: 'user_input',
      code: 'FieldNotForMethod',
      details: { fields: misplaced },
      message: `${misplaced.join(', ')} only ${misplaced.length > 1 ? 'apply' : 'applies'} to ${method === 'PUT' ? 'GET' : 'PUT'} URLs: remove ${misplaced.length > 1 ? 'them' : 'it'}, or set method to ${method === 'PUT' ? 'GET' : 'PUT'}.`,
    });
  }
  requireSigningCredentials(connection, 'A signed URL');

  const target = { Bucket: input.bucket, Key: input.key };
  const command =
    method === 'PUT'
      ? withoutChecksums(new PutObjectCommand({ ...target, ContentType: input.contentType }))
      : new GetObjectCommand({
          ...target,
          VersionId: input.versionId,
          ResponseContentType: input.responseContentType,
          ResponseContentDisposition: input.responseContentDisposition,
          ResponseCacheControl: input.responseCacheControl,
          ResponseContentLanguage: input.responseContentLanguage,
          ResponseContentEncoding: input.responseContentEncoding,
          ResponseExpires: input.responseExpires ? new Date(input.responseExpires) : undefined,
        });
  const expiresIn = input.expiresIn ?? 3600;
  const signedAt = new Date(Math.floor(Date.now() / 1000) * 1000); // SigV4 dates are whole seconds
  const url = await getSignedUrl(s3, command, {
    expiresIn,
    signingDate: signedAt,
    // The presigner leaves content-type unsigned unless told: sign it so no other type is accepted.
    ...(input.contentType ? { signableHeaders: new Set(['content-type']) } : {}),
  });
  // A URL signed with temporary credentials dies with them.
  const expiresAt = await signatureExpiry(s3, new Date(signedAt.getTime() + expiresIn * 1000));
  const headers: Record<string, string> = input.contentType ? { 'Content-Type': input.contentType } : {};
  return { url, method, expiresAt: expiresAt.toISOString(), headers };
});
