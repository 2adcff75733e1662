import { describe, expect, test } from 'vitest';
import { fixture } from './helpers/cursor.js';

describe('fixture markers', () => {
  test('strip markers and report ranges in marker order', () => {
    const { text, ranges } = fixture('a: ⟦x⟧\nb:\n  - ⟦long\n    value⟧ ⟦⟧');
    expect(text).toBe('a: x\nb:\n  - long\n    value ');
    expect(ranges).toEqual([
      { start: { line: 0, character: 3 }, end: { line: 0, character: 4 } },
      { start: { line: 2, character: 4 }, end: { line: 3, character: 9 } },
      { start: { line: 3, character: 10 }, end: { line: 3, character: 10 } },
    ]);
  });

  test('nested markers keep the order of their opening marker', () => {
    const { ranges } = fixture('⟦a⟦b⟧⟧');
    expect(ranges).toEqual([
      { start: { line: 0, character: 0 }, end: { line: 0, character: 2 } },
      { start: { line: 0, character: 1 }, end: { line: 0, character: 2 } },
    ]);
  });

  test('unbalanced markers are a fixture bug', () => {
    expect(() => fixture('⟦a')).toThrow(/unbalanced/);
    expect(() => fixture('a⟧')).toThrow(/unbalanced/);
  });

  test('columns count UTF-16 code units', () => {
    expect(fixture('😀⟦x⟧').ranges[0]!.start.character).toBe(2);
  });
});
