import { describe, expect, test } from 'vitest';
import {
  DIAGNOSTIC_CODES,
  formatDiagnostic,
  hasErrors,
  sortDiagnostics,
  type Diagnostic,
} from '../../src/index.js';

const d = (line: number, character: number, severity: Diagnostic['severity'] = 'error'): Diagnostic => ({
  severity,
  code: 'cycle',
  message: `m${line}.${character}`,
  range: { start: { line, character }, end: { line, character: character + 1 } },
});

describe('diagnostic helpers', () => {
  test('formatDiagnostic: FILE:LINE:COL with 1-based positions', () => {
    expect(formatDiagnostic('p.yaml', d(0, 0))).toBe('p.yaml:1:1: error: m0.0 [cycle]');
    expect(formatDiagnostic('dir/p.yaml', d(9, 4, 'warning'))).toBe('dir/p.yaml:10:5: warning: m9.4 [cycle]');
    expect(formatDiagnostic('p.yaml', d(2, 3, 'info'))).toBe('p.yaml:3:4: info: m2.3 [cycle]');
  });

  test('sortDiagnostics by position then severity; hasErrors', () => {
    const sorted = sortDiagnostics([d(3, 1), d(1, 5, 'warning'), d(1, 5), d(1, 2)]);
    expect(sorted.map((x) => `${x.message}:${x.severity}`)).toEqual([
      'm1.2:error',
      'm1.5:error',
      'm1.5:warning',
      'm3.1:error',
    ]);
    expect(hasErrors([d(0, 0, 'warning')])).toBe(false);
    expect(hasErrors([d(0, 0, 'warning'), d(0, 0)])).toBe(true);
  });

  test('codes are unique and kebab-case', () => {
    expect(new Set(DIAGNOSTIC_CODES).size).toBe(DIAGNOSTIC_CODES.length);
    for (const code of DIAGNOSTIC_CODES) expect(code).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });
});
