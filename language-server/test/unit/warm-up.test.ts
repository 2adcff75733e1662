import { describe, expect, test } from 'vitest';
import { analyze } from '../../src/service/analysis.js';
import { readBlockYaml } from '../../src/service/block-yaml/reader.js';
import { PiecewiseParser } from '../../src/service/piecewise-yaml.js';
import { warmUpSteps, warmUpText } from '../../src/service/warm-up.js';

describe('warm-up', () => {
  test('its pipeline is valid, large enough for piecewise parsing, and every step is read by the block reader', () => {
    const text = warmUpText();
    expect(text.split('\n').length).toBeGreaterThan(4_000);
    const pieces = new PiecewiseParser();
    expect(pieces.parse(text)).toBeDefined();
    expect(analyze(text, pieces).result.diagnostics).toEqual([]);
    // Otherwise the warm-up would exercise the yaml library's parser, not the path large documents take.
    const starts = [...text.matchAll(/^ {2}- /gm)].map((m) => m.index);
    for (let i = 0; i < starts.length; i++) {
      expect(
        readBlockYaml(text.slice(starts[i], starts[i + 1] ?? text.indexOf('\noutputs:') + 1)),
      ).toBeDefined();
    }
  });

  test('runs without throwing', () => {
    expect(() => {
      for (const _ of warmUpSteps());
    }).not.toThrow();
  });
});
