/** Malformed variants of the tiny model, for the paths where llama.cpp would fail or abort the process. */
import { writeFile } from 'node:fs/promises';
import { buildTinyModel, encodeGguf } from '../../../src/models/index.js';

/** The tiny model without some metadata keys and/or tensors. */
export function tinyModelWithout({
  keys = [],
  tensors = [],
}: {
  keys?: string[];
  tensors?: string[];
}): Buffer {
  const m = buildTinyModel();
  return encodeGguf({
    metadata: m.metadata.filter((kv) => !keys.includes(kv.key)),
    tensors: m.tensors.filter((t) => !tensors.includes(t.name)),
  });
}

/** Writes `bytes` cut to `fraction` of its length. */
export async function writeTruncated(path: string, bytes: Buffer, fraction: number): Promise<void> {
  await writeFile(path, bytes.subarray(0, Math.floor(bytes.length * fraction)));
}
