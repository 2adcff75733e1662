/** Ollama request fields → runtime options, and runtime results → Ollama's final-message statistics. */
import {
  isRuntimeError,
  RuntimeError,
  type GenerateOptions,
  type GenerateResult,
  type StopReason,
} from '../agent.js';
import { badRequest } from '../errors.js';
import { parseKeepAlive, type KeepAliveMs } from '../keep-alive.js';

interface OllamaOptions {
  temperature?: unknown;
  num_predict?: unknown;
  top_p?: unknown;
  seed?: unknown;
  stop?: unknown;
}

const number = (v: unknown, field: string): number | undefined => {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw badRequest(`options.${field} must be a number`);
  return v;
};

/** `format`: "json" (any JSON object) or a JSON schema; output is grammar-constrained either way. */
export function formatSchema(format: unknown): object | undefined {
  if (format === undefined || format === null || format === '') return undefined;
  if (format === 'json') return { type: 'object' };
  if (typeof format === 'object' && !Array.isArray(format)) return format;
  throw badRequest(`invalid format ${JSON.stringify(format)}: use "json" or a JSON schema`);
}

/** The runtime options for Ollama's `options` (the sampling ones; others such as num_ctx are ignored). */
export function generateOptions(options: unknown, format: unknown): GenerateOptions {
  if (options !== undefined && options !== null && (typeof options !== 'object' || Array.isArray(options))) {
    throw badRequest('options must be an object');
  }
  const o = (options ?? {}) as OllamaOptions;
  const out: GenerateOptions = {};
  const temperature = number(o.temperature, 'temperature');
  if (temperature !== undefined) out.temperature = temperature;
  // -1 (infinite) and -2 (fill the context) leave the runtime's limit (one context's worth).
  const numPredict = number(o.num_predict, 'num_predict');
  if (numPredict !== undefined && numPredict >= 0) out.maxTokens = numPredict;
  const topP = number(o.top_p, 'top_p');
  if (topP !== undefined) out.topP = topP;
  const seed = number(o.seed, 'seed');
  if (seed !== undefined) out.seed = seed;
  if (o.stop !== undefined && o.stop !== null) {
    out.stop = typeof o.stop === 'string' ? [o.stop] : (o.stop as string[]);
  }
  const schema = formatSchema(format);
  if (schema) out.jsonSchema = schema;
  return out;
}

export function keepAlive(value: unknown): KeepAliveMs | undefined {
  try {
    return parseKeepAlive(value);
  } catch (err) {
    throw badRequest((err as Error).message);
  }
}

/** Ollama's wording for an unknown model. */
export const ollamaNotFound = (err: unknown, model: string): unknown =>
  isRuntimeError(err, 'model-not-found')
    ? new RuntimeError('model-not-found', `model "${model}" not found, try pulling it first`)
    : err;

/** Ollama's done_reason: "length" when the token limit cut the output, else "stop". */
export const doneReason = (r: StopReason): string => (r === 'maxTokens' ? 'length' : 'stop');

const NS_PER_MS = 1e6;
const ns = (ms: number) => Math.max(0, Math.round(ms * NS_PER_MS));

/**
 * Times one generation for Ollama's statistics. The runtime reports prompt evaluation + generation as one
 * duration; the time to the first chunk splits it, and the rest of the request's time counts as loading.
 */
export class Timing {
  private readonly start = performance.now();
  private firstChunk: number | undefined;

  chunk(): void {
    this.firstChunk ??= performance.now();
  }

  /** total_duration only (embeddings: the runtime does not tell loading apart). */
  totals() {
    return { total_duration: ns(performance.now() - this.start), load_duration: 0 };
  }

  stats(r: GenerateResult) {
    const total = performance.now() - this.start;
    const load = Math.max(0, total - r.durationMs);
    const firstAt = this.firstChunk === undefined ? undefined : this.firstChunk - this.start - load;
    const promptEval = Math.min(r.durationMs, Math.max(0, firstAt ?? r.durationMs));
    return {
      total_duration: ns(total),
      load_duration: ns(load),
      prompt_eval_count: r.promptTokens,
      prompt_eval_duration: ns(promptEval),
      eval_count: r.completionTokens,
      eval_duration: ns(r.durationMs - promptEval),
    };
  }
}
