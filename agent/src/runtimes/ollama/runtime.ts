/**
 * A runtime backed by an Ollama server (or anything speaking its API, such as the Orchion model server): models
 * from /api/tags (loaded ones from /api/ps), completions through /api/generate with `raw` (the prompt is not
 * templated), chats through /api/chat, embeddings through /api/embed, structured output through `format` (the
 * JSON schema), and model pulls through /api/pull.
 *
 * Ollama names models with a tag; `name:latest` is listed as `name` (and Ollama takes `name` to mean
 * `name:latest`), other tags are kept. Options are sent explicitly (temperature 0 when unset, the Runtime
 * default) so results do not depend on the server's defaults. Ollama's done_reason "stop" covers both an
 * end-of-generation token and a stop sequence: both are reported as 'eogToken'.
 */
import { RuntimeError } from '../errors.js';
import { HttpRuntime } from '../http/base.js';
import { HttpClient } from '../http/client.js';
import type { GenerationEvent } from '../http/generation.js';
import { readNdjson } from '../http/lines.js';
import { checkEmbedInput, checkMessages, checkOptions } from '../requests.js';
import type {
  ChatRequest,
  CompletionRequest,
  EmbedRequest,
  EmbedResult,
  GenerateOptions,
  GenerateResult,
  ModelInfo,
  Runtime,
} from '../types.js';
import type {
  OllamaEmbedResponse,
  OllamaGenerateChunk,
  OllamaListResponse,
  OllamaPullProgress,
} from './protocol.js';

export interface OllamaRuntimeOptions {
  /** The runtime's name (default 'ollama'). */
  name?: string;
  /** The server, e.g. http://127.0.0.1:11434. */
  baseUrl: string;
  /** Sent as keep_alive with every request (a duration such as "10m", or seconds; -1: forever). */
  keepAlive?: string | number;
  /** Extra headers (e.g. authorization for a proxy in front of Ollama). */
  headers?: Record<string, string>;
}

const NS_PER_MS = 1e6;

export const displayName = (ollamaName: string): string => ollamaName.replace(/:latest$/, '');

function ollamaOptions(o: GenerateOptions = {}) {
  return {
    temperature: o.temperature ?? 0,
    ...(o.maxTokens !== undefined ? { num_predict: o.maxTokens } : {}),
    ...(o.topP !== undefined ? { top_p: o.topP } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(o.stop?.length ? { stop: o.stop } : {}),
  };
}

/** Maps the lines of /api/generate or /api/chat to generation events; an `{error}` line throws. */
async function* events(lines: AsyncIterable<unknown>, runtime: string): AsyncGenerator<GenerationEvent> {
  for await (const line of lines) {
    const c = line as OllamaGenerateChunk;
    if (typeof c.error === 'string') throw new RuntimeError('internal', `${runtime}: ${c.error}`);
    const text = c.response ?? c.message?.content ?? '';
    if (!c.done) {
      yield { text };
      continue;
    }
    const durationNs = (c.prompt_eval_duration ?? 0) + (c.eval_duration ?? 0);
    yield {
      text,
      end: {
        stopReason: c.done_reason === 'length' ? 'maxTokens' : 'eogToken',
        promptTokens: c.prompt_eval_count ?? 0,
        completionTokens: c.eval_count,
        durationMs: durationNs > 0 ? durationNs / NS_PER_MS : undefined,
      },
    };
    return;
  }
}

export class OllamaRuntime extends HttpRuntime implements Runtime {
  constructor(private readonly options: OllamaRuntimeOptions) {
    super(options.name ?? 'ollama', { baseUrl: options.baseUrl, headers: options.headers });
  }

  async listModels(): Promise<ModelInfo[]> {
    this.check();
    const signal = this.closer.signal;
    const tags = await this.guard(() =>
      this.http.json<OllamaListResponse>('GET', '/api/tags', undefined, signal),
    );
    // /api/ps is newer than /api/tags: without it, nothing is reported loaded.
    const ps = await this.http
      .json<OllamaListResponse>('GET', '/api/ps', undefined, signal)
      .catch((): OllamaListResponse => ({}));
    const loaded = new Map((ps.models ?? []).map((m) => [m.name, m]));
    return (tags.models ?? []).map((m) => {
      const running = loaded.get(m.name);
      const info: ModelInfo = {
        name: displayName(m.name),
        runtime: this.name,
        loaded: running !== undefined,
      };
      if (m.size !== undefined) info.sizeBytes = m.size;
      if (m.details?.family) info.architecture = m.details.family;
      if (running?.context_length) info.contextLength = running.context_length;
      return info;
    });
  }

  async complete(r: CompletionRequest): Promise<GenerateResult> {
    checkOptions(r.options);
    const body = {
      model: r.model,
      prompt: r.prompt,
      raw: true,
      stream: true,
      options: ollamaOptions(r.options),
      ...this.common(r.options),
    };
    return this.generate('/api/generate', body, r);
  }

  async chat(r: ChatRequest): Promise<GenerateResult> {
    checkMessages(r.messages);
    checkOptions(r.options);
    const body = {
      model: r.model,
      messages: r.messages.map((m) => ({ role: m.role, content: m.content })),
      stream: true,
      options: ollamaOptions(r.options),
      ...this.common(r.options),
    };
    return this.generate('/api/chat', body, r);
  }

  async embed(r: EmbedRequest): Promise<EmbedResult> {
    checkEmbedInput(r.input);
    this.check();
    if (r.signal?.aborted) throw new RuntimeError('aborted', 'embedding aborted');
    const signal = r.signal ? AbortSignal.any([r.signal, this.closer.signal]) : this.closer.signal;
    const body = { model: r.model, input: r.input, ...this.common() };
    const res = await this.guard(
      () => this.http.json<OllamaEmbedResponse>('POST', '/api/embed', body, signal),
      r.signal,
    );
    const embeddings = res.embeddings ?? [];
    if (embeddings.length !== r.input.length) {
      throw new RuntimeError(
        'internal',
        `${this.name}: ${embeddings.length} embeddings for ${r.input.length} inputs`,
      );
    }
    return { embeddings, dimensions: embeddings[0]?.length ?? 0, promptTokens: res.prompt_eval_count ?? 0 };
  }

  /**
   * Pulls a model (POST /api/pull, streamed), reporting each progress line. Ollama reports failures as
   * `{"error": ...}` lines of an HTTP 200 response: they reject ('model-not-found' for an unknown model). An
   * aborted signal rejects with 'aborted'.
   */
  async pull(
    model: string,
    onProgress?: (p: OllamaPullProgress) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    this.check();
    if (signal?.aborted) throw new RuntimeError('aborted', 'pull aborted');
    const both = signal ? AbortSignal.any([signal, this.closer.signal]) : this.closer.signal;
    await this.guard(async () => {
      const res = await this.http.send('POST', '/api/pull', { model, stream: true }, both);
      for await (const line of readNdjson(HttpClient.body(res))) {
        const p = line as OllamaPullProgress & { error?: string };
        if (typeof p.error === 'string') {
          const code = /not found|does not exist|no such/i.test(p.error) ? 'model-not-found' : 'internal';
          throw new RuntimeError(code, `${this.name}: pulling ${model} failed: ${p.error}`);
        }
        onProgress?.(p);
        if (p.status === 'success') return;
      }
      throw new RuntimeError(
        'runtime-unavailable',
        `${this.name}: the pull of ${model} ended without success`,
      );
    }, signal);
  }

  private common(o?: GenerateOptions) {
    return {
      ...(o?.jsonSchema ? { format: o.jsonSchema } : {}),
      ...(this.options.keepAlive !== undefined ? { keep_alive: this.options.keepAlive } : {}),
    };
  }

  protected decode(body: AsyncIterable<Uint8Array>): AsyncIterable<GenerationEvent> {
    return events(readNdjson(body), this.name);
  }
}
