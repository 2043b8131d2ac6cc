// One S3 client per distinct connection, cached and reused so sockets stay alive between
// invokes. The cache key is an HMAC of the connection under a per-process random key:
// it never holds or logs a raw secret, and cannot be reversed into one.
import { createHmac, randomBytes } from 'node:crypto';
import { S3Client, type S3ClientConfig } from './sdk.js';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { NodeHttpHandler } from './sdk.js';
import type { S3Connection } from '../generated/types.js';
import { addWriteVerification } from '../io/integrity.js';
import { addAnswerLimits } from './answerLimits.js';
import { addKeyPrefix, keyPrefixOf } from './keyPrefix.js';
import { checksumModeOf } from './providers.js';
import { transportAgents, transportIdentity } from './transport.js';

export type Credentials = NonNullable<S3Connection['credentials']>;

/** Most clients kept at once; the least recently used one is closed past this. */
export const MAX_CACHED_CLIENTS = 32;
/** Sockets per client; requests beyond wait for a free one. */
export const MAX_SOCKETS_PER_CLIENT = 64;

const hmacKey = randomBytes(32);

/**
 * Keys made for a frozen connection, by region and proxy. A checked connection is deep-frozen
 * (connector.ts) and reused while the caller's object holds the same data, so its key need not be
 * hashed again on every call; the proxy is still read each time (the environment may change).
 */
const frozenKeys = new WeakMap<S3Connection, Map<string, string>>();

function cacheKey(connection: S3Connection, region: string): string {
  // The proxy the environment gives a default-chain connection is part of its identity too.
  const identity = transportIdentity(connection);
  const known = Object.isFrozen(connection) ? frozenKeys.get(connection) : undefined;
  const slot = JSON.stringify([region, identity]);
  const hit = known?.get(slot);
  if (hit) return hit;
  const key = createHmac('sha256', hmacKey)
    .update(JSON.stringify([connection, region, identity]))
    .digest('hex');
  if (Object.isFrozen(connection)) {
    if (known) known.set(slot, key);
    else frozenKeys.set(connection, new Map([[slot, key]]));
  }
  return key;
}

/** Shorter strings are not scrubbed: they are not real secrets, and would mangle ordinary words. */
export const MIN_SCRUBBED_SECRET_LENGTH = 8;

/** The connection fields that hold secrets when no schema says (the credentials' own). */
export const DEFAULT_SECRET_FIELDS: readonly string[] = ['secretAccessKey', 'sessionToken'];

/** The names of the properties a schema marks as secrets (`writeOnly`), at any depth and in any branch. */
export function secretFieldsOf(schema: unknown): string[] {
  const found = new Set<string>();
  const walk = (node: unknown) => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(walk);
    const n = node as Record<string, unknown>;
    for (const [name, child] of Object.entries((n.properties ?? {}) as Record<string, unknown>)) {
      if ((child as { writeOnly?: boolean } | null)?.writeOnly === true) found.add(name);
      walk(child);
    }
    for (const branch of ['oneOf', 'anyOf', 'allOf', 'items', 'then', 'else']) walk(n[branch]);
  };
  walk(schema);
  return [...found];
}

/**
 * The secret strings a connection holds, to scrub them from anything we return: the values of
 * its secret fields, and each line of a multi-line one (a PEM key's base64 lines).
 */
export function secretsOf(
  connection: S3Connection | undefined,
  fields: readonly string[] = DEFAULT_SECRET_FIELDS,
): string[] {
  const found: string[] = [];
  // A stack, not recursion: a hostile connection nested thousands deep (refused later as
  // user_input) must not overflow the call stack on the way; `seen` stops a cycle.
  const pending: unknown[] = [connection];
  const seen = new Set<object>();
  while (pending.length > 0) {
    const value = pending.pop();
    if (value === null || typeof value !== 'object' || seen.has(value)) continue;
    seen.add(value);
    for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
      if (typeof v === 'string' && fields.includes(name)) found.push(v, ...(v.includes('\n') ? v.split(/\r?\n/) : []));
      else pending.push(v);
    }
  }
  return [...new Set(found.map((s) => s.trim()))].filter(
    (s) => s.length >= MIN_SCRUBBED_SECRET_LENGTH && !s.startsWith('-----'),
  );
}

type CredentialProviders = typeof import('@aws-sdk/credential-providers');

/** A provider made on first use: most connections never need @aws-sdk/credential-providers loaded. */
function lazyProvider(
  make: (providers: CredentialProviders) => AwsCredentialIdentityProvider,
): AwsCredentialIdentityProvider {
  let provider: Promise<AwsCredentialIdentityProvider> | undefined;
  return async (options) => {
    provider ??= import('@aws-sdk/credential-providers').then(make);
    return (await provider)(options);
  };
}

function credentialsFor(connection: S3Connection): Pick<S3ClientConfig, 'credentials' | 'signer'> {
  const creds: Credentials = connection.credentials ?? { type: 'defaultChain' };
  switch (creds.type) {
    case 'accessKey':
      return {
        credentials: {
          accessKeyId: creds.accessKeyId,
          secretAccessKey: creds.secretAccessKey,
          ...(creds.sessionToken ? { sessionToken: creds.sessionToken } : {}),
        },
      };
    case 'assumeRole': {
      const stsEndpoint = creds.stsEndpoint ?? connection.endpoint;
      return {
        credentials: lazyProvider(({ fromTemporaryCredentials }) =>
          fromTemporaryCredentials({
            params: {
              RoleArn: creds.roleArn,
              RoleSessionName: creds.sessionName ?? 's3-connector',
              DurationSeconds: creds.durationSeconds ?? 3600,
              ...(creds.externalId ? { ExternalId: creds.externalId } : {}),
            },
            ...(creds.accessKeyId && creds.secretAccessKey
              ? {
                  masterCredentials: {
                    accessKeyId: creds.accessKeyId,
                    secretAccessKey: creds.secretAccessKey,
                    ...(creds.sessionToken ? { sessionToken: creds.sessionToken } : {}),
                  },
                }
              : {}),
            clientConfig: {
              region: connection.region === 'auto' ? 'us-east-1' : connection.region,
              ...(stsEndpoint ? { endpoint: stsEndpoint } : {}),
            },
          }),
        ),
      };
    }
    case 'defaultChain':
      return {
        credentials: lazyProvider(({ fromIni, fromNodeProviderChain }) =>
          creds.profile ? fromIni({ profile: creds.profile }) : fromNodeProviderChain(),
        ),
      };
    case 'anonymous':
      // Unsigned requests: a signer that leaves the request as it is.
      return { credentials: { accessKeyId: '', secretAccessKey: '' }, signer: { sign: async (request) => request } };
  }
}

/**
 * At most `slots` requests of a client are handed to its HTTP handler at once; the rest wait
 * here. Waiting in the agent's queue instead would count against the connect timeout, and a
 * burst of invokes would fail as "could not connect" while the store is merely busy.
 */
function addRequestGate(client: S3Client, slots: number): void {
  let free = slots;
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };
  client.middlewareStack.add(
    (next) => async (args) => {
      if (free > 0) free--;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        return await next(args);
      } finally {
        release();
      }
    },
    { step: 'finalizeRequest', priority: 'low', name: 'requestGate' },
  );
}

/** SDK settings a runtime may add to every client (a proxy agent, a logger, a request handler). */
export type ClientOverrides = Partial<S3ClientConfig>;

function createClient(connection: S3Connection, region: string, overrides: ClientOverrides): S3Client {
  const agentOptions = { keepAlive: true, maxSockets: MAX_SOCKETS_PER_CLIENT };
  const custom = connection.endpoint !== undefined;
  const checksums = checksumModeOf(connection);
  const client = new S3Client({
    region,
    // The connection alone says where the store is: AWS_ENDPOINT_URL* in the process environment
    // (or shared config) must not redirect a connection that names no endpoint.
    ...(custom ? { endpoint: connection.endpoint } : { ignoreConfiguredEndpointUrls: true }),
    forcePathStyle: connection.forcePathStyle ?? custom,
    maxAttempts: connection.maxAttempts ?? 3,
    ...credentialsFor(connection),
    // Explicit region: a wrong region is reported (region_mismatch), never silently followed.
    followRegionRedirects: false,
    // S3-compatible stores often cannot decode aws-chunked checksum trailers and would store
    // the framing as data: with a custom endpoint, only send checksums where the API requires them.
    // A provider preset says how its store takes them (src/providers/*.json).
    ...(checksums ? { requestChecksumCalculation: checksums, responseChecksumValidation: checksums } : {}),
    requestHandler: new NodeHttpHandler({
      connectionTimeout: connection.connectTimeoutMs ?? 5000,
      // Fail (and retry) a request with no answer in time, and a transfer that stalls as long.
      requestTimeout: connection.requestTimeoutMs ?? 60000,
      throwOnRequestTimeout: true,
      socketTimeout: connection.requestTimeoutMs ?? 60000,
      // Direct or through the connection's proxy, with its TLS settings (transport.ts).
      ...transportAgents(connection, agentOptions),
    }),
    ...overrides,
  });
  addWriteVerification(client);
  addRequestGate(client, MAX_SOCKETS_PER_CLIENT);
  // A store decides how long its answers are: read at most so much of them (answerLimits.ts).
  addAnswerLimits(client);
  // The connection's key prefix on every key of every request, off every key of every answer.
  addKeyPrefix(client, keyPrefixOf(connection));
  return client;
}

/** The S3 clients of one connector: one per distinct connection and region, least recently used closed first. */
export class ClientCache {
  private readonly clients = new Map<string, S3Client>();

  constructor(
    private readonly overrides: ClientOverrides = {},
    readonly capacity = MAX_CACHED_CLIENTS,
  ) {}

  /** The cached client for this connection (and optionally another region), created on first use. */
  get(connection: S3Connection, region = connection.region): S3Client {
    const key = cacheKey(connection, region);
    let client = this.clients.get(key);
    if (client) {
      this.clients.delete(key); // re-inserted below: Map order is the LRU order
    } else {
      client = createClient(connection, region, this.overrides);
      if (this.clients.size >= this.capacity) {
        const [oldestKey, oldest] = this.clients.entries().next().value as [string, S3Client];
        this.clients.delete(oldestKey);
        oldest.destroy();
      }
    }
    this.clients.set(key, client);
    return client;
  }

  get size(): number {
    return this.clients.size;
  }

  /** Closes every client and its sockets. */
  close(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }
}
