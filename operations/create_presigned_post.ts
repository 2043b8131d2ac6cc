import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { decodePolicy, postFormOf } from '../src/io/postPolicy.js';
import { requireSigningCredentials, signatureExpiry } from '../src/io/signing.js';
import type { CreatePresignedPostInput, CreatePresignedPostOutput } from '../src/generated/types.js';
import { defineOperation } from '../src/runtime/operation.js';

export default defineOperation<CreatePresignedPostInput, CreatePresignedPostOutput>(
  async (input, { s3, connection, keys }) => {
    const form = postFormOf(input);
    requireSigningCredentials(connection, 'A browser upload form');
    const post = await createPresignedPost(s3, {
      Bucket: input.bucket,
      // The connection's key prefix: requests get it from the client, a form's key has to be given it.
      Key: keys.toStored(input.key),
      Fields: form.fields,
      Conditions: form.conditions,
      Expires: input.expiresIn ?? 3600,
    });
    const policy = decodePolicy(post.fields.Policy ?? '');
    // A form signed with temporary credentials dies with them.
    const expiresAt = await signatureExpiry(s3, new Date(policy.expiration));
    return { url: post.url, fields: post.fields, expiresAt: expiresAt.toISOString(), conditions: policy.conditions };
  },
);
