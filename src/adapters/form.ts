// The form model of a bundled schema (node-red/lib/form.cjs: fields, labels, choices,
// defaults, lookups, advanced flags, credential leaves), typed for the TypeScript adapters.
// One model for every runtime: the Node-RED editor, the Activepieces piece and the Tray export
// all read a schema through it, so a keyword is interpreted in one place.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../runtime/manifest.js';

export type FieldKind =
  | 'text'
  | 'textarea'
  | 'password'
  | 'lookup'
  | 'choice'
  | 'boolean'
  | 'integer'
  | 'number'
  | 'group'
  | 'variants'
  | 'json';

export interface Choice {
  value: unknown;
  title: string;
  description?: string;
}

export interface Variant {
  value: unknown;
  title: string;
  description?: string;
  fields: FormField[];
}

export interface FormField {
  name: string;
  path: string[];
  /** The path joined with `_`: a flat name for the field. */
  key: string;
  title: string;
  description: string;
  required: boolean;
  advanced: boolean;
  kind: FieldKind;
  default?: unknown;
  example?: unknown;
  secret?: boolean;
  format?: string;
  minimum?: number;
  maximum?: number;
  choices?: Choice[];
  lookup?: { operation: string; dependsOn: string[] };
  /** A group's fields. */
  fields?: FormField[];
  /** A oneOf of objects: the property telling them apart, and each variant with its fields. */
  discriminator?: string;
  variants?: Variant[];
  /** A file reference (`#/$defs/fileReference`), a JSON field. */
  file?: boolean;
  /** A JSON array: the model of its items. */
  items?: FormField;
  /** A JSON free-form object: the model of its values. */
  entries?: FormField;
  minItems?: number;
  maxItems?: number;
}

export interface FormModel {
  title: string;
  description: string;
  fields: FormField[];
}

export interface CredentialLeaf {
  field: FormField;
  path: string[];
  secret?: boolean;
  discriminator?: boolean;
}

export interface CredentialModel {
  credentials: Record<string, { type: 'password' | 'text' }>;
  leaves: Record<string, CredentialLeaf>;
  /** The top-level properties held whole in the credentials (those with a secret below them). */
  properties: string[];
}

export interface FormModule {
  formOf(schema: Record<string, unknown>): FormModel;
  fieldsOf(objectSchema: Record<string, unknown>, schema: Record<string, unknown>, path?: string[]): FormField[];
  resolve(node: unknown, schema: Record<string, unknown>): Record<string, unknown>;
  credentialModel(form: FormModel): CredentialModel;
  joinConnection(
    form: FormModel,
    model: CredentialModel,
    settings: unknown,
    credentials: Record<string, unknown>,
  ): Record<string, unknown>;
  coerce(value: unknown, field: FormField): unknown;
  getPath(source: unknown, path: string[]): unknown;
  setPath(target: Record<string, unknown>, path: string[], value: unknown): void;
  fileFields(schema: Record<string, unknown>): string[];
  FILE_REFERENCE: string;
}

let loaded: FormModule | undefined;

/** node-red/lib/form.cjs, loaded once from the package root (the same file the editor gets). */
export function formModule(): FormModule {
  loaded ??= createRequire(import.meta.url)(join(packageRoot(), 'node-red', 'lib', 'form.cjs')) as FormModule;
  return loaded;
}
