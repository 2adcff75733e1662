import { describe, expect, it } from 'vitest';
import { collectLabel, parseAddress, parseDuration } from '../../src/cli/options';
import { ago, bytes, table } from '../../src/cli/format';

describe('CLI option parsing and formatting', () => {
  it('parses durations', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('5s')).toBe(5000);
    expect(parseDuration('1.5m')).toBe(90_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration('250')).toBe(250);
    expect(() => parseDuration('soon')).toThrow(/not a duration/);
  });

  it('collects labels and checks addresses', () => {
    expect(collectLabel('gpu=a100', collectLabel('zone=eu'))).toEqual({ zone: 'eu', gpu: 'a100' });
    expect(collectLabel('k=a=b')).toEqual({ k: 'a=b' });
    expect(() => collectLabel('novalue')).toThrow(/key=value/);
    expect(parseAddress('127.0.0.1:7701')).toBe('127.0.0.1:7701');
    expect(parseAddress('[::1]:7701')).toBe('[::1]:7701');
    expect(() => parseAddress('localhost')).toThrow(/host:port/);
  });

  it('formats tables, sizes and ages', () => {
    expect(table(['A', 'BB'], [['xxx', 'y']])).toBe('A    BB\nxxx  y');
    expect(bytes(1536)).toBe('1.5 KiB');
    expect(bytes(25 * 1024 ** 3)).toBe('25 GiB');
    expect(ago(new Date(10_000).toISOString(), 70_000)).toBe('1m ago');
    expect(ago(null)).toBe('never');
  });
});
