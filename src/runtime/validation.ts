// One ajv instance for all schemas: strict mode, our `x-` keywords registered with their own
// meta-schemas, validators compiled once per schema and reused.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import formatsPlugin from 'ajv-formats';
import { ConnectorError, type FieldProblem } from './errors.js';
import { CUSTOM_FORMATS, FORMAT_NAMES, UI_KEYWORDS } from './vocabulary.js';

export { MAX_KEY_BYTES } from './vocabulary.js';

export function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({
    strict: true,
    allErrors: true,
    useDefaults: true,
    discriminator: true,
    verbose: true, // errors carry their schema, whose description explains the rule in plain words
  });
  // ajv-formats is CommonJS: under NodeNext its default export is the module object.
  const addFormats = formatsPlugin.default;
  addFormats(ajv);
  for (const [name, format] of Object.entries(CUSTOM_FORMATS)) ajv.addFormat(name, format);
  for (const definition of UI_KEYWORDS) ajv.addKeyword(definition);
  return ajv;
}

export type Validator = ValidateFunction;

/** Deepest nesting an input or connection may have: no schema goes past a few levels. */
export const MAX_INPUT_DEPTH = 32;

/**
 * Refuses a value nested deeper than MAX_INPUT_DEPTH before anything recursive (a copy, the
 * validator) reads it: walked with a stack of its own, so a hostile input cannot overflow ours.
 */
export function checkDepth(value: unknown, what: 'input' | 'connection'): void {
  const stack: [unknown, number][] = [[value, 1]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [node, depth] = item;
    if (node === null || typeof node !== 'object') continue;
    if (depth > MAX_INPUT_DEPTH) {
      throw new ConnectorError({
        type: 'user_input',
        code: what === 'connection' ? 'InvalidConnection' : 'InvalidInput',
        message: `Invalid ${what}: it is nested more than ${MAX_INPUT_DEPTH} levels deep; no field of this connector takes that.`,
      });
    }
    for (const child of Object.values(node)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
}

/**
 * Validates `data` in place (defaults are filled in) and throws a `user_input` ConnectorError
 * naming each failing field and its rule.
 */
export function check(validate: ValidateFunction, data: unknown, what: 'input' | 'connection'): void {
  if (validate(data)) return;
  const problems = describeErrors(validate.errors ?? []);
  const first = problems[0]?.message ?? `the ${what} does not match its schema`;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  throw new ConnectorError({
    type: 'user_input',
    code: what === 'connection' ? 'InvalidConnection' : 'InvalidInput',
    message: `Invalid ${what}: ${first.replace(/\.$/, '')}${more}.`,
    details: { problems },
  });
}

function fieldName(err: ErrorObject, extra?: string): string {
  const parts = err.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  return parts.length ? parts.join('.') : '(the whole value)';
}

function shown(err: ErrorObject): string {
  const schema = err.parentSchema as { writeOnly?: boolean } | undefined;
  if (schema?.writeOnly || typeof err.data !== 'string' || err.data.length > 80) return '';
  return ` ${JSON.stringify(err.data)}`;
}

function explain(err: ErrorObject): string {
  const d = (err.parentSchema as { description?: string } | undefined)?.description;
  return d ? ` — ${d}` : '';
}

function describe(err: ErrorObject): FieldProblem | undefined {
  const p = err.params as Record<string, unknown>;
  const field = fieldName(err);
  const rule = err.keyword;
  let message: string;
  switch (rule) {
    case 'if':
    case 'oneOf': // the discriminator (or the branch's own errors) says it better
      return undefined;
    case 'required':
      return { field: fieldName(err, String(p.missingProperty)), rule, message: `${fieldName(err, String(p.missingProperty))} is required` };
    case 'additionalProperties':
      return {
        field: fieldName(err, String(p.additionalProperty)),
        rule,
        message: `${fieldName(err, String(p.additionalProperty))} is not a known field (remove it)`,
      };
    case 'dependentRequired':
      return {
        field: fieldName(err, String(p.missingProperty)),
        rule,
        message: `${fieldName(err, String(p.missingProperty))} is required when ${fieldName(err, String(p.property))} is set`,
      };
    case 'discriminator': {
      const branches = ((err.parentSchema as { oneOf?: { properties: { type: { const: string } } }[] }).oneOf ?? [])
        .map((b) => b.properties.type.const);
      return { field: fieldName(err, String(p.tag)), rule, message: `${fieldName(err, String(p.tag))} must be one of: ${branches.join(', ')}` };
    }
    case 'type':
      message = `must be ${/^[aeiou]/.test(String(p.type)) ? 'an' : 'a'} ${p.type}`;
      break;
    case 'minLength':
      message = p.limit === 1 ? 'must not be empty' : `must be at least ${p.limit} characters long`;
      break;
    case 'maxLength':
      message = `must be at most ${p.limit} characters long`;
      break;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      message = `must be ${p.comparison} ${p.limit}`;
      break;
    case 'minItems':
      message = `must have at least ${p.limit} item${p.limit === 1 ? '' : 's'}`;
      break;
    case 'maxItems':
      message = `must have at most ${p.limit} items`;
      break;
    case 'minProperties':
    case 'maxProperties':
      message = `must have ${rule === 'minProperties' ? 'at least' : 'at most'} ${p.limit} entries`;
      break;
    case 'pattern':
      message = `${shown(err)} is not valid${explain(err)}`.trimStart();
      break;
    case 'format':
      message = `must be ${FORMAT_NAMES[String(p.format)] ?? `a valid ${p.format}`}`;
      break;
    case 'const':
      message = `must be ${JSON.stringify(p.allowedValue)}`;
      break;
    case 'enum':
      message = `must be one of: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      break;
    default:
      message = err.message ?? 'is not valid';
  }
  return { field, rule, message: `${field} ${message}` };
}

export function describeErrors(errors: ErrorObject[]): FieldProblem[] {
  // A oneOf of labelled constants is one choice: say "must be one of" once, not once per option.
  const choices = errors.filter((e) => e.keyword === 'oneOf' && isChoice(e.parentSchema));
  const seen = new Set<string>();
  const out: FieldProblem[] = [];
  const add = (problem: FieldProblem | undefined) => {
    if (!problem || seen.has(problem.message)) return;
    seen.add(problem.message);
    out.push(problem);
  };
  for (const choice of choices) {
    const options = (choice.parentSchema as { oneOf: { const: unknown }[] }).oneOf.map((o) => JSON.stringify(o.const));
    const field = fieldName(choice);
    add({ field, rule: 'enum', message: `${field} must be one of: ${options.join(', ')}` });
  }
  for (const err of errors) {
    if (choices.some((c) => err.schemaPath.startsWith(`${c.schemaPath}/`))) continue;
    add(describe(err));
  }
  return out;
}

function isChoice(schema: unknown): boolean {
  const oneOf = (schema as { oneOf?: unknown[] } | undefined)?.oneOf;
  return Array.isArray(oneOf) && oneOf.every((o) => typeof o === 'object' && o !== null && 'const' in o);
}
