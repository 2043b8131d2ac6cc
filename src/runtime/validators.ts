// Validation at run time, without ajv: the checks every invoke makes (depth, a plain copy, the
// validator, a connection checked once per object), and the errors in plain words. The
// validators themselves are generated at build time from the schemas by ajv's standalone code
// (scripts/generate-validators.mjs, into src/generated/validators/; validatorsGenerated.ts);
// ajv is loaded only to compile a schema whose generated module is missing or stale. No node
// built-ins here: the playground page bundles these messages for the browser.
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ConnectorError, type FieldProblem } from './errors.js';
import { FORMAT_NAMES } from './vocabulary.js';

export type Validator = ValidateFunction;
export type { ErrorObject };

/** Deepest nesting an input or connection may have: no schema goes past a few levels. */
export const MAX_INPUT_DEPTH = 32;

function tooDeep(what: 'input' | 'connection'): ConnectorError {
  return new ConnectorError({
    type: 'user_input',
    code: what === 'connection' ? 'InvalidConnection' : 'InvalidInput',
    message: `Invalid ${what}: it is nested more than ${MAX_INPUT_DEPTH} levels deep; no field of this connector takes that.`,
  });
}

/**
 * Refuses a value nested deeper than MAX_INPUT_DEPTH before anything recursive (a copy, the
 * validator) reads it: walked with a stack of its own, so a hostile input cannot overflow ours.
 */
export function checkDepth(value: unknown, what: 'input' | 'connection'): void {
  const stack: [unknown, number][] = [[value, 1]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [node, depth] = item;
    if (node === null || typeof node !== 'object') continue;
    if (depth > MAX_INPUT_DEPTH) throw tooDeep(what);
    for (const child of Object.values(node))
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
}

/** Thrown inside plainCopy when a value is not plain data: the caller takes the general path. */
const NOT_PLAIN = Symbol('not plain');

function copyNode(node: unknown, depth: number): unknown {
  if (node === null || typeof node !== 'object') {
    if (typeof node === 'function' || typeof node === 'symbol' || typeof node === 'bigint') throw NOT_PLAIN;
    return node;
  }
  if (depth > MAX_INPUT_DEPTH) throw NOT_PLAIN; // the general path refuses it, in its own words
  if (Array.isArray(node)) {
    const out = new Array(node.length);
    for (let i = 0; i < node.length; i++) out[i] = copyNode(node[i], depth + 1);
    return out;
  }
  const proto = Object.getPrototypeOf(node);
  if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN; // a Date, a Buffer, a Map: structuredClone's rules
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(node)) {
    const value = (node as Record<string, unknown>)[key];
    // `__proto__` as an own key (from JSON.parse) must stay data on the copy, as structuredClone keeps it.
    if (key === '__proto__')
      Object.defineProperty(out, key, {
        value: copyNode(value, depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else out[key] = copyNode(value, depth + 1);
  }
  return out;
}

/**
 * A copy of `value` to validate (defaults are filled into it) and hand to the handler, refusing
 * what is nested too deep. What checkDepth and structuredClone do, in one walk for plain JSON
 * data (objects, arrays, strings, numbers, booleans, null); anything else (a Date, a typed
 * array, a function, a cycle, nesting past the limit) goes the general way, with its errors.
 */
export function plainCopy<T>(value: T, what: 'input' | 'connection'): T {
  try {
    return copyNode(value, 1) as T;
  } catch (err) {
    if (err !== NOT_PLAIN) throw err;
  }
  checkDepth(value, what);
  return structuredClone(value);
}

/**
 * Whether `value` holds exactly the plain data `snapshot` holds (a copy plainCopy made of it
 * before): own enumerable keys, arrays and primitives compared, to the depth limit.
 */
export function samePlainData(value: unknown, snapshot: unknown, depth = 1): boolean {
  if (snapshot === null || typeof snapshot !== 'object')
    return value === snapshot || (Number.isNaN(value) && Number.isNaN(snapshot));
  if (value === null || typeof value !== 'object' || depth > MAX_INPUT_DEPTH) return false;
  const isArray = Array.isArray(value);
  if (isArray !== Array.isArray(snapshot)) return false;
  if (!isArray) {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return false;
  }
  const keys = Object.keys(value);
  const snapshotKeys = Object.keys(snapshot);
  if (keys.length !== snapshotKeys.length) return false;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (
      k !== snapshotKeys[i] ||
      !samePlainData((value as Record<string, unknown>)[k], (snapshot as Record<string, unknown>)[k], depth + 1)
    )
      return false;
  }
  return true;
}

/** Freezes a plain value and everything in it (a checked connection, shared by the calls that use it). */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * What a check made of a caller's object (a connection), kept for as long as the object lives
 * and holds the same plain data: a caller that passes the same object to every call has it
 * checked once, and one that changes it in between has it checked again.
 */
export class CheckedObjects<T> {
  private readonly entries = new WeakMap<object, { snapshot: unknown; checked: T }>();

  /** The checked value, if `value` was checked and holds what it held then. */
  lookup(value: object): T | undefined {
    const entry = this.entries.get(value);
    return entry && samePlainData(value, entry.snapshot) ? entry.checked : undefined;
  }

  /** Keeps `checked` for `value`, which held `snapshot` (a plainCopy made before the check). */
  remember(value: object, snapshot: unknown, checked: T): T {
    this.entries.set(value, { snapshot, checked });
    return checked;
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

/** ajv's errorsText, without ajv: `data/field must …`, comma-separated. */
export function errorsText(errors: readonly ErrorObject[] | null | undefined): string {
  if (!errors?.length) return 'No errors';
  return errors.map((e) => `data${e.instancePath} ${e.message}`).join(', ');
}

function fieldName(err: ErrorObject, extra?: string): string {
  const parts = err.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
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
      return {
        field: fieldName(err, String(p.missingProperty)),
        rule,
        message: `${fieldName(err, String(p.missingProperty))} is required`,
      };
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
      const branches = (
        (err.parentSchema as { oneOf?: { properties: { type: { const: string } } }[] }).oneOf ?? []
      ).map((b) => b.properties.type.const);
      return {
        field: fieldName(err, String(p.tag)),
        rule,
        message: `${fieldName(err, String(p.tag))} must be one of: ${branches.join(', ')}`,
      };
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
