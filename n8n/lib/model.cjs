// The n8n form model of the connector: its bundled schemas, read through the shared form model
// (form.cjs, the Node-RED nodes' too), become one n8n node description (a resource / operation
// picker and each operation's properties) and one credentials type; and the way back, from the
// parameters n8n stores to the input and connection the connector takes. Nothing here names an
// operation or a schema field: an operation added to connector.json is in the node once the
// package is generated again.
//
// Where a JSON Schema field goes in n8n:
//   required fields                     top-level properties, shown for their operation
//   optional and x-advanced fields      the operation's "Additional Fields" collection (unset stays unset)
//   oneOf of const + title, enum        options
//   x-lookup                            options with loadOptionsMethod (the lookup operation) and loadOptionsDependsOn
//   format date-time                    dateTime
//   format password / writeOnly         typeOptions.password
//   minimum / maximum                   typeOptions.minValue / maxValue (numberPrecision 0 for integers)
//   examples                            placeholder
//   x-multiline                         typeOptions.rows
//   a file reference                    the name of an item's binary property (the FileStore bridge reads it)
//   an object of free names to values   fixedCollection of name / value rows
//   an array of choices                 multiOptions
//   an array of simple values or of     fixedCollection, one row per item (minItems / maxItems
//     objects of simple fields            as minRequiredFields / maxAllowedFields)
//   an object of simple fields          fixedCollection with one group
//   anything else                       JSON
// In places where n8n cannot leave a field out (inside a fixedCollection, in credentials), an
// optional boolean or number without a default is a choice with "not set", or numeric text.
'use strict';

const form = require('./form.cjs');

const NODE_NAME = 'awsS3Connector';
const CREDENTIAL_NAME = 'awsS3ConnectorApi';
const ADDITIONAL = 'additionalFields';
/** The node's own parameter names: a schema field of that name gets a suffix. */
const RESERVED = ['resource', 'operation', ADDITIONAL];
const BINARY_OUT = 'binaryPropertyOutput';
const UNSET = Symbol('unset');
const LEAF_KINDS = ['text', 'textarea', 'password', 'lookup', 'choice', 'boolean', 'integer', 'number'];
const EXPRESSIONS = 'https://docs.n8n.io/code/expressions/';

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

function singular(word) {
  return word.length > 3 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word;
}

function capitalise(word) {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/**
 * The resource of each action, from its name alone. Names are verb_noun[_more] (list_buckets,
 * get_object, put_object_text): the nouns are the names' second segments, singular; an
 * operation's resource is the first of its segments that is one of them (object_events_ack is
 * an Object operation, as configure_object_events is).
 */
function resourcesOf(actions) {
  const nouns = new Set(
    actions.map((op) => {
      const parts = op.name.split('_').map(singular);
      return parts.length > 1 ? parts[1] : parts[0];
    }),
  );
  const byOperation = new Map();
  for (const op of actions) {
    const parts = op.name.split('_').map(singular);
    byOperation.set(op.name, parts.find((p) => nouns.has(p)) || parts[0]);
  }
  const order = [];
  for (const op of actions) if (!order.includes(byOperation.get(op.name))) order.push(byOperation.get(op.name));
  return { order, of: (name) => byOperation.get(name) };
}

function withPeriod(text) {
  const t = (text || '').trim();
  return t === '' || /[.!?]$/.test(t) ? t : `${t}.`;
}

/** A field's default in n8n: the schema's, else what n8n needs to have one. */
function defaultOf(field) {
  if (field.default !== undefined && !isObject(field.default) && !Array.isArray(field.default)) return field.default;
  switch (field.kind) {
    case 'choice':
      return field.choices[0].value;
    case 'boolean':
      return false;
    case 'integer':
    case 'number':
      return typeof field.minimum === 'number' ? field.minimum : 0;
    default:
      return '';
  }
}

function placeholderOf(field) {
  if (field.example === undefined) return undefined;
  return typeof field.example === 'string' ? field.example : JSON.stringify(field.example);
}

/** Is this a leaf n8n shows as one input? */
const isLeaf = (field) => LEAF_KINDS.indexOf(field.kind) !== -1;

/** Rows n8n can show for a JSON field: a map of simple values, an array of simple values or of objects of simple fields, an object of simple fields. */
function rowsOf(field) {
  if (field.kind === 'json' && !field.file && field.entries && isLeaf(field.entries)) return 'entries';
  if (field.kind === 'json' && field.items && field.items.kind === 'choice') return 'multi';
  if (field.kind === 'json' && field.items && isLeaf(field.items)) return 'values';
  if (field.kind === 'json' && field.items && field.items.kind === 'group' && field.items.fields.every(isLeaf))
    return 'items';
  if (field.kind === 'group' && field.fields.every(isLeaf)) return 'group';
  return undefined;
}

/**
 * One n8n property for a field, and how its stored value turns back into the field's value.
 * `place`: 'top' (a top-level property, required), 'collection' (inside Additional Fields: left
 * out unless added), 'fixed' (inside a fixedCollection row or in credentials: always shown, so an
 * optional field needs a way to say "not set").
 * `ctx.dependsOn(names)`: the parameter paths of a lookup's dependsOn fields.
 */
function propertyOf(field, name, place, ctx) {
  const optionalShown = place === 'fixed' && !field.required;
  const p = {
    displayName: field.title,
    name,
    type: 'string',
    default: '',
  };
  if (field.description) p.description = withPeriod(field.description);
  if (field.required && place !== 'collection') p.required = true;
  const placeholder = placeholderOf(field);
  let convert = (v) => (v === '' || v === undefined || v === null ? UNSET : v);

  const rows = rowsOf(field);
  if (field.file) {
    p.displayName = `${field.title} (input binary field)`;
    p.default = 'data';
    p.description = withPeriod(
      `The name of the input item's binary property holding the file. ${field.description || ''}`,
    );
    p.hint = 'The name of the binary property of the input item';
    convert = async (v, tools) => (v === '' || v === undefined ? UNSET : tools.fileReference(String(v)));
  } else if (field.kind === 'choice') {
    p.type = 'options';
    p.options = field.choices.map((c) => ({
      name: c.title,
      value: c.value,
      ...(c.description ? { description: c.description } : {}),
    }));
    if (optionalShown && field.default === undefined) {
      p.options.unshift({ name: '— Not Set —', value: '' });
      p.default = '';
    } else p.default = defaultOf(field);
    convert = (v) => (v === '' || v === undefined ? UNSET : v);
  } else if (field.kind === 'lookup') {
    p.type = 'options';
    p.typeOptions = { loadOptionsMethod: field.lookup.operation };
    const deps = ctx.dependsOn(field.lookup.dependsOn || []);
    if (deps.length) p.typeOptions.loadOptionsDependsOn = deps;
    p.description =
      `${withPeriod(field.description)} Choose from the list, or specify a value using an <a href="${EXPRESSIONS}">expression</a>.`.trim();
  } else if (field.kind === 'boolean') {
    if (optionalShown && field.default === undefined) {
      p.type = 'options';
      p.options = [
        { name: '— Not Set —', value: '' },
        { name: 'Yes', value: 'true' },
        { name: 'No', value: 'false' },
      ];
      p.default = '';
      convert = (v) => (v === 'true' || v === true ? true : v === 'false' || v === false ? false : UNSET);
    } else {
      p.type = 'boolean';
      p.default = defaultOf(field);
      convert = (v) => (typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' ? false : UNSET);
    }
  } else if (field.kind === 'integer' || field.kind === 'number') {
    const toNumber = (v) => {
      if (v === '' || v === undefined || v === null) return UNSET;
      const n = typeof v === 'number' ? v : Number(v);
      return Number.isFinite(n) && String(v).trim() !== '' ? n : v; // not a number: the connector says so
    };
    if (optionalShown && field.default === undefined) {
      p.type = 'string'; // a number n8n could not leave empty
      p.placeholder = placeholder || (typeof field.minimum === 'number' ? String(field.minimum) : '');
    } else {
      p.type = 'number';
      p.default = defaultOf(field);
      const t = {};
      if (typeof field.minimum === 'number') t.minValue = field.minimum;
      if (typeof field.maximum === 'number') t.maxValue = field.maximum;
      if (field.kind === 'integer') t.numberPrecision = 0;
      if (Object.keys(t).length) p.typeOptions = t;
    }
    convert = toNumber;
  } else if (field.kind === 'text' && field.format === 'date-time') {
    p.type = 'dateTime';
    convert = (v, tools) => (v === '' || v === undefined || v === null ? UNSET : tools.dateTime(v));
  } else if (field.kind === 'password') {
    p.typeOptions = { password: true };
  } else if (field.kind === 'textarea') {
    p.typeOptions = { rows: 4 };
  } else if (rows && place !== 'fixed') {
    return rowsProperty(field, rows, p, ctx, place);
  } else if (isLeaf(field)) {
    if (typeof field.default === 'string') p.default = field.default;
  } else {
    // JSON: arrays and objects n8n's rows cannot hold, a oneOf of objects, a cursor.
    p.type = 'json';
    p.default = field.default !== undefined ? JSON.stringify(field.default, null, 2) : '';
    p.description = withPeriod(`${withPeriod(field.description)} JSON`);
    convert = (v, tools) => {
      if (v === '' || v === undefined || v === null) return UNSET;
      if (typeof v !== 'string') return v;
      try {
        return JSON.parse(v);
      } catch {
        throw tools.userError(
          'InvalidJson',
          `${field.title} is not valid JSON: write it as JSON, e.g. ${placeholder || '{}'}.`,
        );
      }
    };
  }
  if (placeholder !== undefined && p.placeholder === undefined && p.type !== 'options' && p.type !== 'boolean')
    p.placeholder = placeholder;
  return { property: p, convert };
}

/** A fixedCollection (or multiOptions) for the JSON fields whose shape n8n rows can hold. */
function rowsProperty(field, rows, p, ctx, place) {
  if (rows === 'multi') {
    p.type = 'multiOptions';
    p.options = field.items.choices.map((c) => ({ name: c.title, value: c.value }));
    p.default = Array.isArray(field.default) ? field.default : [];
    return { property: p, convert: (v) => (Array.isArray(v) && v.length ? v : UNSET) };
  }
  const sub = (f, subName) => propertyOf(f, subName, 'fixed', ctx);
  let values;
  let group;
  let read;
  if (rows === 'entries') {
    group = 'entries';
    const key = { displayName: 'Name', name: 'name', type: 'string', default: '', required: true };
    const value = sub({ ...field.entries, title: 'Value', required: true }, 'value');
    values = [key, value.property];
    read = async (list, tools) => {
      const out = {};
      for (const row of list) {
        if (!isObject(row) || row.name === undefined || row.name === '') continue;
        const v = await value.convert(row.value, tools);
        out[row.name] = v === UNSET ? '' : v;
      }
      return Object.keys(out).length ? out : UNSET;
    };
  } else if (rows === 'values') {
    group = 'items';
    const value = sub(
      { ...field.items, title: field.items.title === 'item' ? 'Value' : field.items.title, required: true },
      'value',
    );
    values = [value.property];
    read = async (list, tools) => {
      const out = [];
      for (const row of list) {
        const v = isObject(row) ? await value.convert(row.value, tools) : UNSET;
        if (v !== UNSET) out.push(v);
      }
      return out.length ? out : UNSET;
    };
  } else {
    const fields = rows === 'items' ? field.items.fields : field.fields;
    group = rows === 'items' ? 'items' : 'values';
    const subs = fields.map((f) => ({ f, ...sub(f, f.name) }));
    values = subs.map((s) => s.property);
    const readRow = async (row, tools) => {
      const out = {};
      for (const s of subs) {
        const v = await s.convert(isObject(row) ? row[s.f.name] : undefined, tools);
        if (v !== UNSET) out[s.f.name] = v;
      }
      return out;
    };
    read = async (list, tools) => {
      if (rows === 'group') {
        const one = list[0] !== undefined ? await readRow(list[0], tools) : {};
        return Object.keys(one).length ? one : UNSET;
      }
      const out = [];
      for (const row of list) {
        const r = await readRow(row, tools);
        if (Object.keys(r).length) out.push(r);
      }
      return out.length ? out : UNSET;
    };
  }
  const multiple = rows !== 'group';
  const itemTitle =
    rows === 'entries'
      ? 'Entry'
      : rows === 'items' && field.items.title && field.items.title !== 'item'
        ? field.items.title
        : 'Value';
  p.type = 'fixedCollection';
  p.default = {};
  p.placeholder = multiple ? `Add ${itemTitle}` : `Add ${field.title}`;
  p.typeOptions = multiple
    ? { multipleValues: true, multipleValueButtonText: `Add ${itemTitle}` }
    : { multipleValues: false };
  p.options = [{ name: group, displayName: rows === 'group' ? field.title : itemTitle, values }];
  // n8n counts a fixedCollection's rows against these (an issue on the node until they hold).
  // Not a minimum inside Additional Fields: n8n checks a collection's options even when not added.
  if (typeof field.minItems === 'number' && multiple && place === 'top')
    p.typeOptions.minRequiredFields = field.minItems;
  if (typeof field.maxItems === 'number' && multiple) p.typeOptions.maxAllowedFields = field.maxItems;
  const convert = (v, tools) => {
    if (!isObject(v) || v[group] === undefined) return UNSET;
    const list = Array.isArray(v[group]) ? v[group] : [v[group]];
    return read(list, tools);
  };
  return { property: p, convert };
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The node: its description's properties (without the class-level keys), the lookups it needs as
 * loadOptions methods, and per operation the plan that reads its input back from parameters.
 */
function nodeModel(bundle) {
  const actions = bundle.operations.filter((op) => op.kind === 'action');
  const lookups = bundle.operations.filter((op) => op.kind === 'lookup');
  const resources = resourcesOf(actions);
  const properties = [
    {
      displayName: 'Resource',
      name: 'resource',
      type: 'options',
      noDataExpression: true,
      options: resources.order.map((r) => ({ name: capitalise(r), value: r })),
      default: resources.order[0],
    },
  ];
  for (const r of resources.order) {
    const ops = actions.filter((op) => resources.of(op.name) === r);
    properties.push({
      displayName: 'Operation',
      name: 'operation',
      type: 'options',
      noDataExpression: true,
      displayOptions: { show: { resource: [r] } },
      options: ops.map((op) => ({
        name: op.title,
        value: op.name,
        description: withPeriod(op.description),
        action: op.title,
      })),
      default: ops[0].name,
    });
  }

  const plans = {};
  /** Top-level properties by name, each with the operations that show it (identical ones shared). */
  const shared = [];
  const fieldProps = [];
  for (const op of actions) {
    const fields = form.formOf(op.inputSchema).fields;
    const top = fields.filter((f) => f.required);
    const rest = fields.filter((f) => !f.required);
    // Non-advanced optional fields first, then the advanced ones, each in schema (x-order) order.
    rest.sort((a, b) => Number(a.advanced) - Number(b.advanced));
    const fileFields = fields.filter((f) => f.file);
    const paramName = (f) => {
      if (f.file) return fileFields.length === 1 ? 'binaryPropertyName' : `${f.name}BinaryPropertyName`;
      return RESERVED.indexOf(f.name) !== -1 ? `${f.name}Value` : f.name;
    };
    const pathOf = (fieldName) => {
      const f = fields.find((x) => x.name === fieldName);
      if (!f) return undefined;
      return f.required ? paramName(f) : `${ADDITIONAL}.${f.name}`;
    };
    const ctx = { dependsOn: (names) => names.map(pathOf).filter(Boolean) };
    const entries = [];
    for (const f of top) {
      const { property, convert } = propertyOf(f, paramName(f), 'top', ctx);
      entries.push({ field: f.name, param: property.name, where: 'top', convert });
      const found = shared.find((s) => s.property.name === property.name && same(s.property, property));
      if (found) found.ops.push(op);
      else {
        const s = { property, ops: [op] };
        shared.push(s);
        fieldProps.push(s);
      }
    }
    const outputFiles = form.fileFields(op.outputSchema);
    if (outputFiles.length) {
      fieldProps.push({
        property: {
          displayName: 'Put Output File in Field',
          name: BINARY_OUT,
          type: 'string',
          default: 'data',
          hint: 'The name of the output binary property to put the file in',
          description: 'When the operation returns a file, it becomes this binary property of the output item.',
        },
        ops: [op],
      });
    }
    if (rest.length) {
      const options = rest.map((f) => {
        const { property, convert } = propertyOf(f, f.name, 'collection', ctx);
        entries.push({ field: f.name, param: f.name, where: 'collection', convert });
        return property;
      });
      fieldProps.push({
        property: {
          displayName: 'Additional Fields',
          name: ADDITIONAL,
          type: 'collection',
          placeholder: 'Add Field',
          default: {},
          options,
        },
        ops: [op],
      });
    }
    plans[op.name] = {
      name: op.name,
      entries,
      outputFiles,
      lookupDeps: (lookupName) => {
        const deps = [];
        for (const f of fields) {
          const visit = (x) => {
            if (x.kind === 'lookup' && x.lookup.operation === lookupName)
              for (const d of x.lookup.dependsOn || []) if (!deps.includes(d)) deps.push(d);
            (x.fields || []).forEach(visit);
            if (x.items) visit(x.items);
            if (x.entries) visit(x.entries);
          };
          visit(f);
        }
        return deps;
      },
    };
  }
  for (const s of fieldProps) {
    properties.push({
      ...s.property,
      displayOptions: {
        show: {
          resource: [...new Set(s.ops.map((op) => resources.of(op.name)))],
          operation: s.ops.map((op) => op.name),
        },
      },
    });
  }
  return { properties, plans, lookups: lookups.map((op) => op.name), resources };
}

/**
 * The parameters of one item back to the operation's input: `read(param, fallback)` reads a
 * top-level parameter (n8n's getNodeParameter), `tools` turns binary property names into file
 * references and dates into RFC 3339.
 */
async function inputOf(plan, read, tools) {
  const input = {};
  let extra;
  for (const e of plan.entries) {
    let raw;
    if (e.where === 'top') raw = read(e.param, undefined);
    else {
      if (extra === undefined) extra = read(ADDITIONAL, {}) || {};
      if (!Object.hasOwn(extra, e.param)) continue;
      raw = extra[e.param];
    }
    const v = await e.convert(raw, tools);
    if (v !== UNSET) input[e.field] = v;
  }
  return input;
}

/** The values of a lookup's dependsOn fields, from the node's current parameters (the editor's). */
function lookupInput(plan, lookupName, parameters) {
  const input = {};
  for (const dep of plan.lookupDeps(lookupName)) {
    const e = plan.entries.find((x) => x.field === dep);
    if (!e) continue;
    const raw =
      e.where === 'top'
        ? parameters[e.param]
        : isObject(parameters[ADDITIONAL])
          ? parameters[ADDITIONAL][e.param]
          : undefined;
    // An expression has no value while the node is edited: the lookup goes without it.
    if (typeof raw === 'string' && raw !== '' && !raw.startsWith('=')) input[dep] = raw;
  }
  return input;
}

// ---- credentials ------------------------------------------------------------------------

/**
 * The credentials type's properties from the connection schema, and the plan back to a
 * connection. Credentials have no folding: advanced fields follow a notice. A oneOf of objects
 * (the credential kinds) is an options field `<path>_<discriminator>`; each kind's fields are
 * shown for it alone and named `<path>_<kind>_<field>`, so two kinds' same-named fields (an
 * access key ID) are distinct values.
 */
function credentialModel(connectionSchema) {
  const fields = form.formOf(connectionSchema).fields;
  const main = [];
  const advanced = [];
  const plan = [];
  const ctx = { dependsOn: () => [] };
  const leaf = (f, name, path, displayName, show, into) => {
    const { property, convert } = propertyOf({ ...f, title: displayName }, name, 'fixed', ctx);
    if (show) property.displayOptions = { show };
    into.push(property);
    return { param: name, path, convert };
  };
  for (const f of fields) {
    const into = f.advanced ? advanced : main;
    if (f.kind === 'variants') {
      const picker = `${f.key}_${f.discriminator}`;
      const tagDefault =
        isObject(f.default) && f.default[f.discriminator] !== undefined
          ? f.default[f.discriminator]
          : f.variants[0].value;
      into.push({
        displayName: f.title,
        name: picker,
        type: 'options',
        options: f.variants.map((v) => ({
          name: v.title,
          value: v.value,
          ...(v.description ? { description: withPeriod(v.description) } : {}),
        })),
        default: tagDefault,
        ...(f.description ? { description: withPeriod(f.description) } : {}),
      });
      const branches = {};
      for (const v of f.variants) {
        const ordered = v.fields.filter((x) => !x.advanced).concat(v.fields.filter((x) => x.advanced));
        branches[v.value] = ordered
          .filter(isLeaf)
          .map((x) => leaf(x, `${f.key}_${v.value}_${x.name}`, x.path, x.title, { [picker]: [v.value] }, into));
      }
      plan.push({ variant: true, param: picker, path: f.path, discriminator: f.discriminator, branches });
    } else if (f.kind === 'group') {
      for (const x of f.fields.filter(isLeaf))
        plan.push(leaf(x, x.key, x.path, `${f.title}: ${x.title}`, undefined, into));
    } else {
      plan.push(leaf(f, f.key, f.path, f.title, undefined, into));
    }
  }
  const properties = main.slice();
  if (advanced.length) {
    properties.push({
      displayName: "Advanced: leave these empty for the connector's defaults (a capability left unset is detected).",
      name: 'advancedNotice',
      type: 'notice',
      default: '',
    });
    properties.push(...advanced);
  }
  return { properties, plan };
}

function setPath(target, path, value) {
  form.setPath(target, path, value);
}

/** The connection object from stored credential data: only the chosen kind's fields. */
async function connectionOf(model, data, tools) {
  const connection = {};
  const values = data || {};
  const put = async (e) => {
    const v = await e.convert(values[e.param], tools);
    if (v !== UNSET) setPath(connection, e.path, v);
  };
  for (const e of model.plan) {
    if (!e.variant) {
      await put(e);
      continue;
    }
    const tag = values[e.param];
    if (tag === undefined || tag === '') continue;
    setPath(connection, e.path.concat([e.discriminator]), tag);
    for (const b of e.branches[tag] || []) await put(b);
  }
  return connection;
}

module.exports = {
  NODE_NAME,
  CREDENTIAL_NAME,
  ADDITIONAL,
  BINARY_OUT,
  UNSET,
  nodeModel,
  inputOf,
  lookupInput,
  credentialModel,
  connectionOf,
  resourcesOf,
};
