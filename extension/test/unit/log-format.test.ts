import type { LogEntry } from '@orchion/api';
import { describe, expect, it } from 'vitest';
import { LogLineAssembler, jobChannelName, lineLevel } from '../../src/logs/log-format';

let id = 0;
const entry = (
  kind: LogEntry['kind'],
  text: string,
  stepId: string | null = 'greet',
  level: string | null = null,
): LogEntry => ({
  id: ++id,
  time: '2026-01-01T00:00:00.000Z',
  stepId,
  attemptId: stepId ? `${stepId}-a1` : null,
  kind,
  level,
  text,
});

describe('LogLineAssembler', () => {
  it('gathers tokens into lines per step and emits at newlines', () => {
    const a = new LogLineAssembler();
    expect(a.push(entry('token', 'Hel'))).toEqual([]);
    expect(a.push(entry('token', 'lo wor'))).toEqual([]);
    expect(a.push(entry('token', 'ld\nSecond'))).toEqual([{ level: 'info', text: '[greet] Hello world' }]);
    expect(a.hasPending).toBe(true);
    expect(a.push(entry('token', ' line\n\nthird'))).toEqual([
      { level: 'info', text: '[greet] Second line' },
      { level: 'info', text: '[greet] ' },
    ]);
    expect(a.flush()).toEqual([{ level: 'info', text: '[greet] third' }]);
    expect(a.hasPending).toBe(false);
  });

  it('marks the continuation of a line flushed early', () => {
    const a = new LogLineAssembler();
    a.push(entry('token', 'slow tok'));
    expect(a.flush()).toEqual([{ level: 'info', text: '[greet] slow tok' }]);
    expect(a.push(entry('token', 'ens\n'))).toEqual([{ level: 'info', text: '[greet] … ens' }]);
    expect(a.push(entry('token', 'fresh\n'))).toEqual([{ level: 'info', text: '[greet] fresh' }]);
  });

  it('keeps steps apart and flushes a step before its log lines', () => {
    const a = new LogLineAssembler();
    a.push(entry('token', 'from a', 'a'));
    a.push(entry('token', 'from b', 'b'));
    expect(a.push(entry('log', 'model loaded', 'a', 'warn'))).toEqual([
      { level: 'info', text: '[a] from a' },
      { level: 'warn', text: '[a] model loaded' },
    ]);
    expect(a.push(entry('event', 'job hello succeeded', null, 'info'))).toEqual([
      { level: 'info', text: '— job hello succeeded' },
    ]);
    expect(a.flush()).toEqual([{ level: 'info', text: '[b] from b' }]);
  });

  it('splits multi-line log entries and maps levels', () => {
    const a = new LogLineAssembler();
    expect(a.push(entry('log', 'one\ntwo', 's', 'error'))).toEqual([
      { level: 'error', text: '[s] one' },
      { level: 'error', text: '[s] two' },
    ]);
    expect(['fatal', 'warning', 'debug', 'trace', null, 'weird'].map(lineLevel)).toEqual([
      'error',
      'warn',
      'debug',
      'trace',
      'info',
      'info',
    ]);
  });

  it('names channels after the pipeline and the short job id', () => {
    expect(jobChannelName('hello', '0123456789abcdef')).toBe('Orchion: hello 01234567');
  });
});
