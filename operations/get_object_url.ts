import type { GetObjectURLInput, GetObjectURLOutput } from '../src/generated/types.js';
import { ConnectorError } from '../src/runtime/errors.js';
import { cloudFrontUrl, customDomainUrl, storeUrl } from '../src/io/urls.js';
import { compact, defineOperation } from '../src/runtime/operation.js';

const CLOUDFRONT_ONLY = ['expiresAt', 'startsAt', 'ipRange', 'policy'] as const;

export default defineOperation<GetObjectURLInput, GetObjectURLOutput>(async (input, { connection, keys }) => {
  const { bucket, key } = input;
  // The object's key in the bucket: under the connection's key prefix, if it has one.
  const stored = keys.toStored(key);
  const storedKey = keys.prefix ? { storedKey: stored } : {};
  if ((input.signing ?? 'none') === 'none') {
    const misplaced = CLOUDFRONT_ONLY.filter((f) => input[f] !== undefined);
    if (misplaced.length)
      throw new ConnectorError({
        type: 'user_input',
        code: 'FieldNotForSigning',
        message: `${misplaced.join(', ')} only ${misplaced.length > 1 ? 'apply' : 'applies'} to CloudFront signed URLs: remove ${misplaced.length > 1 ? 'them' : 'it'}, or set signing to cloudFront.`,
        details: { fields: misplaced },
      });
    const onDomain = input.useCustomDomain !== false ? customDomainUrl(connection, stored) : undefined;
    if (onDomain) return { url: onDomain, bucket, key, ...storedKey, signing: 'none', host: 'customDomain' };
    const { url, host, notes } = storeUrl(connection, bucket, stored);
    return { url, bucket, key, ...storedKey, signing: 'none', host, ...(notes.length ? { notes } : {}) };
  }
  const onDomain = customDomainUrl(connection, stored);
  if (!onDomain)
    throw new ConnectorError({
      type: 'user_input',
      code: 'NoDistributionDomain',
      message:
        "A CloudFront signed URL is made for the distribution's domain: set customDomain on the connection (e.g. d111111abcdef8.cloudfront.net, or your CNAME of it).",
      details: {
        problems: [
          { field: 'customDomain', rule: 'required', message: 'customDomain is required for signing cloudFront' },
        ],
      },
    });
  const signed = cloudFrontUrl(connection, { ...input, url: onDomain });
  return compact({
    url: signed.url,
    bucket,
    key,
    ...storedKey,
    signing: 'cloudFront' as const,
    host: 'customDomain' as const,
    policy: signed.policy,
    expiresAt: signed.expiresAt.toISOString(),
    startsAt: signed.startsAt?.toISOString(),
    ipRange: signed.ipRange,
  });
});
