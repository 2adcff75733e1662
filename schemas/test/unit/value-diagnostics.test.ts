import { describe, expect, test } from 'vitest';
import { HEADER, expectDiagnostics } from './helpers/cursor.js';

const STEP = `steps:
  - id: a
    prompt: x
`;

describe('input declarations', () => {
  test('input-type: default and enum values must match the declared type', () => {
    const r = expectDiagnostics(
      `${HEADER}inputs:
  count: { type: integer, default: ⟦2.5⟧ }
  flag: { type: boolean, default: ⟦"yes"⟧ }
  lang: { type: string, enum: [fr, ⟦3⟧], default: ⟦de⟧ }
  inferred: { default: 3 }
${STEP}`,
      ['input-type', 'input-type', 'input-type', 'input-type'],
    );
    expect(r.matched.map((d) => d.message)).toEqual([
      'default of input "count" must be an integer, got number 2.5',
      'default of input "flag" must be a boolean, got the string "yes"',
      'enum value of input "lang" must be a string, got number 3',
      'default of input "lang" is not one of its enum values',
    ]);
  });

  test('input-default-ignored: a required input never uses its default', () => {
    expectDiagnostics(`${HEADER}inputs:\n  x: { required: true, ⟦default⟧: 1 }\n${STEP}`, [
      { code: 'input-default-ignored', severity: 'warning' },
    ]);
  });

  test('schema-enum on input types', () => {
    expectDiagnostics(`${HEADER}inputs:\n  x: { type: ⟦str⟧ }\n${STEP}`, [
      { code: 'schema-enum', message: '(did you mean "string"?)' },
    ]);
  });
});

describe('structured output schemas', () => {
  test('output-schema-unsupported: keywords the grammar cannot enforce are warnings', () => {
    const r = expectDiagnostics(
      `${HEADER}steps:
  - id: a
    prompt: x
    output:
      schema:
        type: object
        properties:
          n: { type: integer, ⟦minimum⟧: 1, ⟦maximum⟧: 5 }
          s: { type: string, ⟦pattern⟧: "^[a-z]+$", maxLength: 10 }
`,
      Array(3).fill({ code: 'output-schema-unsupported', severity: 'warning' }),
    );
    expect(r.matched[0]!.message).toBe(
      '"minimum" is not enforced while generating: the output is checked afterwards, and the attempt fails if it does not hold',
    );
    expect(r.pipeline).toBeDefined();
  });

  test('output-schema-unsupported: unknown keywords are errors', () => {
    expectDiagnostics(
      `${HEADER}steps:\n  - id: a\n    prompt: x\n    output:\n      schema: { type: object, ⟦if⟧: {} }\n`,
      [
        {
          code: 'output-schema-unsupported',
          severity: 'error',
          message: 'keyword "if" is not supported in output.schema',
        },
      ],
    );
  });

  test('invalid-output-schema: dangling $ref, impossible bounds, too few maxProperties', () => {
    const r = expectDiagnostics(
      `${HEADER}steps:
  - id: a
    prompt: x
    output:
      ⟦schema⟧:
        type: object
        maxProperties: ⟦1⟧
        properties:
          a: { $ref: "#/$defs/missing" }
          b: { type: string, minLength: 5, maxLength: ⟦2⟧ }
          c: { type: array, minItems: 3, maxItems: ⟦1⟧ }
`,
      ['invalid-output-schema', 'invalid-output-schema', 'invalid-output-schema', 'invalid-output-schema'],
    );
    expect(r.matched.map((d) => d.message)).toEqual([
      expect.stringMatching(/^invalid output.schema: can't resolve reference #\/\$defs\/missing/),
      'maxProperties (1) is less than the 3 listed properties, which are all generated',
      'maxLength (2) is less than minLength (5): no string length can satisfy both',
      'maxItems (1) is less than minItems (3): no number of items can satisfy both',
    ]);
  });

  test('$defs and $ref are fine', () => {
    expectDiagnostics(
      `${HEADER}steps:
  - id: a
    prompt: x
    output:
      schema:
        $defs:
          item: { type: string, maxLength: 10 }
        type: object
        properties:
          items: { type: array, items: { $ref: "#/$defs/item" }, maxItems: 3 }
          kind: { enum: [bug, feature] }
          when: { type: string, format: date }
          maybe: { type: [string, "null"] }
`,
      [],
    );
  });
});
