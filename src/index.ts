export { loadConnector, DEFAULT_INVOKE_TIMEOUT_MS } from './connector.js';
export type { Connector, InvokeContext, InvokeResult, LoadOptions, OperationInfo, TestConnectionOptions } from './connector.js';
export type { ConnectorErrorInfo, ErrorType, FieldProblem } from './errors.js';
export type { Manifest, ManifestOperation, OperationAnnotations } from './manifest.js';
export type { Progress } from './operation.js';
export { MAX_CACHED_CLIENTS, MAX_SOCKETS_PER_CLIENT, type ClientOverrides } from './clients.js';
export type * from './generated/types.js';
export { LocalFileStore, DEFAULT_FILES_ROOT } from './files.js';
export type { FileStore, FileReference, FileDraft, OpenedFile } from './files.js';
