/**
 * Fuzzing: thousands of mutated pipelines through every feature of the language service. Nothing may throw, and
 * every range returned must lie inside the document.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze } from '../../src/service/analysis.js';
import { clusterFromNodes } from '../../src/service/cluster-info.js';
import { codeActions } from '../../src/service/code-actions.js';
import { complete } from '../../src/service/completion.js';
import { diagnose } from '../../src/service/diagnostics.js';
import { hover } from '../../src/service/hover.js';
import { definition, prepareRename, references, rename } from '../../src/service/navigation.js';
import { codeLenses, documentSymbols } from '../../src/service/outline.js';
import { foldingRanges, selectionRange } from '../../src/service/ranges.js';
import { semanticTokens } from '../../src/service/semantic-tokens.js';
import type { NodeView } from '@orchion/api';
import { mulberry32 as rng } from '../../../test-support/seeded-random';

const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 2000);

const TOKENS = [
  ':',
  ': ',
  '-',
  '- ',
  ' ',
  '  ',
  '\n',
  '\n  ',
  '\n    - ',
  '{',
  '}',
  '[',
  ']',
  ',',
  '"',
  "'",
  '#',
  '|',
  '>',
  '&a ',
  '*a',
  '<<: *a',
  '${{',
  '}}',
  '${{ steps.',
  '${{ inputs.',
  '.output',
  'needs: [',
  'id: ',
  'prompt: ',
  '\t',
  '\r\n',
  '😀',
  'é',
  '\u0000',
  '---\n',
  '? ',
  '!!str ',
  '%YAML 1.2\n',
];

function seeds(): string[] {
  const dirs = [
    join(import.meta.dirname, 'fixtures/diagnostics'),
    join(import.meta.dirname, 'fixtures/code-actions'),
  ];
  const out = dirs.flatMap((d) => readdirSync(d).map((f) => readFileSync(join(d, f), 'utf8')));
  const examples = join(import.meta.dirname, '../../../examples');
  for (const f of readdirSync(examples))
    if (f.endsWith('.yaml')) out.push(readFileSync(join(examples, f), 'utf8'));
  return out;
}

function mutate(text: string, random: () => number): string {
  let t = text;
  const n = 1 + Math.floor(random() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(random() * (t.length + 1));
    const op = random();
    if (op < 0.3) t = t.slice(0, at) + t.slice(at + 1 + Math.floor(random() * 12));
    else if (op < 0.65) t = t.slice(0, at) + TOKENS[Math.floor(random() * TOKENS.length)] + t.slice(at);
    else if (op < 0.8) {
      const lines = t.split('\n');
      const a = Math.floor(random() * lines.length);
      const b = Math.floor(random() * lines.length);
      [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      t = lines.join('\n');
    } else if (op < 0.9) {
      const lines = t.split('\n');
      const a = Math.floor(random() * lines.length);
      lines.splice(a, 0, lines[Math.floor(random() * lines.length)] ?? '');
      t = lines.join('\n');
    } else {
      const lines = t.split('\n');
      const a = Math.floor(random() * lines.length);
      lines[a] = (random() < 0.5 ? '  ' : '') + lines[a]!.replace(/^ {0,2}/, random() < 0.5 ? '' : ' ');
      t = lines.join('\n');
    }
  }
  return t;
}

interface R {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

function isRange(v: unknown): v is R {
  const r = v as R;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.start?.line === 'number' &&
    typeof r.end?.character === 'number'
  );
}

/** Every range in a result, however deep. */
function ranges(value: unknown, out: R[] = [], depth = 0): R[] {
  if (depth > 64 || typeof value !== 'object' || value === null) return out;
  if (isRange(value)) out.push(value);
  for (const v of Object.values(value)) ranges(v, out, depth + 1);
  return out;
}

const cluster = clusterFromNodes([
  {
    hostname: 'h',
    state: 'ready',
    runtimes: ['embedded'],
    models: [{ name: 'orchion-tiny', runtime: 'embedded' }],
  } as unknown as NodeView,
]);

/** Runs every feature of the service on `text` (at three random offsets); returns how many ranges it checked. */
function exercise(text: string, random: () => number, label: string): number {
  const doc = TextDocument.create('file:///f.orchion.yaml', 'yaml', 1, text);
  const lines = text.split(/\r\n|\r|\n/);
  const inside = (r: R): boolean =>
    r.start.line >= 0 &&
    r.end.line < lines.length &&
    r.start.character >= 0 &&
    r.end.character <= lines[r.end.line]!.length &&
    r.start.character <= lines[r.start.line]!.length &&
    (r.start.line < r.end.line || (r.start.line === r.end.line && r.start.character <= r.end.character));
  const results: unknown[] = [];
  try {
    const analysis = analyze(text);
    const diagnostics = diagnose(analysis, cluster);
    results.push(diagnostics, documentSymbols(analysis), foldingRanges(analysis), codeLenses(analysis));
    results.push(
      semanticTokens(analysis).map((t) => ({
        start: { line: t.line, character: t.character },
        end: { line: t.line, character: t.character + t.length },
      })),
    );
    for (const d of diagnostics.slice(0, 5)) results.push(codeActions(analysis, d.range, diagnostics));
    for (let k = 0; k < 3; k++) {
      const offset = Math.floor(random() * (text.length + 1));
      results.push(complete({ doc, offset, analysis, cluster }));
      results.push(
        hover(analysis, offset, cluster),
        definition(analysis, offset),
        references(analysis, offset, true),
      );
      results.push(
        prepareRename(analysis, offset),
        rename(analysis, offset, 'renamed'),
        selectionRange(analysis, offset),
      );
    }
  } catch (e) {
    throw new Error(`${label} threw on:\n${JSON.stringify(text)}\n${(e as Error).stack}`);
  }
  let checked = 0;
  for (const r of ranges(results)) {
    if (!inside(r))
      throw new Error(`${label}: range ${JSON.stringify(r)} outside the document:\n${JSON.stringify(text)}`);
    checked++;
  }
  return checked;
}

describe('fuzz', () => {
  test(`${ITERATIONS} mutated pipelines: no exception, every range inside the document`, () => {
    const base = seeds();
    const random = rng(20261127);
    let checked = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const seed = base[i % base.length]!;
      const text = mutate(random() < 0.3 ? mutate(seed, random) : seed, random);
      checked += exercise(text, random, `iteration ${i}`);
    }
    expect(checked).toBeGreaterThan(ITERATIONS);
  }, 300_000);

  test('recursive aliases (infinite data) are reported, and every feature still answers', () => {
    const random = rng(7);
    const header = 'apiVersion: orchion/v1\nkind: Pipeline\nmetadata: { name: r }\n';
    for (const text of [
      `${header}inputs:\n  x:\n    type: array\n    default: &d\n      - a\n      - *d\nsteps:\n  - id: a\n    prompt: \${{ inputs.x }}\n`,
      `${header}steps: &s\n  - id: a\n    prompt: hi\n    needs: *s\n`,
      `${header}steps:\n  - &a { id: a, prompt: "\${{ steps.a.output }}", options: { x: *a } }\n  - *a\n`,
      `${header}steps:\n  - &a { id: a, prompt: "unterminated\n    x: *a\n`, // a syntax error too
    ]) {
      for (let k = 0; k < 20; k++) exercise(text, random, 'a recursive alias');
      const codes = diagnose(analyze(text), cluster).map((d) => d.code);
      expect(codes.includes('yaml-alias-limit') || codes.includes('yaml-syntax'), text).toBe(true);
    }
  });
});
