import { GetObjectAclCommand, PutObjectAclCommand, type PutObjectAclRequest } from '../src/runtime/sdk.js';
import { ConnectorError } from '../src/runtime/errors.js';
import type { PutObjectACLInput, PutObjectACLOutput } from '../src/generated/types.js';
import { compact, defineOperation } from '../src/runtime/operation.js';

type Grant = NonNullable<PutObjectACLInput['grants']>[number];

const HEADER = {
  READ: 'GrantRead',
  WRITE: 'GrantWrite',
  READ_ACP: 'GrantReadACP',
  WRITE_ACP: 'GrantWriteACP',
  FULL_CONTROL: 'GrantFullControl',
} as const satisfies Record<Grant['permission'], keyof PutObjectAclRequest>;

function token(grantee: Grant['grantee']): string {
  switch (grantee.type) {
    case 'canonicalUser':
      return `id="${grantee.id}"`;
    case 'email':
      return `emailAddress="${grantee.emailAddress}"`;
    case 'group':
      return `uri="${grantee.uri}"`;
  }
}

export default defineOperation<PutObjectACLInput, PutObjectACLOutput>(async (input, { s3, signal }) => {
  if ((input.acl === undefined) === (input.grants === undefined)) {
    throw input.acl
      ? new ConnectorError({
          type: 'user_input',
          code: 'AclAndGrants',
          message: 'Give either a canned acl or grants, not both: S3 refuses a request with both.',
        })
      : new ConnectorError({
          type: 'user_input',
          code: 'AclOrGrantsRequired',
          message: 'Give a canned acl (e.g. "private" or "public-read") or a list of grants.',
        });
  }
  const target = { Bucket: input.bucket, Key: input.key, VersionId: input.versionId };
  if (input.acl) {
    await s3.send(new PutObjectAclCommand({ ...target, ACL: input.acl }), { abortSignal: signal });
    return compact({ bucket: input.bucket, key: input.key, versionId: input.versionId, acl: input.acl });
  }

  let grants: Grant[] = input.grants!.map((g) => ({
    grantee: g.grantee.type === 'canonicalUser' ? { type: 'canonicalUser', id: g.grantee.id } : g.grantee, // displayName is read only
    permission: g.permission,
  }));
  let owner: PutObjectACLOutput['owner'];
  if (input.keepOwnerFullControl !== false) {
    const current = await s3.send(new GetObjectAclCommand(target), { abortSignal: signal });
    const id = current.Owner?.ID;
    if (id) {
      owner = compact({ id, displayName: current.Owner?.DisplayName });
      const kept = grants.some(
        (g) => g.permission === 'FULL_CONTROL' && g.grantee.type === 'canonicalUser' && g.grantee.id === id,
      );
      if (!kept) grants = [{ grantee: { type: 'canonicalUser', id }, permission: 'FULL_CONTROL' }, ...grants];
    }
  }
  // Grants go as x-amz-grant-* headers, S3's documented alternative to an XML body, which
  // S3-compatible stores (moto included) understand more widely. No owner is needed in them.
  const headers: Partial<Record<(typeof HEADER)[Grant['permission']], string>> = {};
  for (const g of grants) {
    const name = HEADER[g.permission];
    headers[name] = headers[name] ? `${headers[name]}, ${token(g.grantee)}` : token(g.grantee);
  }
  await s3.send(new PutObjectAclCommand({ ...target, ...headers }), { abortSignal: signal });
  return compact({ bucket: input.bucket, key: input.key, versionId: input.versionId, grants, owner });
});
