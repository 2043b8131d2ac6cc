// The operations of one manifest: their schemas, validators (compiled on first use) and
// handlers (imported on first use). Nothing here sends a request.
import type { ValidateFunction } from 'ajv';
import { capabilityUses, type CapabilityUse } from '../probes/capabilities.js';
import { handlerUrl, readManifest, readSchemas, type JsonSchema, type Manifest, type ManifestOperation } from './manifest.js';
import type { Handler } from './operation.js';
import { createAjv } from './validation.js';

export interface OperationInfo extends ManifestOperation {
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
}

export const DEFS_SCHEMA = 'schemas/defs.json';
const SHARED_REF = 'defs.json#/$defs/';

export class Registry {
  private readonly byName: Map<string, ManifestOperation>;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly handlers = new Map<string, Promise<Handler<unknown, unknown>>>();
  private readonly uses = new Map<string, CapabilityUse[]>();
  readonly ajv = createAjv();

  private constructor(
    readonly root: string,
    readonly manifest: Manifest,
    private readonly schemas: Map<string, JsonSchema>,
  ) {
    this.byName = new Map(manifest.operations.map((op) => [op.name, op]));
    for (const schema of schemas.values()) this.ajv.addSchema(schema);
  }

  static async load(root: string): Promise<Registry> {
    const manifest = await readManifest(root);
    return new Registry(root, manifest, await readSchemas(manifest, root));
  }

  operation(name: string): ManifestOperation | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  schema(path: string): JsonSchema {
    return this.schemas.get(path)!;
  }

  operations(): OperationInfo[] {
    return this.manifest.operations.map((op) => ({ ...op, inputSchema: this.schema(op.input), outputSchema: this.schema(op.output) }));
  }

  /** The validator of a schema file, compiled on first use and then reused. */
  validator(path: string): ValidateFunction {
    let v = this.validators.get(path);
    if (v === undefined) {
      v = this.ajv.getSchema(this.schema(path).$id) as ValidateFunction;
      this.validators.set(path, v);
    }
    return v;
  }

  handler(op: ManifestOperation): Promise<Handler<unknown, unknown>> {
    let h = this.handlers.get(op.name);
    if (!h) {
      h = import(handlerUrl(op.handler, this.root)).then((m: { default: Handler<unknown, unknown> }) => m.default);
      this.handlers.set(op.name, h);
    }
    return h;
  }

  /** Where the operation's input relies on a store capability (`x-needs` in its schema). */
  capabilityUses(op: ManifestOperation): CapabilityUse[] {
    let found = this.uses.get(op.name);
    if (!found) {
      const input = this.schema(op.input);
      const shared = (this.schema(DEFS_SCHEMA).$defs ?? {}) as Record<string, JsonSchema>;
      const local = (input.$defs ?? {}) as Record<string, JsonSchema>;
      found = capabilityUses(input, (ref) => {
        if (ref.startsWith(SHARED_REF)) return shared[ref.slice(SHARED_REF.length)];
        const name = ref.startsWith('#/$defs/') ? ref.slice('#/$defs/'.length) : undefined;
        return name === undefined ? undefined : local[name] ?? shared[name];
      });
      this.uses.set(op.name, found);
    }
    return found;
  }
}
