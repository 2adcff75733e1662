import { describe, expect, it } from 'vitest';
import { SseParser } from '../../src/client';

describe('SseParser', () => {
  it('parses frames split across chunks, CRLF, comments and multi-line data', () => {
    const frames: unknown[] = [];
    const p = new SseParser((f) => frames.push(f));
    p.push('retry: 2000\n: comment\n\nid: 1\nevent: a\nda');
    p.push('ta: {"x":1}\n\r\nid: 2\r\nevent: b\r\ndata: line1\r\ndata: line2\r\n\r\n');
    expect(frames).toEqual([
      { id: '1', event: 'a', data: '{"x":1}' },
      { id: '2', event: 'b', data: 'line1\nline2' },
    ]);
  });
});
