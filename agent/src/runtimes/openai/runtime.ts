/**
 * A runtime backed by an OpenAI-compatible server (vLLM, llama.cpp's server, Ollama's /v1, the Orchion model
 * server, OpenAI itself): models from /v1/models, completions through /v1/completions, chats through
 * /v1/chat/completions (both streamed as server-sent events, with `stream_options.include_usage` so the result
 * carries the server's token counts), embeddings through /v1/embeddings, and structured output through
 * `response_format: {type: "json_schema"}`.
 *
 * `baseUrl` is the API root as OpenAI clients take it (`http://host:8000/v1`); a URL without a path gets `/v1`.
 * A listed model counts as loaded: an OpenAI-compatible server serves what it lists (vLLM loads at start).
 * Options are sent explicitly (temperature 0 when unset, the Runtime default); a completion without maxTokens
 * sends `max_tokens: null` — the remaining context on vLLM — rather than the API's default of 16.
 */
import { RuntimeError } from '../errors.js';
import { HttpRuntime } from '../http/base.js';
import type { GenerationEvent } from '../http/generation.js';
import { readSseData } from '../http/lines.js';
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
  StopReason,
} from '../types.js';
import type { OpenAIChunk, OpenAIEmbeddingList, OpenAIModelList } from './protocol.js';

export interface OpenAIRuntimeOptions {
  /** The runtime's name (default 'openai'). */
  name?: string;
  /** The API root, e.g. http://127.0.0.1:8000/v1 (`/v1` is added to a URL without a path). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  headers?: Record<string, string>;
}

/** The API root: `/v1` added when the URL has no path. */
export function apiRoot(baseUrl: string): string {
  const url = new URL(baseUrl);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1';
  return url.toString().replace(/\/+$/, '');
}

const STOP_REASONS: Record<string, StopReason> = { length: 'maxTokens', stop: 'eogToken' };

function sampling(o: GenerateOptions = {}) {
  return {
    temperature: o.temperature ?? 0,
    ...(o.topP !== undefined ? { top_p: o.topP } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(o.stop?.length ? { stop: o.stop } : {}),
    ...(o.jsonSchema
      ? {
          response_format: {
            type: 'json_schema',
            json_schema: { name: 'output', schema: o.jsonSchema, strict: true },
          },
        }
      : {}),
  };
}

/** Maps SSE data to generation events: text deltas, the finish reason, then the usage chunk; `[DONE]` ends. */
async function* events(data: AsyncIterable<string>, runtime: string): AsyncGenerator<GenerationEvent> {
  for await (const payload of data) {
    if (payload.trim() === '[DONE]') return;
    const chunk = JSON.parse(payload) as OpenAIChunk;
    if (chunk.error) {
      const message = typeof chunk.error === 'string' ? chunk.error : (chunk.error.message ?? 'error');
      throw new RuntimeError('internal', `${runtime}: ${message}`);
    }
    const choice = chunk.choices?.[0];
    const text = choice?.text ?? choice?.delta?.content ?? undefined;
    const event: GenerationEvent = {};
    if (text) event.text = text;
    if (choice?.finish_reason) event.end = { stopReason: STOP_REASONS[choice.finish_reason] ?? 'other' };
    if (chunk.usage) {
      event.end = {
        ...event.end,
        promptTokens: chunk.usage.prompt_tokens,
        completionTokens: chunk.usage.completion_tokens,
      };
    }
    if (event.text || event.end) yield event;
  }
}

export class OpenAIRuntime extends HttpRuntime implements Runtime {
  constructor(options: OpenAIRuntimeOptions) {
    super(options.name ?? 'openai', {
      baseUrl: apiRoot(options.baseUrl),
      headers: {
        ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
        ...options.headers,
      },
    });
  }

  async listModels(): Promise<ModelInfo[]> {
    this.check();
    const list = await this.guard(() =>
      this.http.json<OpenAIModelList>('GET', '/models', undefined, this.closer.signal),
    );
    return (list.data ?? []).map((m) => ({
      name: m.id,
      runtime: this.name,
      loaded: true,
      ...(m.max_model_len ? { contextLength: m.max_model_len } : {}),
    }));
  }

  async complete(r: CompletionRequest): Promise<GenerateResult> {
    checkOptions(r.options);
    const body = {
      model: r.model,
      prompt: r.prompt,
      max_tokens: r.options?.maxTokens ?? null,
      ...sampling(r.options),
      stream: true,
      stream_options: { include_usage: true },
    };
    return this.generate('/completions', body, r);
  }

  async chat(r: ChatRequest): Promise<GenerateResult> {
    checkMessages(r.messages);
    checkOptions(r.options);
    const body = {
      model: r.model,
      messages: r.messages.map((m) => ({ role: m.role, content: m.content })),
      ...(r.options?.maxTokens !== undefined ? { max_tokens: r.options.maxTokens } : {}),
      ...sampling(r.options),
      stream: true,
      stream_options: { include_usage: true },
    };
    return this.generate('/chat/completions', body, r);
  }

  async embed(r: EmbedRequest): Promise<EmbedResult> {
    checkEmbedInput(r.input);
    this.check();
    if (r.signal?.aborted) throw new RuntimeError('aborted', 'embedding aborted');
    const signal = r.signal ? AbortSignal.any([r.signal, this.closer.signal]) : this.closer.signal;
    const body = { model: r.model, input: r.input, encoding_format: 'float' };
    const res = await this.guard(
      () => this.http.json<OpenAIEmbeddingList>('POST', '/embeddings', body, signal),
      r.signal,
    );
    const data = [...(res.data ?? [])].sort((a, b) => a.index - b.index);
    if (data.length !== r.input.length) {
      throw new RuntimeError(
        'internal',
        `${this.name}: ${data.length} embeddings for ${r.input.length} inputs`,
      );
    }
    const embeddings = data.map((d) => d.embedding);
    return {
      embeddings,
      dimensions: embeddings[0]?.length ?? 0,
      promptTokens: res.usage?.prompt_tokens ?? 0,
    };
  }

  protected decode(body: AsyncIterable<Uint8Array>): AsyncIterable<GenerationEvent> {
    return events(readSseData(body), this.name);
  }
}
