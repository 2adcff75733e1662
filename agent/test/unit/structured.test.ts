import { describe, expect, it } from 'vitest';
import { validateStructuredOutput } from '../../src/runtimes/index.js';

const person = {
  type: 'object',
  properties: { name: { type: 'string', maxLength: 5 }, age: { type: 'integer', minimum: 0, maximum: 150 } },
  required: ['name', 'age'],
  additionalProperties: false,
};

describe('validateStructuredOutput', () => {
  it('returns the parsed value of valid output', () => {
    expect(validateStructuredOutput(' {"name":"Ada","age":36} ', person)).toEqual({
      ok: true,
      value: { name: 'Ada', age: 36 },
    });
  });

  it('explains output that is not JSON, e.g. cut by maxTokens', () => {
    const r = validateStructuredOutput('{"name":"Adaaaaaaa', person);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/^output is not valid JSON/);
  });

  it('explains every schema violation, including bounds a grammar did not hold', () => {
    const r = validateStructuredOutput('{"name":"Adalbert","age":999,"x":1}', person);
    expect(r.ok).toBe(false);
    const error = r.ok ? '' : r.error;
    expect(error).toMatch(/^output does not match the schema/);
    expect(error).toMatch(/\/name must NOT have more than 5 characters/);
    expect(error).toMatch(/\/age must be <= 150/);
    expect(error).toMatch(/additional properties/);
  });

  it('rejects numbers that JSON.parse turned into Infinity', () => {
    const r = validateStructuredOutput('{"name":"a","age":9E999}', { type: 'object' });
    expect(r).toEqual({ ok: false, error: 'output has a number out of range at /age' });
  });

  it('uses the 2020-12 dialect, accepts older $schema declarations and reports invalid schemas', () => {
    const tuple = { type: 'array', prefixItems: [{ type: 'string' }], items: false };
    expect(validateStructuredOutput('["a"]', tuple).ok).toBe(true);
    expect(validateStructuredOutput('["a", 1]', tuple).ok).toBe(false);
    const draft7 = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'string' };
    expect(validateStructuredOutput('"x"', draft7)).toEqual({ ok: true, value: 'x' });
    const r = validateStructuredOutput('1', { type: 'no-such-type' });
    expect(!r.ok && r.error).toMatch(/^invalid JSON schema/);
  });
});
