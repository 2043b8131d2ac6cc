// Direct links to objects, made without a request: the store's own URL (virtual-hosted or path
// style, as the connection addresses buckets), a URL on the connection's custom domain, and
// CloudFront signed URLs on that domain (@aws-sdk/cloudfront-signer).
import { createPrivateKey } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { getSignedUrl } from '@aws-sdk/cloudfront-signer';
import type { S3Connection } from '../generated/types.js';
import { ConnectorError } from '../runtime/errors.js';
import { awsRegionData } from '../runtime/regions.js';

/** The longest a CloudFront URL signed here works (CloudFront itself sets no limit). */
export const MAX_CLOUDFRONT_LIFETIME_S = 365 * 24 * 3600;
/** A CloudFront URL's lifetime when the call gives none. */
export const DEFAULT_CLOUDFRONT_LIFETIME_S = 3600;

export type UrlHost = 'virtualHosted' | 'path' | 'customDomain';

function refuse(code: string, field: string, message: string): ConnectorError {
  return new ConnectorError({
    type: 'user_input',
    code,
    message,
    details: { problems: [{ field, rule: code, message }] },
  });
}

/**
 * A key as a URL path: each `/`-separated segment percent-encoded as UTF-8 by encodeURIComponent
 * (what @aws-sdk/cloudfront-signer does to a URL's path, so a plain and a signed URL agree), `/`
 * kept, so a space is %20, `+` %2B, `&` %26, `%` %25, `~` stays.
 */
export function keyPath(key: string): string {
  try {
    return key
      .split('/')
      .map((segment) => encodeURIComponent(segment))
      .join('/');
  } catch {
    // A lone UTF-16 surrogate has no UTF-8 form, so no URL names it.
    throw refuse(
      'KeyNotInUrl',
      'key',
      'The key holds a character with no UTF-8 form (a lone surrogate): no URL can name it.',
    );
  }
}

/** The store's own URL of an object, addressed as the S3 client addresses it. */
export function storeUrl(
  connection: S3Connection,
  bucket: string,
  key: string,
): { url: string; host: UrlHost; notes: string[] } {
  const custom = connection.endpoint !== undefined;
  const base = custom
    ? new URL(connection.endpoint as string)
    : new URL(`https://s3.${connection.region}.${dnsSuffixOf(connection.region)}`);
  let pathStyle = connection.forcePathStyle ?? custom;
  const notes: string[] = [];
  // A certificate for *.host does not cover a.b.host: the SDK addresses such buckets in the path too.
  if (!pathStyle && base.protocol === 'https:' && bucket.includes('.')) {
    pathStyle = true;
    notes.push(
      'The bucket name holds dots, so the bucket is in the path: over https, a host name with it would not match the certificate.',
    );
  }
  const basePath = base.pathname.replace(/\/+$/, '');
  const path = `${basePath}/${pathStyle ? `${bucket}/` : ''}${keyPath(key)}`;
  const host = pathStyle ? base.host : `${bucket}.${base.host}`;
  return { url: `${base.protocol}//${host}${path}`, host: pathStyle ? 'path' : 'virtualHosted', notes };
}

function dnsSuffixOf(region: string): string {
  const partitions = awsRegionData()?.partitions ?? [];
  return (
    partitions.find((p) => p.regions.includes(region))?.dnsSuffix ??
    partitions.find((p) => p.regionRegex.test(region))?.dnsSuffix ??
    'amazonaws.com'
  );
}

/** The object's URL on the connection's custom domain (django-storages' custom_domain), if it has one. */
export function customDomainUrl(connection: S3Connection, key: string): string | undefined {
  if (!connection.customDomain) return undefined;
  const domain = connection.customDomain.replace(/\/+$/, '');
  return `${connection.urlProtocol ?? 'https'}://${domain}/${keyPath(key)}`;
}

export interface CloudFrontRequest {
  /** The URL to sign: on the distribution's domain. */
  url: string;
  expiresIn?: number;
  expiresAt?: string;
  startsAt?: string;
  ipRange?: string;
  policy?: 'canned' | 'custom';
}

export interface CloudFrontUrl {
  url: string;
  policy: 'canned' | 'custom';
  expiresAt: Date;
  startsAt?: Date;
  ipRange?: string;
}

/** An IPv4 address or CIDR range as CloudFront's policy takes it (a lone address as /32), or undefined when it is not one. */
export function ipv4Range(value: string): string | undefined {
  const [address, mask, ...rest] = value.split('/');
  if (rest.length || !address || !isIPv4(address)) return undefined;
  if (mask === undefined) return `${address}/32`;
  return /^(\d|[12]\d|3[0-2])$/.test(mask) ? `${address}/${mask}` : undefined;
}

/** Whole seconds (CloudFront's epoch times), so every signer reads the same instant. */
const wholeSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000);

/**
 * Checks a CloudFront request against the connection and signs it. Every mistake is a user_input
 * error thrown before anything is signed; the private key never appears in one.
 */
export function cloudFrontUrl(connection: S3Connection, request: CloudFrontRequest, now = Date.now()): CloudFrontUrl {
  const key = connection.cloudFront;
  if (!key)
    throw refuse(
      'NoCloudFrontKey',
      'cloudFront',
      "A CloudFront signed URL needs the connection's CloudFront key: set cloudFront.keyPairId and cloudFront.privateKey on the connection (django-storages' cloudfront_key_id and cloudfront_key).",
    );
  // expiresAt wins over expiresIn (which may be the connection's defaults.signedUrlExpiresIn).
  const expiresAt = wholeSeconds(
    request.expiresAt !== undefined
      ? Date.parse(request.expiresAt)
      : now + (request.expiresIn ?? DEFAULT_CLOUDFRONT_LIFETIME_S) * 1000,
  );
  if (expiresAt.getTime() <= now)
    throw refuse(
      'ExpiryInPast',
      'expiresAt',
      `expiresAt ${request.expiresAt} is not in the future: the URL would never work.`,
    );
  if (expiresAt.getTime() > now + MAX_CLOUDFRONT_LIFETIME_S * 1000)
    throw refuse(
      'ExpiryTooFar',
      'expiresAt',
      `expiresAt ${request.expiresAt} is more than a year ahead: sign a URL for at most ${MAX_CLOUDFRONT_LIFETIME_S} seconds.`,
    );
  const startsAt = request.startsAt !== undefined ? wholeSeconds(Date.parse(request.startsAt)) : undefined;
  if (startsAt && startsAt.getTime() >= expiresAt.getTime())
    throw refuse(
      'StartAfterExpiry',
      'startsAt',
      `startsAt ${request.startsAt} is not before the expiry (${expiresAt.toISOString()}): the URL would never work.`,
    );
  const ipRange = request.ipRange !== undefined ? ipv4Range(request.ipRange) : undefined;
  if (request.ipRange !== undefined && !ipRange)
    throw refuse(
      'BadIpRange',
      'ipRange',
      `ipRange ${JSON.stringify(request.ipRange)} is not an IPv4 address or CIDR range such as 192.0.2.0/24 (the mask 0 to 32).`,
    );
  const policy = request.policy ?? (startsAt || ipRange ? 'custom' : 'canned');
  if (policy === 'canned' && (startsAt || ipRange))
    throw refuse(
      'CannedPolicyLimits',
      'policy',
      'A canned policy holds an expiry only: use policy custom for startsAt or ipRange.',
    );
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key.privateKey);
  } catch {
    throw refuse(
      'InvalidCloudFrontKey',
      'cloudFront.privateKey',
      'cloudFront.privateKey is not a private key in PEM that this runtime can read.',
    );
  }
  if (privateKey.asymmetricKeyType !== 'rsa')
    throw refuse(
      'InvalidCloudFrontKey',
      'cloudFront.privateKey',
      `cloudFront.privateKey is an ${privateKey.asymmetricKeyType} key: CloudFront signed URLs made here need an RSA key.`,
    );
  const signed =
    policy === 'custom' && !startsAt && !ipRange
      ? // The library writes a custom policy only for a start time or an IP range: this one is the same policy, expiry alone.
        getSignedUrl({
          url: request.url,
          keyPairId: key.keyPairId,
          privateKey: key.privateKey,
          policy: JSON.stringify({
            Statement: [
              { Resource: request.url, Condition: { DateLessThan: { 'AWS:EpochTime': expiresAt.getTime() / 1000 } } },
            ],
          }),
        })
      : getSignedUrl({
          url: request.url,
          keyPairId: key.keyPairId,
          privateKey: key.privateKey,
          dateLessThan: expiresAt.toISOString(),
          ...(startsAt ? { dateGreaterThan: startsAt.toISOString() } : {}),
          ...(ipRange ? { ipAddress: ipRange } : {}),
        });
  return { url: signed, policy, expiresAt, ...(startsAt ? { startsAt } : {}), ...(ipRange ? { ipRange } : {}) };
}
