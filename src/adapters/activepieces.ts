// The connector as an Activepieces piece, generated from the manifest as it is: the connection
// schema becomes a PieceAuth.CustomAuth whose validate runs testConnection, every action a
// createAction whose props come from its bundled input schema (through the shared form model,
// src/adapters/form.ts), every x-lookup a Dropdown fed by its lookup operation and refreshed by
// the fields it depends on. Files go through a file store of the call's own (ApFileStore): an
// ApFile in is read from memory, a file out is collected in memory once verified and handed to
// ctx.files.write; nothing touches the disk. An error is thrown (Activepieces
// fails the step with its message) carrying the connector's structured error. Nothing here names
// an operation or a connection field. Triggers are not mapped (a runtime of its own polls them).
import { randomUUID } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import mime from 'mime-types';
import { ApFile, PieceAuth, Property, createAction, createPiece, type Piece } from '@activepieces/pieces-framework';
import type { FileDraft, FileReference, FileStore, OpenedFile } from '../io/files.js';
import type { Connector, OperationInfo } from '../runtime/connector.js';
import { ConnectorError, type ConnectorErrorInfo } from '../runtime/errors.js';
import { formModule, type CredentialModel, type FormField, type FormModel } from './form.js';

/** A file read into a Buffer for ctx.files.write may be this large by default (64 MiB). */
export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;
/** The piece's logo (the AWS S3 mark Activepieces' own S3 piece uses). */
export const PIECE_LOGO_URL = 'https://cdn.activepieces.com/pieces/amazon-s3.png';
/** The oldest Activepieces release whose engine passes the whole connection value (context V2). */
export const MINIMUM_SUPPORTED_RELEASE = '0.82.0';

export interface PieceOptions {
  /** Largest file a call collects in memory for ctx.files.write (default 64 MiB). */
  maxFileBytes?: number;
  /** Deadline of each call in milliseconds (the connector's default otherwise). */
  timeoutMs?: number;
}

// The framework's property and context types are generic over each action's own props; a
// generated piece knows its props only at run time, so they are handled as plain records here.
// biome-ignore lint/suspicious/noExplicitAny: see above
type AnyProperty = any;
type Props = Record<string, AnyProperty>;
type Values = Record<string, unknown>;

/** The error an action throws: Activepieces fails the step with its message; the rest is the connector's. */
export class ConnectorStepError extends Error {
  readonly type: ConnectorErrorInfo['type'];
  readonly code?: string;
  readonly retryable: boolean;
  readonly error: ConnectorErrorInfo;
  constructor(error: ConnectorErrorInfo) {
    super(`${error.message} (${error.type}${error.code ? `, ${error.code}` : ''})`);
    this.name = 'ConnectorStepError';
    this.type = error.type;
    this.code = error.code;
    this.retryable = error.retryable;
    this.error = error;
  }
}

const isObject = (v: unknown): v is Values => v !== null && typeof v === 'object' && !Array.isArray(v);
const isUnset = (v: unknown): boolean => v === undefined || v === null || v === '';

/** The auth value as the engine passes it: the whole connection value (`{ type, props }`) from context V1 on, its props before. */
export function authProps(auth: unknown): Values {
  if (isObject(auth) && isObject(auth.props) && typeof auth.type === 'string') return auth.props;
  return isObject(auth) ? auth : {};
}

/**
 * The file store of one action run: the ApFiles of its props, served as file:// references only
 * this store can open, and the files the connector writes, collected in memory (at most
 * `maxBytes` each) until the run hands them to ctx.files.write.
 */
export class ApFileStore implements FileStore {
  private readonly inputs = new Map<string, ApFile>();
  private readonly outputs = new Map<string, Buffer>();
  constructor(private readonly maxBytes: number) {}

  /** A file reference to an ApFile, for the connector's input. */
  reference(file: ApFile): { url: string; name: string; size: number; mimeType?: string } {
    const url = `file:///activepieces/${randomUUID()}/${encodeURIComponent(file.filename)}`;
    this.inputs.set(url, file);
    const mimeType = mimeTypeOf(file);
    return { url, name: file.filename, size: file.data.length, ...(mimeType ? { mimeType } : {}) };
  }

  async open(url: string): Promise<OpenedFile> {
    const file = this.inputs.get(url);
    if (!file)
      throw new ConnectorError({
        type: 'user_input',
        code: 'FileNotAllowed',
        retryable: false,
        message: 'This piece reads only the files given to its file fields.',
      });
    return { stream: Readable.from([file.data]), size: file.data.length, name: file.filename };
  }

  async create(suggested: string): Promise<FileDraft> {
    const name = String(suggested).split(/[\\/]/).filter(Boolean).pop() || 'file';
    const chunks: Buffer[] = [];
    let size = 0;
    const max = this.maxBytes;
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        if (size > max) {
          done(
            new ConnectorError({
              type: 'user_input',
              code: 'FileTooLargeForBuffer',
              retryable: false,
              message: `The file is more than the ${max} bytes this piece hands to Activepieces' file service: read a range, or use a signed URL.`,
            }),
          );
          return;
        }
        chunks.push(chunk);
        done();
      },
    });
    return {
      stream,
      commit: async ({ mimeType, size: total }) => {
        const url = `file:///activepieces-out/${randomUUID()}/${encodeURIComponent(name)}`;
        this.outputs.set(url, Buffer.concat(chunks));
        return { url, name, mimeType, size: total };
      },
      abort: async () => {
        chunks.length = 0;
        stream.destroy();
      },
    };
  }

  /** The bytes of a file the connector wrote, by the reference it returned. */
  contentOf(url: string): Buffer | undefined {
    return this.outputs.get(url);
  }
}

// ---- the connection ---------------------------------------------------------------------

/**
 * The connection form as CustomAuth props, which are flat and unconditional: each leaf under
 * its path joined with `_` (`credentials_accessKeyId`), a credential kind's discriminator as a
 * static dropdown, secrets as SecretText. A leaf that only some kinds use says which.
 */
class ConnectionForm {
  readonly form: FormModel;
  readonly model: CredentialModel;
  /** Leaves outside the credentials (region, endpoint, capabilities_acl, …). */
  readonly settings: FormField[] = [];

  constructor(schema: Record<string, unknown>) {
    const f = formModule();
    this.form = f.formOf(schema);
    this.model = f.credentialModel(this.form);
    const walk = (fields: FormField[]) => {
      for (const field of fields) {
        if (field.kind === 'group') walk(field.fields ?? []);
        else this.settings.push(field);
      }
    };
    walk(this.form.fields.filter((field) => !this.model.properties.includes(field.name)));
  }

  /** The credential kinds using each credential leaf, and whether that kind requires it. */
  private usage(): Map<string, { kinds: string[]; requiredBy: string[] }> {
    const usage = new Map<string, { kinds: string[]; requiredBy: string[] }>();
    const walk = (fields: FormField[], kind: string) => {
      for (const field of fields) {
        if (field.kind === 'group') walk(field.fields ?? [], kind);
        else if (field.kind !== 'variants') {
          const u = usage.get(field.key) ?? { kinds: [], requiredBy: [] };
          u.kinds.push(kind);
          if (field.required) u.requiredBy.push(kind);
          usage.set(field.key, u);
        }
      }
    };
    for (const top of this.form.fields) for (const variant of top.variants ?? []) walk(variant.fields, variant.title);
    return usage;
  }

  props(): Props {
    const props: Props = {};
    for (const field of ordered(this.settings))
      props[field.key] = authPropertyOf(field, field.required, field.description);
    const usage = this.usage();
    for (const [key, leaf] of Object.entries(this.model.leaves)) {
      const field = leaf.field;
      if (leaf.discriminator) {
        const tag = field.discriminator ?? 'type';
        props[key] = Property.StaticDropdown({
          displayName: field.title,
          description: field.description,
          required: true,
          ...(isObject(field.default) && field.default[tag] !== undefined ? { defaultValue: field.default[tag] } : {}),
          options: { options: (field.variants ?? []).map((v) => ({ label: v.title, value: v.value })) },
        });
        continue;
      }
      const u = usage.get(key);
      const used = u
        ? ` Used by: ${u.kinds.join(', ')}${u.requiredBy.length ? `; required by ${u.requiredBy.join(', ')}` : ''}.`
        : '';
      props[key] = authPropertyOf(field, false, `${field.description}${used}`.trim());
    }
    return props;
  }

  /** The connection object of an auth value: typed by the schema, the chosen kind's credentials only. */
  connectionOf(auth: unknown): Record<string, unknown> {
    const f = formModule();
    const values = authProps(auth);
    const settings: Record<string, unknown> = {};
    for (const field of this.settings) {
      const v = values[field.key];
      if (!isUnset(v)) f.setPath(settings, field.path, f.coerce(v, field));
    }
    const credentials: Record<string, unknown> = {};
    for (const key of Object.keys(this.model.leaves)) if (!isUnset(values[key])) credentials[key] = values[key];
    return f.joinConnection(this.form, this.model, settings, credentials);
  }
}

/** A CustomAuth prop (its props may only be text, secret text, number, checkbox or static dropdown). */
function authPropertyOf(field: FormField, required: boolean, description: string): AnyProperty {
  const base = { displayName: field.title, description, required };
  const withDefault: { defaultValue?: AnyProperty } =
    field.default !== undefined && typeof field.default !== 'object' ? { defaultValue: field.default } : {};
  if (field.secret) return PieceAuth.SecretText(base);
  switch (field.kind) {
    case 'choice':
      return Property.StaticDropdown({ ...base, ...withDefault, options: { options: choiceOptions(field) } });
    case 'boolean':
      return Property.Checkbox({ ...base, ...withDefault });
    case 'integer':
    case 'number':
      return Property.Number({ ...base, ...withDefault });
    case 'textarea':
      return Property.LongText({ ...base, ...withDefault });
    default:
      return Property.ShortText({ ...base, ...withDefault });
  }
}

// ---- action props -----------------------------------------------------------------------

/** Display order: the form model's (x-order, else schema order), advanced fields last (Activepieces folds nothing). */
function ordered(fields: FormField[]): FormField[] {
  return [...fields.filter((f) => !f.advanced), ...fields.filter((f) => f.advanced)];
}

function choiceOptions(field: FormField): { label: string; value: unknown }[] {
  return (field.choices ?? []).map((c) => ({ label: c.title, value: c.value }));
}

const SCALAR_KINDS = ['text', 'textarea', 'password', 'lookup', 'choice', 'integer', 'number', 'boolean'];

/** How a JSON field is shown: a file, key / value rows, a list, a table of flat rows, or JSON. */
function jsonWidget(field: FormField): 'file' | 'map' | 'multiselect' | 'list' | 'table' | 'json' {
  if (field.file) return 'file';
  if (field.entries && SCALAR_KINDS.includes(field.entries.kind) && field.entries.kind !== 'choice') return 'map';
  if (field.items?.kind === 'choice') return 'multiselect';
  if (field.items && SCALAR_KINDS.includes(field.items.kind)) return 'list';
  if (field.items?.kind === 'group' && (field.items.fields ?? []).every((c) => SCALAR_KINDS.includes(c.kind)))
    return 'table';
  return 'json';
}

/** A flat field as the Activepieces prop of an array row (no dropdown fed by a lookup there). */
function columnPropertyOf(field: FormField): AnyProperty {
  const base = { displayName: field.title, description: field.description, required: field.required };
  switch (field.kind) {
    case 'choice':
      return Property.StaticDropdown({ ...base, options: { options: choiceOptions(field) } });
    case 'boolean':
      return Property.Checkbox(base);
    case 'integer':
    case 'number':
      return Property.Number(base);
    case 'textarea':
      return Property.LongText(base);
    default:
      return field.format === 'date-time' ? Property.DateTime(base) : Property.ShortText(base);
  }
}

function describeField(field: FormField): string {
  const parts = [field.description];
  if (field.example !== undefined && field.kind !== 'choice')
    parts.push(`e.g. ${typeof field.example === 'string' ? field.example : JSON.stringify(field.example)}`);
  if (field.advanced) parts.push('(advanced)');
  return parts.filter(Boolean).join(' ');
}

interface Lookups {
  /** Runs a lookup operation with the connection of an auth value. */
  options(
    operation: string,
    auth: unknown,
    input: Values,
  ): Promise<{ disabled: boolean; placeholder?: string; options: { label: string; value: unknown }[] }>;
  /** Whether a lookup operation takes a `search` text. */
  searches(operation: string): boolean;
}

function propertyOf(field: FormField, siblings: FormField[], lookups: Lookups): AnyProperty {
  const base = { displayName: field.title, description: describeField(field), required: field.required };
  const withDefault: { defaultValue?: AnyProperty } =
    field.default !== undefined ? { defaultValue: field.default } : {};
  switch (field.kind) {
    case 'lookup': {
      const { operation, dependsOn } = field.lookup!;
      const searches = lookups.searches(operation);
      return Property.Dropdown({
        ...base,
        auth: undefined,
        refreshers: [...dependsOn],
        ...(searches ? { refreshOnSearch: true } : {}),
        options: async (propsValue: Values, ctx?: { searchValue?: string }) => {
          if (!propsValue.auth) return { disabled: true, options: [], placeholder: 'Connect to S3 first.' };
          const input: Values = {};
          for (const name of dependsOn) {
            if (isUnset(propsValue[name])) {
              const title = siblings.find((s) => s.name === name)?.title ?? name;
              return { disabled: true, options: [], placeholder: `Choose ${title} first.` };
            }
            input[name] = propsValue[name];
          }
          if (searches && ctx?.searchValue) input.search = ctx.searchValue;
          return lookups.options(operation, propsValue.auth, input);
        },
      });
    }
    case 'choice':
      return Property.StaticDropdown({ ...base, ...withDefault, options: { options: choiceOptions(field) } });
    case 'boolean':
      return Property.Checkbox({ ...base, ...withDefault });
    case 'integer':
    case 'number':
      return Property.Number({ ...base, ...withDefault });
    case 'textarea':
      return Property.LongText({ ...base, ...withDefault });
    case 'text':
    case 'password':
      return field.format === 'date-time'
        ? Property.DateTime({ ...base, ...withDefault })
        : Property.ShortText({ ...base, ...withDefault });
    case 'json':
      switch (jsonWidget(field)) {
        case 'file':
          return Property.File(base);
        case 'map':
          return Property.Object({ ...base, ...withDefault });
        case 'multiselect':
          return Property.StaticMultiSelectDropdown({
            ...base,
            ...withDefault,
            options: { options: choiceOptions(field.items!) },
          });
        case 'list':
          return Property.Array({ ...base, ...withDefault });
        case 'table':
          return Property.Array({
            ...base,
            ...withDefault,
            properties: Object.fromEntries((field.items!.fields ?? []).map((c) => [c.name, columnPropertyOf(c)])),
          });
        default:
          return Property.Json({ ...base, ...withDefault });
      }
    default:
      // groups and variants (nested objects): JSON, checked against the schema at invoke.
      return Property.Json({ ...base, ...withDefault });
  }
}

/** A prop value as the schema wants it: text coerced to numbers, booleans, JSON; empty values dropped. */
function schemaValue(field: FormField, value: unknown): unknown {
  const f = formModule();
  if (isUnset(value)) return undefined;
  if (field.kind !== 'json') return f.coerce(value, field);
  const widget = jsonWidget(field);
  if (widget === 'map' && isObject(value)) {
    const out: Values = {};
    for (const [k, v] of Object.entries(value)) if (k !== '' && !isUnset(v)) out[k] = f.coerce(v, field.entries!);
    return out;
  }
  if ((widget === 'list' || widget === 'multiselect') && Array.isArray(value)) {
    return value.filter((v) => !isUnset(v)).map((v) => f.coerce(v, field.items!));
  }
  if (widget === 'table' && Array.isArray(value)) {
    return value.map((row) => {
      if (!isObject(row)) return row;
      const out: Values = {};
      for (const column of field.items!.fields ?? []) {
        const v = schemaValue(column, row[column.name]);
        if (v !== undefined) out[column.name] = v;
      }
      return out;
    });
  }
  return f.coerce(value, field);
}

// ---- the piece --------------------------------------------------------------------------

/** The Activepieces piece of a loaded connector: every action of its manifest. */
export function createS3Piece(connector: Connector, options: PieceOptions = {}): Piece {
  const f = formModule();
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const ops = connector.operations({ bundled: true });
  const connection = new ConnectionForm(connector.bundledConnectionSchema());
  // Every call has a file store of its own (a lookup's holds nothing).
  const invokeContext = (auth: unknown, files: FileStore = new ApFileStore(0)) => ({
    connection: connection.connectionOf(auth),
    files,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });

  const manifest = connector.manifest;
  const auth = PieceAuth.CustomAuth({
    displayName: `${manifest.title} connection`,
    description:
      `${connector.connectionSchema.description ?? ''} Fill in the fields of the credential kind you choose; the others are ignored.`.trim(),
    required: true,
    props: connection.props(),
    validate: async ({ auth: value }) => {
      const result = await connector.testConnection(connection.connectionOf(value));
      return result.ok ? { valid: true } : { valid: false, error: result.error.message };
    },
  });

  const lookups: Lookups = {
    async options(operation, authValue, input) {
      const result = await connector.invokeDynamic(operation, input, invokeContext(authValue));
      if (!result.ok) return { disabled: true, options: [], placeholder: result.error.message };
      const options = (result.output as { options?: { label: string; value: unknown }[] }).options ?? [];
      return { disabled: false, options: options.map((o) => ({ label: o.label, value: o.value })) };
    },
    searches(operation) {
      const op = ops.find((o) => o.name === operation);
      return isObject(op?.inputSchema.properties) && 'search' in op.inputSchema.properties;
    },
  };

  const actionOf = (op: OperationInfo) => {
    const fields = f.formOf(op.inputSchema).fields;
    const props: Props = {};
    for (const field of ordered(fields)) props[field.name] = propertyOf(field, fields, lookups);
    const fileOutputs = f.fileFields(op.outputSchema);
    return createAction({
      auth,
      name: op.name,
      displayName: op.title,
      description: op.description,
      props,
      requireAuth: true,
      // biome-ignore lint/suspicious/noExplicitAny: the context of a generated action (see AnyProperty)
      async run(ctx: any) {
        const files = new ApFileStore(maxFileBytes);
        const input: Values = {};
        for (const field of fields) {
          const raw = (ctx.propsValue as Values)[field.name];
          const value = field.file && raw instanceof ApFile ? files.reference(raw) : schemaValue(field, raw);
          if (value !== undefined) input[field.name] = value;
        }
        const result = await connector.invokeDynamic(op.name, input, invokeContext(ctx.auth, files));
        if (!result.ok) throw new ConnectorStepError(result.error);
        const output = { ...(result.output as Values) };
        for (const name of fileOutputs) {
          const ref = output[name] as FileReference | undefined;
          const data = isObject(ref) && typeof ref.url === 'string' ? files.contentOf(ref.url) : undefined;
          if (!ref || !data) continue;
          output[name] = { ...ref, url: await ctx.files.write({ fileName: ref.name, data }) };
        }
        return output;
      },
    });
  };

  return createPiece({
    displayName: manifest.title,
    description: manifest.description,
    logoUrl: PIECE_LOGO_URL,
    authors: [],
    minimumSupportedRelease: MINIMUM_SUPPORTED_RELEASE,
    // biome-ignore lint/suspicious/noExplicitAny: PieceCategory is @activepieces/shared's enum, not a dependency of ours
    categories: ['DEVELOPER_TOOLS' as any],
    auth,
    actions: ops.filter((op) => op.kind === 'action').map(actionOf),
    triggers: [],
  });
}

/** An ApFile's MIME type, from its name or the extension the engine gave (the connector guesses from the key otherwise). */
function mimeTypeOf(file: ApFile): string | undefined {
  return mime.lookup(file.extension ? `x.${file.extension}` : file.filename) || undefined;
}
