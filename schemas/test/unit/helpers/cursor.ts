/**
 * Cursor-style fixtures: a pipeline text where `⟦` … `⟧` mark where diagnostics are expected. The markers
 * are stripped before parsing; each marked span becomes an expected LSP range.
 */
import { expect } from 'vitest';
import {
  parsePipeline,
  type Diagnostic,
  type ParseResult,
  type Range,
  type Severity,
} from '../../../src/index.js';

export const OPEN = '⟦';
export const CLOSE = '⟧';

export interface Fixture {
  text: string;
  ranges: Range[];
}

/** Strips the markers; returns the text and the marked ranges, in order of their opening marker. */
export function fixture(marked: string): Fixture {
  let text = '';
  let line = 0;
  let character = 0;
  const open: { line: number; character: number }[] = [];
  const ranges: { order: number; range: Range }[] = [];
  let order = 0;
  const openOrder: number[] = [];
  for (const ch of marked) {
    if (ch === OPEN) {
      open.push({ line, character });
      openOrder.push(order++);
      continue;
    }
    if (ch === CLOSE) {
      const start = open.pop();
      if (start === undefined) throw new Error('unbalanced ⟧ in fixture');
      ranges.push({ order: openOrder.pop()!, range: { start, end: { line, character } } });
      continue;
    }
    text += ch;
    if (ch === '\n') {
      line++;
      character = 0;
    } else {
      character += ch.length; // UTF-16 code units, like LSP
    }
  }
  if (open.length > 0) throw new Error('unbalanced ⟦ in fixture');
  return { text, ranges: ranges.sort((a, b) => a.order - b.order).map((r) => r.range) };
}

export interface Expected {
  code: string;
  severity?: Severity;
  /** Substring (or pattern) the message must contain. */
  message?: string | RegExp;
}

export interface CheckOptions {
  /** Also compare `info` diagnostics (off by default: most fixtures leave inputs unused on purpose). */
  infos?: boolean;
}

function key(d: { code: string; range: Range }): string {
  const { start, end } = d.range;
  return `${d.code}@${start.line}:${start.character}-${end.line}:${end.character}`;
}

/**
 * Parses the fixture and asserts that its diagnostics are exactly the marked ones: marker i has code
 * `expected[i]` (a code, or an object with severity and message). Returns the parse result.
 */
export function expectDiagnostics(
  marked: string,
  expected: readonly (string | Expected)[],
  options: CheckOptions = {},
): ParseResult & { matched: Diagnostic[] } {
  return expectDiagnosticsOf(parsePipeline, marked, expected, options);
}

/** `expectDiagnostics` for any parser returning located diagnostics (agent configs…). */
export function expectDiagnosticsOf<D extends Diagnostic<string>, R extends { diagnostics: D[] }>(
  parse: (text: string) => R,
  marked: string,
  expected: readonly (string | Expected)[],
  options: CheckOptions = {},
): R & { matched: D[] } {
  const { text, ranges } = fixture(marked);
  if (ranges.length !== expected.length) {
    throw new Error(`fixture has ${ranges.length} marked ranges but ${expected.length} expectations`);
  }
  const result = parse(text);
  const actual = result.diagnostics.filter((d) => options.infos || d.severity !== 'info');
  const wanted = expected.map((e, i) => ({
    ...(typeof e === 'string' ? { code: e } : e),
    range: ranges[i]!,
  }));
  expect(actual.map(key).sort(), describe(actual)).toEqual(wanted.map(key).sort());
  // Pair each expectation with a distinct diagnostic of the same code and range, preferring one whose
  // message matches (several diagnostics may share a range).
  const free = [...actual];
  const fits = (w: (typeof wanted)[number], d: D): boolean =>
    key(d) === key(w) &&
    (w.message === undefined ||
      (typeof w.message === 'string' ? d.message.includes(w.message) : w.message.test(d.message)));
  const matched = wanted.map((w) => {
    const i = Math.max(
      free.findIndex((d) => fits(w, d)),
      free.findIndex((d) => key(d) === key(w)),
    );
    const at = free.findIndex((d) => fits(w, d)) >= 0 ? free.findIndex((d) => fits(w, d)) : i;
    return free.splice(at, 1)[0]!;
  });
  wanted.forEach((w, i) => {
    if (w.severity) expect(matched[i]!.severity, matched[i]!.message).toBe(w.severity);
    if (typeof w.message === 'string') expect(matched[i]!.message).toContain(w.message);
    else if (w.message) expect(matched[i]!.message).toMatch(w.message);
  });
  return { ...result, matched };
}

function describe(ds: readonly Diagnostic<string>[]): string {
  return ds.map((d) => `${key(d)} ${d.severity}: ${d.message}`).join('\n');
}

/** Parses a text that must be free of errors and warnings; returns the pipeline. */
export function expectValid(text: string): NonNullable<ParseResult['pipeline']> {
  const result = parsePipeline(text);
  const problems = result.diagnostics.filter((d) => d.severity !== 'info');
  expect(problems.map((d) => `${key(d)} ${d.message}`)).toEqual([]);
  expect(result.pipeline).toBeDefined();
  return result.pipeline!;
}

/** The smallest valid pipeline header, to prepend to step fixtures. */
export const HEADER = `apiVersion: orchion/v1
kind: Pipeline
metadata:
  name: t
`;
