import { describe, expect, it } from 'vitest';
import { demuxFrames, formatTail, LogCursor } from './logs.js';

const frame = (stream: 1 | 2, text: string) => {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

describe('logs', () => {
  it('decodes multiplexed frames in order, and passes raw (TTY) text through', () => {
    expect(demuxFrames(Buffer.concat([frame(1, 'out 1\n'), frame(2, 'err 1\n'), frame(1, 'out 2\n')]))).toBe(
      'out 1\nerr 1\nout 2\n',
    );
    expect(demuxFrames(Buffer.from('plain text\n'))).toBe('plain text\n');
    expect(demuxFrames(Buffer.alloc(0))).toBe('');
  });

  it('a cursor lets a new follower resume after the last line: no repeats, no gaps', () => {
    const c = new LogCursor();
    expect(c.since).toBeUndefined();
    expect(c.advance('2026-01-02T03:04:05.123456789Z')).toBe(true);
    expect(c.since).toBe(`${Date.parse('2026-01-02T03:04:05Z') / 1000}.123456789`);
    expect(c.advance('2026-01-02T03:04:05.123456789Z')).toBe(false); // the same line again (since is inclusive)
    expect(c.advance('2026-01-02T03:04:05.1Z')).toBe(false); // older
    expect(c.advance('2026-01-02T03:04:05.2Z')).toBe(true);
    expect(c.since).toBe(`${Date.parse('2026-01-02T03:04:05Z') / 1000}.200000000`);
    expect(c.advance('not a timestamp')).toBe(true);
  });

  it('a cursor can start at a time (adopted containers: only new lines)', () => {
    const c = new LogCursor(1_000);
    expect(c.since).toBe('999.999999999');
    expect(c.advance('1970-01-01T00:16:39.5Z')).toBe(false);
    expect(c.advance('1970-01-01T00:16:40Z')).toBe(true);
  });

  it('formats the last lines for error messages', () => {
    expect(formatTail(['a', 'b'])).toBe('\n--- last 2 log line(s) ---\na\nb');
    expect(formatTail([])).toBe('\n(the container wrote no log)');
  });
});
