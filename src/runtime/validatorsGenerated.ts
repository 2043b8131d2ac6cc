// Where a schema's generated validator lives (src/generated/validators/, written by
// scripts/generate-validators.mjs) and how to tell it is current: each module exports the digest
// of the schemas it was generated from, and the registry uses it only when that matches.
import { createHash } from 'node:crypto';
import type { ValidateFunction } from 'ajv';

/** The folder of the generated validator modules, next to this module's folder (source or built). */
const GENERATED = new URL('../generated/validators/', import.meta.url);
const EXTENSION = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/** The module name of a schema file's validator: `schemas/head_object.input.json` → `head_object.input`. */
export function validatorModuleName(schemaPath: string): string {
  return schemaPath
    .replace(/^schemas\//, '')
    .replace(/\.json$/, '')
    .replace(/[^A-Za-z0-9._-]/g, '__');
}

/** Where a schema file's generated validator module is (it may not exist). */
export function validatorModuleUrl(schemaPath: string): URL {
  return new URL(`${validatorModuleName(schemaPath)}${EXTENSION}`, GENERATED);
}

/**
 * What a generated validator was made from: the schema and the shared definitions, as JSON. A
 * generated module whose digest differs from the schemas' is not used (it is stale).
 */
export function schemaDigest(schema: unknown, defs: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(schema))
    .update('\n')
    .update(JSON.stringify(defs))
    .digest('hex')
    .slice(0, 32);
}

/** What a generated validator module exports. */
export interface GeneratedValidator {
  validate: ValidateFunction;
  /** schemaDigest of the schemas it was generated from. */
  digest: string;
}
