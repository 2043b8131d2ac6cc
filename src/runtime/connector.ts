// The public runtime: load the manifest, list operations, invoke one, test a connection.
// `invoke` never throws: every outcome is a result, and every error is in the error model.
import { HeadBucketCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import type { ValidateFunction } from 'ajv';
import { CAPABILITIES, StoreCapabilities } from '../probes/capabilities.js';
import { ClientCache, secretsOf, type ClientOverrides } from './clients.js';
import { ConnectorError, toErrorInfo, type ConnectorErrorInfo, type ErrorContext } from './errors.js';
import { LocalFileStore, type FileStore } from '../io/files.js';
import type { S3Connection } from '../generated/types.js';
import {
  handlerUrl, packageRoot, readManifest, readSchemas,
  type JsonSchema, type Manifest, type ManifestOperation,
} from './manifest.js';
import type { Handler, Progress } from './operation.js';
import { checkRegion } from './regions.js';
import { check, createAjv } from './validation.js';

/** Default deadline of one invoke, transfers included; `timeoutMs` in the invoke context overrides it. */
export const DEFAULT_INVOKE_TIMEOUT_MS = 15 * 60 * 1000;
/** How long a cancelled or timed-out invoke waits for its handler to clean up before returning. */
export const CLEANUP_GRACE_MS = 1000;

export type InvokeResult<O = Record<string, unknown>> =
  | { ok: true; output: O }
  | { ok: false; error: ConnectorErrorInfo };

export interface InvokeContext {
  connection: unknown;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** The runtime's file store for this call (defaults to the connector's). */
  files?: FileStore;
  /** Deadline for the whole call, in milliseconds. */
  timeoutMs?: number;
}

export interface OperationInfo extends ManifestOperation {
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
}

export interface LoadOptions {
  /** Package root holding connector.json (defaults to this package). */
  root?: string;
  /** Check every output against its schema (on in tests; costs a validation per call). */
  validateOutput?: boolean;
  /** The file store for file references; a local folder (DEFAULT_FILES_ROOT) by default. */
  files?: FileStore;
  /** Hosts https:// file references may be downloaded from; none by default. */
  allowedHttpsHosts?: string[];
  /** Let those hosts resolve to loopback, link-local or private addresses (off by default). */
  allowPrivateNetworks?: boolean;
  /** SDK settings added to every S3 client (a proxy agent, a logger, a custom request handler). */
  clientOverrides?: ClientOverrides;
}

export interface TestConnectionOptions {
  /** Also prove the connection reaches this bucket, and report which operations it can run there. */
  bucket?: string;
}

export interface Connector {
  readonly manifest: Manifest;
  readonly connectionSchema: JsonSchema;
  /** Shared definitions that operation schemas reference as `defs.json#/$defs/...`. */
  readonly defsSchema: JsonSchema;
  operations(): OperationInfo[];
  invoke<O = Record<string, unknown>>(name: string, input: unknown, ctx: InvokeContext): Promise<InvokeResult<O>>;
  testConnection(connection: unknown, options?: TestConnectionOptions): Promise<InvokeResult>;
  /** Closes the cached S3 clients and their sockets (the connector stays usable). */
  close(): void;
}

export async function loadConnector(options: LoadOptions = {}): Promise<Connector> {
  const root = options.root ?? packageRoot();
  const manifest = await readManifest(root);
  const schemas = await readSchemas(manifest, root);
  const ajv = createAjv();
  const defaultFiles = options.files ?? new LocalFileStore();
  const allowedHttpsHosts = options.allowedHttpsHosts ?? [];
  const clients = new ClientCache(options.clientOverrides);
  const capabilities = new StoreCapabilities();
  for (const schema of schemas.values()) ajv.addSchema(schema);

  const byName = new Map(manifest.operations.map((op) => [op.name, op]));
  const schemaAt = (path: string): JsonSchema => schemas.get(path)!;
  const validators = new Map<string, ValidateFunction>();
  const validatorFor = (path: string): ValidateFunction => {
    let v = validators.get(path);
    if (v === undefined) {
      v = ajv.getSchema(schemaAt(path).$id) as ValidateFunction; // compiled on first use, then reused
      validators.set(path, v);
    }
    return v;
  };
  const handlers = new Map<string, Promise<Handler<unknown, unknown>>>();
  const handlerFor = (op: ManifestOperation): Promise<Handler<unknown, unknown>> => {
    let h = handlers.get(op.name);
    if (!h) {
      h = import(handlerUrl(op.handler, root)).then((m: { default: Handler<unknown, unknown> }) => m.default);
      handlers.set(op.name, h);
    }
    return h;
  };

  /** Validates a connection (defaults filled in) on a copy; throws a user_input ConnectorError. */
  function checkedConnection(connection: unknown): S3Connection {
    if (connection === null || typeof connection !== 'object') {
      throw new ConnectorError({ type: 'user_input', code: 'InvalidConnection', message: 'A connection is required: an object with at least a region, e.g. {"region": "us-east-1"}.' });
    }
    const copy = structuredClone(connection);
    check(validatorFor(manifest.connection.schema), copy, 'connection');
    checkRegion(copy as S3Connection);
    return copy as S3Connection;
  }

  async function run<O>(
    op: Pick<ManifestOperation, 'name' | 'permissions'>,
    rawConnection: unknown,
    ctx: Omit<InvokeContext, 'connection'>,
    body: (connection: S3Connection, signal: AbortSignal) => Promise<O>,
    input?: Record<string, unknown>,
  ): Promise<InvokeResult<O>> {
    const deadline = new AbortController();
    const signal = ctx.signal ? AbortSignal.any([ctx.signal, deadline.signal]) : deadline.signal;
    const errorContext: ErrorContext = {
      operation: op.name,
      permissions: permissionsFor(op.permissions, input),
      region: '',
      ...(typeof input?.bucket === 'string' ? { bucket: input.bucket } : {}),
      ...(typeof input?.key === 'string' ? { key: input.key } : {}),
    };
    let connection: S3Connection | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      connection = checkedConnection(rawConnection);
      errorContext.region = connection.region;
      const timeoutMs = ctx.timeoutMs ?? DEFAULT_INVOKE_TIMEOUT_MS;
      // Settles when the signal fires, so a handler stuck in a request cannot hold the caller.
      const stopped = new Promise<never>((_, reject) => {
        const onAbort = () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      });
      stopped.catch(() => undefined);
      timer = setTimeout(() => {
        errorContext.deadlineExceeded = true;
        deadline.abort();
      }, timeoutMs);
      const work = body(connection, signal);
      work.catch(() => undefined);
      try {
        return { ok: true, output: await Promise.race([work, stopped]) };
      } catch (err) {
        // Stopped: give the handler a moment to clean up (temp files, multipart aborts) first.
        if (signal.aborted) await Promise.race([work.catch(() => undefined), new Promise((r) => setTimeout(r, CLEANUP_GRACE_MS))]);
        throw err;
      }
    } catch (err) {
      return { ok: false, error: scrub(toErrorInfo(err, errorContext), secretsOf(connection ?? (rawConnection as S3Connection))) };
    } finally {
      clearTimeout(timer);
    }
  }

  const connector: Connector = {
    manifest,
    connectionSchema: schemaAt(manifest.connection.schema),
    defsSchema: schemaAt('schemas/defs.json'),

    operations() {
      return manifest.operations.map((op) => ({ ...op, inputSchema: schemaAt(op.input), outputSchema: schemaAt(op.output) }));
    },

    async invoke<O>(name: string, input: unknown, ctx: InvokeContext): Promise<InvokeResult<O>> {
      const op = byName.get(name);
      if (!op) {
        return { ok: false, error: { type: 'user_input', code: 'UnknownOperation', retryable: false, message: `There is no operation named ${JSON.stringify(name)}. Known operations: ${[...byName.keys()].join(', ')}.` } };
      }
      const typedInput = (input === undefined ? {} : structuredClone(input)) as Record<string, unknown>;
      return run<O>(op, ctx?.connection, ctx ?? {}, async (connection, signal) => {
        check(validatorFor(op.input), typedInput, 'input');
        const s3 = clients.get(connection);
        const support = await capabilities.check(connection, s3, op, typedInput, signal);
        const handler = await handlerFor(op);
        const output = await handler(typedInput, {
          s3,
          connection,
          capabilities: support,
          signal,
          clientFor: (region) => clients.get(connection, region),
          files: ctx.files ?? defaultFiles,
          allowedHttpsHosts,
          allowPrivateNetworks: options.allowPrivateNetworks ?? false,
          ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}),
        });
        if (options.validateOutput) {
          const validate = validatorFor(op.output);
          if (!validate(output)) {
            throw new ConnectorError({ type: 'internal', code: 'InvalidOutput', message: `${op.name} produced output that does not match its schema: ${ajv.errorsText(validate.errors)}` });
          }
        }
        return output as O;
      }, typedInput);
    },

    async testConnection(rawConnection: unknown, options: TestConnectionOptions = {}) {
      const probe = { name: 'testConnection', permissions: options.bucket ? ['s3:ListBucket'] : ['s3:ListAllMyBuckets'] };
      return run(probe, rawConnection, {}, async (connection, signal) => {
        const s3 = clients.get(connection);
        if (options.bucket) {
          await s3.send(new HeadBucketCommand({ Bucket: options.bucket }), { abortSignal: signal });
          // Loaded on use: it brings the IAM and STS clients, which nothing else needs.
          const { permissionReport } = await import('../probes/preflight.js');
          const permissions = await permissionReport(s3, connection, options.bucket, manifest.operations, signal);
          // What the store does with conditions, versions, tags, ACLs and encryption. A custom
          // endpoint is probed on a scratch object: only when it can be written and deleted again.
          const canProbe = permissions.actions['s3:PutObject'] === true && permissions.actions['s3:DeleteObject'] !== false;
          const can = await capabilities.detect(connection, s3, options.bucket, [...CAPABILITIES], signal, () => canProbe);
          return { ok: true, region: connection.region, bucket: options.bucket, permissions, capabilities: can };
        }
        const listed = await s3.send(new ListBucketsCommand({ MaxBuckets: 1 }), { abortSignal: signal });
        return { ok: true, region: connection.region, ...(listed.Owner?.ID ? { ownerId: listed.Owner.ID } : {}) };
      }, options.bucket ? { bucket: options.bucket } : undefined);
    },

    close() {
      clients.close();
    },
  };
  return connector;
}

/** With a versionId, S3 checks the version variant of an object action as well. */
const VERSION_VARIANTS: Record<string, string> = {
  's3:GetObject': 's3:GetObjectVersion',
  's3:DeleteObject': 's3:DeleteObjectVersion',
  's3:GetObjectAcl': 's3:GetObjectVersionAcl',
  's3:PutObjectAcl': 's3:PutObjectVersionAcl',
};

function permissionsFor(permissions: readonly string[], input?: Record<string, unknown>): string[] {
  if (typeof input?.versionId !== 'string') return [...permissions];
  return permissions.flatMap((p) => (VERSION_VARIANTS[p] ? [p, VERSION_VARIANTS[p]] : [p]));
}

/** Replaces any secret of the connection that found its way into an error. */
function scrub(error: ConnectorErrorInfo, secrets: string[]): ConnectorErrorInfo {
  if (!secrets.length) return error;
  let text = JSON.stringify(error);
  if (!secrets.some((s) => text.includes(s))) return error;
  for (const s of secrets) text = text.split(s).join('***');
  return JSON.parse(text) as ConnectorErrorInfo;
}
