/**
 * Shared vocabulary of the GGUF v3 container format (as written by llama.cpp's gguf library):
 * metadata value types, tensor element types and the sizes needed to check that tensor data fits a file.
 */

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32
export const GGUF_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** Metadata value type ids (gguf_type). */
export const GgufValueType = {
  uint8: 0,
  int8: 1,
  uint16: 2,
  int16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
  uint64: 10,
  int64: 11,
  float64: 12,
} as const;

export type GgufScalarTypeName = Exclude<keyof typeof GgufValueType, 'array'>;
export type GgufTypeName = keyof typeof GgufValueType;

export const ggufTypeName = (id: number): GgufTypeName | undefined =>
  (Object.keys(GgufValueType) as GgufTypeName[]).find((k) => GgufValueType[k] === id);

/** 64-bit integers are bigints; every other number type is a JS number. */
export type GgufScalar = number | bigint | boolean | string;

/** A typed metadata value, as the writer takes it and the reader returns it. */
export type GgufValue =
  | { type: GgufScalarTypeName; value: GgufScalar }
  /** `values` is null when the reader skipped a long array (see `maxArrayValues`); `length` is always set. */
  | { type: 'array'; itemType: GgufScalarTypeName; length: number; values: GgufScalar[] | null };

export interface GgufKv {
  key: string;
  value: GgufValue;
}

/** ggml tensor element types that the writer produces. */
export const GgmlType = { F32: 0, F16: 1 } as const;

/**
 * [block size in elements, bytes per block] of the ggml types whose layout is certain. Types missing here are
 * still accepted; only the "data lies within the file" check is skipped for them.
 */
const GGML_TYPE_LAYOUT: Record<number, readonly [number, number]> = {
  0: [1, 4], // F32
  1: [1, 2], // F16
  2: [32, 18], // Q4_0
  3: [32, 20], // Q4_1
  6: [32, 22], // Q5_0
  7: [32, 24], // Q5_1
  8: [32, 34], // Q8_0
  10: [256, 84], // Q2_K
  11: [256, 110], // Q3_K
  12: [256, 144], // Q4_K
  13: [256, 176], // Q5_K
  14: [256, 210], // Q6_K
  24: [1, 1], // I8
  25: [1, 2], // I16
  26: [1, 4], // I32
  27: [1, 8], // I64
  28: [1, 8], // F64
  30: [1, 2], // BF16
};

/** Bytes a tensor of `elements` elements of ggml type `type` occupies, or undefined for an unknown type. */
export function ggmlTensorBytes(type: number, elements: bigint): bigint | undefined {
  const layout = GGML_TYPE_LAYOUT[type];
  if (!layout) return undefined;
  const [block, bytes] = layout;
  return (elements / BigInt(block)) * BigInt(bytes);
}

export interface GgufTensorInfo {
  name: string;
  /** Dimensions innermost-first (ne[0] is the row length), as GGUF stores them. */
  dims: number[];
  type: number;
  /** Offset of the tensor's data from the start of the data section. */
  offset: bigint;
}
