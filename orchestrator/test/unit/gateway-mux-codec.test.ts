// The multiplexed data plane's framing (proto/src/data-plane-mux.ts): frames survive any cut of the byte stream
// (including inside a header and inside a multi-byte UTF-8 character), and malformed streams are refused.
import { encodeFrame, FrameDecoder, FrameError, FrameType, MAX_FRAME_BYTES } from '@orchion/proto';
import { describe, expect, it } from 'vitest';

type Frame = [number, number, string];

function decodeAll(chunks: Buffer[]): Frame[] {
  const out: Frame[] = [];
  const d = new FrameDecoder((type, id, payload) => out.push([type, id, payload]));
  for (const c of chunks) d.push(c);
  expect(d.buffered).toBe(0);
  return out;
}

const frames: Frame[] = [
  [FrameType.Generate, 1, '{"kind":"chat","model":"m","messages":[{"role":"user","content":"hé ✓ 🙂"}]}'],
  [FrameType.Chunk, 1, '"Hello"'],
  [FrameType.Chunk, 4294967295, '" wörld 🙂"'],
  [FrameType.Abort, 7, ''],
  [FrameType.Done, 1, '{"text":"Hello wörld","stopReason":"eogToken"}'],
  [FrameType.Error, 2, '{"status":400,"code":"bad-request","message":"no"}'],
];
const bytes = Buffer.concat(frames.map(([t, id, p]) => encodeFrame(t as FrameType, id, p)));

describe('data-plane frames', () => {
  it('round-trips frames sent in one piece', () => {
    expect(decodeAll([bytes])).toEqual(frames);
  });

  it('reassembles frames cut at every byte position', () => {
    for (let i = 1; i < bytes.length; i++) {
      expect(decodeAll([bytes.subarray(0, i), bytes.subarray(i)])).toEqual(frames);
    }
  });

  it('reassembles frames delivered one byte at a time and in random pieces', () => {
    expect(decodeAll([...bytes].map((b) => Buffer.from([b])))).toEqual(frames);
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 23) + 1;
    for (let round = 0; round < 50; round++) {
      const chunks: Buffer[] = [];
      for (let off = 0; off < bytes.length;) {
        const n = rnd();
        chunks.push(bytes.subarray(off, off + n));
        off += n;
      }
      expect(decodeAll(chunks)).toEqual(frames);
    }
  });

  it('joins a large frame from many pieces', () => {
    const big = `"${'x'.repeat(3_000_000)}"`;
    const buf = encodeFrame(FrameType.Done, 9, big);
    const chunks: Buffer[] = [];
    for (let off = 0; off < buf.length; off += 65_536) chunks.push(buf.subarray(off, off + 65_536));
    const out = decodeAll(chunks);
    expect(out).toHaveLength(1);
    expect(out[0]![2]).toBe(big);
  });

  it('refuses a bad length or an unknown frame type', () => {
    const tooBig = Buffer.alloc(9);
    tooBig.writeUInt32BE(MAX_FRAME_BYTES + 1, 0);
    expect(() => new FrameDecoder(() => undefined).push(tooBig.subarray(0, 4))).toThrow(FrameError);
    const short = Buffer.alloc(9);
    short.writeUInt32BE(2, 0);
    expect(() => new FrameDecoder(() => undefined).push(short)).toThrow(/bad frame length 2/);
    const unknown = encodeFrame(FrameType.Chunk, 1, '"x"');
    unknown[4] = 99;
    expect(() => new FrameDecoder(() => undefined).push(unknown)).toThrow(/unknown frame type 99/);
  });
});
