// A page that renders one schema with JSON Forms (React, the vanilla renderers plus the few
// generic ones of renderers.tsx), for test/lanes/jsonforms.test.ts, which builds it with esbuild.
// window.jsonForms.render(schema) shows a form (empty data), state() reads its data and the
// errors of JSON Forms' own ajv (createAjv, draft-07, with our formats added).
//
// Two things JSON Forms does not do with a schema as it is, fixed here for every form alike:
// - it reads a `$ref` as draft-07 says, ignoring the keywords beside it, so a field written
//   `{ "$ref": "#/definitions/bucket", "title": "Destination bucket" }` would be labelled
//   "Bucket": forJsonForms puts the referenced definition in its place, the keywords beside the
//   reference winning (they only narrow it in our schemas; the connector validates the input
//   again with the real schema);
// - a root with `allOf` (copy_object's conditions) is taken for a combinator, and the vanilla
//   set renders no combinator: the UI schema is generated from the root without it (the
//   conditions still validate).
import { createAjv, Generate, type JsonSchema, type UISchemaElement } from '@jsonforms/core';
import { JsonForms } from '@jsonforms/react';
import { useState } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { CUSTOM_FORMATS } from '../../src/runtime/vocabulary.js';
import { cells, renderers } from './renderers.js';

interface Problem {
  instancePath: string;
  keyword: string;
  message?: string;
}
interface Form {
  schema: JsonSchema;
  uischema: UISchemaElement;
  stamp: number;
}

type Node = Record<string, unknown>;

/** The schema with every local `$ref` that has keywords beside it replaced by its target, merged. */
export function forJsonForms(schema: JsonSchema): JsonSchema {
  const target = (ref: string): unknown =>
    ref
      .slice(2)
      .split('/')
      .reduce<unknown>((node, part) => (node as Node | undefined)?.[part], schema);
  const walk = (node: unknown, seen: string[]): unknown => {
    if (Array.isArray(node)) return node.map((n) => walk(n, seen));
    if (node === null || typeof node !== 'object') return node;
    const { $ref, ...beside } = node as Node;
    const out = Object.fromEntries(Object.entries(beside).map(([k, v]) => [k, walk(v, seen)]));
    if (typeof $ref !== 'string') return out;
    if (!Object.keys(beside).length || !$ref.startsWith('#/') || seen.includes($ref)) return { $ref, ...out };
    return { ...(walk(target($ref), [...seen, $ref]) as Node), ...out };
  };
  return walk(schema, []) as JsonSchema;
}

function uiSchemaOf(schema: JsonSchema): UISchemaElement {
  const { allOf: _conditions, ...fields } = schema;
  return Generate.uiSchema(fields, 'VerticalLayout', '#', fields);
}

const ajv = createAjv();
for (const [name, format] of Object.entries(CUSTOM_FORMATS)) ajv.addFormat(name, format);

let state: { data: unknown; errors: Problem[] } = { data: undefined, errors: [] };
let show: (form: Form) => void = () => undefined;

function Page() {
  const [form, setForm] = useState<Form>();
  show = setForm;
  if (!form) return <p id="empty">no schema yet</p>;
  return (
    <div id="form" data-stamp={form.stamp}>
      <h1>{form.schema.title}</h1>
      <JsonForms
        key={form.stamp}
        schema={form.schema}
        uischema={form.uischema}
        data={{}}
        renderers={renderers}
        cells={cells}
        ajv={ajv}
        onChange={({ data, errors }) => {
          state = {
            data,
            errors: (errors ?? []).map((e) => ({
              instancePath: e.instancePath,
              keyword: e.keyword,
              message: e.message,
            })),
          };
        }}
      />
    </div>
  );
}

let stamp = 0;
const root = createRoot(document.getElementById('root')!);
flushSync(() => root.render(<Page />));

(window as unknown as { jsonForms: unknown }).jsonForms = {
  render(given: JsonSchema): number {
    stamp += 1;
    const schema = forJsonForms(given);
    flushSync(() => show({ schema, uischema: uiSchemaOf(schema), stamp }));
    return stamp;
  },
  state: () => structuredClone(state),
  /** Whether the form's data is `expected` (key order aside): onChange comes after the render. */
  holds: (expected: unknown) => canonical(state.data) === canonical(expected),
};

function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}
