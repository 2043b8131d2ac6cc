// The operations of one manifest: their schemas, validators and handlers, each loaded on first
// use. A validator is its schema's generated module (src/generated/validators/, made at build
// time by scripts/generate-validators.mjs) when that module was generated from these very
// schemas; otherwise (a schema changed or added since, or another root's schemas) the schema is
// compiled with ajv, which is loaded only then. Nothing here sends a request.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import { capabilityUses, type CapabilityUse } from '../probes/capabilities.js';
import { keyFieldPaths } from './keyPrefix.js';
import {
  handlerUrl,
  readManifest,
  readSchemas,
  type JsonSchema,
  type Manifest,
  type ManifestOperation,
} from './manifest.js';
import type { Handler } from './operation.js';
import type { Validator } from './validators.js';
import { schemaDigest, validatorModuleUrl, type GeneratedValidator } from './validatorsGenerated.js';

export interface OperationInfo extends ManifestOperation {
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
}

export const DEFS_SCHEMA = 'schemas/defs.json';
const SHARED_REF = 'defs.json#/$defs/';

/** Where a validator came from: its generated module, or ajv compiling the schema at run time. */
export type ValidatorOrigin = 'generated' | 'compiled';

export class Registry {
  private readonly byName: Map<string, ManifestOperation>;
  private readonly validators = new Map<string, Validator>();
  private readonly loadingValidators = new Map<string, Promise<Validator>>();
  private readonly origins = new Map<string, ValidatorOrigin>();
  private ajv?: Promise<Ajv2020>;
  private readonly handlers = new Map<string, Promise<Handler<unknown, unknown>>>();
  private readonly loadedHandlers = new Map<string, Handler<unknown, unknown>>();
  private readonly uses = new Map<string, CapabilityUse[]>();
  private readonly keyPathsOf = new Map<string, string[][]>();

  private constructor(
    readonly root: string,
    readonly manifest: Manifest,
    private readonly schemas: Map<string, JsonSchema>,
  ) {
    this.byName = new Map(manifest.operations.map((op) => [op.name, op]));
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
    return this.manifest.operations.map((op) => ({
      ...op,
      inputSchema: this.schema(op.input),
      outputSchema: this.schema(op.output),
    }));
  }

  /** The validator of a schema file when it is loaded already (every call after the first), else undefined. */
  loadedValidator(path: string): Validator | undefined {
    return this.validators.get(path);
  }

  /** The validator of a schema file, loaded on first use and then reused. */
  validator(path: string): Promise<Validator> {
    const ready = this.validators.get(path);
    if (ready) return Promise.resolve(ready);
    let loading = this.loadingValidators.get(path);
    if (!loading) {
      loading = this.loadValidator(path).then((v) => {
        this.validators.set(path, v);
        this.loadingValidators.delete(path);
        return v;
      });
      loading.catch(() => this.loadingValidators.delete(path)); // a failed load is tried again next time
      this.loadingValidators.set(path, loading);
    }
    return loading;
  }

  /** How a loaded validator was made (undefined before it is loaded). */
  validatorOrigin(path: string): ValidatorOrigin | undefined {
    return this.origins.get(path);
  }

  private async loadValidator(path: string): Promise<Validator> {
    const schema = this.schemas.get(path);
    if (!schema) throw new Error(`no schema file ${path} in the manifest`);
    const url = validatorModuleUrl(path);
    if (existsSync(fileURLToPath(url))) {
      const generated = (await import(url.href)) as GeneratedValidator;
      if (generated.digest === schemaDigest(schema, this.schema(DEFS_SCHEMA))) {
        this.origins.set(path, 'generated');
        return generated.validate;
      }
    }
    // No current generated module: compile the schema with the same ajv the generator uses.
    this.ajv ??= import('./validation.js').then(({ createAjv }) => {
      const ajv = createAjv();
      for (const s of this.schemas.values()) ajv.addSchema(s);
      return ajv;
    });
    const validate = (await this.ajv).getSchema(schema.$id);
    if (!validate) throw new Error(`ajv has no schema ${schema.$id}`);
    this.origins.set(path, 'compiled');
    return validate;
  }

  /** The handler when it is imported already (every call after the first), else undefined. */
  loadedHandler(op: ManifestOperation): Handler<unknown, unknown> | undefined {
    return this.loadedHandlers.get(op.name);
  }

  handler(op: ManifestOperation): Promise<Handler<unknown, unknown>> {
    let h = this.handlers.get(op.name);
    if (!h) {
      h = import(handlerUrl(op.handler, this.root)).then((m: { default: Handler<unknown, unknown> }) => {
        this.loadedHandlers.set(op.name, m.default);
        return m.default;
      });
      this.handlers.set(op.name, h);
    }
    return h;
  }

  /** Resolves a `$ref` of an input schema: into its own `$defs`, or the shared ones. */
  private resolverOf(input: JsonSchema): (ref: string) => JsonSchema | undefined {
    const shared = (this.schema(DEFS_SCHEMA).$defs ?? {}) as Record<string, JsonSchema>;
    const local = (input.$defs ?? {}) as Record<string, JsonSchema>;
    return (ref) => {
      if (ref.startsWith(SHARED_REF)) return shared[ref.slice(SHARED_REF.length)];
      const name = ref.startsWith('#/$defs/') ? ref.slice('#/$defs/'.length) : undefined;
      return name === undefined ? undefined : (local[name] ?? shared[name]);
    };
  }

  /** Where the operation's input relies on a store capability (`x-needs` in its schema). */
  capabilityUses(op: ManifestOperation): CapabilityUse[] {
    let found = this.uses.get(op.name);
    if (!found) {
      const input = this.schema(op.input);
      found = capabilityUses(input, this.resolverOf(input));
      this.uses.set(op.name, found);
    }
    return found;
  }

  /** Where the operation's input names an object key (`format: s3-object-key` in its schema). */
  keyPaths(op: ManifestOperation): string[][] {
    let found = this.keyPathsOf.get(op.name);
    if (!found) {
      const input = this.schema(op.input);
      found = keyFieldPaths(input, this.resolverOf(input));
      this.keyPathsOf.set(op.name, found);
    }
    return found;
  }

  /** The top-level fields of the operation's input (where connection defaults may go). */
  inputFields(op: ManifestOperation): ReadonlySet<string> {
    return new Set(Object.keys((this.schema(op.input).properties ?? {}) as Record<string, unknown>));
  }
}
