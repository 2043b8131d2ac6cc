// The editor side of the Node-RED nodes (browser code). The admin endpoint serves it as
// aws-s3/editor.js, wrapped with `Form` (lib/form.cjs) and `MODEL` (the node names, the
// connection's form model and credential definitions, the operation names), so the palette
// definitions below are generated from the manifest and the schemas when Node-RED starts.
// The operation forms are rendered from the bundled input schemas that `aws-s3/operations`
// serves; lookups call `aws-s3/lookup` with the chosen connection. Nothing is per operation.
/* global RED, $, Form, MODEL */

var ADMIN = MODEL.admin;
var credentialModel = Form.credentialModel(MODEL.connectionForm);
var operationsRequest = null;
/** Lookup lists left open when the dialog closes are closed with it. */
var openMenus = [];

function closeMenus() {
  openMenus.splice(0).forEach((m) => {
    try {
      m.hide();
    } catch {
      /* closed already */
    }
  });
}

function loadOperations() {
  if (!operationsRequest) {
    operationsRequest = new Promise((resolve, reject) => {
      $.ajax({ url: ADMIN + '/operations', dataType: 'json', cache: false })
        .done((data) => {
          resolve(data.operations);
        })
        .fail((xhr) => {
          operationsRequest = null;
          reject(new Error((xhr.responseJSON && xhr.responseJSON.message) || xhr.statusText || 'failed'));
        });
    });
  }
  return operationsRequest;
}

function titleOf(name) {
  var op = MODEL.operations.find((o) => o.name === name);
  return op ? op.title : name;
}

var STYLE = [
  '.aws-s3-form .form-row { margin-bottom: 10px; }',
  '.aws-s3-field > label { width: 140px; vertical-align: top; margin-top: 6px; white-space: normal; overflow-wrap: anywhere; line-height: 1.3; }',
  '.aws-s3-control { display: inline-block; width: calc(100% - 150px); }',
  '.aws-s3-control > input, .aws-s3-control > select, .aws-s3-control > textarea { width: 100% !important; box-sizing: border-box; }',
  '.aws-s3-control textarea { font-family: monospace; resize: vertical; }',
  '.aws-s3-lookup { display: flex; }',
  '.aws-s3-lookup > input { flex: 1; width: auto !important; border-top-right-radius: 0; border-bottom-right-radius: 0; }',
  '.aws-s3-lookup > button { border-top-left-radius: 0; border-bottom-left-radius: 0; margin-left: -1px; }',
  '.aws-s3-help { margin: 3px 0 0 144px; font-size: 0.85em; line-height: 1.35; color: var(--red-ui-secondary-text-color, #777); }',
  '.aws-s3-note { margin-left: 144px; font-size: 0.85em; color: var(--red-ui-text-color-error, #b00); }',
  '.aws-s3-required { color: var(--red-ui-text-color-error, #b00); margin-left: 2px; }',
  '.aws-s3-group { border-left: 2px solid var(--red-ui-secondary-border-color, #ddd); padding-left: 10px; margin: 6px 0 10px 4px; }',
  '.aws-s3-advanced-toggle { display: inline-block; margin: 4px 0 10px; cursor: pointer; }',
  '.aws-s3-operation-help { margin: -4px 0 12px 104px; font-size: 0.9em; color: var(--red-ui-secondary-text-color, #777); }',
].join('\n');

function addStyle() {
  if (!document.getElementById('aws-s3-style')) $('<style id="aws-s3-style">').text(STYLE).appendTo('head');
}

// ---- the form renderer: one control per field of the model --------------------------------

function placeholderOf(field) {
  if (field.default !== undefined && typeof field.default !== 'object') return 'default: ' + field.default;
  if (field.example !== undefined) return 'e.g. ' + field.example;
  if (field.format === 'date-time') return 'e.g. 2026-01-31T12:00:00Z';
  return '';
}

/** A field's row: label (title, * when required), control, the description as help text. */
function fieldRow(field, container) {
  var row = $('<div class="form-row aws-s3-field">')
    .attr('data-path', field.path.join('.'))
    .attr('data-kind', field.kind)
    .appendTo(container);
  var label = $('<label>').attr('title', field.title).text(field.title).appendTo(row);
  if (field.required)
    $('<span class="aws-s3-required" title="required (here or in msg.payload)">*</span>').appendTo(label);
  var control = $('<div class="aws-s3-control">').appendTo(row);
  var help = field.description;
  if (field.file)
    help =
      (help ? help + ' ' : '') +
      'A JSON file reference { "url": … }, or leave empty and send a Buffer in msg.payload.' +
      field.name +
      ' (or as msg.payload).';
  if (help) $('<div class="aws-s3-help">').text(help).appendTo(row);
  return { row: row, control: control };
}

function textControl(field, control, type) {
  var input = $('<input>')
    .attr('type', type)
    .attr('placeholder', placeholderOf(field))
    .attr('autocomplete', 'off')
    .appendTo(control);
  if (type === 'number') {
    if (field.minimum !== undefined) input.attr('min', field.minimum);
    if (field.maximum !== undefined) input.attr('max', field.maximum);
    input.attr('step', field.kind === 'integer' ? 1 : 'any');
  }
  return {
    get: () => {
      var v = input.val();
      if (v === '') return undefined;
      return type === 'number' ? Form.coerce(v, field) : v;
    },
    set: (v) => {
      input.val(v === undefined || v === null ? '' : String(v));
    },
  };
}

function selectControl(field, control, options, withEmpty, emptyLabel) {
  var select = $('<select>').appendTo(control);
  if (withEmpty)
    $('<option value="">')
      .text(emptyLabel || '— not set —')
      .appendTo(select);
  options.forEach((o) => {
    var option = $('<option>').attr('value', String(o.value)).text(o.title).appendTo(select);
    if (o.description) option.attr('title', o.description);
  });
  return {
    select: select,
    get: () => {
      var v = select.val();
      if (v === '' || v === null) return undefined;
      var hit = options.find((o) => String(o.value) === v);
      var value = hit ? hit.value : v;
      // The schema's default is what the connector fills in anyway: not stored.
      return value === field.default ? undefined : value;
    },
    set: (v) => {
      var wanted = v === undefined ? (field.default !== undefined ? field.default : '') : v;
      if (wanted !== '' && !options.some((o) => String(o.value) === String(wanted))) {
        $('<option>')
          .attr('value', String(wanted))
          .text(String(wanted) + ' (not a listed choice)')
          .appendTo(select);
      }
      select.val(String(wanted));
    },
  };
}

function jsonControl(_field, control) {
  var input = $('<input type="text">').css('width', '100%').appendTo(control);
  input.typedInput({ default: 'json', types: ['json'] });
  return {
    get: () => {
      var text = input.typedInput('value');
      if (!text || !text.trim()) return undefined;
      try {
        return JSON.parse(text);
      } catch {
        return text;
      } // the connector says what is wrong
    },
    set: (v) => {
      input.typedInput('value', v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));
    },
  };
}

/** Free text with a dropdown that the field's lookup operation fills (x-lookup). */
function lookupControl(field, control, ctx) {
  var box = $('<div class="aws-s3-lookup">').appendTo(control);
  var input = $('<input type="text" autocomplete="off">')
    .attr('placeholder', placeholderOf(field) || 'type, or pick from the list')
    .appendTo(box);
  var button = $(
    '<button type="button" class="red-ui-button aws-s3-lookup-open" title="Show the list"><i class="fa fa-caret-down"></i></button>',
  ).appendTo(box);
  var note = $('<div class="aws-s3-note">').hide().insertAfter(control);
  var menu = null;

  function fetchOptions(search, done) {
    var input0 = {};
    var missing = [];
    field.lookup.dependsOn.forEach((dep) => {
      var v = ctx.valueOf(dep);
      if (v === undefined || v === '') missing.push(dep);
      else input0[dep] = v;
    });
    if (missing.length) {
      note.text('Set ' + missing.join(', ') + ' first to fill this list.').show();
      return done([]);
    }
    if (search) input0.search = search;
    var body = ctx.lookupBody(field.lookup.operation, input0);
    $.ajax({
      url: ADMIN + '/lookup',
      method: 'POST',
      contentType: 'application/json',
      data: JSON.stringify(body),
      dataType: 'json',
    })
      .done((result) => {
        if (result && result.ok) {
          note.hide();
          done(result.output.options || []);
        } else {
          note.text((result && result.error && result.error.message) || 'The list could not be loaded.').show();
          done([]);
        }
      })
      .fail((xhr) => {
        note
          .text(
            (xhr.responseJSON && xhr.responseJSON.error && xhr.responseJSON.error.message) ||
              'The list could not be loaded (' + xhr.status + ').',
          )
          .show();
        done([]);
      });
  }

  button.on('click', (evt) => {
    evt.preventDefault();
    if (menu) {
      menu.hide();
      menu = null;
      return;
    }
    button.find('i').attr('class', 'fa fa-spinner fa-spin');
    fetchOptions('', (options) => {
      button.find('i').attr('class', 'fa fa-caret-down');
      if (!options.length) {
        if (note.is(':hidden')) note.text('The list is empty.').show();
        return;
      }
      menu = RED.popover.menu({
        width: Math.max(240, box.width()),
        maxHeight: 220,
        class: 'aws-s3-lookup-menu',
        options: options.map((o) => ({ label: o.label, value: o.value })),
        onselect: (opt) => {
          input.val(opt.value).trigger('change');
        },
        onclose: () => {
          openMenus = openMenus.filter((m) => m !== menu);
          menu = null;
        },
      });
      openMenus.push(menu);
      menu.show({ target: box });
    });
  });
  // Typing asks the lookup with the text as its search.
  input.autoComplete({
    minLength: 1,
    search: (value, done) => {
      fetchOptions(value, (options) => {
        done(options.map((o) => ({ value: o.value, label: o.label })));
      });
    },
  });
  input.on('change', () => {
    ctx.changed(field);
  });
  return {
    get: () => {
      var v = input.val();
      return v === '' ? undefined : v;
    },
    set: (v) => {
      input.val(v === undefined ? '' : String(v));
    },
  };
}

/**
 * Renders fields into a container; returns { get(): object, set(object) }. Advanced fields are
 * folded under a toggle. `ctx` gives lookups the form's other values and the connection.
 */
function renderFields(fields, container, ctx, value) {
  var controls = [];
  var basic = fields.filter((f) => !f.advanced);
  var advanced = fields.filter((f) => f.advanced);
  basic.forEach((f) => {
    controls.push(renderField(f, container, ctx));
  });
  if (advanced.length) {
    var toggle = $('<a class="aws-s3-advanced-toggle" href="#">').appendTo(container);
    var folded = $('<div class="aws-s3-advanced">').hide().appendTo(container);
    var label = () => {
      toggle
        .empty()
        .append($('<i class="fa">').addClass(folded.is(':visible') ? 'fa-caret-down' : 'fa-caret-right'))
        .append(' Advanced options (' + advanced.length + ')');
    };
    toggle.on('click', (evt) => {
      evt.preventDefault();
      folded.toggle();
      label();
    });
    label();
    advanced.forEach((f) => {
      controls.push(renderField(f, folded, ctx));
    });
    // A folded field holding a value is shown unfolded.
    if (value && advanced.some((f) => value[f.name] !== undefined)) {
      folded.show();
      label();
    }
  }
  var api = {
    get: () => {
      var out = {};
      controls.forEach((c) => {
        var v = c.get();
        if (v !== undefined) out[c.field.name] = v;
      });
      return out;
    },
    set: (v) => {
      controls.forEach((c) => {
        c.set(v && typeof v === 'object' ? v[c.field.name] : undefined);
      });
    },
  };
  if (value !== undefined) api.set(value);
  return api;
}

function renderField(field, container, ctx) {
  var c;
  if (field.kind === 'group') {
    var head = fieldRow(field, container);
    head.control.remove();
    var box = $('<div class="aws-s3-group">').appendTo(container);
    var inner = renderFields(field.fields, box, ctx);
    c = {
      get: () => {
        var v = inner.get();
        return Object.keys(v).length ? v : undefined;
      },
      set: (v) => {
        inner.set(v);
      },
    };
  } else if (field.kind === 'variants') {
    var row = fieldRow(field, container);
    var picker = selectControl({ default: undefined }, row.control, field.variants, false);
    var holder = $('<div class="aws-s3-group">').appendTo(container);
    var current = null;
    var kept = {};
    var show = (tag) => {
      if (current) Object.assign(kept, current.get());
      holder.empty();
      var variant = field.variants.find((v) => v.value === tag) || field.variants[0];
      if (variant.description)
        $('<div class="aws-s3-help" style="margin-left:0;margin-bottom:8px">')
          .text(variant.description)
          .appendTo(holder);
      current = renderFields(variant.fields, holder, ctx);
      var values = {};
      variant.fields.forEach((f) => {
        if (kept[f.name] !== undefined) values[f.name] = kept[f.name];
      });
      current.set(values);
    };
    picker.select.on('change', () => {
      show(picker.get());
    });
    c = {
      get: () => {
        var v = current ? current.get() : {};
        v[field.discriminator] = picker.get();
        return v;
      },
      set: (v) => {
        var tag =
          v && v[field.discriminator] !== undefined
            ? v[field.discriminator]
            : field.default && field.default[field.discriminator];
        picker.set(tag === undefined ? field.variants[0].value : tag);
        kept = Object.assign({}, v || {});
        current = null;
        show(picker.get());
      },
    };
  } else {
    var r = fieldRow(field, container);
    if (field.kind === 'lookup') c = lookupControl(field, r.control, ctx);
    else if (field.kind === 'choice') c = selectControl(field, r.control, field.choices, field.default === undefined);
    else if (field.kind === 'boolean') {
      var empty = field.default === undefined ? '— not set —' : 'default (' + (field.default ? 'yes' : 'no') + ')';
      c = selectControl(
        { default: undefined },
        r.control,
        [
          { value: true, title: 'yes' },
          { value: false, title: 'no' },
        ],
        true,
        empty,
      );
    } else if (field.kind === 'integer' || field.kind === 'number') c = textControl(field, r.control, 'number');
    else if (field.kind === 'password') c = textControl(field, r.control, 'password');
    else if (field.kind === 'textarea') {
      var area = $('<textarea rows="4">').attr('placeholder', placeholderOf(field)).appendTo(r.control);
      c = {
        get: () => {
          var v = area.val();
          return v === '' ? undefined : v;
        },
        set: (v) => {
          area.val(v === undefined ? '' : String(v));
        },
      };
    } else if (field.kind === 'json') c = jsonControl(field, r.control);
    else c = textControl(field, r.control, 'text');
    if (field.kind !== 'lookup')
      r.control.on('change', 'input,select,textarea', () => {
        ctx.changed(field);
      });
  }
  c.field = field;
  return c;
}

// ---- the connection (config node) ----------------------------------------------------------

/** The connection as the form shows it: settings, and credentials with stored passwords as __PWRD__. */
function connectionValue(node) {
  var value = JSON.parse(JSON.stringify(node.settings || {}));
  var creds = node.credentials || {};
  Object.keys(credentialModel.leaves).forEach((key) => {
    var v = creds[key];
    if (MODEL.credentials[key].type === 'password') {
      if (typeof v === 'string' && v !== '') Form.setPath(value, credentialModel.leaves[key].path, v);
      else if (creds['has_' + key]) Form.setPath(value, credentialModel.leaves[key].path, '__PWRD__');
    } else if (typeof v === 'string' && v !== '') {
      Form.setPath(value, credentialModel.leaves[key].path, v);
    }
  });
  return value;
}

/** The form's connection split as Node-RED stores it: settings, and flat credentials ('' = none). */
function splitValue(value) {
  var settings = {};
  Object.keys(value).forEach((k) => {
    if (MODEL.credentialProperties.indexOf(k) === -1) settings[k] = value[k];
  });
  var credentials = {};
  Object.keys(MODEL.credentials).forEach((key) => {
    credentials[key] = '';
  });
  var top = MODEL.connectionForm.fields.filter((f) => MODEL.credentialProperties.indexOf(f.name) !== -1);
  Form.activeLeaves(top, value).forEach((leaf) => {
    var key = leaf.path.join('_');
    var v = Form.getPath(value, leaf.path);
    if (key in credentials && v !== undefined) credentials[key] = String(v);
  });
  return { settings: settings, credentials: credentials };
}

/** What the admin endpoints take to reach the store: the config node's id and its unsaved edits. */
function draftOf(configNode) {
  if (!configNode) return undefined;
  var creds = {};
  Object.keys(MODEL.credentials).forEach((key) => {
    var v = configNode.credentials && configNode.credentials[key];
    if (typeof v === 'string') creds[key] = v;
  });
  return { settings: configNode.settings || {}, credentials: creds };
}

RED.nodes.registerType(MODEL.connectionType, {
  category: 'config',
  paletteLabel: 'S3 connection',
  defaults: {
    name: { value: '' },
    settings: {
      value: {},
      validate: (v) =>
        MODEL.connectionForm.fields.every(
          (f) =>
            !f.required ||
            MODEL.credentialProperties.indexOf(f.name) !== -1 ||
            (v && v[f.name] !== undefined && v[f.name] !== ''),
        ),
    },
  },
  credentials: MODEL.credentials,
  label: function () {
    var s = this.settings || {};
    return this.name || [s.endpoint || 'AWS', s.region].filter(Boolean).join(' · ') || MODEL.title + ' connection';
  },
  oneditprepare: function () {
    addStyle();
    var container = $('#aws-s3-connection-fields').addClass('aws-s3-form');
    var ctx = { valueOf: () => undefined, changed: () => {}, lookupBody: () => ({}) };
    this._awsS3Form = renderFields(MODEL.connectionForm.fields, container, ctx, connectionValue(this));
    $('#aws-s3-test-connection').on('click', (evt) => {
      evt.preventDefault();
      var result = $('#aws-s3-test-result').text('testing…');
      var split = splitValue(this._awsS3Form.get());
      var body = { connection: this.id, draft: split };
      $.ajax({
        url: ADMIN + '/test-connection',
        method: 'POST',
        contentType: 'application/json',
        data: JSON.stringify(body),
        dataType: 'json',
      })
        .done((r) => {
          result.text(r.ok ? 'Connected.' : r.error.type + ': ' + r.error.message);
        })
        .fail((xhr) => {
          result.text('The test could not run (' + xhr.status + ').');
        });
    });
  },
  oneditsave: function () {
    if (!this._awsS3Form) return;
    var split = splitValue(this._awsS3Form.get());
    this.settings = split.settings;
    // Node-RED reads credentials from #node-config-input-<key> after oneditsave, with its own
    // rules for passwords (__PWRD__ = unchanged, '' = removed).
    var form = $('#aws-s3-connection-fields');
    Object.keys(split.credentials).forEach((key) => {
      var input = $('#node-config-input-' + key);
      if (!input.length)
        input = $('<input type="hidden">')
          .attr('id', 'node-config-input-' + key)
          .appendTo(form);
      input.val(split.credentials[key]);
    });
    delete this._awsS3Form;
    closeMenus();
  },
  oneditcancel: function () {
    delete this._awsS3Form;
    closeMenus();
  },
});

// ---- the operation node ---------------------------------------------------------------------

RED.nodes.registerType(MODEL.nodeType, {
  category: 'storage',
  color: '#F3B567',
  icon: 'font-awesome/fa-cloud',
  paletteLabel: 'aws s3',
  inputs: 1,
  outputs: 1,
  inputLabels: 'msg.payload: input over the configured fields',
  outputLabels: "msg.payload: the operation's output",
  defaults: {
    name: { value: '' },
    connection: { value: '', type: MODEL.connectionType, required: true },
    operation: {
      value: (MODEL.operations.find((o) => o.kind === 'action') || {}).name || '',
      required: true,
      validate: (v) => MODEL.operations.some((o) => o.name === v && o.kind === 'action'),
    },
    input: { value: {} },
    files: { value: 'buffer' },
  },
  label: function () {
    return this.name || titleOf(this.operation) || 'aws s3';
  },
  labelStyle: function () {
    return this.name ? 'node_label_italic' : '';
  },
  oneditprepare: function () {
    addStyle();
    var select = $('#node-input-operation');
    var help = $('#aws-s3-operation-help');
    var container = $('#aws-s3-input-fields').addClass('aws-s3-form');
    var state = { form: null, op: null };
    var ctx = {
      valueOf: (name) => (state.form ? state.form.get()[name] : undefined),
      changed: () => {},
      lookupBody: (operation, input) => {
        var id = $('#node-input-connection').val();
        var configNode = id && id !== '_ADD_' ? RED.nodes.node(id) : null;
        return {
          operation: operation,
          input: input,
          connection: configNode ? configNode.id : undefined,
          draft: draftOf(configNode),
        };
      },
    };
    this._awsS3 = state;
    container.text('Loading the operations…');
    loadOperations().then(
      (operations) => {
        var actions = operations.filter((o) => o.kind === 'action');
        select.empty();
        actions.forEach((o) => {
          $('<option>').attr('value', o.name).text(o.title).attr('title', o.description).appendTo(select);
        });
        if (this.operation && !actions.some((o) => o.name === this.operation)) {
          $('<option>')
            .attr('value', this.operation)
            .text(this.operation + ' (not in this connector)')
            .appendTo(select);
        }
        var show = (name, value) => {
          var op = operations.find((o) => o.name === name);
          container.empty();
          state.op = op || null;
          if (!op) {
            help.text('');
            state.form = null;
            return;
          }
          help.text(op.description);
          state.form = renderFields(Form.formOf(op.inputSchema).fields, container, ctx, value);
        };
        select.val(this.operation || (actions[0] && actions[0].name));
        show(select.val(), this.input || {});
        // Node-RED validates the picker on change: now that it holds the operations.
        select.trigger('change');
        select.on('change', () => {
          // Fields of the same name (bucket, key, …) keep their values across operations.
          var before = state.form ? state.form.get() : {};
          var op = operations.find((o) => o.name === select.val());
          var kept = {};
          if (op)
            Object.keys(before).forEach((k) => {
              if (op.inputSchema.properties && op.inputSchema.properties[k]) kept[k] = before[k];
            });
          show(select.val(), kept);
        });
      },
      (err) => {
        container.text('The operations could not be loaded: ' + err.message);
      },
    );
  },
  oneditsave: function () {
    var state = this._awsS3;
    if (state && state.form) this.input = state.form.get();
    delete this._awsS3;
    closeMenus();
  },
  oneditcancel: function () {
    delete this._awsS3;
    closeMenus();
  },
});
