import { describe, expect, test } from 'vitest';
import { HEADER, expectDiagnostics } from './helpers/cursor.js';

describe('schema diagnostics', () => {
  test('schema-required: missing top-level properties point at the first key', () => {
    expectDiagnostics(`⟦⟦apiVersion⟧⟧: orchion/v1\nkind: Pipeline\n`, [
      { code: 'schema-required', message: 'the pipeline is missing required property "metadata"' },
      { code: 'schema-required', message: 'the pipeline is missing required property "steps"' },
    ]);
  });

  test('schema-required: a step without id points at its first key; metadata without name at "metadata"', () => {
    expectDiagnostics(
      `apiVersion: orchion/v1
kind: Pipeline
⟦metadata⟧: { description: x }
steps:
  - ⟦prompt⟧: hi
`,
      [
        { code: 'schema-required', message: '"metadata" is missing required property "name"' },
        { code: 'schema-required', message: 'steps[0] is missing required property "id"' },
      ],
    );
  });

  test('schema-required: chat messages need role and content', () => {
    expectDiagnostics(`${HEADER}steps:\n  - id: a\n    messages:\n      - ⟦role⟧: user\n`, [
      { code: 'schema-required', message: 'messages[0] is missing required property "content"' },
    ]);
  });

  test('schema-additional-property: the key itself, with a suggestion', () => {
    const r = expectDiagnostics(
      `${HEADER}steps:\n  - id: a\n    prompt: hi\n    ⟦retires⟧: 2\n⟦metdata⟧: {}\n`,
      ['schema-additional-property', 'schema-additional-property'],
    );
    expect(r.matched[0]!.message).toBe('unknown property "retires" in step "a" (did you mean "retries"?)');
    expect(r.matched[1]!.message).toBe('unknown property "metdata" (did you mean "metadata"?)');
  });

  test('schema-additional-property: no suggestion for unrelated names', () => {
    const r = expectDiagnostics(
      `${HEADER}steps:\n  - id: a\n    prompt: hi\n    options: { ⟦frobnicate⟧: 1 }\n`,
      ['schema-additional-property'],
    );
    expect(r.matched[0]!.message).toBe('unknown property "frobnicate" in "options"');
  });

  test('schema-type: scalar, list and mapping mismatches on the value', () => {
    const r = expectDiagnostics(
      `${HEADER}steps:
  - id: a
    prompt: ⟦[not, a, string]⟧
    retries: ⟦two⟧
    options: ⟦fast⟧
    embed2: 1
`.replace('    embed2: 1\n', ''),
      ['schema-type', 'schema-type', 'schema-type'],
    );
    expect(r.matched.map((d) => d.message)).toEqual([
      '"prompt" must be a string, got a list',
      '"retries" must be an integer, got the string "two"',
      '"options" must be a mapping, got the string "fast"',
    ]);
  });

  test('schema-type: the whole document must be a mapping', () => {
    expectDiagnostics(`⟦- a⟧\n- b\n`, [
      { code: 'schema-type', message: 'a pipeline must be a mapping, got a list' },
    ]);
    expectDiagnostics(`⟦just a string⟧\n`, [
      { code: 'schema-type', message: 'got the string "just a string"' },
    ]);
  });

  test('schema-type: union types are listed', () => {
    expectDiagnostics(`${HEADER}steps:\n  - id: a\n    embed: ⟦{ text: x }⟧\n`, [
      { code: 'schema-type', message: '"embed" must be a string or a list, got a mapping' },
    ]);
  });

  test('schema-type: an empty value points at its key', () => {
    expectDiagnostics(`${HEADER}steps:\n  - id: a\n    ⟦prompt⟧:\n`, [
      { code: 'schema-type', message: '"prompt" must be a string, got null' },
    ]);
  });

  test('schema-enum: with a suggestion', () => {
    const r = expectDiagnostics(
      `apiVersion: ⟦orchion/v2⟧\nkind: ⟦pipeline⟧\nmetadata: { name: t }\nsteps:\n  - id: a\n    messages:\n      - { role: ⟦usr⟧, content: hi }\n`,
      ['schema-enum', 'schema-enum', 'schema-enum'],
    );
    expect(r.matched.map((d) => d.message)).toEqual([
      '"apiVersion" must be "orchion/v1", got the string "orchion/v2" (did you mean "orchion/v1"?)',
      '"kind" must be "Pipeline", got the string "pipeline" (did you mean "Pipeline"?)',
      '"role" must be one of "system", "user", "assistant", got the string "usr" (did you mean "user"?)',
    ]);
  });

  test('schema-pattern: step id, metadata name, input name (on the key)', () => {
    const r = expectDiagnostics(
      `apiVersion: orchion/v1
kind: Pipeline
metadata: { name: ⟦Release Notes⟧ }
inputs:
  ⟦2fast⟧: { type: string }
steps:
  - id: ⟦Summarize⟧
    prompt: hi
`,
      ['schema-pattern', 'schema-pattern', 'schema-pattern'],
      {},
    );
    expect(r.matched[0]!.message).toBe(
      'invalid name "Release Notes": must be lowercase letters, digits and "-", start with a letter, not end with "-", at most 63 characters',
    );
    expect(r.matched[1]!.message).toMatch(/^invalid name "2fast" in "inputs": must start with a letter/);
    expect(r.matched[2]!.message).toMatch(/^invalid id "Summarize": must start with a lowercase letter/);
  });

  test('schema-range: numbers, lengths and item counts', () => {
    const r = expectDiagnostics(
      `${HEADER}steps:
  - id: a
    prompt: hi
    retries: ⟦11⟧
    options: { temperature: ⟦3⟧, top_p: ⟦0⟧, max_tokens: ⟦0⟧, stop: ⟦""⟧ }
    model: ⟦""⟧
  - id: b
    messages: ⟦[]⟧
`,
      [
        'schema-range',
        'schema-range',
        'schema-range',
        'schema-range',
        'schema-range',
        'schema-range',
        'schema-range',
      ],
    );
    expect(r.matched.map((d) => d.message)).toEqual([
      '"retries" must be at most 10, got 11',
      '"temperature" must be at most 2, got 3',
      '"top_p" must be greater than 0, got 0',
      '"max_tokens" must be at least 1, got 0',
      '"stop" must not be empty',
      '"model" must not be empty',
      '"messages" must not be empty',
    ]);
  });

  test('schema-range: at least one step', () => {
    expectDiagnostics(`${HEADER}steps: ⟦[]⟧\n`, [
      { code: 'schema-range', message: '"steps" must not be empty' },
    ]);
  });

  test('alternatives (anyOf): the matching branch explains, else one combined type error', () => {
    const r = expectDiagnostics(
      `${HEADER}steps:
  - id: a
    prompt: hi
    output:
      schema:
        type: ⟦strin⟧
        additionalProperties: ⟦3⟧
        properties:
          b: { type: [string, ⟦nul⟧] }
          c: { additionalProperties: { ⟦maxLenght⟧: 3 } }
`,
      ['schema-enum', 'schema-type', 'schema-enum', 'output-schema-unsupported'],
    );
    expect(r.matched.map((d) => d.message)).toEqual([
      '"type" must be one of "string", "number", "integer", "boolean", "null", "object", "array", got the string "strin" (did you mean "string"?)',
      '"additionalProperties" must be a boolean (true or false) or a mapping, got number 3',
      'type[1] must be one of "string", "number", "integer", "boolean", "null", "object", "array", got the string "nul" (did you mean "null"?)',
      'keyword "maxLenght" is not supported in output.schema (did you mean "maxLength"?)',
    ]);
  });

  test('invalid-duration: pattern, zero, negative and too long', () => {
    const r = expectDiagnostics(
      `${HEADER}defaults: { timeout: ⟦0⟧ }
steps:
  - id: a
    prompt: hi
    timeout: ⟦5 minutes⟧
  - id: b
    prompt: hi
    timeout: ⟦25h⟧
  - id: c
    prompt: hi
    timeout: ⟦-3⟧
`,
      ['invalid-duration', 'invalid-duration', 'invalid-duration', 'invalid-duration'],
    );
    expect(r.matched[1]!.message).toBe(
      '"timeout" must be a duration such as 500ms, 30s, 5m, 1h or 1m30s, or a number of seconds, got the string "5 minutes"',
    );
    expect(r.matched[2]!.message).toBe('timeout must be at most 24h, got 25h');
  });

  test('valid durations', () => {
    expectDiagnostics(
      `${HEADER}steps:
  - { id: a, prompt: hi, timeout: 500ms }
  - { id: b, prompt: hi, timeout: 1m30s }
  - { id: c, prompt: hi, timeout: 2.5 }
  - { id: d, prompt: hi, timeout: 24h }
`,
      [],
    );
  });
});
