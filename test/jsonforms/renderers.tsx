// What the JSON Forms vanilla renderers lack for our schemas, added once and read from the
// schema alone (no operation has a UI schema of its own). Each entry is ranked above the
// vanilla one it replaces, so everything else is JSON Forms' own rendering.
// - a secret (`writeOnly: true` or `format: "password"`, as src/runtime/vocabulary.ts and
//   schemas/connection.json write them) → the vanilla text cell with its `format: "password"`
//   option: an <input type="password">. JSON Forms reads that option from a UI schema only.
// - `x-multiline: true` → the vanilla text area cell (line breaks kept).
// - an object with properties (a file reference, store capabilities) → its fields in a group:
//   the vanilla set has no object renderer (nested objects render nothing).
// - an object of free names (metadata, tags) → a JSON text area: the vanilla set has none.
// - a choice of numbers (`oneOf` of integer `const`s): the vanilla set ranks its number cell
//   level with its choice cell and picks the number cell; and its choice cell would send the
//   option's text ("201"), not the number → a select that sends the chosen `const` itself.
// - a `oneOf` of objects (the connection's credentials) → a picker of the branches' titles and
//   the chosen branch's fields; choosing one fills in its `const` properties (the kind) and its
//   defaults. The vanilla set has no combinator renderer.
import {
  and,
  computeLabel,
  type EnumCellProps,
  type ControlProps,
  type CombinatorRendererProps,
  type ControlElement,
  createCombinatorRenderInfos,
  createDefaultValue,
  findUISchema,
  Generate,
  isObjectControl,
  isOneOfControl,
  isOneOfEnumControl,
  isStringControl,
  type JsonSchema,
  not,
  type OwnPropsOfCell,
  rankWith,
  schemaMatches,
  type StatePropsOfControlWithDetail,
} from '@jsonforms/core';
import {
  JsonFormsDispatch,
  withJsonFormsControlProps,
  withJsonFormsDetailProps,
  withJsonFormsOneOfEnumCellProps,
  withJsonFormsOneOfProps,
} from '@jsonforms/react';
import { TextAreaCell, TextCell, vanillaCells, vanillaRenderers } from '@jsonforms/vanilla-renderers';
import { useMemo, useState } from 'react';

type Keywords = JsonSchema & { writeOnly?: boolean; 'x-multiline'?: boolean };

const isSecret = (s: Keywords) => s.writeOnly === true || s.format === 'password';
const isFreeNames = (s: JsonSchema) => !s.properties && !s.oneOf && !s.anyOf && s.additionalProperties !== false;

function PasswordCell(props: OwnPropsOfCell) {
  const uischema = { ...props.uischema!, options: { ...props.uischema?.options, format: 'password' } };
  return <TextCell {...props} uischema={uischema} />;
}

function JsonTextControl({ data, handleChange, path, id, enabled, visible, label, required, errors }: ControlProps) {
  const [text, setText] = useState(data === undefined ? '' : JSON.stringify(data));
  const [bad, setBad] = useState(false);
  if (!visible) return null;
  return (
    <div className="control" id={id}>
      <label htmlFor={`${id}-input`}>{computeLabel(label, required ?? false, false)}</label>
      <textarea
        id={`${id}-input`}
        className="input json"
        disabled={!enabled}
        rows={2}
        placeholder='{"name": "value"}'
        value={text}
        onChange={(ev) => {
          setText(ev.target.value);
          if (!ev.target.value.trim()) {
            setBad(false);
            handleChange(path, undefined);
            return;
          }
          try {
            handleChange(path, JSON.parse(ev.target.value));
            setBad(false);
          } catch {
            setBad(true);
          }
        }}
      />
      <div className={bad || errors ? 'validation_error' : 'validation'}>{bad ? 'not JSON yet' : errors}</div>
    </div>
  );
}

function NumberChoiceCell({ data, handleChange, path, id, enabled, options = [] }: EnumCellProps) {
  const index = options.findIndex((o) => o.value === data);
  return (
    <select
      id={id}
      className="select"
      disabled={!enabled}
      value={index < 0 ? '' : String(index)}
      onChange={(ev) =>
        handleChange(path, ev.target.value === '' ? undefined : options[Number(ev.target.value)]!.value)
      }
    >
      <option value="">None</option>
      {options.map((o, i) => (
        <option key={String(o.value)} value={String(i)} label={o.label} />
      ))}
    </select>
  );
}

function ObjectRenderer(props: StatePropsOfControlWithDetail) {
  const { schema, rootSchema, uischema, uischemas, path, label, visible, enabled, renderers, cells } = props;
  const detail = useMemo(
    () =>
      findUISchema(
        uischemas ?? [],
        schema,
        uischema.scope,
        path,
        () => ({ ...Generate.uiSchema(schema, 'Group', undefined, rootSchema), label }),
        uischema as ControlElement,
        rootSchema,
      ),
    [uischemas, schema, uischema, path, label, rootSchema],
  );
  if (!visible) return null;
  return (
    <JsonFormsDispatch
      schema={schema}
      uischema={detail}
      path={path}
      enabled={enabled}
      renderers={renderers}
      cells={cells}
    />
  );
}

/** A branch's starting value: its defaults, and every property fixed by a `const` (the kind). */
function startOf(branch: JsonSchema, rootSchema: JsonSchema): unknown {
  const value = createDefaultValue(branch, rootSchema) as Record<string, unknown>;
  for (const [name, p] of Object.entries(branch.properties ?? {})) if ('const' in p) value[name] = p.const;
  return value;
}

function OneOfRenderer(props: CombinatorRendererProps) {
  const { schema, rootSchema, uischema, uischemas, path, id, visible, enabled, renderers, cells } = props;
  const infos = useMemo(
    () => createCombinatorRenderInfos(schema.oneOf ?? [], rootSchema, 'oneOf', uischema, path, uischemas ?? []),
    [schema, rootSchema, uischema, path, uischemas],
  );
  const [chosen, setChosen] = useState<number | undefined>(props.indexOfFittingSchema);
  if (!visible) return null;
  const branch = chosen === undefined ? undefined : infos[chosen];
  return (
    <fieldset className="group-layout one-of" id={id}>
      <legend>{schema.title}</legend>
      <div className="control">
        <label htmlFor={`${id}-kind`}>Kind</label>
        <select
          id={`${id}-kind`}
          className="select"
          disabled={!enabled}
          value={chosen ?? ''}
          onChange={(ev) => {
            const index = ev.target.value === '' ? undefined : Number(ev.target.value);
            setChosen(index);
            props.handleChange(path, index === undefined ? undefined : startOf(infos[index]!.schema, rootSchema));
          }}
        >
          <option value="">— choose —</option>
          {infos.map((info, i) => (
            <option key={info.label} value={i}>
              {info.label}
            </option>
          ))}
        </select>
      </div>
      {branch ? (
        <JsonFormsDispatch
          schema={branch.schema}
          uischema={branch.uischema}
          path={path}
          enabled={enabled}
          renderers={renderers}
          cells={cells}
        />
      ) : null}
    </fieldset>
  );
}

export const renderers = [
  ...vanillaRenderers,
  {
    tester: rankWith(
      2,
      and(
        isObjectControl,
        schemaMatches((s) => !isFreeNames(s)),
      ),
    ),
    renderer: withJsonFormsDetailProps(ObjectRenderer),
  },
  {
    tester: rankWith(
      3,
      and(
        isObjectControl,
        schemaMatches((s) => isFreeNames(s)),
      ),
    ),
    renderer: withJsonFormsControlProps(JsonTextControl),
  },
  {
    tester: rankWith(3, and(isOneOfControl, not(isOneOfEnumControl))),
    renderer: withJsonFormsOneOfProps(OneOfRenderer),
  },
];

export const cells = [
  ...vanillaCells,
  {
    tester: rankWith(
      3,
      and(
        isOneOfEnumControl,
        schemaMatches((s) => (s.oneOf ?? []).some((b) => typeof b.const !== 'string')),
      ),
    ),
    cell: withJsonFormsOneOfEnumCellProps(NumberChoiceCell),
  },
  {
    tester: rankWith(
      3,
      and(
        isStringControl,
        schemaMatches((s) => isSecret(s)),
      ),
    ),
    cell: PasswordCell,
  },
  {
    tester: rankWith(
      3,
      and(
        isStringControl,
        schemaMatches((s) => (s as Keywords)['x-multiline'] === true),
      ),
    ),
    cell: TextAreaCell,
  },
];
