import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildTinyModel,
  encodeGguf,
  findGgufProblems,
  GgufFormatError,
  inspectGgufFile,
  readGgufHeader,
  requiredLlamaTensors,
  TINY_MODEL_SPEC,
  writeGgufFile,
  writeTinyModel,
  type GgufKv,
} from '../../src/models/index.js';
import { tinyModelWithout, writeTruncated } from './helpers/broken-models.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orchion-gguf-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const allTypes: GgufKv[] = [
  { key: 'general.architecture', value: { type: 'string', value: 'test ✓' } },
  { key: 't.u8', value: { type: 'uint8', value: 250 } },
  { key: 't.i8', value: { type: 'int8', value: -120 } },
  { key: 't.u16', value: { type: 'uint16', value: 65000 } },
  { key: 't.i16', value: { type: 'int16', value: -32000 } },
  { key: 't.u32', value: { type: 'uint32', value: 4_000_000_000 } },
  { key: 't.i32', value: { type: 'int32', value: -2_000_000_000 } },
  { key: 't.f32', value: { type: 'float32', value: 0.5 } },
  { key: 't.bool', value: { type: 'bool', value: true } },
  { key: 't.u64', value: { type: 'uint64', value: 2n ** 63n + 5n } },
  { key: 't.i64', value: { type: 'int64', value: -(2n ** 62n) } },
  { key: 't.f64', value: { type: 'float64', value: Math.PI } },
  { key: 't.strings', value: { type: 'array', itemType: 'string', length: 3, values: ['a', '', 'ü'] } },
  { key: 't.ints', value: { type: 'array', itemType: 'int32', length: 3, values: [1, -2, 3] } },
  { key: 't.empty', value: { type: 'array', itemType: 'string', length: 0, values: [] } },
];

describe('GGUF writer and reader', () => {
  it('round-trips metadata of every value type, tensor infos and aligned tensor data', async () => {
    const a = Float32Array.from({ length: 6 }, (_, i) => i * 1.5);
    const b = Float32Array.from([7]);
    const path = join(dir, 'all.gguf');
    await writeGgufFile(path, {
      metadata: allTypes,
      tensors: [
        { name: 'a', dims: [3, 2], data: a },
        { name: 'b', dims: [1], data: b },
      ],
    });
    const h = await readGgufHeader(path);
    expect(h.version).toBe(3);
    expect([...h.metadata.entries()].map(([key, value]) => ({ key, value }))).toEqual(allTypes);
    expect(h.tensors).toEqual([
      { name: 'a', dims: [3, 2], type: 0, offset: 0n },
      { name: 'b', dims: [1], type: 0, offset: 32n },
    ]);
    expect(h.dataOffset % 32n).toBe(0n);
    const bytes = await readFile(path);
    const at = (t: number) => Number(h.dataOffset) + Number(h.tensors[t]!.offset);
    expect(new Float32Array(bytes.buffer.slice(at(0), at(0) + 24))).toEqual(a);
    expect(new Float32Array(bytes.buffer.slice(at(1), at(1) + 4))).toEqual(b);
  });

  it('skips the values of long arrays but reports their length', async () => {
    const path = join(dir, 'tiny.gguf');
    await writeTinyModel(path);
    const h = await readGgufHeader(path, { maxArrayValues: 16 });
    const tokens = h.metadata.get('tokenizer.ggml.tokens');
    expect(tokens).toMatchObject({ type: 'array', itemType: 'string', values: null });
    expect(tokens?.type === 'array' && tokens.length).toBeGreaterThanOrEqual(400);
  });

  it('rejects absurd counts and lengths without allocating them', async () => {
    const header = (tensorCount: bigint, kvCount: bigint, rest: Buffer = Buffer.alloc(0)) => {
      const b = Buffer.alloc(24);
      b.writeUInt32LE(0x46554747, 0);
      b.writeUInt32LE(3, 4);
      b.writeBigUInt64LE(tensorCount, 8);
      b.writeBigUInt64LE(kvCount, 16);
      return Buffer.concat([b, rest, Buffer.alloc(64)]);
    };
    const hugeKeyLength = Buffer.alloc(8);
    hugeKeyLength.writeBigUInt64LE(2n ** 60n);
    const cases: [string, Buffer, RegExp][] = [
      ['tensors.gguf', header(2n ** 40n, 0n), /tensor count/],
      ['kvs.gguf', header(0n, 2n ** 50n), /metadata entry count/],
      ['key.gguf', header(0n, 1n, hugeKeyLength), /length .* exceeds/],
      ['magic.gguf', Buffer.from('not a gguf file at all, clearly'), /bad magic/],
    ];
    for (const [name, bytes, message] of cases) {
      await writeFile(join(dir, name), bytes);
      await expect(readGgufHeader(join(dir, name))).rejects.toThrow(message);
      await expect(readGgufHeader(join(dir, name))).rejects.toBeInstanceOf(GgufFormatError);
    }
  });

  it('reports a file truncated inside the header as unexpected end of file', async () => {
    const path = join(dir, 'cut-header.gguf');
    await writeTruncated(path, encodeGguf(buildTinyModel()), 0.01);
    await expect(readGgufHeader(path)).rejects.toThrow(/unexpected end of file.*truncated/);
  });
});

describe('tiny model', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const one = encodeGguf(buildTinyModel());
    expect(encodeGguf(buildTinyModel()).equals(one)).toBe(true);
    expect(encodeGguf(buildTinyModel({ seed: 2 })).equals(one)).toBe(false);
    expect(one.length).toBeLessThan(1_000_000);
  });

  it('has the advertised shape and passes the load-safety checks', async () => {
    const path = join(dir, 'orchion-tiny.gguf');
    await writeTinyModel(path);
    const { summary, problems, header } = await inspectGgufFile(path);
    expect(problems).toEqual([]);
    expect(summary).toMatchObject({
      architecture: 'llama',
      contextLength: TINY_MODEL_SPEC.contextLength,
      embeddingLength: 64,
      blockCount: 2,
      headCount: 4,
      feedForwardLength: 256,
      tokenizerModel: 'gpt2',
      hasChatTemplate: true,
    });
    expect(summary.vocabSize).toBeGreaterThanOrEqual(400);
    expect(summary.vocabSize).toBeLessThanOrEqual(512);
    expect(header.tensors.map((t) => t.name).sort()).toEqual(requiredLlamaTensors(2).sort());
  });
});

describe('load-safety checks', () => {
  const problemsOf = async (name: string, bytes: Buffer) => {
    await writeFile(join(dir, name), bytes);
    return findGgufProblems(await readGgufHeader(join(dir, name)));
  };

  it('flags keys whose absence makes llama.cpp abort', async () => {
    const problems = await problemsOf(
      'no-heads.gguf',
      tinyModelWithout({ keys: ['llama.attention.head_count', 'llama.feed_forward_length'] }),
    );
    expect(problems).toContain('missing metadata llama.attention.head_count');
    expect(problems).toContain('missing metadata llama.feed_forward_length');
  });

  it('flags missing required tensors but not the optional output.weight', async () => {
    const problems = await problemsOf(
      'no-ffn.gguf',
      tinyModelWithout({ tensors: ['blk.1.ffn_down.weight'] }),
    );
    expect(problems).toEqual(['missing tensors blk.1.ffn_down.weight']);
  });

  it('flags missing tokenizer metadata', async () => {
    const problems = await problemsOf(
      'no-merges.gguf',
      tinyModelWithout({ keys: ['tokenizer.ggml.merges'] }),
    );
    expect(problems).toEqual(['missing tokenizer.ggml.merges (required by a gpt2 vocabulary)']);
  });

  it('flags tensor data cut off by truncation', async () => {
    const path = join(dir, 'cut-data.gguf');
    await writeTruncated(path, encodeGguf(buildTinyModel()), 0.9);
    const problems = findGgufProblems(await readGgufHeader(path));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/past the end of the file.*truncated/);
  });

  it('reads only the start of a large file', async () => {
    const path = join(dir, 'big.gguf');
    const fh = await open(path, 'w');
    await fh.write(encodeGguf(buildTinyModel()));
    await fh.truncate(8 * 1024 ** 3); // sparse 8 GiB: reading it whole would take far too long
    await fh.close();
    const started = performance.now();
    expect(findGgufProblems(await readGgufHeader(path))).toEqual([]);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
