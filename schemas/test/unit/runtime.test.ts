import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, test, vi } from 'vitest';
import {
  TemplateError,
  formatDuration,
  parseDuration,
  parsePipeline,
  renderOutputs,
  renderStepRequest,
  validateOutput,
  type TemplateContext,
} from '../../src/index.js';

const text = `apiVersion: orchion/v1
kind: Pipeline
metadata: { name: r }
inputs:
  docs: { type: array, default: [one, two] }
  who: { default: Ada }
steps:
  - { id: a, prompt: "Hi \${{ inputs.who }}" }
  - id: b
    needs: [a]
    messages:
      - { role: system, content: Be brief. }
      - { role: user, content: "\${{ steps.a.output }}" }
  - { id: c, embed: "\${{ inputs.docs }}" }
  - { id: d, needs: [a], embed: ["\${{ steps.a.output }}", fixed] }
  - { id: e, embed: "about \${{ inputs.who }}" }
outputs:
  answer: "\${{ steps.b.output }}"
`;

describe('run-time rendering', () => {
  const pipeline = parsePipeline(text).pipeline!;
  const ctx: TemplateContext = {
    inputs: { docs: ['one', 'two'], who: 'Ada' },
    steps: { a: { output: 'Hello' }, b: { output: 'Bye' } },
  };

  test('renderStepRequest for each step kind', () => {
    const [a, b, c, d, e] = pipeline.steps;
    expect(renderStepRequest(a!, ctx)).toEqual({ kind: 'completion', prompt: 'Hi Ada' });
    expect(renderStepRequest(b!, ctx)).toEqual({
      kind: 'chat',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello' },
      ],
    });
    expect(renderStepRequest(c!, ctx)).toEqual({ kind: 'embedding', input: ['one', 'two'] });
    expect(renderStepRequest(d!, ctx)).toEqual({ kind: 'embedding', input: ['Hello', 'fixed'] });
    expect(renderStepRequest(e!, ctx)).toEqual({ kind: 'embedding', input: 'about Ada' });
  });

  test('missing upstream output throws TemplateError', () => {
    expect(() => renderStepRequest(pipeline.steps[1]!, { inputs: {}, steps: {} })).toThrow(TemplateError);
  });

  test('renderOutputs', () => {
    expect(renderOutputs(pipeline, ctx)).toEqual({ answer: 'Bye' });
  });
});

describe('validateOutput', () => {
  const schema = {
    type: 'object',
    properties: { tags: { type: 'array', items: { type: 'string', maxLength: 3 } } },
    required: ['tags'],
  };
  test('valid and invalid values', () => {
    expect(validateOutput(schema, { tags: ['a'] })).toEqual({ valid: true, errors: [] });
    expect(validateOutput(schema, { tags: ['long'] })).toEqual({
      valid: false,
      errors: ['/tags/0: must NOT have more than 3 characters'],
    });
    expect(validateOutput(schema, {}).errors).toEqual(["/: must have required property 'tags'"]);
  });
  test('an invalid schema is reported, not thrown, and nothing is cached', () => {
    expect(validateOutput({ $ref: '#/nope' }, 1).errors[0]).toMatch(/^invalid schema/);
    const s = { $id: 'https://x/y', type: 'string' };
    expect(validateOutput(s, 'a').valid).toBe(true);
    expect(validateOutput({ ...s }, 'b').valid).toBe(true); // same $id again: no "already exists"
  });
  test('a schema is compiled once per content, and each call reports its own value', () => {
    const compile = vi.spyOn(Ajv2020.prototype, 'compile');
    try {
      const own = { type: 'object', properties: { n: { type: 'integer', minimum: 7 } } };
      expect(validateOutput(own, { n: 1 }).errors).toEqual(['/n: must be >= 7']);
      expect(validateOutput(structuredClone(own), { n: 'x' }).errors).toEqual(['/n: must be integer']);
      expect(validateOutput(structuredClone(own), { n: 8 })).toEqual({ valid: true, errors: [] });
      expect(compile).toHaveBeenCalledTimes(1);
      // An invalid schema's problem is kept too.
      const bad = { $ref: '#/$defs/missing-for-cache-test' };
      const first = validateOutput(bad, 1);
      expect(validateOutput(structuredClone(bad), 1)).toEqual(first);
      expect(compile).toHaveBeenCalledTimes(2);
    } finally {
      compile.mockRestore();
    }
  });
});

describe('durations', () => {
  test('parseDuration', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration(' 1h 2m ')).toBe(3_720_000);
    expect(parseDuration(2.5)).toBe(2500);
    for (const bad of ['', '5', '5x', 'm', '-1s', '0s', 0, -1, Number.NaN, Infinity, null, '1e3s']) {
      expect(parseDuration(bad), String(bad)).toBeUndefined();
    }
  });
  test('formatDuration', () => {
    expect([250, 1500, 90_000, 3_720_000, 86_400_000].map(formatDuration)).toEqual([
      '250ms',
      '1.5s',
      '1m30s',
      '1h2m',
      '24h',
    ]);
  });
});
