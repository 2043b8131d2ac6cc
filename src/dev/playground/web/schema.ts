// What the page derives from our schemas: the uiSchema (from the x- keywords, writeOnly and the
// shared definitions used), and the validator (ajv draft 2020-12 with our keywords and formats).
import type { RJSFSchema, RJSFValidationError, UIOptionsType, UiSchema } from '@rjsf/utils';
import { customizeValidator } from '@rjsf/validator-ajv8';
import type { ErrorObject } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { FieldProblem } from '../../../runtime/errors.js';
import { describeErrors } from '../../../runtime/validation.js';
import { CUSTOM_FORMATS, UI_KEYWORDS } from '../../../runtime/vocabulary.js';

export type Schema = Record<string, any>;

export interface Lookup {
  operation: string;
  dependsOn?: string[];
}

/** Reference the server gives the shared file reference definition (see formSchema in server.ts). */
export const FILE_REFERENCE_REF = '#/$defs/fileReference';

/** The node a local JSON pointer (`#/$defs/bucket`) names. */
export function pointer(root: Schema, ref: string): Schema | undefined {
  if (!ref.startsWith('#')) return undefined;
  let node: any = root;
  for (const part of ref.slice(1).split('/').slice(1)) {
    node = node?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node && typeof node === 'object' ? node : undefined;
}

/** A schema with its local `$ref` followed; keywords next to the `$ref` win, as in draft 2020-12 forms. */
export function resolve(node: Schema, root: Schema): Schema {
  if (typeof node.$ref !== 'string') return node;
  const { $ref, ...siblings } = node;
  const target = pointer(root, $ref);
  return target ? { ...resolve(target, root), ...siblings } : node;
}

export function isFileReference(node: Schema | undefined): boolean {
  return node?.$ref === FILE_REFERENCE_REF;
}

/**
 * The schema as the form should see it. rjsf fills every `const` in as a default, which would
 * send a field such as `ifNoneMatch: "*"` (refuse to overwrite) without the user asking: a
 * standalone `const` becomes the equivalent one-value `enum`, a choice left empty until made.
 * Labelled choices (`oneOf` of `const` + `title`) and `oneOf` discriminators keep their `const`.
 */
export function forForm(schema: Schema): Schema {
  const walk = (node: unknown, keepConst: boolean, discriminator?: string): unknown => {
    if (Array.isArray(node)) return node.map((n) => walk(n, false));
    if (node === null || typeof node !== 'object') return node;
    const src = node as Schema;
    const out: Schema = {};
    for (const [k, v] of Object.entries(src)) {
      if ((k === 'oneOf' || k === 'anyOf') && Array.isArray(v)) {
        out[k] = v.map((branch) => walk(branch, true, src.discriminator?.propertyName));
      } else if (k === 'properties' && v && typeof v === 'object') {
        out[k] = Object.fromEntries(Object.entries(v).map(([name, p]) => [name, walk(p, name === discriminator)]));
      } else if (k === 'const' && !keepConst && !('enum' in src)) {
        out.enum = [v];
      } else {
        out[k] = walk(v, false);
      }
    }
    return out;
  };
  return walk(schema, false) as Schema;
}

/**
 * The uiSchema for a schema, derived from its keywords so no operation needs its own:
 * - `x-lookup` → the lookup widget (a dropdown fed by the lookup operation);
 * - `x-advanced` → folded under "Advanced options" by the object template;
 * - `x-order: n` → the field takes position n among its siblings (others keep schema order);
 * - `x-multiline` → a text area (line breaks kept) instead of a one-line input;
 * - `writeOnly` / `format: password` → a password input;
 * - a choice without a default → an empty first entry, "— not set —";
 * - a boolean without a default → Yes / No / "— not set —" (unset means detected, or the default);
 * - the shared file reference definition → the upload field;
 * - an object of free names to strings (metadata, tags) → the name / value rows editor;
 * - a `oneOf` discriminator property → hidden (the kind picker sets it), and the branch's own
 *   title too (the picker shows it).
 */
export function deriveUiSchema(node: Schema, root: Schema, discriminator?: string): UiSchema {
  const schema = resolve(node, root);
  const ui: UiSchema = {};
  const options: UIOptionsType = {};
  if (isFileReference(node)) ui['ui:field'] = 'fileReference';
  if (schema['x-lookup']) {
    ui['ui:widget'] = 'lookup';
    options.lookup = schema['x-lookup'];
  }
  if (schema.writeOnly || schema.format === 'password') {
    ui['ui:widget'] = 'password';
    options.autocomplete = 'off';
  }
  if (schema['x-advanced']) options.advanced = true;
  if (schema['x-multiline'] && schema.type === 'string' && !ui['ui:widget']) {
    ui['ui:widget'] = 'textarea';
    options.rows = 6;
  }
  if (isStringMap(schema)) ui['ui:field'] = 'keyValue';
  const choices =
    Array.isArray(schema.enum) || (Array.isArray(schema.oneOf) && schema.oneOf.every((b: Schema) => 'const' in b));
  if (choices && schema.default === undefined) ui['ui:placeholder'] = '— not set —';
  // A checkbox cannot say "not set", and for these booleans unset means something else
  // (detected, or the store's default): Yes / No / not set instead.
  if (schema.type === 'boolean' && schema.default === undefined) ui['ui:widget'] = 'optionalBoolean';

  if (schema.properties && !isFileReference(node)) {
    const names = Object.keys(schema.properties);
    for (const name of names) {
      const child = deriveUiSchema(schema.properties[name], root);
      if (name === discriminator) child['ui:widget'] = 'hidden';
      if (Object.keys(child).length) ui[name] = child;
    }
    const rank = (name: string, index: number): number => {
      const order = resolve(schema.properties[name], root)['x-order'];
      return typeof order === 'number' ? order : index;
    };
    if (names.some((n) => typeof resolve(schema.properties[n], root)['x-order'] === 'number')) {
      ui['ui:order'] = names
        .map((name, index) => ({ name, index, rank: rank(name, index) }))
        .sort((a, b) => a.rank - b.rank || a.index - b.index)
        .map((e) => e.name);
    }
  }
  if (schema.items && typeof schema.items === 'object' && !Array.isArray(schema.items)) {
    const items = deriveUiSchema(schema.items, root);
    if (Object.keys(items).length) ui.items = items;
  }
  for (const key of ['oneOf', 'anyOf'] as const) {
    if (!Array.isArray(schema[key])) continue;
    const branches = schema[key].map((b: Schema) => {
      const branch = deriveUiSchema(b, root, schema.discriminator?.propertyName);
      // The kind picker already names the branch: its fieldset shows only the description.
      if (resolve(b, root).properties)
        branch['ui:options'] = { ...(branch['ui:options'] as UIOptionsType | undefined), branch: true };
      return branch;
    });
    if (branches.some((b: UiSchema) => Object.keys(b).length)) ui[key] = branches;
  }
  if (Object.keys(options).length) ui['ui:options'] = options;
  return ui;
}

/** An object whose entries the user names (metadata, tags): string values under free names. */
export function isStringMap(schema: Schema): boolean {
  const values = schema.additionalProperties;
  return (
    schema.type === 'object' &&
    !schema.properties &&
    !schema.patternProperties &&
    values !== null &&
    typeof values === 'object' &&
    values.type === 'string'
  );
}

/** Same rules as the connector's validator (src/runtime/validation.ts), for the browser. */
const baseValidator = customizeValidator({
  AjvClass: Ajv2020 as any,
  // Unknown keywords still fail (ours are registered below); rjsf's derived sub-schemas need
  // the type/required/tuple strictness off.
  ajvOptionsOverrides: {
    strict: true,
    strictTypes: false,
    strictRequired: false,
    strictTuples: false,
    discriminator: true,
  },
  customFormats: CUSTOM_FORMATS,
  extenderFn: (ajv) => {
    for (const definition of UI_KEYWORDS) ajv.addKeyword(definition);
    return ajv;
  },
});

/**
 * ajv's own errors of each validation, by the `params` object rjsf carries over into its
 * errors: the transformer below hands them to the connector's describeErrors, which needs what
 * rjsf drops (instancePath, parentSchema, data).
 */
const rawErrors = new WeakMap<object, ErrorObject[]>();
const rawValidation = baseValidator.rawValidation.bind(baseValidator);
baseValidator.rawValidation = ((schema: RJSFSchema, formData?: unknown) => {
  const result = rawValidation<ErrorObject>(schema, formData);
  for (const error of result.errors ?? []) if (error.params) rawErrors.set(error.params, result.errors!);
  return result;
}) as typeof baseValidator.rawValidation;
export const validator = baseValidator;

/** A problem as rjsf places it: `field` a.b is the error of property .a.b. */
function toFormError(problem: FieldProblem): RJSFValidationError {
  const property = problem.field === '(the whole value)' ? '.' : `.${problem.field}`;
  return { name: problem.rule, property, message: problem.message, stack: problem.message, params: {} };
}

/**
 * The connector's own words for every problem (src/runtime/validation.ts, describeErrors): the
 * page says `key is required` where the CLI and the connector's errors do, not ajv's
 * `must have required property 'key'`. Errors that are not ajv's (a schema that does not
 * compile) pass through.
 */
export function transformErrors(errors: RJSFValidationError[]): RJSFValidationError[] {
  const raw = errors.map((e) => (e.params ? rawErrors.get(e.params) : undefined)).find(Boolean);
  if (!raw) return errors;
  const others = errors.filter((e) => !e.params || !rawErrors.has(e.params));
  return [...describeErrors(raw).map(toFormError), ...others];
}

export type { RJSFSchema };
