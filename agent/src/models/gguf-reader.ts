/**
 * Reads the header of a GGUF file (metadata and tensor infos) without loading tensor data: the file start is
 * read in chunks on demand, and every count and length is bounded, so a corrupt or hostile file yields a
 * `GgufFormatError` instead of a huge allocation or a hang.
 */
import { open, type FileHandle } from 'node:fs/promises';
import {
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  ggufTypeName,
  type GgufScalar,
  type GgufScalarTypeName,
  type GgufTensorInfo,
  type GgufTypeName,
  type GgufValue,
} from './gguf-types.js';

export class GgufFormatError extends Error {
  override readonly name = 'GgufFormatError';
}

export interface GgufReadLimits {
  /** Arrays longer than this are skipped over (`values: null`); their length is still reported. Default 1024. */
  maxArrayValues?: number;
  maxTensors?: number;
  maxMetadataEntries?: number;
  maxArrayLength?: number;
  maxStringBytes?: number;
  /** Header bytes (metadata + tensor infos) read at most. */
  maxHeaderBytes?: number;
}

const DEFAULT_LIMITS: Required<GgufReadLimits> = {
  maxArrayValues: 1024,
  maxTensors: 65_536,
  maxMetadataEntries: 65_536,
  maxArrayLength: 16_777_216,
  maxStringBytes: 16_777_216,
  maxHeaderBytes: 268_435_456,
};

export interface GgufHeader {
  version: number;
  metadata: Map<string, GgufValue>;
  tensors: GgufTensorInfo[];
  alignment: number;
  /** Absolute file offset of the (aligned) tensor data section. */
  dataOffset: bigint;
  fileSize: number;
}

const CHUNK = 1 << 20;
const FIXED_SIZE: Partial<Record<GgufScalarTypeName, number>> = {
  uint8: 1,
  int8: 1,
  bool: 1,
  uint16: 2,
  int16: 2,
  uint32: 4,
  int32: 4,
  float32: 4,
  uint64: 8,
  int64: 8,
  float64: 8,
};

/** A forward-only reader over a file handle with a refillable buffer; sync reads after `need()`. */
class Cursor {
  private buf = Buffer.alloc(0);
  private bufStart = 0; // file position of buf[0]
  private at = 0; // index into buf

  constructor(
    private readonly fh: FileHandle,
    readonly fileSize: number,
    private readonly maxBytes: number,
  ) {}

  get pos(): number {
    return this.bufStart + this.at;
  }

  has(n: number): boolean {
    return this.buf.length - this.at >= n;
  }

  /** Makes at least `n` bytes available at the cursor. */
  async need(n: number): Promise<void> {
    if (this.has(n)) return;
    const pos = this.pos;
    if (pos + n > this.fileSize) {
      throw new GgufFormatError(
        `unexpected end of file at byte ${pos} (needs ${n} more, file has ${this.fileSize}): truncated?`,
      );
    }
    if (pos + n > this.maxBytes) throw new GgufFormatError(`header larger than ${this.maxBytes} bytes`);
    const want = Math.min(Math.max(n, CHUNK), this.fileSize - pos);
    const next = Buffer.alloc(want);
    const rest = this.buf.subarray(this.at);
    rest.copy(next);
    let filled = rest.length;
    while (filled < want) {
      const { bytesRead } = await this.fh.read(next, filled, want - filled, pos + filled);
      if (bytesRead === 0) throw new GgufFormatError(`file shrank while reading at byte ${pos + filled}`);
      filled += bytesRead;
    }
    this.buf = next;
    this.bufStart = pos;
    this.at = 0;
  }

  take(n: number): Buffer {
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  async skip(n: number): Promise<void> {
    while (n > 0) {
      const step = Math.min(n, CHUNK);
      await this.need(step);
      this.at += step;
      n -= step;
    }
  }

  async u32(): Promise<number> {
    if (!this.has(4)) await this.need(4);
    return this.take(4).readUInt32LE(0);
  }

  async u64(): Promise<bigint> {
    if (!this.has(8)) await this.need(8);
    return this.take(8).readBigUInt64LE(0);
  }
}

class HeaderParser {
  constructor(
    private readonly c: Cursor,
    private readonly limits: Required<GgufReadLimits>,
  ) {}

  async count(what: string, max: number): Promise<number> {
    const n = await this.c.u64();
    if (n > BigInt(max)) throw new GgufFormatError(`${what} ${n} exceeds the limit ${max}`);
    return Number(n);
  }

  async string(what: string): Promise<string> {
    const len = await this.count(`${what} length`, this.limits.maxStringBytes);
    if (!this.c.has(len)) await this.c.need(len);
    return this.c.take(len).toString('utf8');
  }

  async scalar(type: GgufScalarTypeName, what: string): Promise<GgufScalar> {
    if (type === 'string') return this.string(what);
    const size = FIXED_SIZE[type] as number;
    if (!this.c.has(size)) await this.c.need(size);
    const b = this.c.take(size);
    switch (type) {
      case 'uint8':
        return b.readUInt8(0);
      case 'int8':
        return b.readInt8(0);
      case 'bool':
        return b.readUInt8(0) !== 0;
      case 'uint16':
        return b.readUInt16LE(0);
      case 'int16':
        return b.readInt16LE(0);
      case 'uint32':
        return b.readUInt32LE(0);
      case 'int32':
        return b.readInt32LE(0);
      case 'float32':
        return b.readFloatLE(0);
      case 'uint64':
        return b.readBigUInt64LE(0);
      case 'int64':
        return b.readBigInt64LE(0);
      case 'float64':
        return b.readDoubleLE(0);
    }
  }

  async valueType(what: string): Promise<GgufTypeName> {
    const id = await this.c.u32();
    const name = ggufTypeName(id);
    if (!name) throw new GgufFormatError(`${what}: unknown value type ${id}`);
    return name;
  }

  async value(key: string): Promise<GgufValue> {
    const type = await this.valueType(key);
    if (type !== 'array') return { type, value: await this.scalar(type, key) };
    const itemType = await this.valueType(`${key}[]`);
    if (itemType === 'array') throw new GgufFormatError(`${key}: nested arrays are not supported`);
    const length = await this.count(`${key}: array length`, this.limits.maxArrayLength);
    const keep = length <= this.limits.maxArrayValues;
    const size = FIXED_SIZE[itemType];
    if (!keep && size !== undefined) {
      await this.c.skip(length * size);
      return { type, itemType, length, values: null };
    }
    const values: GgufScalar[] = [];
    for (let i = 0; i < length; i++) {
      const v = await this.scalar(itemType, key);
      if (keep) values.push(v);
    }
    return { type, itemType, length, values: keep ? values : null };
  }

  async tensorInfo(): Promise<GgufTensorInfo> {
    const name = await this.string('tensor name');
    const nDims = await this.c.u32();
    if (nDims < 1 || nDims > 4)
      throw new GgufFormatError(`tensor ${name}: ${nDims} dimensions (1-4 allowed)`);
    const dims: number[] = [];
    for (let i = 0; i < nDims; i++) {
      const d = await this.c.u64();
      if (d > 1n << 40n) throw new GgufFormatError(`tensor ${name}: dimension ${d} is absurd`);
      dims.push(Number(d));
    }
    const type = await this.c.u32();
    const offset = await this.c.u64();
    return { name, dims, type, offset };
  }
}

/** Reads and checks a GGUF header; throws `GgufFormatError` for anything that is not a well-formed GGUF v2/v3. */
export async function readGgufHeader(path: string, limits: GgufReadLimits = {}): Promise<GgufHeader> {
  const lim = { ...DEFAULT_LIMITS, ...limits };
  const fh = await open(path, 'r');
  try {
    const fileSize = (await fh.stat()).size;
    const c = new Cursor(fh, fileSize, lim.maxHeaderBytes);
    const p = new HeaderParser(c, lim);
    if (fileSize < 24) throw new GgufFormatError(`file is ${fileSize} bytes: too small for a GGUF header`);
    const magic = await c.u32();
    if (magic !== GGUF_MAGIC) throw new GgufFormatError('not a GGUF file (bad magic)');
    const version = await c.u32();
    if (version !== 2 && version !== 3) throw new GgufFormatError(`unsupported GGUF version ${version}`);
    const tensorCount = await p.count('tensor count', lim.maxTensors);
    const kvCount = await p.count('metadata entry count', lim.maxMetadataEntries);
    const metadata = new Map<string, GgufValue>();
    for (let i = 0; i < kvCount; i++) {
      const key = await p.string('metadata key');
      if (metadata.has(key)) throw new GgufFormatError(`duplicate metadata key ${key}`);
      metadata.set(key, await p.value(key));
    }
    const alignmentKv = metadata.get('general.alignment');
    const alignment =
      alignmentKv && alignmentKv.type !== 'array' ? Number(alignmentKv.value) : GGUF_DEFAULT_ALIGNMENT;
    if (!Number.isInteger(alignment) || alignment <= 0 || (alignment & (alignment - 1)) !== 0) {
      throw new GgufFormatError(`general.alignment ${alignment} is not a power of two`);
    }
    const tensors: GgufTensorInfo[] = [];
    for (let i = 0; i < tensorCount; i++) tensors.push(await p.tensorInfo());
    const a = BigInt(alignment);
    const dataOffset = ((BigInt(c.pos) + a - 1n) / a) * a;
    return { version, metadata, tensors, alignment, dataOffset, fileSize };
  } finally {
    await fh.close();
  }
}
