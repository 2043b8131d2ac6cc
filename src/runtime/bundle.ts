// Self-contained schemas for runtimes and form libraries that cannot follow a reference into
// another file (the MCP SDK client, Node-RED, n8n, JSON Forms, the playground's rjsf): every
// `defs.json#/$defs/x` becomes `#/$defs/x` with the definitions it needs copied in, and the
// root is always a literal `type: "object"`. A draft-07 variant serves validators of that dialect.
import type { JsonSchema } from './manifest.js';

export type Dialect = '2020-12' | 'draft-07';

export interface BundleOptions {
  /** JSON Schema dialect of the result (the schemas are written in 2020-12). */
  dialect?: Dialect;
  /** Keep the schema's `$id` (form libraries resolve local references better without it). */
  keepId?: boolean;
}

const SHARED_REF = 'defs.json#/$defs/';
const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

type Node = Record<string, unknown>;

export function bundleSchema(schema: JsonSchema | Node, defs: JsonSchema, options: BundleOptions = {}): Node {
  const shared = (defs.$defs ?? {}) as Node;
  const copied: Node = {};
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (node === null || typeof node !== 'object') return node;
    const out: Node = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(SHARED_REF)) {
        const name = v.slice(SHARED_REF.length);
        if (!(name in shared)) throw new Error(`unknown shared definition ${v}`);
        if (!(name in copied)) {
          copied[name] = true; // placeholder: definitions that refer to each other terminate
          copied[name] = rewrite(shared[name]);
        }
        out[k] = `#/$defs/${name}`;
      } else {
        out[k] = rewrite(v);
      }
    }
    return out;
  };
  let root = rewrite(schema) as Node;
  // A root that is only a reference (the lookups' inputs) takes the definition's own keywords,
  // so its `type: "object"` and properties are at the root where every client looks.
  if (typeof schema.$ref === 'string' && schema.$ref.startsWith(SHARED_REF)) {
    const { $ref: _ref, ...own } = root;
    root = { ...(copied[schema.$ref.slice(SHARED_REF.length)] as Node), ...own };
  }
  const { $id, ...body } = root;
  const local = { ...(body.$defs as Node | undefined), ...copied };
  const bundled: Node = {
    ...(options.keepId && $id ? { $id } : {}),
    ...body,
    type: 'object',
    ...(Object.keys(local).length ? { $defs: local } : {}),
  };
  return options.dialect === 'draft-07' ? toDraft07(bundled) : bundled;
}

/** The same schema in draft-07 words: `definitions`, `dependencies`, the draft-07 `$schema`. */
function toDraft07(schema: Node): Node {
  const convert = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(convert);
    if (node === null || typeof node !== 'object') return node;
    const out: Node = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === '$defs') out.definitions = convert(v);
      else if (k === 'dependentRequired') out.dependencies = convert(v);
      else if (k === '$ref' && typeof v === 'string') out.$ref = v.replace(/^#\/\$defs\//, '#/definitions/');
      else if (k === '$schema') out.$schema = DRAFT_07;
      else out[k] = convert(v);
    }
    return out;
  };
  return { $schema: DRAFT_07, ...(convert(schema) as Node) };
}
