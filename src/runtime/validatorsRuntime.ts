// What the generated validators (src/generated/validators/, scripts/generate-validators.mjs)
// import at run time, instead of ajv: the formats ajv was given when they were generated
// (ajv-formats' own definitions and ours, the same objects src/runtime/validation.ts registers)
// and ajv's small runtime helpers. Keep it small: every generated module imports it.
import { createRequire } from 'node:module';
import type { DefinedFormats } from 'ajv-formats/dist/formats.js';
import { CUSTOM_FORMATS } from './vocabulary.js';

// CommonJS files, required rather than imported: node's ES module wrapper for a CommonJS file
// costs several milliseconds of start-up each, require a fraction of one.
const require = createRequire(import.meta.url);
const { fullFormats } = require('ajv-formats/dist/formats.js') as { fullFormats: DefinedFormats };

/** Every format by name, as ajv-formats and src/runtime/vocabulary.ts define them. */
export const formats: Record<string, unknown> = { ...fullFormats, ...CUSTOM_FORMATS };

/** String length in code points (ajv's `minLength` / `maxLength`). */
export const ucs2length = (require('ajv/dist/runtime/ucs2length.js') as { default: (s: string) => number }).default;

let deepEqual: ((a: unknown, b: unknown) => boolean) | undefined;
/** Deep equality (ajv's `const`, `enum` and `uniqueItems` over objects), loaded on first use. */
export function equal(a: unknown, b: unknown): boolean {
  deepEqual ??= (require('ajv/dist/runtime/equal.js') as { default: (a: unknown, b: unknown) => boolean }).default;
  return deepEqual(a, b);
}
