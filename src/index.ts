export { loadConnector, DEFAULT_INVOKE_TIMEOUT_MS } from './runtime/connector.js';
export type {
  Connector,
  ConnectionReport,
  InvokeContext,
  InvokeResult,
  LoadOptions,
  OperationInfo,
  TestConnectionOptions,
} from './runtime/connector.js';
export type { ConnectorErrorInfo, ErrorType, FieldProblem } from './runtime/errors.js';
export type { Manifest, ManifestOperation, OperationAnnotations } from './runtime/manifest.js';
export type { Progress } from './runtime/operation.js';
export { MAX_CACHED_CLIENTS, MAX_SOCKETS_PER_CLIENT, type ClientOverrides } from './runtime/clients.js';
export type * from './generated/types.js';
export { LocalFileStore, DEFAULT_FILES_ROOT } from './io/files.js';
export type { FileStore, FileReference, FileDraft, OpenedFile } from './io/files.js';
export { CAPABILITIES, CAPABILITY_PROBE_PREFIX, type Capability, type StoreSupport } from './probes/capabilities.js';

// The AWS SDK prints a 9-line NodeVersionSupportWarning through process.emitWarning when its
// first client is made on Node < 22 (its releases after January 2027 need Node 22), unless
// AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED is "true". A library should not print that on
// its host's stderr, so the switch is set here unless the host has set it (to anything: "false"
// shows the notice). It is the SDK's own switch for that notice alone; other warnings still print.
if (Number(process.versions.node.split('.')[0]) < 22)
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
export { bundleSchema, type BundleOptions, type Dialect } from './runtime/bundle.js';
