// The few form parts rjsf does not have: dropdowns fed by lookup operations, the file upload
// field, a name / value rows editor, and an object template that folds x-advanced fields away.
import type {
  ErrorSchema,
  FieldProps,
  MultiSchemaFieldTemplateProps,
  ObjectFieldTemplateProps,
  UiSchema,
  WidgetProps,
} from '@rjsf/utils';
import { buttonId, canExpand, descriptionId, getTemplate, getUiOptions, titleId } from '@rjsf/utils';
import { useEffect, useRef, useState } from 'react';
import { uploadFile, type FileReference, type Result } from './api.js';
import type { Lookup } from './schema.js';

/** What the page hands every field: the current values and a way to call a lookup. */
export interface PlaygroundContext {
  /** The whole input being edited (a lookup's dependsOn fields are read from it). */
  formData: Record<string, unknown>;
  /** Changes whenever the connection does, so lookups reload against the new store. */
  connectionKey: string;
  invoke(operation: string, input: Record<string, unknown>, signal: AbortSignal): Promise<Result>;
}

interface Option {
  label: string;
  value: string;
}

type LookupState =
  | { status: 'waiting'; missing: string[] }
  | { status: 'loading' }
  | { status: 'ready'; options: Option[] }
  | { status: 'failed'; message: string };

const OTHER = '\u0000other';

/**
 * A dropdown of the lookup operation's options (for example every bucket, or the keys of the
 * chosen bucket), with "Type another value…" for a value not in the list (a new key).
 */
/** Yes / No / "— not set —" for a boolean whose absence means something (rjsf's boolean field passes no placeholder). */
export function OptionalBooleanWidget(props: WidgetProps) {
  const SelectWidget = props.registry.widgets.SelectWidget!;
  return <SelectWidget {...props} placeholder="— not set —" />;
}

export function LookupWidget(props: WidgetProps) {
  const { id, value, onChange, onBlur, onFocus, options, registry, disabled, readonly, required, label } = props;
  const lookup = options.lookup as Lookup;
  const ctx = registry.formContext as PlaygroundContext;
  const deps = lookup.dependsOn ?? [];
  const depInput = Object.fromEntries(deps.map((d) => [d, ctx.formData[d]]));
  const missing = deps.filter((d) => depInput[d] === undefined || depInput[d] === '');
  const depKey = JSON.stringify(depInput);
  const [state, setState] = useState<LookupState>({ status: 'loading' });
  const [typing, setTyping] = useState(false);
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    if (missing.length) {
      setState({ status: 'waiting', missing });
      return;
    }
    const abort = new AbortController();
    setState({ status: 'loading' });
    // Debounced: the connection and the fields it depends on change as the user types.
    const timer = setTimeout(() => {
      ctx.invoke(lookup.operation, depInput, abort.signal).then(
        (result) => {
          if (result.ok) setState({ status: 'ready', options: (result.output.options ?? []) as Option[] });
          else setState({ status: 'failed', message: result.error.message });
        },
        (err: Error) => {
          if (err.name !== 'AbortError') setState({ status: 'failed', message: err.message });
        },
      );
    }, 250);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lookup.operation, ctx.connectionKey, depKey, reloads]);

  const current = typeof value === 'string' ? value : '';
  const text = (
    <input
      id={id}
      name={id}
      type="text"
      className="form-control"
      value={current}
      required={required}
      disabled={disabled || readonly}
      autoFocus={typing}
      placeholder={missing.length ? `Type a value, or choose ${missing.join(', ')} first for a list` : undefined}
      onChange={(e) => onChange(e.target.value === '' ? options.emptyValue : e.target.value)}
      onBlur={(e) => onBlur(id, e.target.value)}
      onFocus={(e) => onFocus(id, e.target.value)}
    />
  );
  const reload = (
    <button
      type="button"
      className="btn btn-small"
      title={`Reload the list (${lookup.operation})`}
      onClick={() => setReloads((n) => n + 1)}
    >
      ↻
    </button>
  );

  if (state.status !== 'ready' || typing) {
    return (
      <div className="lookup">
        <div className="lookup-row">
          {text}
          {state.status === 'ready' && (
            <button type="button" className="btn btn-small" id={`${id}__pick`} onClick={() => setTyping(false)}>
              Pick from list
            </button>
          )}
          {state.status !== 'waiting' && reload}
        </div>
        {state.status === 'loading' && <p className="lookup-note">Loading options…</p>}
        {state.status === 'failed' && (
          <p className="lookup-note lookup-failed">Could not load the list: {state.message}</p>
        )}
      </div>
    );
  }

  const known = state.options.some((o) => o.value === current);
  return (
    <div className="lookup">
      <div className="lookup-row">
        <select
          id={id}
          name={id}
          className="form-control"
          value={current}
          required={required}
          disabled={disabled || readonly}
          aria-label={label}
          onChange={(e) => {
            if (e.target.value === OTHER) setTyping(true);
            else onChange(e.target.value === '' ? options.emptyValue : e.target.value);
          }}
          onBlur={(e) => onBlur(id, e.target.value)}
          onFocus={(e) => onFocus(id, e.target.value)}
        >
          <option value="">{state.options.length ? '— choose —' : '— none found —'}</option>
          {state.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
          {current && !known && <option value={current}>{current}</option>}
          <option value={OTHER}>Type another value…</option>
        </select>
        {reload}
      </div>
    </div>
  );
}

const formatSize = (n: number): string =>
  n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`;

/**
 * A file input for a file reference: the chosen file is streamed into the server's file store
 * (POST /api/files) and the field holds the reference it returns. A URL (data:, https:, or a
 * file:// reference of the store) can be typed instead.
 */
export function FileReferenceField(props: FieldProps) {
  const { formData, onChange, fieldPathId, schema, required, disabled, readonly, errorSchema } = props;
  const ref = (formData ?? undefined) as Partial<FileReference> | undefined;
  const [status, setStatus] = useState<string>();
  const id = fieldPathId.$id;
  // The field's own errors (file is required) are shown under it by rjsf; these are its parts' (url).
  const inner = nestedErrors(errorSchema);
  return (
    <div className={`file-field${inner.length ? ' has-error' : ''}`}>
      <label className="control-label" htmlFor={id}>
        {schema.title ?? 'File'}
        {required && <span className="required">*</span>}
      </label>
      {schema.description && <p className="field-description">{schema.description}</p>}
      <input
        id={id}
        type="file"
        disabled={disabled || readonly}
        onChange={async (e) => {
          const file = e.target.files?.[0];
          if (!file) return;
          setStatus(`Uploading ${file.name}…`);
          try {
            const uploaded = await uploadFile(file);
            onChange(uploaded, fieldPathId.path);
            setStatus(`Uploaded ${uploaded.name} (${formatSize(uploaded.size)}) into the file store.`);
          } catch (err) {
            setStatus(`Upload failed: ${(err as Error).message}`);
          }
        }}
      />
      {status && <p className="lookup-note">{status}</p>}
      <input
        id={`${id}_url`}
        type="text"
        className="form-control file-url"
        placeholder="…or a URL: data:, https:// (allowed hosts), or a file:// reference of the store"
        value={ref?.url ?? ''}
        disabled={disabled || readonly}
        onChange={(e) => onChange(e.target.value ? { url: e.target.value } : undefined, fieldPathId.path)}
      />
      <FieldErrors id={`${id}__inner_error`} errors={inner} />
    </div>
  );
}

/** Every message under an error tree, its own level excluded (rjsf shows that one). */
function nestedErrors(errorSchema: ErrorSchema | undefined): string[] {
  const out: string[] = [];
  const walk = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (k === '__errors' && Array.isArray(v)) out.push(...(v as string[]));
      else walk(v);
    }
  };
  for (const [k, v] of Object.entries(errorSchema ?? {})) if (k !== '__errors') walk(v);
  return out;
}

function FieldErrors({ id, errors }: { id: string; errors: string[] }) {
  if (!errors.length) return null;
  return (
    <ul className="error-detail" id={id}>
      {errors.map((e) => (
        <li key={e} className="text-danger">
          {e}
        </li>
      ))}
    </ul>
  );
}

interface Row {
  /** Stable across edits, so a row keeps its inputs (and focus) while its name changes. */
  id: number;
  name: string;
  value: string;
}

let nextRowId = 0;
const rowsOf = (data: unknown): Row[] =>
  Object.entries((data ?? {}) as Record<string, unknown>).map(([name, value]) => ({
    id: nextRowId++,
    name,
    value: typeof value === 'string' ? value : String(value ?? ''),
  }));

/** The object the rows stand for. A row left blank is not sent; a value without a name is (the schema refuses it). */
function objectOf(rows: Row[]): Record<string, string> | undefined {
  const filled = rows.filter((r) => r.name !== '' || r.value !== '');
  if (!filled.length) return undefined;
  return Object.fromEntries(filled.map((r) => [r.name, r.value]));
}

/**
 * Name / value rows for an object of free names to strings (metadata, tags). "+ Add" adds an
 * empty row with its name focused; what is typed is what is sent (rjsf's own editor would insert
 * `newKey: "New Value"` and rename on blur).
 */
export function KeyValueField(props: FieldProps) {
  const { formData, onChange, fieldPathId, schema, required, disabled, readonly, errorSchema, registry, uiSchema } =
    props;
  const id = fieldPathId.$id;
  const [rows, setRows] = useState<Row[]>(() => rowsOf(formData));
  const [focus, setFocus] = useState<number>();
  const focusRef = useRef<HTMLInputElement>(null);
  const dataKey = JSON.stringify(formData ?? {});
  // The rows follow the data when it changes from elsewhere (a form reset); the rows' own edits come back unchanged.
  useEffect(() => {
    if (JSON.stringify(objectOf(rows) ?? {}) !== dataKey) setRows(rowsOf(formData));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [dataKey]);
  useEffect(() => {
    if (focus !== undefined) focusRef.current?.focus();
  }, [focus]);
  const update = (next: Row[]) => {
    setRows(next);
    onChange(objectOf(next), fieldPathId.path);
  };
  const { AddButton, RemoveButton } = registry.templates.ButtonTemplates;
  const { DescriptionFieldTemplate } = registry.templates;
  const names = rows.map((r) => r.name);
  const entryErrors = (errorSchema ?? {}) as Record<string, ErrorSchema>;
  return (
    <fieldset className="object-fields key-value" id={id}>
      <legend id={titleId(fieldPathId)}>
        {schema.title ?? 'Entries'}
        {required && <span className="required">*</span>}
      </legend>
      {schema.description && (
        <DescriptionFieldTemplate
          id={descriptionId(fieldPathId)}
          description={schema.description}
          schema={schema}
          uiSchema={uiSchema}
          registry={registry}
        />
      )}
      {rows.map((row, index) => {
        const errors = [...((entryErrors[row.name] as { __errors?: string[] } | undefined)?.__errors ?? [])];
        if (row.name !== '' && names.indexOf(row.name) !== index)
          errors.push(`${row.name} is already named above: only the last value is sent`);
        const set = (patch: Partial<Row>) => update(rows.map((r) => (r.id === row.id ? { ...r, ...patch } : r)));
        return (
          <div key={row.id} className={`key-value-row${errors.length ? ' has-error' : ''}`}>
            <div className="row">
              <input
                id={`${id}_${index}_key`}
                ref={row.id === focus ? focusRef : undefined}
                className="form-control"
                type="text"
                aria-label={`Name ${index + 1}`}
                placeholder="name"
                value={row.name}
                disabled={disabled || readonly}
                onChange={(e) => set({ name: e.target.value })}
              />
              <input
                id={`${id}_${index}_value`}
                className="form-control"
                type="text"
                aria-label={`Value ${index + 1}`}
                placeholder="value"
                value={row.value}
                disabled={disabled || readonly}
                onChange={(e) => set({ value: e.target.value })}
              />
              <RemoveButton
                id={buttonId(`${id}_${index}`, 'remove')}
                className="rjsf-object-property-remove"
                disabled={disabled || readonly}
                onClick={() => update(rows.filter((r) => r.id !== row.id))}
                uiSchema={uiSchema}
                registry={registry}
              />
            </div>
            <FieldErrors id={`${id}_${index}__error`} errors={errors} />
          </div>
        );
      })}
      <AddButton
        id={buttonId(id, 'add')}
        className="rjsf-object-property-expand"
        disabled={disabled || readonly}
        onClick={() => {
          const row = { id: nextRowId++, name: '', value: '' };
          setRows([...rows, row]); // blank: nothing to send until it is filled in
          setFocus(row.id);
        }}
        uiSchema={uiSchema}
        registry={registry}
      />
    </fieldset>
  );
}

/** rjsf's object template, with the fields marked x-advanced folded under a toggle. */
export function ObjectFieldTemplate(props: ObjectFieldTemplateProps) {
  const {
    description,
    disabled,
    errorSchema,
    formData,
    fieldPathId,
    onAddProperty,
    optionalDataControl,
    properties,
    readonly,
    registry,
    required,
    schema,
    title,
    uiSchema,
  } = props;
  const [open, setOpen] = useState(false);
  const options = getUiOptions(uiSchema);
  const TitleFieldTemplate = getTemplate('TitleFieldTemplate', registry, options);
  const DescriptionFieldTemplate = getTemplate('DescriptionFieldTemplate', registry, options);
  const { AddButton } = registry.templates.ButtonTemplates;
  if ((schema.oneOf || schema.anyOf) && !schema.properties && properties.length === 0) return null;
  const isAdvanced = (name: string) => Boolean(getUiOptions(uiSchema?.[name] as UiSchema | undefined).advanced);
  const basic = properties.filter((p) => !isAdvanced(p.name));
  const advanced = properties.filter((p) => isAdvanced(p.name) && !p.hidden);
  const errorInside = advanced.some((p) => (errorSchema as Record<string, unknown> | undefined)?.[p.name]);
  const shown = open || errorInside;
  const isRoot = fieldPathId.path.length === 0;
  const isBranch = Boolean(options.branch);
  return (
    <fieldset className={isRoot ? 'root-fields' : 'object-fields'} id={fieldPathId.$id}>
      {!isRoot && !isBranch && title && (
        <TitleFieldTemplate
          id={titleId(fieldPathId)}
          title={title}
          required={required}
          schema={schema}
          uiSchema={uiSchema}
          registry={registry}
          optionalDataControl={optionalDataControl}
        />
      )}
      {!isRoot && description && (
        <DescriptionFieldTemplate
          id={descriptionId(fieldPathId)}
          description={description}
          schema={schema}
          uiSchema={uiSchema}
          registry={registry}
        />
      )}
      {basic.map((p) => p.content)}
      {advanced.length > 0 && (
        <div className={`advanced${shown ? ' advanced-open' : ''}`}>
          <button
            type="button"
            className="advanced-toggle"
            id={`${fieldPathId.$id}__advanced`}
            aria-expanded={shown}
            onClick={() => setOpen(!shown)}
          >
            {shown ? '▾' : '▸'} Advanced options ({advanced.length})
          </button>
          {shown && <div className="advanced-body">{advanced.map((p) => p.content)}</div>}
        </div>
      )}
      {canExpand(schema, uiSchema, formData) && (
        <AddButton
          id={buttonId(fieldPathId, 'add')}
          className="rjsf-object-property-expand"
          onClick={onAddProperty}
          disabled={disabled || readonly}
          uiSchema={uiSchema}
          registry={registry}
        />
      )}
    </fieldset>
  );
}

/** A oneOf / anyOf: the kind picker under the field's title and description, then the chosen branch. */
export function MultiSchemaFieldTemplate({ schema, selector, optionSchemaField }: MultiSchemaFieldTemplateProps) {
  return (
    <div className="multi-schema">
      <div className="form-group">
        <label className="multi-label">
          {schema.title && <span className="control-label">{schema.title}</span>}
          {schema.description && <span className="field-description">{schema.description}</span>}
          {selector}
        </label>
      </div>
      {optionSchemaField}
    </div>
  );
}
