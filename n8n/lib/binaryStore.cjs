// The FileStore bridge between the connector and n8n's binary data: what the connector reads as
// a file (put_object_file's `file`) is an input item's binary property, streamed from n8n's
// binary data store; what it writes as a file (get_object as a file) streams into a new n8n
// binary (helpers.prepareBinaryData), which the node puts on the output item. No temporary
// copy in between, and only the references this bridge handed out can be opened: a file://
// URL of the host's disk cannot reach it.
'use strict';

const { randomUUID } = require('node:crypto');
const { PassThrough, Readable } = require('node:stream');

const PREFIX = 'file:///n8n-binary/';

class N8nBinaryStore {
  /**
   * @param {object} fns n8n's IExecuteFunctions (its helpers and binary checks)
   * @param {number} itemIndex the item whose binary properties are read
   */
  constructor(fns, itemIndex) {
    this.fns = fns;
    this.itemIndex = itemIndex;
    /** url → { propertyName, binary } handed to the connector */
    this.inputs = new Map();
    /** url → IBinaryData written by the connector */
    this.outputs = new Map();
  }

  /** A file reference to the item's binary property (n8n's own error when the item has none). */
  fileReference(propertyName) {
    const binary = this.fns.helpers.assertBinaryData(this.itemIndex, propertyName);
    const name = binary.fileName || propertyName;
    const url = `${PREFIX}${randomUUID()}/${encodeURIComponent(name)}`;
    this.inputs.set(url, { propertyName, binary });
    return { url, name, ...(binary.mimeType ? { mimeType: binary.mimeType } : {}) };
  }

  async open(url) {
    const hit = this.inputs.get(url);
    if (!hit) throw new Error('The n8n node can only read the binary properties of its input items.');
    const { helpers } = this.fns;
    if (hit.binary.id && typeof helpers.getBinaryStream === 'function') {
      // Stored outside the execution data (filesystem or S3 mode): streamed.
      const meta =
        typeof helpers.getBinaryMetadata === 'function' ? await helpers.getBinaryMetadata(hit.binary.id) : {};
      const stream = await helpers.getBinaryStream(hit.binary.id);
      const size = typeof meta.fileSize === 'number' ? meta.fileSize : undefined;
      return { stream, ...(size !== undefined ? { size } : {}), name: hit.binary.fileName };
    }
    const buffer = await helpers.getBinaryDataBuffer(this.itemIndex, hit.propertyName);
    return { stream: Readable.from([buffer]), size: buffer.length, name: hit.binary.fileName };
  }

  async create(suggested) {
    // A name, not a path (the connector suggests the key's last segment, or the key).
    const name = String(suggested).split(/[\\/]/).filter(Boolean).pop() || 'file';
    const stream = new PassThrough();
    // n8n stores the bytes as they come; the connector commits once they are complete and
    // verified, with the object's content type (n8n's guess from the name stands until then).
    const prepared = this.fns.helpers.prepareBinaryData(stream, name).then(
      (binary) => ({ binary }),
      (error) => ({ error }),
    );
    return {
      stream,
      commit: async ({ mimeType, size }) => {
        const done = await prepared;
        if (done.error) throw done.error;
        const binary = done.binary;
        binary.mimeType = mimeType;
        binary.fileName = name;
        const dot = name.lastIndexOf('.');
        if (dot > 0) binary.fileExtension = name.slice(dot + 1);
        const url = `${PREFIX}${randomUUID()}/${encodeURIComponent(name)}`;
        this.outputs.set(url, binary);
        return { url, name, mimeType, size };
      },
      abort: async () => {
        // An unverified download never becomes a binary of the item (n8n removes what its
        // store kept of it with the execution's data).
        stream.destroy();
        await prepared;
      },
    };
  }

  /** The n8n binary behind a file reference the connector returned. */
  binaryOf(url) {
    return this.outputs.get(url);
  }
}

module.exports = { N8nBinaryStore };
