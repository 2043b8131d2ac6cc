// Node-RED nodes for the connector, generated from its manifest at load time: a config node for
// the connection and one `aws-s3` node whose operation picker and form come from the bundled
// input schemas. Nothing here names an operation or a connection field: adding an operation to
// connector.json makes it appear in the editor, the admin endpoints and the runtime.
//
// Settings (settings.js, all optional): awsS3Connector: { filesRoot, maxBufferBytes,
// allowedHttpsHosts, allowPrivateNetworks, timeoutMs, root }.
'use strict';

const { readFileSync } = require('node:fs');
const { rm } = require('node:fs/promises');
const path = require('node:path');
const form = require('./lib/form.cjs');
const { loadConnector, importConnectorModule } = require('../dist/src/cjs/index.cjs');

const NODE_TYPE = 'aws-s3';
const CONNECTION_TYPE = 'aws-s3-connection';
/** Admin endpoints live under this path of the editor's API (RED.httpAdmin). */
const ADMIN = '/aws-s3';
/** A file the node reads into a Buffer may be this large by default (64 MiB). */
const DEFAULT_MAX_BUFFER_BYTES = 64 * 1024 * 1024;

const isObject = (v) =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v) && !(v instanceof Uint8Array);
const isBytes = (v) => Buffer.isBuffer(v) || v instanceof Uint8Array;

/** The error a flow sees: msg.error.code is the connector's code, msg.error.cause the whole error. */
function flowError(info) {
  const err = new Error(info.message, { cause: info });
  err.name = 'S3ConnectorError';
  err.code = info.code || info.type;
  err.toString = () => info.message;
  return err;
}

function nodeError(type, code, message) {
  return flowError({ type, code, message, retryable: false });
}

async function readAll(stream, limit) {
  const chunks = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > limit) {
      stream.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

module.exports = async (RED) => {
  const options = (RED.settings && RED.settings.awsS3Connector) || {};
  const maxBufferBytes = options.maxBufferBytes || DEFAULT_MAX_BUFFER_BYTES;
  const api = await importConnectorModule();
  const files = new api.LocalFileStore(options.filesRoot);
  const connector = await loadConnector({
    ...(options.root ? { root: options.root } : {}),
    files,
    allowedHttpsHosts: options.allowedHttpsHosts || [],
    allowPrivateNetworks: options.allowPrivateNetworks === true,
  });
  const operations = connector.operations({ bundled: true });
  const byName = new Map(operations.map((op) => [op.name, op]));
  const connectionSchema = connector.bundledConnectionSchema();
  const connectionForm = form.formOf(connectionSchema);
  const credentialModel = form.credentialModel(connectionForm);

  // ---- the connection (config node) -------------------------------------------------------
  function ConnectionNode(config) {
    RED.nodes.createNode(this, config);
    this.name = config.name;
    this.settings = isObject(config.settings) ? config.settings : {};
    /** The connection object the connector takes, from the settings and the credentials. */
    this.connection = (draft) => connectionOf(this.settings, this.credentials, draft);
  }
  RED.nodes.registerType(CONNECTION_TYPE, ConnectionNode, { credentials: credentialModel.credentials });

  /**
   * A connection from stored settings and credentials, with an editor's unsaved draft over them
   * (a password the editor shows as `__PWRD__` is the stored one).
   */
  function connectionOf(settings, credentials, draft) {
    const creds = { ...(credentials || {}) };
    let merged = settings || {};
    if (draft) {
      if (isObject(draft.settings)) merged = draft.settings;
      if (isObject(draft.credentials)) {
        for (const [key, value] of Object.entries(draft.credentials)) {
          if (!(key in credentialModel.credentials) || typeof value !== 'string' || value === '__PWRD__') continue;
          creds[key] = value;
        }
      }
    }
    return form.joinConnection(connectionForm, credentialModel, merged, creds);
  }

  // ---- files: Buffers in and out ----------------------------------------------------------
  /** A Buffer (or { data: Buffer, name?, mimeType? }) where the schema wants a file reference, written to the store. */
  async function storeBuffer(value, fallbackName, written) {
    const data = isBytes(value) ? Buffer.from(value) : Buffer.from(value.data);
    const name = (isObject(value) && typeof value.name === 'string' && value.name) || fallbackName || 'payload.bin';
    const draft = await files.create(name);
    await new Promise((resolve, reject) => {
      draft.stream.once('error', reject);
      draft.stream.end(data, resolve);
    });
    const mimeType = isObject(value) && typeof value.mimeType === 'string' ? value.mimeType : undefined;
    const ref = await draft.commit({ mimeType: mimeType || 'application/octet-stream', size: data.length });
    written.push(ref.url);
    return { url: ref.url, name: ref.name, size: ref.size, ...(mimeType ? { mimeType } : {}) };
  }

  async function removeStored(url) {
    try {
      const real = await files.resolve(url);
      const folder = path.dirname(real);
      // Each stored file has a folder of its own inside the store's root.
      if (path.basename(folder) !== path.basename(files.root)) await rm(folder, { recursive: true, force: true });
      else await rm(real, { force: true });
    } catch {
      // gone already
    }
  }

  /** A file reference of the output, read into { name, mimeType, size, data: Buffer }; the stored copy is removed. */
  async function loadBuffer(ref) {
    try {
      const opened = await files.open(ref.url);
      if (opened.size !== undefined && opened.size > maxBufferBytes) {
        opened.stream.destroy();
        return { tooLarge: opened.size };
      }
      const data = await readAll(opened.stream, maxBufferBytes);
      if (!data) return { tooLarge: ref.size };
      const { url: _url, ...meta } = ref;
      return { value: { ...meta, data } };
    } finally {
      await removeStored(ref.url);
    }
  }

  // ---- the operation node -----------------------------------------------------------------
  function S3Node(config) {
    RED.nodes.createNode(this, config);
    this.operation = config.operation;
    this.input = isObject(config.input) ? config.input : {};
    this.files = config.files === 'reference' ? 'reference' : 'buffer';
    this.connectionNode = RED.nodes.getNode(config.connection);
    const inflight = new Set();

    this.on('input', async (msg, send, done) => {
      const op = byName.get(this.operation);
      if (!op || op.kind !== 'action') {
        done(
          nodeError(
            'user_input',
            'UnknownOperation',
            `This node's operation ${JSON.stringify(this.operation)} is not an action of the connector. Pick an operation in the node's settings.`,
          ),
        );
        return;
      }
      if (!this.connectionNode) {
        done(
          nodeError(
            'user_input',
            'NoConnection',
            'This node has no S3 connection: choose one in its settings and deploy.',
          ),
        );
        return;
      }
      const controller = new AbortController();
      inflight.add(controller);
      const written = [];
      try {
        const fileFields = form.fileFields(op.inputSchema);
        const input = structuredClone(this.input);
        if (isObject(msg.payload)) {
          // Only the operation's own fields: the previous node's output (bucket, key, etag, …)
          // can feed this one without a change node in between.
          const known = op.inputSchema.additionalProperties === false ? op.inputSchema.properties || {} : undefined;
          for (const [k, v] of Object.entries(msg.payload)) if (!known || Object.hasOwn(known, k)) input[k] = v;
        } else if (isBytes(msg.payload) && fileFields.length === 1) {
          input[fileFields[0]] = msg.payload;
        }
        const keyName = typeof input.key === 'string' ? input.key.split('/').pop() : undefined;
        for (const field of fileFields) {
          const v = input[field];
          if (isBytes(v) || (isObject(v) && isBytes(v.data)))
            input[field] = await storeBuffer(
              v,
              (typeof msg.filename === 'string' && path.basename(msg.filename)) || keyName,
              written,
            );
        }
        const result = await connector.invokeDynamic(op.name, input, {
          connection: this.connectionNode.connection(),
          signal: controller.signal,
          ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
        });
        if (!result.ok) {
          this.status({ fill: 'red', shape: 'ring', text: result.error.type });
          done(flowError(result.error));
          return;
        }
        const output = result.output;
        if (this.files === 'buffer') {
          for (const field of form.fileFields(op.outputSchema)) {
            const ref = output[field];
            if (!isObject(ref) || typeof ref.url !== 'string') continue;
            const loaded = await loadBuffer(ref);
            if (loaded.tooLarge !== undefined) {
              this.status({ fill: 'red', shape: 'ring', text: 'user_input' });
              done(
                nodeError(
                  'user_input',
                  'FileTooLargeForBuffer',
                  `The file is ${loaded.tooLarge} bytes, more than the ${maxBufferBytes} bytes this node reads into a Buffer: set the node's "Files out" to "File reference", or raise awsS3Connector.maxBufferBytes in settings.js.`,
                ),
              );
              return;
            }
            output[field] = loaded.value;
          }
        }
        this.status({});
        msg.payload = output;
        send(msg);
        done();
      } catch (err) {
        // The file store's own errors carry the connector's error model (`info`).
        const info =
          err && err.info && err.info.type
            ? err.info
            : {
                type: 'internal',
                code: 'NodeFailed',
                retryable: false,
                message: `The node failed: ${err && err.message ? err.message : String(err)}`,
              };
        this.status({ fill: 'red', shape: 'ring', text: info.type });
        done(flowError(info));
      } finally {
        inflight.delete(controller);
        await Promise.all(written.map(removeStored));
      }
    });

    this.on('close', (done) => {
      for (const controller of inflight) controller.abort();
      done();
    });
  }
  RED.nodes.registerType(NODE_TYPE, S3Node);

  // ---- admin endpoints (the editor) -------------------------------------------------------
  const read = RED.auth.needsPermission(`${NODE_TYPE}.read`);
  const write = RED.auth.needsPermission(`${NODE_TYPE}.write`);

  /** What the editor's script is built with: the names, the connection's form and credentials. */
  const editorModel = {
    nodeType: NODE_TYPE,
    connectionType: CONNECTION_TYPE,
    admin: ADMIN.slice(1),
    title: connector.manifest.title,
    connectionForm,
    credentials: credentialModel.credentials,
    credentialProperties: credentialModel.properties,
    operations: operations.map((op) => ({ name: op.name, title: op.title, kind: op.kind })),
  };
  const editorScript = [
    '(function () {',
    'var module = { exports: {} };',
    readFileSync(path.join(__dirname, 'lib', 'form.cjs'), 'utf8'),
    'var Form = module.exports;',
    `var MODEL = ${JSON.stringify(editorModel)};`,
    readFileSync(path.join(__dirname, 'lib', 'editor.js'), 'utf8'),
    '})();',
  ].join('\n');

  // Loaded by the node's HTML (<script src="aws-s3/editor.js">): schema text only, no secrets.
  RED.httpAdmin.get(`${ADMIN}/editor.js`, (_req, res) => {
    res.set('Content-Type', 'application/javascript; charset=utf-8');
    res.set('Cache-Control', 'no-cache');
    res.send(editorScript);
  });

  /** Every operation with its bundled input and output schemas. */
  RED.httpAdmin.get(`${ADMIN}/operations`, read, (_req, res) => {
    res.json({
      operations: operations.map((op) => ({
        name: op.name,
        title: op.title,
        description: op.description,
        kind: op.kind,
        permissions: op.permissions,
        annotations: op.annotations,
        inputSchema: op.inputSchema,
        outputSchema: op.outputSchema,
      })),
      connectionSchema,
    });
  });

  function requestConnection(body) {
    const stored = typeof body.connection === 'string' ? RED.nodes.getNode(body.connection) : null;
    if (!stored && !isObject(body.draft)) return undefined;
    return stored ? stored.connection(body.draft) : connectionOf({}, {}, body.draft);
  }

  /** Runs a lookup (only a `lookup` operation) with the chosen config node's connection. */
  RED.httpAdmin.post(`${ADMIN}/lookup`, write, async (req, res) => {
    const body = isObject(req.body) ? req.body : {};
    const op = byName.get(body.operation);
    if (!op || op.kind !== 'lookup') {
      res.status(400).json({
        ok: false,
        error: {
          type: 'user_input',
          code: 'NotALookup',
          retryable: false,
          message: `${JSON.stringify(body.operation)} is not a lookup operation.`,
        },
      });
      return;
    }
    const connection = requestConnection(body);
    if (!connection) {
      res.json({
        ok: false,
        error: {
          type: 'user_input',
          code: 'NoConnection',
          retryable: false,
          message: 'Choose a connection to fill this list.',
        },
      });
      return;
    }
    res.json(
      await connector.invokeDynamic(op.name, isObject(body.input) ? body.input : {}, { connection, timeoutMs: 30_000 }),
    );
  });

  /** The config node's "Test connection" button. */
  RED.httpAdmin.post(`${ADMIN}/test-connection`, write, async (req, res) => {
    const body = isObject(req.body) ? req.body : {};
    const connection = requestConnection(body);
    if (!connection) {
      res.json({
        ok: false,
        error: {
          type: 'user_input',
          code: 'NoConnection',
          retryable: false,
          message: 'Nothing to test: fill in the connection first.',
        },
      });
      return;
    }
    res.json(await connector.testConnection(connection));
  });
};
