import { describe, expect, test, vi } from 'vitest';
import { Document } from 'yaml';
import { analyze, type Analysis } from '../../src/service/analysis.js';
import { PiecewiseParser } from '../../src/service/piecewise-yaml.js';

/** A pipeline large enough for piecewise parsing, with comments, quoting, flow and block styles, and outputs. */
function pipeline(steps: number, options: { indent0?: boolean } = {}): string {
  const d = options.indent0 ? '' : '  ';
  const out = [
    'apiVersion: orchion/v1',
    'kind: Pipeline',
    'metadata: { name: big }',
    'inputs:',
    '  topic: { type: string }',
    'steps:',
  ];
  for (let i = 0; i < steps; i++) {
    out.push(`${d}- id: s${i}`);
    if (i > 0) out.push(i % 3 ? `${d}  needs: [s${i - 1}]` : `${d}  needs:\n${d}    - s${i - 1}`);
    if (i % 7 === 0) out.push('# a comment between keys', '');
    out.push(
      `${d}  prompt: |`,
      `${d}    About \${{ inputs.topic }}`,
      `${d}    and "${i}" \${{ steps.s${Math.max(0, i - 1)}.output }}`,
    );
    if (i % 5 === 0) out.push(`${d}  options: { temperature: 0.${i % 10} }`);
  }
  out.push('outputs:', `  last: \${{ steps.s${steps - 1}.output }}`, '');
  return out.join('\n');
}

function same(whole: Analysis, pieces: Analysis): void {
  expect(pieces.result.diagnostics).toEqual(whole.result.diagnostics);
  expect(pieces.result.references).toEqual(whole.result.references);
  expect(pieces.result.data).toEqual(whole.result.data);
  expect(pieces.names.occurrences).toEqual(whole.names.occurrences);
  const ranges = (a: Analysis): unknown[] =>
    a.raw.steps.map((s) => a.source!.valueRange([...s.path, 'prompt']));
  expect(ranges(pieces)).toEqual(ranges(whole));
}

describe('piecewise parsing gives the same analysis as a whole parse', () => {
  test('open, then edits inside a step, between steps and in the outputs', () => {
    const parser = new PiecewiseParser();
    let text = pipeline(600);
    expect(parser.parse(text)).toBeDefined();
    same(analyze(text), analyze(text, parser));
    const edits: [string, string][] = [
      ['About ${{ inputs.topic }}\n      and "300"', 'About ${{ inputs.topics }}\n      and "300"'], // an error appears
      ['  - id: s10\n', '  - id: s10\n    retries: 20\n'], // a key added, lines shift
      ['  - id: s20\n', '  - id: s20x\n'], // an id changes: unknown needs appear
      ['last: ${{', 'last: ${{ steps.s1.output }} ${{'], // the tail
      ['  - id: s30\n', ''], // a step loses its id line
    ];
    for (const [from, to] of edits) {
      expect(text.includes(from)).toBe(true);
      text = text.replace(from, to);
      expect(parser.parse(text)).toBeDefined(); // still piecewise, not a fallback
      same(analyze(text), analyze(text, parser));
    }
  });

  test('cached per-step results (keys, expressions) stay exact across a long series of edits', () => {
    // Each edit is checked against a whole parse; unchanged steps keep their nodes (and the results cached on
    // them) while their positions move, so every kind of shift is covered.
    const parser = new PiecewiseParser();
    let text = pipeline(600);
    same(analyze(text), analyze(text, parser));
    const edits: [string, string][] = [
      ['  - id: s5\n', '  - id: s5b\n    prompt: new ${{ steps.s4.output }}\n  - id: s5\n'], // a step added
      ['  - id: s50\n', '  - id: s50\n    prompt: x\n    prompt: y\n'], // a duplicate key
      ['  - id: s60\n', '  - id: s60\n    ? [a]\n    : 1\n'], // a complex key: YAML error, whole parse
      ['    ? [a]\n    : 1\n', ''], // fixed again: cached steps come back
      ['  - id: s70\n', '  - id: s70\n    prompt: "quoted ${{ steps.s69.output }} \\u0041"\n'], // escapes
      ['  - id: s80\n', '  - id: s80\n    prompt: >\n      folded ${{\n      steps.s79.output }}\n'], // folded
      ['  topic: { type: string }', '  topic: { type: string }\n  extra: { type: number }'], // inputs change
      ['inputs:\n', 'inputs:\n  first: { type: string }\n'], // lines shift before every step
      ['  - id: s100\n', '  - id: s100x\n'], // a step renamed: references to it break
      ['steps.s100.output', 'steps.s100x.output'], // and are renamed too
      ['- id: s5b\n    prompt: new ${{ steps.s4.output }}\n', ''], // the added step removed (half: id line stays)
      ['  - id: s200\n', '  - id: s200\n    prompt: "broken\n'], // broken YAML
      ['    prompt: "broken\n', ''], // repaired
      ['  - id: s300\n', ''], // a step merged into the previous one
    ];
    for (const [from, to] of edits) {
      expect(text.includes(from), from).toBe(true);
      text = text.replace(from, to);
      same(analyze(text), analyze(text, parser));
    }
  });

  test('items at column 0, and identical steps (pooled twice)', () => {
    const parser = new PiecewiseParser();
    const text = pipeline(500, { indent0: true });
    expect(parser.parse(text)).toBeDefined();
    same(analyze(text), analyze(text, parser));
    const twice = text.replace('outputs:', '- id: dup\n  prompt: same\n- id: dup\n  prompt: same\noutputs:');
    same(analyze(twice), analyze(twice, parser));
  });

  test("the pieces' plain data is built as they are read: no toJS over the document", () => {
    const text = pipeline(600);
    const toJS = vi.spyOn(Document.prototype, 'toJS');
    try {
      const pieces = analyze(text, new PiecewiseParser());
      expect(toJS).not.toHaveBeenCalled();
      same(analyze(text), pieces);
      expect(toJS).toHaveBeenCalled(); // the whole parse's
    } finally {
      toJS.mockRestore();
    }
  });

  test('falls back to a whole parse for broken YAML, anchors and small files', () => {
    const parser = new PiecewiseParser();
    const big = pipeline(600);
    const broken = big.replace('  - id: s40\n', '  - id: s40\n    prompt: "unterminated\n');
    expect(parser.parse(broken)).toBeUndefined();
    same(analyze(broken), analyze(broken, parser));
    const anchored = big.replace('  - id: s40\n', '  - id: s40\n    options: &o { seed: 1 }\n');
    expect(parser.parse(anchored)).toBeUndefined();
    expect(parser.parse(pipeline(3))).toBeUndefined();
  });
});
