/**
 * The echo runtime: a deterministic TEST AND BENCHMARK runtime with no model behind it. A completion returns the
 * prompt, a chat returns the last user message, streamed word by word (one word = one token); embeddings are
 * unit vectors derived from a hash of the input. It honours maxTokens, stop sequences, abort and jsonSchema
 * validation exactly like a real runtime, so pipelines can be tested end to end without inference.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { RuntimeError } from './errors.js';
import { checkEmbedInput, checkMessages, checkOptions } from './requests.js';
import { validateStructuredOutput } from './structured.js';
import type {
  ChatRequest,
  CompletionRequest,
  EmbedRequest,
  EmbedResult,
  GenerateOptions,
  GenerateResult,
  ModelInfo,
  Runtime,
  StopReason,
  TokenSink,
} from './types.js';

export interface EchoRuntimeOptions {
  /** Model names served (default ['echo']); any of them behaves identically. */
  models?: string[];
  /** Delay before each streamed word, to simulate generation speed (default 0). */
  tokenDelayMs?: number;
  /** Embedding dimensions (default 8). */
  dimensions?: number;
}

/** Splits text into word tokens, each word carrying its leading whitespace (joining them gives the text back). */
export const echoTokens = (text: string): string[] => text.match(/\s*\S+|\s+$/g) ?? [];

export class EchoRuntime implements Runtime {
  readonly name = 'echo';
  readonly continuesChat = true;
  private readonly models: string[];
  private readonly delayMs: number;
  private readonly dimensions: number;
  private closed = false;

  constructor(options: EchoRuntimeOptions = {}) {
    this.models = options.models ?? ['echo'];
    this.delayMs = options.tokenDelayMs ?? 0;
    this.dimensions = options.dimensions ?? 8;
  }

  async listModels(): Promise<ModelInfo[]> {
    return this.models.map((name) => ({ name, runtime: this.name, loaded: true }));
  }

  async complete(r: CompletionRequest): Promise<GenerateResult> {
    this.check(r.model);
    checkOptions(r.options);
    return this.generate(r.prompt, echoTokens(r.prompt).length, r.options, r.signal, r.onToken);
  }

  async chat(r: ChatRequest): Promise<GenerateResult> {
    this.check(r.model);
    checkMessages(r.messages);
    checkOptions(r.options);
    const promptTokens = r.messages.reduce((n, m) => n + echoTokens(m.content).length, 0);
    let last = r.messages[r.messages.length - 1]?.content ?? '';
    // A continued answer: the echo of the last message, less what the answer already holds.
    if (r.assistantPrefix)
      last = last.startsWith(r.assistantPrefix) ? last.slice(r.assistantPrefix.length) : '';
    return this.generate(last, promptTokens, r.options, r.signal, r.onToken);
  }

  async embed(r: EmbedRequest): Promise<EmbedResult> {
    this.check(r.model);
    checkEmbedInput(r.input);
    if (r.signal?.aborted) throw new RuntimeError('aborted', 'embedding aborted');
    return {
      embeddings: r.input.map((text) => this.vector(text)),
      dimensions: this.dimensions,
      promptTokens: r.input.reduce((n, t) => n + echoTokens(t).length, 0),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private check(model: string): void {
    if (this.closed) throw new RuntimeError('closed', 'the echo runtime is closed');
    if (!this.models.includes(model)) {
      throw new RuntimeError('model-not-found', `echo runtime has no model ${JSON.stringify(model)}`);
    }
  }

  private async generate(
    text: string,
    promptTokens: number,
    options: GenerateOptions = {},
    signal?: AbortSignal,
    onToken?: TokenSink,
  ): Promise<GenerateResult> {
    const started = performance.now();
    let stopReason: StopReason = 'eogToken';
    const stopAt = Math.min(...(options.stop ?? []).map((s) => text.indexOf(s)).filter((i) => i >= 0));
    if (Number.isFinite(stopAt)) {
      text = text.slice(0, stopAt);
      stopReason = 'stopSequence';
    }
    let tokens = echoTokens(text);
    if (options.maxTokens !== undefined && tokens.length > options.maxTokens) {
      tokens = tokens.slice(0, options.maxTokens);
      stopReason = 'maxTokens';
    }
    let out = '';
    let emitted = 0;
    for (const token of tokens) {
      if (this.delayMs > 0) await sleep(this.delayMs, undefined, { signal }).catch(() => undefined);
      else if (emitted % 64 === 63) await new Promise((r) => setImmediate(r));
      if (signal?.aborted) break;
      out += token;
      emitted++;
      onToken?.(token);
    }
    if (signal?.aborted && (emitted < tokens.length || tokens.length === 0)) stopReason = 'aborted';
    const result: GenerateResult = {
      text: out,
      stopReason,
      promptTokens,
      completionTokens: emitted,
      durationMs: performance.now() - started,
    };
    if (options.jsonSchema) result.structured = validateStructuredOutput(out, options.jsonSchema);
    return result;
  }

  /** A deterministic unit vector from the SHA-256 of the text. */
  private vector(text: string): number[] {
    const v: number[] = [];
    for (let block = 0; v.length < this.dimensions; block++) {
      const h = createHash('sha256').update(`${block}:${text}`).digest();
      for (let i = 0; i + 4 <= h.length && v.length < this.dimensions; i += 4) {
        v.push(h.readInt32LE(i) / 2 ** 31);
      }
    }
    const norm = Math.hypot(...v) || 1;
    return v.map((x) => x / norm);
  }
}
