// Self-contained schemas: every operation's input and output, and the connection, bundled,
// compile on their own (no other schema added) with ajv 2020-12 and with ajv's draft-07, strict.
import { Ajv as AjvDraft07 } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsPlugin from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { CUSTOM_FORMATS, UI_KEYWORDS } from '../../src/runtime/vocabulary.js';
import { testConnector } from '../support/helpers.js';

function standalone(dialect: '2020-12' | 'draft-07') {
  const ajv =
    dialect === 'draft-07'
      ? new AjvDraft07({ strict: true, allErrors: true, discriminator: true })
      : new Ajv2020({ strict: true, allErrors: true, discriminator: true });
  formatsPlugin.default(ajv);
  for (const [name, format] of Object.entries(CUSTOM_FORMATS)) ajv.addFormat(name, format);
  for (const keyword of UI_KEYWORDS) ajv.addKeyword(keyword);
  return ajv;
}

const refsOf = (schema: unknown): string[] => JSON.stringify(schema).match(/"\$ref":"[^"]*"/g) ?? [];

describe('bundled schemas', async () => {
  const c = await testConnector();
  const dialects = ['2020-12', 'draft-07'] as const;

  for (const dialect of dialects) {
    it(`every schema compiles standalone as ${dialect}, a literal object at its root, with only local references`, () => {
      const ops = c.operations({ bundled: { dialect } });
      const schemas = [
        ...ops.flatMap(
          (op) =>
            [
              [`${op.name} input`, op.inputSchema],
              [`${op.name} output`, op.outputSchema],
            ] as const,
        ),
        ['connection', c.bundledConnectionSchema({ dialect })] as const,
      ];
      expect(schemas.length).toBe(ops.length * 2 + 1);
      for (const [what, schema] of schemas) {
        expect(schema.type, what).toBe('object');
        const local = dialect === 'draft-07' ? '#/definitions/' : '#/$defs/';
        for (const ref of refsOf(schema)) expect(ref, what).toContain(`"$ref":"${local}`);
        expect(() => standalone(dialect).compile(schema), what).not.toThrow();
      }
    });

    it(`the ${dialect} bundle validates each operation's examples and refuses a broken one`, () => {
      for (const op of c.operations({ bundled: { dialect } })) {
        const validate = standalone(dialect).compile(op.inputSchema);
        const examples = (op.inputSchema.examples ?? []) as Record<string, unknown>[];
        expect(examples.length, op.name).toBeGreaterThan(0);
        for (const example of examples)
          expect(validate(example), `${op.name}: ${JSON.stringify(validate.errors)}`).toBe(true);
        expect(validate({ ...examples[0], notAField: 1 }), op.name).toBe(false);
      }
    });
  }

  it("a lookup whose input is a bare reference gets the definition's keywords at its root", () => {
    const lookup = c.operations({ bundled: true }).find((op) => op.name === 'list_buckets_ddl')!;
    expect(c.operations().find((op) => op.name === 'list_buckets_ddl')!.inputSchema).not.toHaveProperty('type');
    expect(lookup.inputSchema).toMatchObject({ type: 'object', properties: { search: expect.any(Object) } });
    expect(lookup.inputSchema).not.toHaveProperty('$ref');
  });

  it('the draft-07 connection keeps its rules in draft-07 words (dependencies, definitions)', () => {
    const text = JSON.stringify(c.bundledConnectionSchema({ dialect: 'draft-07' }));
    expect(text).toContain('"$schema":"http://json-schema.org/draft-07/schema#"');
    expect(text).not.toContain('dependentRequired');
    expect(text).not.toContain('$defs');
  });
});
