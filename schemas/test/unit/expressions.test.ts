import { describe, expect, test } from 'vitest';
import {
  TemplateError,
  evaluateTemplate,
  findExpressions,
  lookupReference,
  parseReference,
  renderTemplate,
  stringifyValue,
  type TemplateContext,
} from '../../src/index.js';
import { isTrimmedChar } from '../../src/expressions.js';

const ctx: TemplateContext = {
  inputs: { name: 'Ada', n: 3, flag: false, list: ['a', 'b'], obj: { k: { deep: 1 } }, nothing: null },
  steps: {
    summarize: { output: 'short summary' },
    tags: { output: { tags: ['x', 'y'] }, outputs: { tags: ['x', 'y'] } },
    raw: { output: { score: 7 } },
  },
};

describe('findExpressions', () => {
  test('offsets of the expression and of its trimmed body', () => {
    const text = 'Hi ${{ inputs.name }}, see ${{steps.a.output}}!';
    const [a, b] = findExpressions(text);
    expect(text.slice(a!.start, a!.end)).toBe('${{ inputs.name }}');
    expect(text.slice(a!.bodyStart, a!.bodyEnd)).toBe('inputs.name');
    expect(a!.path).toEqual(['inputs', 'name']);
    expect(text.slice(b!.start, b!.end)).toBe('${{steps.a.output}}');
    expect(b!.path).toEqual(['steps', 'a', 'output']);
  });

  test('bodies are trimmed as String.prototype.trim trims (every UTF-16 code unit)', () => {
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c);
      if (isTrimmedChar(c) !== (ch.trim() === '')) expect.fail(`U+${c.toString(16)}`);
    }
    const text = '${{\u00a0 inputs.a\u2003\t}} ${{\u3000}}';
    const [a, b] = findExpressions(text);
    expect(a).toMatchObject({ body: 'inputs.a', bodyStart: 5, bodyEnd: 13, path: ['inputs', 'a'] });
    expect(b).toMatchObject({ body: '', error: 'empty expression' });
  });

  test('escaped, unterminated, empty and invalid expressions', () => {
    expect(findExpressions('$${{ not.me }}')).toEqual([]);
    const [u] = findExpressions('x ${{ inputs.a');
    expect(u).toMatchObject({ error: 'unterminated expression: missing "}}"', end: 14, body: 'inputs.a' });
    expect(findExpressions('${{   }}')[0]).toMatchObject({
      error: 'empty expression',
      bodyStart: 6,
      bodyEnd: 6,
    });
    expect(findExpressions('${{ a b }}')[0]!.error).toMatch(/expected a dotted path/);
    expect(findExpressions('${{ ${{ a }}')[0]!.error).toBe('expressions cannot be nested');
  });

  test('parseReference', () => {
    expect(parseReference(' steps.a-b.outputs.f_1.0 ')).toEqual({
      path: ['steps', 'a-b', 'outputs', 'f_1', '0'],
    });
    expect(parseReference('inputs.')).toEqual({ error: 'invalid reference "inputs.": empty path segment' });
    expect(parseReference('fn(x)')).toHaveProperty('error');
  });
});

describe('renderTemplate', () => {
  test('strings as-is, scalars as text, objects and lists as JSON, null as empty', () => {
    expect(
      renderTemplate(
        '${{ inputs.name }}/${{ inputs.n }}/${{ inputs.flag }}/${{ inputs.list }}/${{ inputs.obj }}/${{ inputs.nothing }}.',
        ctx,
      ),
    ).toBe('Ada/3/false/["a","b"]/{"k":{"deep":1}}/.');
  });

  test('step outputs, structured fields and nested paths', () => {
    expect(renderTemplate('${{ steps.summarize.output }}', ctx)).toBe('short summary');
    expect(renderTemplate('${{ steps.tags.outputs.tags }}', ctx)).toBe('["x","y"]');
    expect(renderTemplate('${{ steps.tags.output.tags.1 }}', ctx)).toBe('y');
    expect(renderTemplate('${{ steps.raw.outputs.score }}', ctx)).toBe('7'); // falls back to output fields
    expect(renderTemplate('${{ inputs.obj.k.deep }}', ctx)).toBe('1');
  });

  test('escapes render literally', () => {
    expect(renderTemplate('use $${{ secrets.X }} and ${{ inputs.n }}', ctx)).toBe(
      'use ${{ secrets.X }} and 3',
    );
  });

  test('missing values throw TemplateError, or render empty on request', () => {
    expect(() => renderTemplate('${{ steps.nope.output }}', ctx)).toThrow(TemplateError);
    expect(() => renderTemplate('${{ inputs.zzz }}', ctx)).toThrow('no value for inputs.zzz');
    expect(() => renderTemplate('${{ bad bad }}', ctx)).toThrow(TemplateError);
    expect(renderTemplate('[${{ inputs.zzz }}]', ctx, { onMissing: 'empty' })).toBe('[]');
  });

  test('own properties only', () => {
    expect(lookupReference(['inputs', 'constructor'], ctx)).toBeUndefined();
    expect(lookupReference(['inputs', 'list', 'length'], ctx)).toBeUndefined();
    expect(lookupReference(['steps', 'summarize', 'outputs'], ctx)).toBeUndefined();
  });

  test('evaluateTemplate keeps the value of a lone expression', () => {
    expect(evaluateTemplate('  ${{ inputs.list }} ', ctx)).toEqual(['a', 'b']);
    expect(evaluateTemplate('x ${{ inputs.list }}', ctx)).toBe('x ["a","b"]');
    expect(evaluateTemplate('plain', ctx)).toBe('plain');
  });

  test('stringifyValue', () => {
    expect(stringifyValue(undefined)).toBe('');
    expect(stringifyValue(1.5)).toBe('1.5');
    expect(stringifyValue([1, { a: null }])).toBe('[1,{"a":null}]');
  });
});
