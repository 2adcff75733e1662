import { describe, expect, test } from 'vitest';
import { parsePipeline } from '../../src/index.js';
import { HEADER, expectDiagnostics } from './helpers/cursor.js';

const STEP = `steps:
  - id: a
    prompt: hi
`;

describe('YAML layer', () => {
  test('yaml-syntax: points at the offending character and stops there', () => {
    const r = expectDiagnostics(`${HEADER}steps:\n  - id: a\n    prompt: "unterminated\n⟦⟧`, ['yaml-syntax']);
    expect(r.pipeline).toBeUndefined();
    expect(r.matched[0]!.message).toMatch(/^YAML syntax error: /);
  });

  test('yaml-syntax: tabs as indentation', () => {
    expectDiagnostics(`${HEADER}steps:\n  - id: a\n⟦\t⟧prompt: x\n`, ['yaml-syntax']);
  });

  test('yaml-syntax: several documents in one file', () => {
    expectDiagnostics(`${HEADER}${STEP}⟦---⟧\n${HEADER}${STEP}`, [
      { code: 'yaml-syntax', message: 'exactly one YAML document' },
    ]);
  });

  test('yaml-syntax: collection keys cannot become JSON', () => {
    expectDiagnostics(`${HEADER}${STEP}? ⟦[a, b]⟧\n: 1\n`, [
      { code: 'yaml-syntax', message: 'mapping keys' },
    ]);
  });

  test('yaml-warning: unknown tag', () => {
    expectDiagnostics(`${HEADER}steps:\n  - id: a\n    prompt: ⟦!include⟧ file.txt\n`, [
      { code: 'yaml-warning', severity: 'warning', message: 'unresolved tag: !include' },
    ]);
  });

  test('duplicate-key, with the first occurrence as related information', () => {
    const r = expectDiagnostics(`${HEADER}steps:\n  - id: a\n    prompt: one\n    ⟦prompt⟧: two\n`, [
      'duplicate-key',
    ]);
    expect(r.matched[0]!.related).toEqual([
      {
        message: '"prompt" is first defined here',
        range: { start: { line: 6, character: 4 }, end: { line: 6, character: 10 } },
      },
    ]);
  });

  test('empty-document for empty, blank and comment-only files', () => {
    for (const text of ['', '   \n\n', '# nothing here\n', '---\n', '~\n', 'null\n']) {
      const r = parsePipeline(text);
      expect(
        r.diagnostics.map((d) => d.code),
        JSON.stringify(text),
      ).toEqual(['empty-document']);
    }
  });

  test('yaml-alias-limit: a billion-laughs document is refused, pointing at the first alias', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const bomb = levels.join('\n') + '\n';
    const r = parsePipeline(bomb);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['yaml-alias-limit']);
    expect(r.diagnostics[0]!.range.start).toEqual({ line: 1, character: 7 });
  });

  test('yaml-alias-limit: an alias inside the node it refers to (infinite data) is refused there', () => {
    for (const text of [
      `${HEADER}inputs:\n  x:\n    type: array\n    default: &d\n      - a\n      - ⟦*d⟧\n${STEP}`,
      `${HEADER}steps:\n  - &s { id: a, prompt: hi, options: { x: ⟦*s⟧ } }\n`,
      `${HEADER}labels: &l [ 1, [ 2, ⟦*l⟧ ] ]\n${STEP}`,
    ]) {
      const r = expectDiagnostics(text, ['yaml-alias-limit']);
      expect(r.matched[0]!.message).toBe(
        'this alias is inside the node it refers to: the document would be infinite',
      );
    }
    // An alias after its anchor's node, or beside it, is fine.
    const ok = parsePipeline(
      `${HEADER}defaults: { model: &m tiny }\nsteps:\n  - { id: a, prompt: hi, model: *m }\n`,
    );
    expect(ok.diagnostics).toEqual([]);
  });

  test('an anchor merged into hundreds of steps is not mistaken for a bomb', () => {
    const steps = Array.from(
      { length: 300 },
      (_, i) => `  - { id: s${i}, <<: *common, prompt: x, model: *m }`,
    );
    const r = parsePipeline(
      `${HEADER}defaults: &common { retries: 1 }\nx: &m orchion-tiny\nsteps:\n${steps.join('\n')}\n`,
    );
    expect(r.diagnostics.map((d) => d.code)).toEqual(['schema-additional-property']); // x
  });

  test('anchors, aliases and merge keys are fine in moderation', () => {
    const r = parsePipeline(`${HEADER}x-common: &common
  model: orchion-tiny
  retries: 1
steps:
  - id: a
    <<: *common
    prompt: hi
  - id: b
    <<: *common
    needs: [a]
    prompt: \${{ steps.a.output }}
`);
    // x-common is not a pipeline property, but merged values are found through the alias.
    expect(r.diagnostics.map((d) => d.code)).toEqual(['schema-additional-property']);
    expect(r.diagnostics[0]!.range.start.line).toBe(4);
  });

  test('errors inside a merged mapping point at the anchor definition', () => {
    expectDiagnostics(
      `${HEADER}defaults: &d
  retries: ⟦20⟧
steps:
  - id: a
    <<: *d
    prompt: hi
`,
      [
        { code: 'schema-range', message: '"retries" must be at most 10, got 20' },
        'schema-additional-property',
      ].slice(0, 1),
    );
  });
});
