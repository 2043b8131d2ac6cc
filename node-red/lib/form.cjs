// The form model of a bundled JSON Schema (a root `type: "object"` whose references are all
// `#/$defs/…`), shared by the Node-RED runtime (require) and the editor (the admin endpoint
// inlines this file into editor.js). Nothing here knows an operation or a connection field by
// name: every field, label, choice, default, hint and lookup comes from the schema's keywords.
//
// What the model keeps of JSON Schema: the type, title, description, default, examples,
// required, labelled choices (`oneOf` of `const` + `title`, `enum`, a lone `const`), formats
// (password, date-time, uri), minimum/maximum, objects with named properties (nested groups),
// a `oneOf` of object variants told apart by a discriminator, and our UI keywords (`x-lookup`,
// `x-advanced`, `x-order`, `x-multiline`, `writeOnly`). Arrays and free-form objects are JSON
// fields, with the model of their items (`items`) or values (`entries`) attached for form models
// that can show them as rows (the n8n node: n8n/lib/model.cjs). Everything else (patterns,
// lengths, dependentRequired) is not modelled: such a field is JSON text, or a plain input, and
// the connector checks the whole input against the full schema when it runs.
((root, factory) => {
  if (typeof module === 'object' && module.exports) module.exports = factory();
  else root.AwsS3Form = factory();
})(typeof self !== 'undefined' ? self : this, () => {
  'use strict';

  var LOCAL_REF = '#/$defs/';
  var FILE_REFERENCE = '#/$defs/fileReference';

  function isObject(v) {
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  }

  /** A node with its local reference followed (the node's own keywords win over the definition's). */
  function resolve(node, schema) {
    var seen = 0;
    var out = node || {};
    while (out && typeof out.$ref === 'string' && out.$ref.indexOf(LOCAL_REF) === 0 && seen < 32) {
      var target = (schema.$defs || {})[out.$ref.slice(LOCAL_REF.length)] || {};
      var own = {};
      for (var k in out) if (k !== '$ref') own[k] = out[k];
      out = Object.assign({}, target, own);
      seen++;
    }
    return out;
  }

  function choicesOf(s) {
    if (Array.isArray(s.oneOf) && s.oneOf.length && s.oneOf.every((b) => isObject(b) && 'const' in b)) {
      return s.oneOf.map((b) => ({ value: b.const, title: b.title || String(b.const), description: b.description }));
    }
    if (Array.isArray(s.enum)) return s.enum.map((v) => ({ value: v, title: String(v) }));
    if ('const' in s && !isObject(s.const)) return [{ value: s.const, title: String(s.const) }];
    return undefined;
  }

  function variantsOf(s, schema, path) {
    var branches = s.oneOf || s.anyOf;
    if (!Array.isArray(branches) || !branches.length) return undefined;
    var resolved = branches.map((b) => resolve(b, schema));
    if (!resolved.every((b) => isObject(b.properties))) return undefined;
    var prop = s.discriminator && s.discriminator.propertyName;
    if (!prop) {
      // The one property every branch pins to a constant.
      var first = Object.keys(resolved[0].properties);
      prop = first.find((p) => resolved.every((b) => b.properties[p] && 'const' in resolve(b.properties[p], schema)));
    }
    if (!prop) return undefined;
    return {
      discriminator: prop,
      variants: resolved.map((b) => {
        var tag = resolve(b.properties[prop], schema).const;
        return {
          value: tag,
          title: b.title || String(tag),
          description: b.description,
          fields: fieldsOf(b, schema, path, { skip: prop }),
        };
      }),
    };
  }

  /** Ordered like the playground: `x-order: n` puts a field at position n, others keep schema order. */
  function ordered(names, props, schema) {
    var rank = (name, index) => {
      var o = resolve(props[name], schema)['x-order'];
      return typeof o === 'number' ? o : index;
    };
    return names
      .map((name, index) => ({ name: name, index: index, rank: rank(name, index) }))
      .sort((a, b) => a.rank - b.rank || a.index - b.index)
      .map((e) => e.name);
  }

  function describe(name, raw, schema, required, path) {
    var s = resolve(raw, schema);
    var field = {
      name: name,
      path: path,
      key: path.join('_'),
      title: s.title || name,
      description: s.description || '',
      required: required,
      advanced: s['x-advanced'] === true,
    };
    if (s.default !== undefined) field.default = s.default;
    if (Array.isArray(s.examples) && s.examples.length && !isObject(s.examples[0])) field.example = s.examples[0];
    if (s.writeOnly === true || s.format === 'password') field.secret = true;
    if (typeof s.format === 'string') field.format = s.format;
    if (typeof s.minimum === 'number') field.minimum = s.minimum;
    if (typeof s.maximum === 'number') field.maximum = s.maximum;

    var choices = choicesOf(s);
    var variants = !choices && variantsOf(s, schema, path);
    if (raw && raw.$ref === FILE_REFERENCE) {
      field.kind = 'json';
      field.file = true;
    } else if (choices) {
      field.kind = 'choice';
      field.choices = choices;
    } else if (variants) {
      field.kind = 'variants';
      field.discriminator = variants.discriminator;
      field.variants = variants.variants;
    } else if (s.type === 'object' && isObject(s.properties)) {
      field.kind = 'group';
      field.fields = fieldsOf(s, schema, path);
    } else if (s.type === 'boolean') {
      field.kind = 'boolean';
    } else if (s.type === 'integer' || s.type === 'number') {
      field.kind = s.type;
    } else if (s.type === 'string') {
      if (isObject(s['x-lookup'])) {
        field.kind = 'lookup';
        field.lookup = { operation: s['x-lookup'].operation, dependsOn: s['x-lookup'].dependsOn || [] };
      } else if (field.secret) field.kind = 'password';
      else if (s['x-multiline'] === true) field.kind = 'textarea';
      else field.kind = 'text';
    } else {
      field.kind = 'json';
      // What JSON holds, for form models that can do better than JSON text (n8n's collections):
      // an array's items, or the values of a free-form object (names chosen by the user).
      if (s.type === 'array' && isObject(s.items))
        field.items = describe('item', s.items, schema, true, path.concat(['[]']));
      else if (s.type === 'object' && !s.properties && isObject(s.additionalProperties)) {
        field.entries = describe('value', s.additionalProperties, schema, true, path.concat(['{}']));
      }
      if (typeof s.minItems === 'number') field.minItems = s.minItems;
      if (typeof s.maxItems === 'number') field.maxItems = s.maxItems;
    }
    return field;
  }

  /**
   * The fields of an object schema, in display order. `path` prefixes the fields' paths;
   * `skip` leaves out one property (a variant's discriminator, which its picker sets).
   */
  function fieldsOf(objectSchema, schema, path, options) {
    var s = resolve(objectSchema, schema);
    var props = s.properties || {};
    var required = Array.isArray(s.required) ? s.required : [];
    var skip = options && options.skip;
    return ordered(Object.keys(props), props, schema)
      .filter((name) => name !== skip)
      .map((name) => describe(name, props[name], schema, required.indexOf(name) !== -1, (path || []).concat([name])));
  }

  /** The form model of a bundled root schema. */
  function formOf(schema) {
    return { title: schema.title || '', description: schema.description || '', fields: fieldsOf(schema, schema, []) };
  }

  function containsSecret(field) {
    if (field.secret) return true;
    if (field.fields) return field.fields.some(containsSecret);
    if (field.variants) return field.variants.some((v) => v.fields.some(containsSecret));
    return false;
  }

  /** Every leaf below a field (variants' fields and nested groups), each once by key. */
  function leavesOf(field, into) {
    into = into || {};
    var add = (f) => {
      if (f.kind === 'group') f.fields.forEach(add);
      else if (f.kind === 'variants') {
        into[f.key ? f.key + '_' + f.discriminator : f.discriminator] = {
          field: f,
          discriminator: true,
          path: f.path.concat([f.discriminator]),
        };
        f.variants.forEach((v) => {
          v.fields.forEach(add);
        });
      } else {
        var prev = into[f.key];
        into[f.key] = { field: f, secret: !!f.secret || !!(prev && prev.secret), path: f.path };
      }
    };
    add(field);
    return into;
  }

  /**
   * How a connection is stored in Node-RED: a top-level property that holds a secret anywhere
   * below it is kept whole in the node's credentials, one credential per leaf (keyed by its path
   * joined with `_`; secrets as `password`, the rest as `text`); every other property goes in the
   * config node's `settings` object.
   */
  function credentialModel(form) {
    var credentials = {};
    var leaves = {};
    var inCredentials = [];
    form.fields.forEach((f) => {
      if (!containsSecret(f)) return;
      inCredentials.push(f.name);
      var found = leavesOf(f);
      Object.keys(found).forEach((key) => {
        leaves[key] = found[key];
        credentials[key] = { type: found[key].secret ? 'password' : 'text' };
      });
    });
    return { credentials: credentials, leaves: leaves, properties: inCredentials };
  }

  function coerce(value, field) {
    if (typeof value !== 'string') return value;
    if (field.kind === 'integer' || field.kind === 'number') {
      var n = Number(value);
      return value.trim() !== '' && Number.isFinite(n) ? n : value;
    }
    if (field.kind === 'boolean') return value === 'true' ? true : value === 'false' ? false : value;
    if (field.kind === 'json') {
      try {
        return JSON.parse(value);
      } catch {
        return value;
      }
    }
    if (field.kind === 'choice') {
      var hit = field.choices.find((c) => String(c.value) === value);
      return hit ? hit.value : value;
    }
    return value;
  }

  function setPath(target, path, value) {
    var at = target;
    for (var i = 0; i < path.length - 1; i++) {
      if (!isObject(at[path[i]])) at[path[i]] = {};
      at = at[path[i]];
    }
    at[path[path.length - 1]] = value;
  }

  function getPath(source, path) {
    var at = source;
    for (var i = 0; i < path.length; i++) {
      if (!isObject(at)) return undefined;
      at = at[path[i]];
    }
    return at;
  }

  /** The fields a value shows: a variant's own fields only, the chosen variant by its tag. */
  function activeLeaves(fields, value, into) {
    into = into || [];
    fields.forEach((f) => {
      if (f.kind === 'group') activeLeaves(f.fields, value, into);
      else if (f.kind === 'variants') {
        var tag = getPath(value, f.path.concat([f.discriminator]));
        var chosen = f.variants.find((v) => v.value === tag);
        into.push({ field: f, discriminator: true, path: f.path.concat([f.discriminator]) });
        if (chosen) activeLeaves(chosen.fields, value, into);
      } else into.push({ field: f, path: f.path });
    });
    return into;
  }

  /**
   * The connection object from a config node's settings and its flat credentials: only the
   * chosen variant's credentials, typed by the schema (credentials are stored as strings),
   * empty ones left out.
   */
  function joinConnection(form, model, settings, credentials) {
    var connection = JSON.parse(JSON.stringify(isObject(settings) ? settings : {}));
    model.properties.forEach((p) => {
      delete connection[p];
    });
    var flat = {};
    Object.keys(model.leaves).forEach((key) => {
      var v = credentials ? credentials[key] : undefined;
      if (v === undefined || v === null || v === '') return;
      setPath(flat, model.leaves[key].path, v);
    });
    var top = form.fields.filter((f) => model.properties.indexOf(f.name) !== -1);
    activeLeaves(top, flat).forEach((leaf) => {
      var v = getPath(flat, leaf.path);
      if (v === undefined) return;
      setPath(connection, leaf.path, leaf.discriminator ? v : coerce(v, leaf.field));
    });
    return connection;
  }

  /** Flat credentials of a connection object (the inverse of joinConnection, for tests and imports). */
  function splitConnection(model, connection) {
    var settings = {};
    var credentials = {};
    Object.keys(connection || {}).forEach((k) => {
      if (model.properties.indexOf(k) === -1) settings[k] = connection[k];
    });
    Object.keys(model.leaves).forEach((key) => {
      var v = getPath(connection, model.leaves[key].path);
      if (v !== undefined) credentials[key] = String(v);
    });
    return { settings: settings, credentials: credentials };
  }

  /** Top-level fields holding a file reference (`#/$defs/fileReference`). */
  function fileFields(schema) {
    var props = (schema && schema.properties) || {};
    return Object.keys(props).filter((name) => props[name] && props[name].$ref === FILE_REFERENCE);
  }

  return {
    resolve: resolve,
    formOf: formOf,
    fieldsOf: fieldsOf,
    credentialModel: credentialModel,
    joinConnection: joinConnection,
    splitConnection: splitConnection,
    activeLeaves: activeLeaves,
    coerce: coerce,
    getPath: getPath,
    setPath: setPath,
    fileFields: fileFields,
    FILE_REFERENCE: FILE_REFERENCE,
  };
});
