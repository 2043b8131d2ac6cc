// The CommonJS entry: what `require('aws-s3-connector')` gives, for runtimes that load their
// nodes as CommonJS (n8n community nodes, Node-RED). The package is ES modules, and Node 20
// cannot require() an ES module, so this entry reaches the runtime through a dynamic import:
// everything that runs an operation is async (`await loadConnector()`, as from ESM). Only what
// a host needs before any call is synchronous: the manifest, read from connector.json, to
// describe its nodes. The ES module's constants and classes come with importConnectorModule()
// (not copied here, where they could drift).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as Api from '../index.js';

// The ES module's types, as types only: a class of it (`LocalFileStore`) is a type here, not a
// value; its value is reached through importConnectorModule().
export type * from '../index.js';
/** The package's ES module API, as `import('aws-s3-connector')` gives it. */
export type ConnectorModule = typeof Api;

let api: Promise<ConnectorModule> | undefined;

/** The ES module API (`LocalFileStore`, the constants, `loadConnector`), imported once. */
export function importConnectorModule(): Promise<ConnectorModule> {
  api ??= import('../index.js');
  return api;
}

/** Loads the connector, exactly as the ES module's `loadConnector` does. */
export async function loadConnector(options?: Api.LoadOptions): Promise<Api.Connector> {
  return (await importConnectorModule()).loadConnector(options);
}

/** The package's folder (holds connector.json and schemas/); this file is dist/src/cjs/index.cjs. */
export const packageRoot: string = join(__dirname, '..', '..', '..');

/** connector.json as is, read synchronously: the operations, their schema paths, IAM actions and annotations. */
export const manifest: Api.Manifest = JSON.parse(
  readFileSync(join(packageRoot, 'connector.json'), 'utf8'),
) as Api.Manifest;
