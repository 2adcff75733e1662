import { describe, expect, it } from 'vitest';
import {
  elapsedMs,
  formatAgo,
  formatBytes,
  formatDuration,
  formatPercent,
  shortId,
  tokensPerSecond,
} from './format';

describe('format', () => {
  it('bytes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(8 * 1024 ** 3)).toBe('8.0 GiB');
    expect(formatBytes(200 * 1024 ** 3)).toBe('200 GiB');
    expect(formatBytes(-1)).toBe('–');
  });

  it('durations', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(1234)).toBe('1.23 s');
    expect(formatDuration(12_300)).toBe('12.3 s');
    expect(formatDuration(125_000)).toBe('2m 05s');
    expect(formatDuration(7_380_000)).toBe('2h 03m');
    expect(formatDuration(Number.NaN)).toBe('–');
  });

  it('elapsed and ago', () => {
    const now = Date.parse('2026-01-01T00:01:00Z');
    expect(elapsedMs('2026-01-01T00:00:00Z', '2026-01-01T00:00:30Z', now)).toBe(30_000);
    expect(elapsedMs('2026-01-01T00:00:00Z', null, now)).toBe(60_000);
    expect(elapsedMs(null, null, now)).toBeUndefined();
    expect(formatAgo('2026-01-01T00:00:58Z', now)).toBe('just now');
    expect(formatAgo('2026-01-01T00:00:00Z', now)).toBe('1 min ago');
    expect(formatAgo(null, now)).toBe('never');
  });

  it('percent, ids and tokens per second', () => {
    expect(formatPercent(0.374)).toBe('37%');
    expect(formatPercent(undefined)).toBe('–');
    expect(shortId('0123456789abcdef')).toBe('01234567');
    expect(tokensPerSecond({ completionTokens: 50, durationMs: 2000 })).toBe(25);
    expect(tokensPerSecond({ completionTokens: 0, durationMs: 2000 })).toBeUndefined();
    expect(tokensPerSecond(null)).toBeUndefined();
  });
});
