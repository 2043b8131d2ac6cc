// The n8n node and credentials classes, built from the bundled schemas the generator wrote
// (connector.n8n.json) when n8n loads the package. `execute` reads each item's parameters back
// into the operation's input (model.cjs), runs it with `invokeDynamic`, and gives its output as
// the item's JSON, files as n8n binary data (binaryStore.cjs). A failure is a NodeApiError (the
// store answered, or could not be reached) or a NodeOperationError (the input, or the node),
// carrying the connector's structured error; with "continue on fail" that error is the item's
// JSON, `{ error: { type, code, message, retryable, ... } }`.
'use strict';

const { NodeApiError, NodeOperationError } = require('n8n-workflow');
const { loadConnector } = require('aws-s3-connector');
const model = require('./model.cjs');
const { N8nBinaryStore } = require('./binaryStore.cjs');

/** Error types that are the workflow's input or the node's own doing, not the store's answer. */
const OPERATION_ERROR_TYPES = ['user_input', 'internal'];
const LOOKUP_TIMEOUT_MS = 30_000;

const shared = new Map();
/** One connector per process and manifest (its S3 clients are cached by connection and reused). */
function connectorFor(root) {
  if (!shared.has(root)) shared.set(root, loadConnector(root ? { root } : {}));
  return shared.get(root);
}

/** An error already in the connector's terms. */
class ConnectorFailure extends Error {
  constructor(info) {
    super(info.message);
    this.info = info;
  }
}

const userError = (code, message) => new ConnectorFailure({ type: 'user_input', code, message, retryable: false });

/** The connector's error for anything thrown while running an item. */
function infoOf(err) {
  if (err instanceof ConnectorFailure) return err.info;
  if (err instanceof NodeOperationError || (err && err.name === 'NodeOperationError')) {
    // n8n's own checks (a missing binary property, a parameter it cannot read).
    return {
      type: 'user_input',
      code: 'NodeParameter',
      message: err.message,
      retryable: false,
      ...(err.description ? { details: { description: err.description } } : {}),
    };
  }
  return {
    type: 'internal',
    code: 'NodeFailed',
    message: `The node failed: ${err?.message ? err.message : String(err)}`,
    retryable: false,
  };
}

/** The description n8n shows under the message: the error's type, code, and what each field got wrong. */
function describeInfo(info) {
  const lines = [
    `${info.type}${info.code ? ` (${info.code})` : ''}${info.retryable ? ', worth retrying' : ''}${info.status ? `, HTTP ${info.status}` : ''}`,
  ];
  const problems = info.details && Array.isArray(info.details.problems) ? info.details.problems : [];
  for (const p of problems) if (p && typeof p.message === 'string') lines.push(`- ${p.message}`);
  if (info.requestId) lines.push(`request ID ${info.requestId}`);
  return lines.join('\n');
}

/** The n8n error for a connector error, the structured error kept on it. */
function nodeErrorOf(node, info, itemIndex) {
  const description = describeInfo(info);
  const err = OPERATION_ERROR_TYPES.includes(info.type)
    ? new NodeOperationError(node, info.message, { itemIndex, description })
    : new NodeApiError(
        node,
        { ...info },
        { message: info.message, description, itemIndex, ...(info.status ? { httpCode: String(info.status) } : {}) },
      );
  // n8n words some HTTP statuses and error codes its own way; the connector's message says what to do.
  err.message = info.message;
  err.context.connectorError = info;
  return err;
}

/** Wall-clock date-times (n8n's date picker) in the workflow's time zone, to RFC 3339. */
function zoneOffsetMinutes(at, timeZone) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(at));
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((local - Math.floor(at / 1000) * 1000) / 60000);
}

function toRfc3339(value, timeZone) {
  if (value && typeof value.toISO === 'function') return value.toISO(); // a luxon DateTime from an expression
  if (value instanceof Date) return value.toISOString();
  const text = String(value).trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?$/.exec(text);
  if (!m) return text; // has an offset already, or is not a date: the connector checks it
  const wall = Date.UTC(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4] || 0),
    Number(m[5] || 0),
    Number(m[6] || 0),
    m[7] ? Math.round(Number(m[7]) * 1000) : 0,
  );
  if (!timeZone) return new Date(wall).toISOString();
  let at = wall - zoneOffsetMinutes(wall, timeZone) * 60000;
  const again = zoneOffsetMinutes(at, timeZone);
  at = wall - again * 60000;
  return new Date(at).toISOString();
}

async function connectionFrom(credentialModel, data) {
  return model.connectionOf(credentialModel, data, {
    dateTime: (v) => toRfc3339(v),
    userError,
    fileReference: () => model.UNSET,
  });
}

/** The node class n8n loads (`exports.<ClassName>` of the node file). */
function nodeClass(bundle) {
  const m = model.nodeModel(bundle);
  const credentials = model.credentialModel(bundle.connectionSchema);
  const connector = () => connectorFor(bundle.connector.root);
  const displayName = `${bundle.connector.title} Connector`;
  const description = {
    displayName,
    name: model.NODE_NAME,
    icon: 'file:awsS3Connector.svg',
    group: ['output'],
    version: 1,
    subtitle: '={{ $parameter["operation"] }}',
    description: bundle.connector.description,
    defaults: { name: displayName },
    inputs: ['main'],
    outputs: ['main'],
    usableAsTool: true,
    credentials: [{ name: model.CREDENTIAL_NAME, required: true, testedBy: 'connectorTest' }],
    properties: m.properties,
  };

  const loadOptions = {};
  for (const name of m.lookups) {
    loadOptions[name] = async function () {
      const parameters = this.getCurrentNodeParameters() || {};
      const plan = m.plans[parameters.operation];
      const input = plan ? model.lookupInput(plan, name, parameters) : {};
      const connection = await connectionFrom(credentials, await this.getCredentials(model.CREDENTIAL_NAME));
      const result = await (await connector()).invokeDynamic(name, input, { connection, timeoutMs: LOOKUP_TIMEOUT_MS });
      if (!result.ok) throw nodeErrorOf(this.getNode(), result.error);
      return result.output.options.map((o) => ({
        name: o.label,
        value: o.value,
        ...(o.description ? { description: o.description } : {}),
      }));
    };
  }

  const methods = {
    loadOptions,
    credentialTest: {
      /** The credentials dialog's test: testConnection (a one-bucket ListBuckets). */
      async connectorTest(credential) {
        const connection = await connectionFrom(credentials, credential.data);
        const result = await (await connector()).testConnection(connection);
        return result.ok
          ? { status: 'OK', message: 'Connection tested successfully' }
          : { status: 'Error', message: result.error.message };
      },
    },
  };

  async function runItem(fns, conn, connection, i, signal, timeZone) {
    const operation = fns.getNodeParameter('operation', i);
    const plan = m.plans[operation];
    if (!plan)
      throw userError(
        'UnknownOperation',
        `${JSON.stringify(operation)} is not an operation of this node: pick one in its parameters.`,
      );
    const store = new N8nBinaryStore(fns, i);
    const tools = { fileReference: (p) => store.fileReference(p), dateTime: (v) => toRfc3339(v, timeZone), userError };
    const input = await model.inputOf(plan, (name, fallback) => fns.getNodeParameter(name, i, fallback), tools);
    const result = await conn.invokeDynamic(operation, input, {
      connection,
      files: store,
      ...(signal ? { signal } : {}),
    });
    if (!result.ok) throw new ConnectorFailure(result.error);
    const json = result.output;
    const binary = {};
    if (plan.outputFiles.length) {
      const property = fns.getNodeParameter(model.BINARY_OUT, i, 'data') || 'data';
      for (const field of plan.outputFiles) {
        const ref = json[field];
        const data = ref && typeof ref.url === 'string' ? store.binaryOf(ref.url) : undefined;
        if (!data) continue;
        const key = plan.outputFiles.length === 1 ? property : `${property}_${field}`;
        binary[key] = data;
        // The bridge's URL means nothing outside this run: the file is the item's binary.
        json[field] = { name: ref.name, mimeType: ref.mimeType, size: ref.size, binaryProperty: key };
      }
    }
    return { json, ...(Object.keys(binary).length ? { binary } : {}), pairedItem: { item: i } };
  }

  class AwsS3Connector {
    constructor() {
      this.description = description;
      this.methods = methods;
    }

    async execute() {
      const items = this.getInputData();
      const out = [];
      const conn = await connector();
      const signal = typeof this.getExecutionCancelSignal === 'function' ? this.getExecutionCancelSignal() : undefined;
      const timeZone = typeof this.getTimezone === 'function' ? this.getTimezone() : undefined;
      let connection;
      for (let i = 0; i < items.length; i++) {
        try {
          connection ??= await connectionFrom(credentials, await this.getCredentials(model.CREDENTIAL_NAME, i));
          out.push(await runItem(this, conn, connection, i, signal, timeZone));
        } catch (err) {
          const info = infoOf(err);
          if (this.continueOnFail()) {
            out.push({ json: { error: info }, pairedItem: { item: i } });
            continue;
          }
          throw nodeErrorOf(this.getNode(), info, i);
        }
      }
      return [out];
    }
  }
  return AwsS3Connector;
}

/** The credentials class n8n loads (`exports.<ClassName>` of the credentials file). */
function credentialClass(bundle) {
  const { properties } = model.credentialModel(bundle.connectionSchema);
  const displayName = `${bundle.connector.title} Connector`;
  class AwsS3ConnectorApi {
    constructor() {
      this.name = model.CREDENTIAL_NAME;
      this.displayName = displayName;
      this.icon = 'file:awsS3Connector.svg';
      this.documentationUrl = 'https://www.npmjs.com/package/aws-s3-connector';
      this.properties = properties;
    }
  }
  return AwsS3ConnectorApi;
}

module.exports = { nodeClass, credentialClass, toRfc3339, describeInfo };
