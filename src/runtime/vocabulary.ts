// Our schemas' own words, as plain data for every validator that reads them: the connector's
// (src/runtime/validation.ts) and the playground page's (src/dev/playground/web/schema.ts).

/** UTF-8 byte limit S3 puts on a key; JSON Schema's maxLength counts characters, not bytes. */
export const MAX_KEY_BYTES = 1024;

const utf8 = new TextEncoder();

/** Formats beyond ajv-formats. */
export const CUSTOM_FORMATS = {
  's3-object-key': (key: string) => utf8.encode(key).length <= MAX_KEY_BYTES,
  'data-url': /^data:[^,]*,/,
};

/** What an S3-compatible store may silently ignore (connection `capabilities`, `x-needs`). */
export const STORE_CAPABILITIES = [
  'conditionalWrites',
  'versioning',
  'tagsOnPut',
  'acl',
  'serverSideEncryption',
] as const;

/** UI-hint keywords, with meta-schemas so their own shape is checked in strict mode. */
export const UI_KEYWORDS = [
  {
    keyword: 'x-lookup',
    metaSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['operation'],
      properties: { operation: { type: 'string' }, dependsOn: { type: 'array', items: { type: 'string' } } },
    },
  },
  { keyword: 'x-advanced', metaSchema: { type: 'boolean' } },
  // The store capability a field relies on when set (src/probes/capabilities.ts).
  {
    keyword: 'x-needs',
    metaSchema: {
      anyOf: [
        { enum: [...STORE_CAPABILITIES] },
        {
          type: 'object',
          additionalProperties: false,
          required: ['capability'],
          properties: {
            capability: { enum: [...STORE_CAPABILITIES] },
            except: { type: 'array' },
            optional: { type: 'boolean' },
          },
        },
      ],
    },
  },
  { keyword: 'x-order', metaSchema: { type: 'integer' } },
  // Text that may hold line breaks (a CSV, a note): a form shows a multi-line text area.
  { keyword: 'x-multiline', metaSchema: { type: 'boolean' } },
];

/** Formats in plain words, for error messages. */
export const FORMAT_NAMES: Record<string, string> = {
  'date-time': 'a date and time in ISO 8601, e.g. 2026-01-31T12:00:00Z',
  uri: 'a URL such as https://example.com',
  email: 'an email address',
  's3-object-key': `an object key of at most ${MAX_KEY_BYTES} bytes in UTF-8`,
  'data-url': 'a data: URL',
};
