/**
 * Turns a GGUF header into what the agent reports about a model, and finds the problems that would make
 * llama.cpp fail to load it — some of which (a missing `llama.feed_forward_length` or
 * `llama.attention.head_count`) hit a GGML_ASSERT that aborts the whole process instead of throwing.
 */
import { ggmlTensorBytes, type GgufValue } from './gguf-types.js';
import { readGgufHeader, type GgufHeader, type GgufReadLimits } from './gguf-reader.js';

export interface GgufModelSummary {
  architecture?: string;
  name?: string;
  contextLength?: number;
  embeddingLength?: number;
  blockCount?: number;
  headCount?: number;
  feedForwardLength?: number;
  tokenizerModel?: string;
  vocabSize?: number;
  hasChatTemplate: boolean;
}

const scalar = (v: GgufValue | undefined): unknown => (v && v.type !== 'array' ? v.value : undefined);

const num = (v: GgufValue | undefined): number | undefined => {
  const s = scalar(v);
  return typeof s === 'number' || typeof s === 'bigint' ? Number(s) : undefined;
};

const str = (v: GgufValue | undefined): string | undefined => {
  const s = scalar(v);
  return typeof s === 'string' ? s : undefined;
};

export function summarizeGguf(h: GgufHeader): GgufModelSummary {
  const m = h.metadata;
  const arch = str(m.get('general.architecture'));
  const tokens = m.get('tokenizer.ggml.tokens');
  return {
    architecture: arch,
    name: str(m.get('general.name')),
    contextLength: num(m.get(`${arch}.context_length`)),
    embeddingLength: num(m.get(`${arch}.embedding_length`)),
    blockCount: num(m.get(`${arch}.block_count`)),
    headCount: num(m.get(`${arch}.attention.head_count`)),
    feedForwardLength: num(m.get(`${arch}.feed_forward_length`)),
    tokenizerModel: str(m.get('tokenizer.ggml.model')),
    vocabSize: tokens?.type === 'array' ? tokens.length : undefined,
    hasChatTemplate: str(m.get('tokenizer.chat_template')) !== undefined,
  };
}

/** Tensors every llama-architecture model needs (`output.weight` is optional: tied to the embedding). */
export function requiredLlamaTensors(blockCount: number): string[] {
  const perBlock = ['attn_norm', 'attn_q', 'attn_k', 'attn_v', 'attn_output'].concat([
    'ffn_norm',
    'ffn_gate',
    'ffn_up',
    'ffn_down',
  ]);
  const names = ['token_embd.weight', 'output_norm.weight'];
  for (let i = 0; i < blockCount; i++) for (const t of perBlock) names.push(`blk.${i}.${t}.weight`);
  return names;
}

function llamaProblems(h: GgufHeader, s: GgufModelSummary): string[] {
  const problems: string[] = [];
  for (const key of ['llama.feed_forward_length', 'llama.attention.head_count']) {
    if (num(h.metadata.get(key)) === undefined) problems.push(`missing metadata ${key}`);
  }
  if (num(h.metadata.get('llama.attention.layer_norm_rms_epsilon')) === undefined) {
    problems.push('missing metadata llama.attention.layer_norm_rms_epsilon');
  }
  if (s.headCount && s.embeddingLength && s.embeddingLength % s.headCount !== 0) {
    problems.push(`embedding length ${s.embeddingLength} is not divisible by head count ${s.headCount}`);
  }
  const present = new Set(h.tensors.map((t) => t.name));
  const missing = requiredLlamaTensors(s.blockCount ?? 0).filter((n) => !present.has(n));
  if (missing.length > 0) {
    const more = missing.length > 5 ? ` and ${missing.length - 5} more` : '';
    problems.push(`missing tensors ${missing.slice(0, 5).join(', ')}${more}`);
  }
  const embd = h.tensors.find((t) => t.name === 'token_embd.weight');
  if (embd && s.embeddingLength !== undefined && embd.dims[0] !== s.embeddingLength) {
    problems.push(`token_embd.weight has row length ${embd.dims[0]}, expected ${s.embeddingLength}`);
  }
  if (embd && s.vocabSize !== undefined && embd.dims[1] !== s.vocabSize) {
    problems.push(`token_embd.weight has ${embd.dims[1]} rows, the vocabulary has ${s.vocabSize} tokens`);
  }
  return problems;
}

function dataProblems(h: GgufHeader): string[] {
  for (const t of h.tensors) {
    const elements = t.dims.reduce((a, d) => a * BigInt(d), 1n);
    const bytes = ggmlTensorBytes(t.type, elements);
    if (t.offset % BigInt(h.alignment) !== 0n)
      return [`tensor ${t.name} data is not aligned to ${h.alignment}`];
    if (bytes === undefined) continue;
    const end = h.dataOffset + t.offset + bytes;
    if (end > BigInt(h.fileSize)) {
      return [
        `tensor ${t.name} data ends at byte ${end}, past the end of the file (${h.fileSize}): truncated?`,
      ];
    }
  }
  return [];
}

/**
 * Problems that would stop llama.cpp from loading the model (empty when none are known). Generic checks apply
 * to every architecture; the full key and tensor set is only checked for `llama`, the architecture the agent
 * generates and the one whose failures were measured.
 */
export function findGgufProblems(h: GgufHeader): string[] {
  const s = summarizeGguf(h);
  const problems: string[] = [];
  if (!s.architecture) return ['missing metadata general.architecture'];
  const arch = s.architecture;
  for (const [key, value] of [
    ['context_length', s.contextLength],
    ['embedding_length', s.embeddingLength],
    ['block_count', s.blockCount],
  ] as const) {
    if (value === undefined) problems.push(`missing metadata ${arch}.${key}`);
    else if (!Number.isInteger(value) || value <= 0 || value > 1 << 30) {
      problems.push(`${arch}.${key} is ${value}`);
    }
  }
  if (!s.tokenizerModel) problems.push('missing metadata tokenizer.ggml.model');
  if (!s.vocabSize) problems.push('missing or empty tokenizer.ggml.tokens');
  if (s.tokenizerModel === 'gpt2' && h.metadata.get('tokenizer.ggml.merges')?.type !== 'array') {
    problems.push('missing tokenizer.ggml.merges (required by a gpt2 vocabulary)');
  }
  if (arch === 'llama') problems.push(...llamaProblems(h, s));
  problems.push(...dataProblems(h));
  return problems;
}

export interface GgufInspection {
  header: GgufHeader;
  summary: GgufModelSummary;
  problems: string[];
}

/** Reads a file's header and checks it; throws `GgufFormatError` when the header itself is unreadable. */
export async function inspectGgufFile(path: string, limits?: GgufReadLimits): Promise<GgufInspection> {
  const header = await readGgufHeader(path, limits);
  return { header, summary: summarizeGguf(header), problems: findGgufProblems(header) };
}
