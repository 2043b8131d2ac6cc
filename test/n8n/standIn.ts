// The generated n8n package for in-process tests, and a minimal stand-in for n8n's
// IExecuteFunctions / ILoadOptionsFunctions. The stand-in is not n8n: it implements only what the
// node calls (parameters, credentials, binary helpers, continueOnFail), with n8n-workflow's own
// NodeHelpers.getNodeParameters filling in defaults and dropping hidden parameters the way n8n
// does when it builds a workflow. The real runtime is covered by the real-n8n lane
// (npm run test:n8n, test/n8n/real-n8n.lane.ts).
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Workflow from 'n8n-workflow';
import { repoRoot } from '../support/packed.js';

type Any = any;

export const PACKAGE_NAME = 'n8n-nodes-aws-s3-connector';
export const NODE_FILE = 'dist/nodes/AwsS3Connector/AwsS3Connector.node.js';
export const CREDENTIALS_FILE = 'dist/credentials/AwsS3ConnectorApi.credentials.js';

export interface GeneratedPackage {
  /** The temp project: node_modules/<package> is the generated package. */
  dir: string;
  /** The generated package's folder. */
  out: string;
  pkg: Record<string, Any>;
  node: Workflow.INodeType & {
    description: Workflow.INodeTypeDescription;
    execute: (this: Any) => Promise<Workflow.INodeExecutionData[][]>;
  };
  credentials: Workflow.ICredentialType;
  /** n8n-workflow as the generated node loads it (the same classes its errors are made of). */
  workflow: typeof Workflow;
  remove(): Promise<void>;
}

/**
 * Generates the package (n8n/generate.mjs) into a temp project whose node_modules holds this
 * repository as aws-s3-connector and n8n-workflow, as the package's dependency and peer.
 */
export async function generatedPackage(options: { root?: string } = {}): Promise<GeneratedPackage> {
  const dir = await mkdtemp(join(tmpdir(), 's3c-n8n-'));
  await mkdir(join(dir, 'node_modules'), { recursive: true });
  await symlink(repoRoot, join(dir, 'node_modules', 'aws-s3-connector'), 'dir');
  await symlink(join(repoRoot, 'node_modules', 'n8n-workflow'), join(dir, 'node_modules', 'n8n-workflow'), 'dir');
  const out = join(dir, 'node_modules', PACKAGE_NAME);
  // @ts-expect-error the generator is a plain .mjs script
  const { generate } = (await import('../../n8n/generate.mjs')) as { generate: (o: Any) => Promise<{ pkg: Any }> };
  const { pkg } = await generate({ out, ...options });
  const req = createRequire(join(out, 'dist', 'lib', 'node.cjs'));
  const Node = req(join(out, NODE_FILE)).AwsS3Connector;
  const Credentials = req(join(out, CREDENTIALS_FILE)).AwsS3ConnectorApi;
  return {
    dir,
    out,
    pkg,
    node: new Node(),
    credentials: new Credentials(),
    workflow: req('n8n-workflow'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

function get(source: Any, path: string): Any {
  let at = source;
  for (const part of path.split('.')) {
    if (at === null || typeof at !== 'object') return undefined;
    at = at[part];
  }
  return at;
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

export interface StandInOptions {
  /** The parameters a user set, per item (n8n evaluates them per item), or one set for all. */
  parameters: Workflow.INodeParameters | ((itemIndex: number) => Workflow.INodeParameters);
  items?: Workflow.INodeExecutionData[];
  /** The credential's stored data, as the credentials dialog saves it. */
  credentials: Workflow.ICredentialDataDecryptedObject;
  continueOnFail?: boolean;
  timezone?: string;
}

export interface StandIn {
  fns: Any;
  node: Workflow.INode;
  /** The parameters of item i as n8n would hand them to the node (defaults in, hidden ones out). */
  resolved(itemIndex: number): Workflow.INodeParameters;
  controller: AbortController;
}

/** A stand-in for n8n's execution context around one run of the node. */
export function standIn(p: GeneratedPackage, o: StandInOptions): StandIn {
  const W = p.workflow;
  const description = p.node.description;
  const items = o.items ?? [{ json: {} }];
  const node: Workflow.INode = {
    id: 'node-1',
    name: 'S3',
    type: `${PACKAGE_NAME}.awsS3Connector`,
    typeVersion: 1,
    position: [0, 0],
    parameters: {},
  };
  const paramsOf = typeof o.parameters === 'function' ? o.parameters : () => o.parameters as Workflow.INodeParameters;
  const resolved = (i: number) =>
    W.NodeHelpers.getNodeParameters(description.properties, paramsOf(i), true, false, node, description) ?? {};
  // n8n's credentials helper fills in the defaults of the shown fields the same way.
  const credentialData = () =>
    W.NodeHelpers.getNodeParameters(
      p.credentials.properties as Workflow.INodeProperties[],
      o.credentials as Workflow.INodeParameters,
      true,
      false,
      null,
      null,
    ) ?? {};
  const controller = new AbortController();
  const fns = {
    getInputData: () => items,
    getNode: () => node,
    getNodeParameter: (name: string, i: number, fallback?: unknown) => {
      const v = get(resolved(i), name);
      return v === undefined ? fallback : v;
    },
    getCurrentNodeParameters: () => resolved(0),
    getCredentials: async () => credentialData(),
    continueOnFail: () => o.continueOnFail === true,
    getTimezone: () => o.timezone ?? 'UTC',
    getExecutionCancelSignal: () => controller.signal,
    helpers: {
      assertBinaryData(i: number, property: string) {
        const binary = items[i]?.binary?.[property];
        if (!binary)
          throw new W.NodeOperationError(
            node,
            `This operation expects the node's input data to contain a binary file '${property}', but none was found [item ${i}]`,
            { itemIndex: i },
          );
        return binary;
      },
      async getBinaryDataBuffer(i: number, property: string) {
        return Buffer.from(items[i]!.binary![property]!.data, 'base64');
      },
      async prepareBinaryData(
        data: Buffer | NodeJS.ReadableStream,
        fileName?: string,
        mimeType?: string,
      ): Promise<Workflow.IBinaryData> {
        const buffer = Buffer.isBuffer(data) ? data : await collect(data);
        const ext = fileName?.includes('.') ? fileName.split('.').pop() : undefined;
        return {
          data: buffer.toString('base64'),
          mimeType: mimeType ?? 'text/plain',
          ...(fileName ? { fileName } : {}),
          ...(ext ? { fileExtension: ext } : {}),
          fileSize: `${buffer.length} B`,
          bytes: buffer.length,
        };
      },
    },
  };
  return { fns, node, resolved, controller };
}

/** Runs the node's execute with the stand-in: the items of its one output. */
export async function execute(p: GeneratedPackage, o: StandInOptions): Promise<Workflow.INodeExecutionData[]> {
  const { fns } = standIn(p, o);
  const [out] = await p.node.execute.call(fns);
  return out ?? [];
}
