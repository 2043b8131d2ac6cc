import { GetObjectAclCommand, type Grantee } from '@aws-sdk/client-s3';
import type { GetObjectACLInput, GetObjectACLOutput } from '../src/generated/types.js';
import { ConnectorError } from '../src/runtime/errors.js';
import { compact, defineOperation } from '../src/runtime/operation.js';

type Grant = GetObjectACLOutput['grants'][number];

/** S3's grantee in the shape put_object_acl takes. */
function granteeOf(g: Partial<Grantee>): Grant['grantee'] {
  if (g.Type === 'Group' || (g.URI && !g.ID)) return { type: 'group', uri: g.URI as Extract<Grant['grantee'], { type: 'group' }>['uri'] };
  if (g.Type === 'AmazonCustomerByEmail' || (g.EmailAddress && !g.ID)) return { type: 'email', emailAddress: g.EmailAddress ?? '' };
  return compact({ type: 'canonicalUser' as const, id: g.ID ?? '', displayName: g.DisplayName });
}

export default defineOperation<GetObjectACLInput, GetObjectACLOutput>(async (input, { s3, signal }) => {
  const acl = await s3.send(new GetObjectAclCommand({
    Bucket: input.bucket,
    Key: input.key,
    VersionId: input.versionId,
  }), { abortSignal: signal });
  if ((acl.Grants ?? []).some((g) => !g.Permission)) {
    throw new ConnectorError({ type: 'unsupported', code: 'InvalidAclResponse', message: 'The store answered an ACL without permissions: it does not really support object ACLs.' });
  }
  return compact({
    bucket: input.bucket,
    key: input.key,
    versionId: input.versionId,
    owner: acl.Owner?.ID ? compact({ id: acl.Owner.ID, displayName: acl.Owner.DisplayName }) : undefined,
    grants: (acl.Grants ?? []).map((g) => ({ grantee: granteeOf(g.Grantee ?? {}), permission: g.Permission as Grant['permission'] })),
  });
});
