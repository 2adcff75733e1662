import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { parsePipeline, type Diagnostic, type Range } from '../../src/index.js';
import { mulberry32 as rng } from '../../../test-support/seeded-random';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const releaseNotes = readFileSync(join(root, 'examples/release-notes.yaml'), 'utf8');

function inside(text: string, r: Range): boolean {
  const lines = text.split(/\r\n|\r|\n/);
  const ok = (p: Range['start']): boolean =>
    Number.isInteger(p.line) &&
    Number.isInteger(p.character) &&
    p.line >= 0 &&
    p.line < Math.max(1, lines.length) &&
    p.character >= 0 &&
    p.character <= (lines[p.line]?.length ?? 0);
  const ordered =
    r.start.line < r.end.line || (r.start.line === r.end.line && r.start.character <= r.end.character);
  return ok(r.start) && ok(r.end) && ordered;
}

/** Every diagnostic (and related range) lies inside the document and is well formed. */
function expectWellFormed(text: string, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) {
    expect(inside(text, d.range), `${d.code} ${JSON.stringify(d.range)}`).toBe(true);
    expect(d.message.length).toBeGreaterThan(0);
    expect(d.message).not.toMatch(/\n/);
    for (const r of d.related ?? []) expect(inside(text, r.range)).toBe(true);
  }
}

describe('garbage in, diagnostics out (never a throw)', () => {
  const cases: [string, string][] = [
    ['empty', ''],
    ['a YAML list', '- a\n- b\n'],
    ['a scalar', 'hello'],
    ['a number', '42'],
    [
      'JSON',
      '{"apiVersion": "orchion/v1", "kind": "Pipeline", "metadata": {"name": "j"}, "steps": [{"id": "a", "prompt": "x"}]}',
    ],
    ['only a BOM', '\uFEFF'],
    ['CRLF line endings', releaseNotes.replace(/\n/g, '\r\n')],
    ['NUL bytes', 'apiVersion: orchion/v1\u0000\u0000\nkind: x'],
    ['deep flow nesting', `${'['.repeat(5000)}${']'.repeat(5000)}`],
    ['deep block nesting', Array.from({ length: 500 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')],
    ['unbalanced braces', '{{{{ ]]]] :::: ---- ???'],
    ['a very long line', `steps: [${'x'.repeat(200_000)}]`],
    ['lone surrogates', 'metadata: { name: "\uD800" }\n\uDC00: 1'],
    ['only anchors and aliases', '&a [*a, *a]'],
    ['tags galore', '!!binary a: !!set b\n!!omap c: !!timestamp 2001-12-14'],
    ['directive', '%YAML 1.1\n---\na: 1\n'],
  ];
  for (const [name, text] of cases) {
    test(name, () => {
      const r = parsePipeline(text);
      expect(r.diagnostics.length + (r.pipeline ? 1 : 0)).toBeGreaterThan(0);
      expectWellFormed(text, r.diagnostics);
      expect(r.diagnostics.filter((d) => d.code === 'internal-error')).toEqual([]);
    });
  }

  test('JSON (a YAML subset) parses to a pipeline', () => {
    expect(parsePipeline(cases[4]![1]).pipeline?.steps[0]?.id).toBe('a');
  });

  test('CRLF files report the same positions as LF files', () => {
    const lf = parsePipeline(releaseNotes.replace('retries: 2', 'retries: 99')).diagnostics;
    const crlf = parsePipeline(
      releaseNotes.replace('retries: 2', 'retries: 99').replace(/\n/g, '\r\n'),
    ).diagnostics;
    expect(crlf.map((d) => d.range)).toEqual(lf.map((d) => d.range));
  });

  test('random bytes', () => {
    const random = rng(1);
    for (let i = 0; i < 200; i++) {
      const length = Math.floor(random() * 400);
      const text = String.fromCharCode(...Array.from({ length }, () => Math.floor(random() * 256)));
      const r = parsePipeline(text);
      expectWellFormed(text, r.diagnostics);
      expect(
        r.diagnostics.filter((d) => d.code === 'internal-error'),
        JSON.stringify(text),
      ).toEqual([]);
    }
  });

  test('an unexpected failure inside becomes an internal-error diagnostic', () => {
    const hostile = {
      toString(): string {
        throw new Error('boom');
      },
    };
    const r = parsePipeline(hostile as unknown as string);
    expect(r.diagnostics).toEqual([
      {
        severity: 'error',
        code: 'internal-error',
        message: 'internal error while checking the pipeline: boom',
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      },
    ]);
  });

  test('non-string input from untyped callers', () => {
    expect(() => parsePipeline(undefined as unknown as string)).not.toThrow();
    expect(() => parsePipeline(Buffer.from('a: 1') as unknown as string)).not.toThrow();
  });
});

describe('scale', () => {
  test('a 50,000-line pipeline parses without diagnostics', () => {
    const steps: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      steps.push(
        `  - id: s${i}`,
        i === 0 ? '    needs: []' : `    needs: [s${i - 1}]`,
        `    prompt: "Step ${i}: \${{ ${i === 0 ? 'inputs.seed' : `steps.s${i - 1}.output`} }} \${{ steps.s0.output }}"`.replace(
          i === 0 ? ' ${{ steps.s0.output }}' : '\u0000',
          '',
        ),
        '    options: { max_tokens: 24 }',
        '    retries: 1',
      );
    }
    const text = `apiVersion: orchion/v1\nkind: Pipeline\nmetadata: { name: big }\ninputs: { seed: { default: x } }\nsteps:\n${steps.join('\n')}\n`;
    expect(text.split('\n').length).toBeGreaterThan(50_000);
    const r = parsePipeline(text);
    expect(r.diagnostics).toEqual([]);
    expect(r.pipeline?.steps).toHaveLength(10_000);
    expect(r.references).toHaveLength(19_999);
  });

  test('a 10,000-step file full of errors reports them all', () => {
    // Regressions guarded here: ajv concatenating error lists (quadratic), suggestions against every step id.
    const steps = Array.from({ length: 10_000 }, (_, i) => `  - { id: s${i}, promt: x, needs: [q${i}] }`);
    const r = parsePipeline(
      `apiVersion: orchion/v1\nkind: Pipeline\nmetadata: { name: e }\nsteps:\n${steps.join('\n')}\n`,
    );
    const codes = new Set(r.diagnostics.map((d) => d.code));
    expect([...codes].sort()).toEqual(['schema-additional-property', 'step-kind', 'unknown-need']);
    expect(r.diagnostics).toHaveLength(30_000);
  });
});

describe('fuzz: mutations of a valid pipeline', () => {
  const snippets = [
    '${{',
    '}}',
    '${{ steps.x.output }}',
    '${{ inputs.commits }}',
    ':',
    '- ',
    '\n  ',
    '\n',
    '"',
    "'",
    '&a ',
    '*a',
    '<<: ',
    '[',
    ']',
    '{',
    '}',
    '#',
    '\t',
    'needs: [translate]',
    'summarize',
    '999',
    'null',
    '~',
    '|',
    '>',
    '?',
    '!tag ',
    'id: tags',
  ];
  const mutate = (text: string, random: () => number): string => {
    let out = text;
    const n = 1 + Math.floor(random() * 4);
    for (let i = 0; i < n; i++) {
      const at = Math.floor(random() * (out.length + 1));
      const kind = random();
      if (kind < 0.4) {
        out = out.slice(0, at) + snippets[Math.floor(random() * snippets.length)] + out.slice(at);
      } else if (kind < 0.7) {
        out = out.slice(0, at) + out.slice(at + 1 + Math.floor(random() * 20));
      } else if (kind < 0.85) {
        const from = Math.floor(random() * out.length);
        out = out.slice(0, at) + out.slice(from, from + Math.floor(random() * 40)) + out.slice(at);
      } else {
        const lines = out.split('\n');
        const a = Math.floor(random() * lines.length);
        const b = Math.floor(random() * lines.length);
        [lines[a], lines[b]] = [lines[b]!, lines[a]!];
        out = lines.join('\n');
      }
    }
    return out;
  };

  test('500 mutations: no throw, no internal error, every range inside the document', () => {
    const random = rng(42);
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const text = mutate(releaseNotes, random);
      const r = parsePipeline(text);
      expectWellFormed(text, r.diagnostics);
      expect(
        r.diagnostics.filter((d) => d.code === 'internal-error'),
        text,
      ).toEqual([]);
      expect(r.pipeline === undefined, text).toBe(r.diagnostics.some((d) => d.severity === 'error'));
      for (const d of r.diagnostics) seen.add(d.code);
    }
    // The mutations reach well beyond YAML syntax errors.
    expect(seen.size).toBeGreaterThan(8);
  });
});
