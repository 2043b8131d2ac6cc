// What signed URLs and signed POST forms share: they need credentials to be signed with, and
// they stop working when their expiry passes or, sooner, when temporary credentials expire.
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3Connection } from '../generated/types.js';
import { ConnectorError } from '../runtime/errors.js';

/** Refuses an anonymous connection: there is nothing to sign with. `what` names the thing signed. */
export function requireSigningCredentials(connection: S3Connection, what: string): void {
  if (connection.credentials?.type !== 'anonymous') return;
  throw new ConnectorError({
    type: 'user_input',
    code: 'CredentialsRequired',
    message: `${what} needs credentials to sign it with, and this connection is anonymous: use an access key, a role or the default provider chain.`,
  });
}

/** When a signature made to last until `requested` stops working: then, or when its temporary credentials expire. */
export async function signatureExpiry(s3: S3Client, requested: Date): Promise<Date> {
  const { expiration } = await s3.config.credentials();
  return expiration && expiration.getTime() < requested.getTime() ? new Date(expiration.getTime()) : requested;
}
