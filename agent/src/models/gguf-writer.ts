/**
 * Writes GGUF v3 files: header, typed metadata, tensor infos and f32 tensor data aligned to
 * `general.alignment` (32 bytes unless the metadata says otherwise). Enough of the format to produce models that
 * llama.cpp loads; quantized tensor types are not produced.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import {
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_VERSION,
  GgmlType,
  GgufValueType,
  type GgufKv,
  type GgufScalar,
  type GgufScalarTypeName,
  type GgufValue,
} from './gguf-types.js';

export interface GgufTensorInput {
  name: string;
  /** Dimensions innermost-first, as GGUF stores them. */
  dims: number[];
  data: Float32Array;
}

export interface GgufFileInput {
  metadata: GgufKv[];
  tensors: GgufTensorInput[];
}

/** Accumulates little-endian binary chunks. */
class ByteSink {
  readonly chunks: Buffer[] = [];
  length = 0;

  push(buf: Buffer): void {
    this.chunks.push(buf);
    this.length += buf.length;
  }

  u32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    this.push(b);
  }

  u64(v: number | bigint): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }

  string(s: string): void {
    const bytes = Buffer.from(s, 'utf8');
    this.u64(bytes.length);
    this.push(bytes);
  }

  pad(alignment: number): void {
    const rem = this.length % alignment;
    if (rem !== 0) this.push(Buffer.alloc(alignment - rem));
  }
}

function writeScalar(sink: ByteSink, type: GgufScalarTypeName, v: GgufScalar): void {
  if (type === 'string') {
    if (typeof v !== 'string') throw new TypeError(`expected a string, got ${typeof v}`);
    sink.string(v);
    return;
  }
  if (type === 'bool') {
    sink.push(Buffer.from([v ? 1 : 0]));
    return;
  }
  const size = { uint8: 1, int8: 1, uint16: 2, int16: 2, uint32: 4, int32: 4, float32: 4 } as const;
  if (type === 'uint64' || type === 'int64' || type === 'float64') {
    const b = Buffer.alloc(8);
    if (type === 'float64') b.writeDoubleLE(Number(v));
    else if (type === 'uint64') b.writeBigUInt64LE(BigInt(v as number | bigint));
    else b.writeBigInt64LE(BigInt(v as number | bigint));
    sink.push(b);
    return;
  }
  const b = Buffer.alloc(size[type]);
  const n = Number(v);
  switch (type) {
    case 'uint8':
      b.writeUInt8(n);
      break;
    case 'int8':
      b.writeInt8(n);
      break;
    case 'uint16':
      b.writeUInt16LE(n);
      break;
    case 'int16':
      b.writeInt16LE(n);
      break;
    case 'uint32':
      b.writeUInt32LE(n);
      break;
    case 'int32':
      b.writeInt32LE(n);
      break;
    case 'float32':
      b.writeFloatLE(n);
      break;
  }
  sink.push(b);
}

function writeValue(sink: ByteSink, value: GgufValue): void {
  sink.u32(GgufValueType[value.type]);
  if (value.type !== 'array') {
    writeScalar(sink, value.type, value.value);
    return;
  }
  const values = value.values ?? [];
  sink.u32(GgufValueType[value.itemType]);
  sink.u64(values.length);
  for (const v of values) writeScalar(sink, value.itemType, v);
}

function alignmentOf(metadata: GgufKv[]): number {
  const kv = metadata.find((m) => m.key === 'general.alignment');
  if (!kv) return GGUF_DEFAULT_ALIGNMENT;
  if (kv.value.type === 'array') throw new TypeError('general.alignment must be a scalar');
  const a = Number(kv.value.value);
  if (!Number.isInteger(a) || a <= 0 || (a & (a - 1)) !== 0) throw new TypeError(`bad alignment ${a}`);
  return a;
}

/** Encodes a whole GGUF v3 file in memory. */
export function encodeGguf({ metadata, tensors }: GgufFileInput): Buffer {
  const alignment = alignmentOf(metadata);
  const sink = new ByteSink();
  sink.u32(GGUF_MAGIC);
  sink.u32(GGUF_VERSION);
  sink.u64(tensors.length);
  sink.u64(metadata.length);
  for (const { key, value } of metadata) {
    sink.string(key);
    writeValue(sink, value);
  }
  let offset = 0;
  for (const t of tensors) {
    const elements = t.dims.reduce((a, b) => a * b, 1);
    if (elements !== t.data.length) {
      throw new RangeError(`tensor ${t.name}: dims ${t.dims.join('x')} do not match ${t.data.length} values`);
    }
    sink.string(t.name);
    sink.u32(t.dims.length);
    for (const d of t.dims) sink.u64(d);
    sink.u32(GgmlType.F32);
    sink.u64(offset);
    offset += Math.ceil(t.data.byteLength / alignment) * alignment;
  }
  sink.pad(alignment);
  for (const t of tensors) {
    sink.push(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    sink.pad(alignment);
  }
  return Buffer.concat(sink.chunks, sink.length);
}

/** Writes a GGUF file atomically (temporary file, then rename), so readers never see half a model. */
export async function writeGgufFile(path: string, input: GgufFileInput): Promise<void> {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, encodeGguf(input));
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
