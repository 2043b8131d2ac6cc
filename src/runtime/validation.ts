// The ajv instance our schemas are compiled with: strict mode, our `x-` keywords registered with
// their own meta-schemas. At build time scripts/generate-validators.mjs compiles every schema
// with it into standalone modules (src/generated/validators/); at run time ajv is loaded only
// for a schema without a current generated module (src/runtime/registry.ts). The checks and the
// plain-words messages, which need no ajv, are in src/runtime/validators.ts (re-exported here).
import { _, Ajv2020 } from 'ajv/dist/2020.js';
import formatsPlugin from 'ajv-formats';
import { CUSTOM_FORMATS, UI_KEYWORDS } from './vocabulary.js';

export { MAX_KEY_BYTES } from './vocabulary.js';
export {
  MAX_INPUT_DEPTH,
  check,
  checkDepth,
  describeErrors,
  errorsText,
  plainCopy,
  type Validator,
} from './validators.js';

export interface CreateAjvOptions {
  /**
   * Keep each validator's source for ajv's standalone code generation (ES module), its formats
   * read from a `formats` binding (src/runtime/validatorsRuntime.ts) rather than from ajv.
   */
  standalone?: boolean;
}

export function createAjv(options: CreateAjvOptions = {}): Ajv2020 {
  const ajv = new Ajv2020({
    strict: true,
    allErrors: true,
    useDefaults: true,
    discriminator: true,
    verbose: true, // errors carry their schema, whose description explains the rule in plain words
    ...(options.standalone ? { code: { source: true, esm: true, formats: _`formats` } } : {}),
  });
  // ajv-formats is CommonJS: under NodeNext its default export is the module object.
  const addFormats = formatsPlugin.default;
  addFormats(ajv);
  for (const [name, format] of Object.entries(CUSTOM_FORMATS)) ajv.addFormat(name, format);
  for (const definition of UI_KEYWORDS) ajv.addKeyword(definition);
  return ajv;
}
