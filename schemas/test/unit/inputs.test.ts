import { describe, expect, test } from 'vitest';
import {
  coerceString,
  describeInputs,
  parseInputAssignments,
  resolveInputs,
  validateInputs,
  type InputSpec,
} from '../../src/index.js';

const inputs: Record<string, InputSpec> = {
  commits: { type: 'string', required: true, description: 'Raw git log' },
  language: { type: 'string', required: false, default: 'French', enum: ['French', 'German'] },
  count: { type: 'integer', required: false, default: 3 },
  ratio: { type: 'number', required: false },
  verbose: { type: 'boolean', required: false, default: false },
  config: { type: 'object', required: false, default: {} },
  files: { type: 'array', required: false, default: [] },
};
const pipeline = { inputs };

describe('resolveInputs', () => {
  test('applies defaults; optional inputs without a default are null', () => {
    const r = resolveInputs(pipeline, { commits: 'abc' });
    expect(r.ok).toBe(true);
    expect(r.values).toEqual({
      commits: 'abc',
      language: 'French',
      count: 3,
      ratio: null,
      verbose: false,
      config: {},
      files: [],
    });
  });

  test('missing-input for required inputs, with their description', () => {
    expect(validateInputs(pipeline, {})).toEqual([
      {
        severity: 'error',
        code: 'missing-input',
        message: 'missing required input "commits" (string): Raw git log',
        input: 'commits',
      },
    ]);
  });

  test('input-type: typed values are checked, strings are not converted by default', () => {
    const ds = validateInputs(pipeline, { commits: 1, count: '4', ratio: 'x', language: 'Klingon' });
    expect(ds.map((d) => [d.code, d.input, d.message])).toEqual([
      ['input-type', 'commits', 'input "commits" must be a string, got number 1'],
      ['input-type', 'language', 'input "language" must be one of "French", "German", got "Klingon"'],
      ['input-type', 'count', 'input "count" must be an integer, got the string "4"'],
      ['input-type', 'ratio', 'input "ratio" must be a number, got the string "x"'],
    ]);
  });

  test('command-line strings are coerced to the declared type', () => {
    const r = resolveInputs(
      pipeline,
      { commits: '42', count: '7', ratio: '0.5', verbose: 'yes', config: '{"a":1}', files: '["x"]' },
      { coerceStrings: true },
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.values).toMatchObject({
      commits: '42',
      count: 7,
      ratio: 0.5,
      verbose: true,
      config: { a: 1 },
      files: ['x'],
    });
  });

  test('coercion failures say what was expected', () => {
    const ds = validateInputs(
      pipeline,
      { commits: 'x', count: '1.5', ratio: '', verbose: 'maybe', config: '[1]', files: '{' },
      { coerceStrings: true },
    );
    expect(ds.map((d) => d.message)).toEqual([
      'input "count": expected an integer, got "1.5"',
      'input "ratio": expected a number, got ""',
      'input "verbose": expected true or false, got "maybe"',
      'input "config": expected a JSON object, got "[1]"',
      'input "files": expected a JSON array, got "{"',
    ]);
  });

  test('unknown-input: an error by default, with a suggestion', () => {
    const r = resolveInputs(pipeline, { commits: 'x', langauge: 'German' });
    expect(r.ok).toBe(false);
    expect(r.diagnostics).toEqual([
      {
        severity: 'error',
        code: 'unknown-input',
        message: 'unknown input "langauge" (did you mean "language"?)',
        input: 'langauge',
      },
    ]);
    expect(resolveInputs(pipeline, { commits: 'x', zzz: 1 }, { unknownInputs: 'warning' }).ok).toBe(true);
    expect(validateInputs({ inputs: {} }, { a: 1 })[0]!.message).toBe(
      'unknown input "a" (the pipeline declares no inputs)',
    );
  });

  test('an input named __proto__ stays an own property', () => {
    const declared = JSON.parse('{"__proto__": {"type": "string", "required": false, "default": "x"}}');
    const r = resolveInputs({ inputs: declared }, {});
    expect(Object.keys(r.values)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(r.values)).toBe(Object.prototype);
  });
});

describe('command-line helpers', () => {
  test('parseInputAssignments splits on the first =', () => {
    expect(parseInputAssignments(['a=1', 'b=x=y', 'c=', 'bad', '=v', 'a=2'])).toEqual({
      values: { a: '2', b: 'x=y', c: '' },
      errors: ['expected name=value, got "bad"', 'expected name=value, got "=v"'],
    });
  });

  test('coerceString', () => {
    expect(coerceString('boolean', 'OFF')).toEqual({ value: false });
    expect(coerceString('number', ' 1e3 ')).toEqual({ value: 1000 });
    expect(coerceString('number', 'Infinity')).toHaveProperty('error');
    expect(coerceString('string', ' keep ')).toEqual({ value: ' keep ' });
  });

  test('describeInputs', () => {
    expect(
      describeInputs({ inputs: { commits: inputs.commits!, count: inputs.count!, ratio: inputs.ratio! } }),
    ).toEqual(['commits: string (required) — Raw git log', 'count: integer = 3', 'ratio: number']);
  });
});
