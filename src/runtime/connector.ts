// The public runtime: load the manifest, list operations, invoke one, test a connection.
// `invoke` never throws: every outcome is a result, and every error is in the error model.
import { StoreCapabilities, valuesAt } from '../probes/capabilities.js';
import type { OperationName, OperationTypes, S3Connection } from '../generated/types.js';
import { LocalFileStore, type FileStore } from '../io/files.js';
import { bundleSchema, type BundleOptions } from './bundle.js';
import { ClientCache, MIN_SCRUBBED_SECRET_LENGTH, secretFieldsOf, secretsOf, type ClientOverrides } from './clients.js';
import { withConnectionDefaults } from './connectionDefaults.js';
import { ConnectorError, toErrorInfo, type ErrorContext } from './errors.js';
import { guarded, type InvokeResult } from './guard.js';
import { checkInsidePrefix, keyMapping, keyPrefixOf } from './keyPrefix.js';
import { packageRoot, type JsonSchema, type Manifest, type ManifestOperation } from './manifest.js';
import type { Progress } from './operation.js';
import { requiredPermissions } from './permissions.js';
import { checkRegion } from './regions.js';
import { resolveProvider } from './providers.js';
import { checkTransport, transportNotes, transportSecrets } from './transport.js';
import { DEFS_SCHEMA, Registry, type OperationInfo } from './registry.js';
import {
  connectionReport,
  testConnectionPermissions,
  type ConnectionReport,
  type TestConnectionOptions,
} from './testConnection.js';
import { check, CheckedObjects, deepFreeze, errorsText, plainCopy } from './validators.js';

export { DEFAULT_INVOKE_TIMEOUT_MS, CLEANUP_GRACE_MS, type InvokeResult } from './guard.js';
export type { OperationInfo } from './registry.js';
export type { ConnectionReport, TestConnectionOptions } from './testConnection.js';

export interface InvokeContext {
  connection: unknown;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** The runtime's file store for this call (defaults to the connector's). */
  files?: FileStore;
  /** Deadline for the whole call, in milliseconds. */
  timeoutMs?: number;
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

export interface Connector {
  readonly manifest: Manifest;
  readonly connectionSchema: JsonSchema;
  /** Shared definitions that operation schemas reference as `defs.json#/$defs/...`. */
  readonly defsSchema: JsonSchema;
  /** Every operation with its schemas: as the files hold them, or `bundled` (self-contained, see bundleSchema). */
  operations(options?: { bundled?: boolean | BundleOptions }): OperationInfo[];
  /** The connection schema, self-contained in the given dialect. */
  bundledConnectionSchema(options?: BundleOptions): Record<string, unknown>;
  /** Runs an operation, typed by its name: its input and output types come from its schemas. */
  invoke<N extends OperationName>(
    name: N,
    input: OperationTypes[N]['input'],
    ctx: InvokeContext,
  ): Promise<InvokeResult<OperationTypes[N]['output']>>;
  /** The same for a name and input known only at run time (a runtime's flow step); validated all the same. */
  invokeDynamic(name: string, input: unknown, ctx: InvokeContext): Promise<InvokeResult>;
  testConnection(connection: unknown, options?: TestConnectionOptions): Promise<InvokeResult<ConnectionReport>>;
  /** Closes the cached S3 clients and their sockets (the connector stays usable). */
  close(): void;
}

/** A result with the notes its connection's every result carries (transport.ts), if any. */
function withNotes<O>(result: InvokeResult<O>, connection: S3Connection | undefined): InvokeResult<O> {
  const notes = transportNotes(connection);
  return notes.length ? { ...result, notes } : result;
}

export async function loadConnector(options: LoadOptions = {}): Promise<Connector> {
  const registry = await Registry.load(options.root ?? packageRoot());
  const { manifest } = registry;
  const defaultFiles = options.files ?? new LocalFileStore();
  const allowedHttpsHosts = options.allowedHttpsHosts ?? [];
  const clients = new ClientCache(options.clientOverrides);
  const capabilities = new StoreCapabilities();

  const checkedConnections = new CheckedObjects<S3Connection>();
  /** The connection's secret fields: those its schema marks writeOnly. */
  const secretFields = secretFieldsOf(registry.schema(manifest.connection.schema));

  /** The connection's secrets: its secret fields' values and its proxy's credentials. */
  const secretsOfConnection = (connection: unknown) => [
    ...secretsOf(connection as S3Connection, secretFields),
    ...transportSecrets(connection, MIN_SCRUBBED_SECRET_LENGTH),
  ];

  /**
   * Validates a connection (defaults filled in) on a copy; throws a user_input ConnectorError.
   * The checked copy (frozen) is reused for the same object while it holds the same data.
   */
  async function checkedConnection(connection: unknown): Promise<S3Connection> {
    if (connection === null || typeof connection !== 'object') {
      throw new ConnectorError({
        type: 'user_input',
        code: 'InvalidConnection',
        message: 'A connection is required: an object with at least a region, e.g. {"region": "us-east-1"}.',
      });
    }
    const known = checkedConnections.lookup(connection);
    if (known) return known;
    const snapshot = plainCopy(connection, 'connection');
    const copy = plainCopy(snapshot, 'connection');
    const schema = manifest.connection.schema;
    check(registry.loadedValidator(schema) ?? (await registry.validator(schema)), copy, 'connection');
    // The provider preset, once: the client, the capability checks and the handler all see its result.
    const resolved = resolveProvider(copy as S3Connection);
    checkRegion(resolved);
    checkTransport(resolved);
    return checkedConnections.remember(connection, snapshot, deepFreeze(resolved));
  }

  /** What the error mapper knows before the call starts; the region is added once the connection is checked. */
  function errorContextOf(operation: string, permissions: string[], input?: Record<string, unknown>): ErrorContext {
    return {
      operation,
      permissions,
      region: '',
      ...(typeof input?.bucket === 'string' ? { bucket: input.bucket } : {}),
      ...(typeof input?.key === 'string' ? { key: input.key } : {}),
    };
  }

  async function invokeOperation(
    op: ManifestOperation,
    rawInput: Record<string, unknown>,
    ctx: InvokeContext,
  ): Promise<InvokeResult> {
    let input = rawInput;
    const uses = registry.capabilityUses(op);
    const namesVersion = uses.some(
      (u) => u.capability === 'versioning' && valuesAt(input, u.path).some((v) => typeof v === 'string'),
    );
    const errorContext = errorContextOf(op.name, requiredPermissions(op.permissions, namesVersion), input);
    let connection: S3Connection | undefined;
    const result = await guarded(
      {
        errorContext,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        ...(ctx.timeoutMs !== undefined ? { timeoutMs: ctx.timeoutMs } : {}),
        secrets: () => secretsOfConnection(connection ?? ctx.connection),
      },
      async (signal) => {
        connection = await checkedConnection(ctx.connection);
        errorContext.region = connection.region;
        // The connection's defaults go where the input leaves a field unset, before the input is checked.
        input = withConnectionDefaults(input, connection, registry.inputFields(op));
        check(registry.loadedValidator(op.input) ?? (await registry.validator(op.input)), input, 'input');
        const keys = keyMapping(keyPrefixOf(connection));
        // Every key the input names stays inside the connection's prefix: checked before any request.
        if (keys.prefix)
          for (const path of registry.keyPaths(op))
            for (const value of valuesAt(input, path))
              if (typeof value === 'string') checkInsidePrefix(value, 'key', path.join('.'), keys.prefix);
        const s3 = clients.get(connection);
        const support = await capabilities.check(connection, s3, op, uses, input, signal);
        const handler = registry.loadedHandler(op) ?? (await registry.handler(op));
        const boundConnection = connection;
        const output = await handler(input, {
          s3,
          connection: boundConnection,
          keys,
          operation: { name: op.name, permissions: errorContext.permissions },
          describeError: (err) => toErrorInfo(err, { ...errorContext }),
          capabilities: support,
          signal,
          clientFor: (region) => clients.get(boundConnection, region),
          files: ctx.files ?? defaultFiles,
          allowedHttpsHosts,
          allowPrivateNetworks: options.allowPrivateNetworks ?? false,
          ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}),
        });
        if (options.validateOutput) {
          const validate = await registry.validator(op.output);
          if (!validate(output)) {
            throw new ConnectorError({
              type: 'internal',
              code: 'InvalidOutput',
              message: `${op.name} produced output that does not match its schema: ${errorsText(validate.errors)}`,
            });
          }
        }
        return output as Record<string, unknown>;
      },
    );
    return withNotes(result, connection);
  }

  const connector: Connector = {
    manifest,
    connectionSchema: registry.schema(manifest.connection.schema),
    defsSchema: registry.schema(DEFS_SCHEMA),

    operations(opts = {}) {
      const all = registry.operations();
      if (!opts.bundled) return all;
      const how = opts.bundled === true ? {} : opts.bundled;
      const defs = registry.schema(DEFS_SCHEMA);
      return all.map((op) => ({
        ...op,
        inputSchema: bundleSchema(op.inputSchema, defs, how) as JsonSchema,
        outputSchema: bundleSchema(op.outputSchema, defs, how) as JsonSchema,
      }));
    },

    bundledConnectionSchema(how = {}) {
      return bundleSchema(registry.schema(manifest.connection.schema), registry.schema(DEFS_SCHEMA), how);
    },

    invoke(name, input, ctx) {
      return connector.invokeDynamic(name, input, ctx) as never;
    },

    async invokeDynamic(name, input, ctx) {
      const op = registry.operation(name);
      if (!op) {
        return {
          ok: false,
          error: {
            type: 'user_input',
            code: 'UnknownOperation',
            retryable: false,
            message: `There is no operation named ${JSON.stringify(name)}. Known operations: ${registry.names().join(', ')}.`,
          },
        };
      }
      let copy: Record<string, unknown>;
      try {
        copy = (input === undefined ? {} : plainCopy(input, 'input')) as Record<string, unknown>;
      } catch (err) {
        // Too deep, or not plain data (a function, a symbol): refused as the input it is.
        const refusal =
          err instanceof ConnectorError
            ? err
            : new ConnectorError({
                type: 'user_input',
                code: 'InvalidInput',
                message: `Invalid input: it must be plain JSON data (${(err as Error).name}).`,
              });
        return { ok: false, error: refusal.info };
      }
      return invokeOperation(op, copy, ctx ?? { connection: undefined });
    },

    async testConnection(rawConnection, testOptions = {}) {
      const errorContext = errorContextOf(
        'testConnection',
        testConnectionPermissions(testOptions),
        testOptions.bucket ? { bucket: testOptions.bucket } : undefined,
      );
      let connection: S3Connection | undefined;
      const result = await guarded(
        { errorContext, secrets: () => secretsOfConnection(connection ?? rawConnection) },
        async (signal) => {
          connection = await checkedConnection(rawConnection);
          errorContext.region = connection.region;
          return connectionReport(
            clients.get(connection),
            connection,
            testOptions,
            manifest.operations,
            capabilities,
            signal,
          );
        },
      );
      return withNotes(result, connection);
    },

    close() {
      clients.close();
    },
  };
  return connector;
}
