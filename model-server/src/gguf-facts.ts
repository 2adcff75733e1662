/** What /api/show reports about a GGUF file: its metadata, parameter count, quantization and chat template. */
import { readGgufHeader, type GgufValue } from './agent.js';

export interface GgufFacts {
  parameters: number;
  fileType?: string;
  template: string;
  /** Scalar metadata, plus arrays of up to 64 values; longer arrays (vocabularies) are null, as Ollama does. */
  modelInfo: Record<string, unknown>;
}

/** llama.cpp's `general.file_type` (llama_ftype) values, named as Ollama shows them. */
const FILE_TYPES: Record<number, string> = {
  0: 'F32',
  1: 'F16',
  2: 'Q4_0',
  3: 'Q4_1',
  7: 'Q8_0',
  8: 'Q5_0',
  9: 'Q5_1',
  10: 'Q2_K',
  11: 'Q3_K_S',
  12: 'Q3_K_M',
  13: 'Q3_K_L',
  14: 'Q4_K_S',
  15: 'Q4_K_M',
  16: 'Q5_K_S',
  17: 'Q5_K_M',
  18: 'Q6_K',
  32: 'BF16',
};

const MAX_ARRAY = 64;

const plain = (v: unknown): unknown => (typeof v === 'bigint' ? Number(v) : v);

function infoValue(v: GgufValue): unknown {
  if (v.type !== 'array') return plain(v.value);
  return v.values && v.length <= MAX_ARRAY ? v.values.map(plain) : null;
}

const cache = new Map<string, { key: string; facts: GgufFacts }>();

/** Reads (and caches per file version) the facts of a GGUF file; undefined when it cannot be read. */
export async function ggufFacts(path: string, version: string): Promise<GgufFacts | undefined> {
  const hit = cache.get(path);
  if (hit?.key === version) return hit.facts;
  let header;
  try {
    header = await readGgufHeader(path, { maxArrayValues: MAX_ARRAY });
  } catch {
    return undefined;
  }
  let parameters = 0;
  for (const t of header.tensors) parameters += t.dims.reduce((a, b) => a * b, 1);
  const modelInfo: Record<string, unknown> = {};
  for (const [key, value] of header.metadata) modelInfo[key] = infoValue(value);
  modelInfo['general.parameter_count'] = parameters;
  const fileType = header.metadata.get('general.file_type');
  const template = header.metadata.get('tokenizer.chat_template');
  const facts: GgufFacts = {
    parameters,
    fileType: fileType?.type === 'array' ? undefined : FILE_TYPES[Number(fileType?.value)],
    template: template?.type === 'string' ? String(template.value) : '',
    modelInfo,
  };
  if (cache.size > 64) cache.clear();
  cache.set(path, { key: version, facts });
  return facts;
}
