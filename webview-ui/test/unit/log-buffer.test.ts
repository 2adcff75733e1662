import type { LogEntry } from '@orchion/api';
import { describe, expect, it } from 'vitest';
import { LogBuffer, highlightParts } from '../../src/data/log-buffer';
import { iso } from './fixtures';

const entry = (
  id: number,
  kind: LogEntry['kind'],
  text: string,
  attemptId = 'a1',
  atMs = id * 100,
): LogEntry => ({
  id,
  time: iso(atMs),
  stepId: 's1',
  attemptId,
  kind,
  level: kind === 'log' ? 'info' : null,
  text,
});

describe('LogBuffer', () => {
  it('joins consecutive tokens of one attempt, keeps logs apart, ignores replayed ids', () => {
    const b = new LogBuffer();
    expect(
      b.append([entry(1, 'event', 'step started'), entry(2, 'token', 'Hel'), entry(3, 'token', 'lo')]),
    ).toBe(3);
    expect(
      b.append([entry(3, 'token', 'lo'), entry(4, 'token', ' world'), entry(5, 'token', '!', 'a2')]),
    ).toBe(2);
    b.append([entry(6, 'log', 'done')]);
    expect(b.blocks.map((x) => [x.kind, x.text, x.tokens])).toEqual([
      ['event', 'step started', 0],
      ['token', 'Hello world', 3],
      ['token', '!', 1],
      ['log', 'done', 0],
    ]);
    expect(b.lastId).toBe(6);
    expect(b.totalTokens).toBe(4);
  });

  it('searches case-insensitively across blocks, every occurrence', () => {
    const b = new LogBuffer();
    b.append([entry(1, 'log', 'Loading model'), entry(2, 'token', 'model model')]);
    expect(b.search('MODEL')).toEqual([
      { block: 0, start: 8, end: 13 },
      { block: 1, start: 0, end: 5 },
      { block: 1, start: 6, end: 11 },
    ]);
    expect(b.search('')).toEqual([]);
    expect(b.search('nothing')).toEqual([]);
  });

  it('stays under its size bound by dropping the oldest blocks', () => {
    const b = new LogBuffer(10);
    b.append([entry(1, 'log', 'aaaaaa'), entry(2, 'log', 'bbbbbb'), entry(3, 'log', 'cc')]);
    expect(b.blocks.map((x) => x.text)).toEqual(['bbbbbb', 'cc']);
    expect(b.dropped).toBe(1);
  });

  it('tokens per second over a window', () => {
    const b = new LogBuffer();
    b.append([1, 2, 3, 4].map((i) => entry(i, 'token', 'x', 'a1', 1000 + i * 500)));
    const now = Date.parse(iso(3000));
    // Entries at 1500, 2000, 2500 and 3000 ms.
    expect(b.tokenRate(now, 2000)).toBe(2); // all four in (1000, 3000]
    expect(b.tokenRate(now, 1200)).toBe(2.5); // three in (1800, 3000]
    expect(b.tokenRate(now + 10_000, 2000)).toBe(0);
  });

  it('splits text into highlighted parts', () => {
    expect(
      highlightParts('a model b', [{ start: 2, end: 7, current: true }]).map((p) => [
        p.text,
        p.match,
        p.current,
      ]),
    ).toEqual([
      ['a ', false, false],
      ['model', true, true],
      [' b', false, false],
    ]);
    expect(highlightParts('', [])).toEqual([{ text: '', match: false, current: false }]);
  });
});
