/**
 * Generates `orchion-tiny.gguf`: a tiny LLaMA-architecture model with RANDOM weights, so the agent and its tests
 * can run real llama.cpp inference on machines that cannot download a model.
 *
 * It produces gibberish. It is a plumbing and benchmark model (≈0.8 MB, ~2,000 tokens/s on one CPU thread), not a
 * language model: n_embd 64, 2 layers, 4 heads, ffn 256, context 256, a gpt2 byte-level BPE vocabulary of
 * 256 byte tokens + 3 ChatML/control tokens + a few hundred word tokens, with no merges (prompts tokenize to
 * bytes; generation may emit word tokens). The weights come from a seeded PRNG, so the file is byte-for-byte
 * deterministic for a given seed.
 */
import type { GgufKv, GgufValue } from './gguf-types.js';
import { writeGgufFile, type GgufFileInput, type GgufTensorInput } from './gguf-writer.js';

export const TINY_MODEL_NAME = 'orchion-tiny';
export const TINY_MODEL_FILE = `${TINY_MODEL_NAME}.gguf`;

export const TINY_MODEL_SPEC = {
  contextLength: 256,
  embeddingLength: 64,
  blockCount: 2,
  headCount: 4,
  feedForwardLength: 256,
} as const;

const CHATML_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}" +
  "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

const WORDS = (
  'the of and to in is you that it he was for on are as with his they at be this have from or one had by word ' +
  'but not what all were we when your can said there use an each which she do how their if will up other about ' +
  'out many then them these so some her would make like him into time has look two more write go see number no ' +
  'way could people my than first water been call who oil its now find long down day did get come made may part ' +
  'over new sound take only little work know place year live me back give most very after thing our just name ' +
  'good sentence man think say great where help through much before line right too mean old any same tell boy ' +
  'follow came want show also around form three small set put end does another well large must big even such'
).split(' ');

/** GPT-2's byte → printable-unicode mapping used by byte-level BPE vocabularies. */
function byteLevelChars(): string[] {
  const printable = (b: number) =>
    (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const out: string[] = [];
  let extra = 0;
  for (let b = 0; b < 256; b++) out.push(String.fromCodePoint(printable(b) ? b : 256 + extra++));
  return out;
}

const TOKEN_NORMAL = 1;
const TOKEN_CONTROL = 3;

function vocabulary(): { tokens: string[]; types: number[]; bos: number; eos: number } {
  const bytes = byteLevelChars();
  const specials = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'];
  const words = WORDS.map((w) => `${bytes[0x20]}${w}`); // "Ġword": the word after a space
  const tokens = [...bytes, ...specials, ...words];
  const types = tokens.map((_, i) => (i >= 256 && i < 256 + specials.length ? TOKEN_CONTROL : TOKEN_NORMAL));
  return { tokens, types, bos: 256, eos: 258 };
}

/** mulberry32: a small, fast, seeded PRNG (uniform in [0, 1)). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const kv = (key: string, value: GgufValue): GgufKv => ({ key, value });

export interface TinyModelOptions {
  /** PRNG seed for the weights; the default gives the canonical orchion-tiny.gguf. */
  seed?: number;
}

/** The tiny model as metadata + tensors (compose or alter it before encoding, e.g. to build broken models). */
export function buildTinyModel({ seed = 0x0c710 }: TinyModelOptions = {}): GgufFileInput {
  const s = TINY_MODEL_SPEC;
  const vocab = vocabulary();
  const rand = prng(seed);
  /** Roughly normal values (sum of 4 uniforms), scaled to standard deviation `std`. */
  const randn = (n: number, std: number) => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = (rand() + rand() + rand() + rand() - 2) * Math.sqrt(3) * std;
    return a;
  };
  const ones = (n: number) => new Float32Array(n).fill(1);
  const e = s.embeddingLength;
  const f = s.feedForwardLength;
  const tensors: GgufTensorInput[] = [
    { name: 'token_embd.weight', dims: [e, vocab.tokens.length], data: randn(e * vocab.tokens.length, 1) },
    { name: 'output_norm.weight', dims: [e], data: ones(e) },
  ];
  for (let i = 0; i < s.blockCount; i++) {
    const p = `blk.${i}.`;
    const w = (name: string, inner: number, outer: number) => ({
      name: `${p}${name}.weight`,
      dims: [inner, outer],
      data: randn(inner * outer, 1 / Math.sqrt(inner)),
    });
    tensors.push(
      { name: `${p}attn_norm.weight`, dims: [e], data: ones(e) },
      w('attn_q', e, e),
      w('attn_k', e, e),
      w('attn_v', e, e),
      w('attn_output', e, e),
      { name: `${p}ffn_norm.weight`, dims: [e], data: ones(e) },
      w('ffn_gate', e, f),
      w('ffn_up', e, f),
      w('ffn_down', f, e),
    );
  }
  const u32 = (value: number): GgufValue => ({ type: 'uint32', value });
  const metadata: GgufKv[] = [
    kv('general.architecture', { type: 'string', value: 'llama' }),
    kv('general.name', { type: 'string', value: `${TINY_MODEL_NAME} (random weights, produces gibberish)` }),
    kv('general.file_type', u32(0)),
    kv('general.alignment', u32(32)),
    kv('llama.context_length', u32(s.contextLength)),
    kv('llama.embedding_length', u32(e)),
    kv('llama.block_count', u32(s.blockCount)),
    kv('llama.feed_forward_length', u32(f)),
    kv('llama.attention.head_count', u32(s.headCount)),
    kv('llama.attention.head_count_kv', u32(s.headCount)),
    kv('llama.attention.layer_norm_rms_epsilon', { type: 'float32', value: 1e-5 }),
    kv('llama.rope.dimension_count', u32(e / s.headCount)),
    kv('llama.rope.freq_base', { type: 'float32', value: 10000 }),
    kv('tokenizer.ggml.model', { type: 'string', value: 'gpt2' }),
    kv('tokenizer.ggml.pre', { type: 'string', value: 'default' }),
    kv('tokenizer.ggml.tokens', arr('string', vocab.tokens)),
    kv('tokenizer.ggml.token_type', arr('int32', vocab.types)),
    kv('tokenizer.ggml.merges', arr('string', [])),
    kv('tokenizer.ggml.bos_token_id', u32(vocab.bos)),
    kv('tokenizer.ggml.eos_token_id', u32(vocab.eos)),
    kv('tokenizer.ggml.add_bos_token', { type: 'bool', value: false }),
    kv('tokenizer.chat_template', { type: 'string', value: CHATML_TEMPLATE }),
  ];
  return { metadata, tensors };
}

function arr(itemType: 'string' | 'int32', values: (string | number)[]): GgufValue {
  return { type: 'array', itemType, length: values.length, values };
}

/** Writes the tiny model to `path` (atomically). */
export async function writeTinyModel(path: string, options?: TinyModelOptions): Promise<void> {
  await writeGgufFile(path, buildTinyModel(options));
}
