import { GetObjectAclCommand, type Grantee } from '../src/runtime/sdk.js';
import type { GetObjectACLInput, GetObjectACLOutput } from '../src/generated/types.js';
import { ConnectorError } from '../src/runtime/errors.js';
import { compact, defineOperation } from '../src/runtime/operation.js';

type Grant = GetObjectACLOutput['grants'][number];

/**
 * S3's grantee in the shape put_object_acl takes, or undefined when the store named nobody.
 * MinIO answers its one grant (FULL_CONTROL) to a canonical user with an empty ID, meaning the
 * owner: it becomes the owner's ID when the answer names one.
 */
function granteeOf(g: Partial<Grantee>, ownerId: string | undefined): Grant['grantee'] | undefined {
  if (g.Type === 'Group' || (g.URI && !g.ID))
    return { type: 'group', uri: g.URI as Extract<Grant['grantee'], { type: 'group' }>['uri'] };
  if (g.Type === 'AmazonCustomerByEmail' || (g.EmailAddress && !g.ID))
    return g.EmailAddress ? { type: 'email', emailAddress: g.EmailAddress } : undefined;
  const id = g.ID || ownerId;
  return id ? compact({ type: 'canonicalUser' as const, id, displayName: g.DisplayName }) : undefined;
}

export default defineOperation<GetObjectACLInput, GetObjectACLOutput>(async (input, { s3, signal }) => {
  const acl = await s3.send(
    new GetObjectAclCommand({
      Bucket: input.bucket,
      Key: input.key,
      VersionId: input.versionId,
    }),
    { abortSignal: signal },
  );
  if ((acl.Grants ?? []).some((g) => !g.Permission)) {
    throw new ConnectorError({
      type: 'unsupported',
      code: 'InvalidAclResponse',
      message: 'The store answered an ACL without permissions: it does not really support object ACLs.',
    });
  }
  const grants: Grant[] = [];
  let unnamed = 0;
  for (const g of acl.Grants ?? []) {
    const grantee = granteeOf(g.Grantee ?? {}, acl.Owner?.ID || undefined);
    if (grantee) grants.push({ grantee, permission: g.Permission as Grant['permission'] });
    else unnamed += 1;
  }
  return compact({
    bucket: input.bucket,
    key: input.key,
    versionId: input.versionId,
    owner: acl.Owner?.ID ? compact({ id: acl.Owner.ID, displayName: acl.Owner.DisplayName }) : undefined,
    grants,
    unnamedGrants: unnamed || undefined,
  });
});
