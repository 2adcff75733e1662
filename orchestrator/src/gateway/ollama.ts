/**
 * The Ollama API's shapes: /api/generate and /api/chat (NDJSON streaming by default, as Ollama does), /api/embed,
 * /api/tags, /api/ps. `format` ('json' or a JSON schema) maps to structured output; `options` to sampling.
 * /api/generate sends the prompt as is (raw completion: no chat template, `system` and `template` unsupported).
 */
import type { DataPlaneEmbedResult, DataPlaneOptions, DataPlaneResult } from '@orchion/proto';
import type { GatewayError, GenerateCall } from './dispatch';
import type { GenerationFormat } from './format';
import {
  badRequest,
  chatMessages,
  modelField,
  objectBody,
  optionalInteger,
  optionalNumber,
  schemaObject,
  stopField,
  type Body,
} from './request-fields';
import type { RouterNode } from './router';

/** The Ollama API version this gateway follows (clients compare it). */
export const OLLAMA_API_VERSION = '0.6.4';

function options(b: Body): DataPlaneOptions {
  const o: DataPlaneOptions = {};
  const opts = b.options === undefined || b.options === null ? {} : objectBody(b.options, 'options');
  const numPredict = optionalNumber(opts, 'num_predict', 'options.num_predict');
  if (numPredict !== undefined && numPredict >= 0) {
    if (!Number.isInteger(numPredict) || numPredict < 1)
      throw badRequest('options.num_predict must be a positive integer (or -1)');
    o.maxTokens = numPredict;
  }
  const temperature = optionalNumber(opts, 'temperature', 'options.temperature');
  if (temperature !== undefined) o.temperature = temperature;
  const topP = optionalNumber(opts, 'top_p', 'options.top_p');
  if (topP !== undefined) o.topP = topP;
  const seed = optionalInteger(opts, 'seed', 'options.seed', Number.MIN_SAFE_INTEGER);
  if (seed !== undefined) o.seed = seed;
  const stop = stopField(opts.stop, 'options.stop');
  if (stop) o.stop = stop;
  if (b.format !== undefined && b.format !== null && b.format !== '') {
    o.jsonSchema = b.format === 'json' ? { type: 'object' } : schemaObject(b.format, 'format');
  }
  return o;
}

const streamOf = (b: Body): boolean => {
  if (b.stream !== undefined && b.stream !== null && typeof b.stream !== 'boolean')
    throw badRequest('stream must be a boolean');
  return b.stream !== false;
};

/** An Ollama model name without the default tag. */
export const baseName = (model: string): string => (model.endsWith(':latest') ? model.slice(0, -7) : model);

export function parseGenerate(raw: unknown): GenerateCall & { emptyPrompt: boolean } {
  const b = objectBody(raw);
  const model = baseName(modelField(b));
  if (b.prompt !== undefined && typeof b.prompt !== 'string') throw badRequest('prompt must be a string');
  if (typeof b.system === 'string' && b.system)
    throw badRequest('system is not supported on /api/generate (use /api/chat)');
  if (typeof b.template === 'string' && b.template) throw badRequest('template is not supported');
  if (Array.isArray(b.images) && b.images.length > 0) throw badRequest('images are not supported');
  const prompt = (b.prompt as string | undefined) ?? '';
  return {
    kind: 'complete',
    model,
    prompt,
    options: options(b),
    stream: streamOf(b),
    emptyPrompt: prompt === '',
  };
}

export function parseChat(raw: unknown): GenerateCall {
  const b = objectBody(raw);
  const model = baseName(modelField(b));
  if (Array.isArray(b.tools) && b.tools.length > 0) throw badRequest('tools are not supported');
  return {
    kind: 'chat',
    model,
    messages: chatMessages(b.messages),
    options: options(b),
    stream: streamOf(b),
  };
}

export function parseEmbed(raw: unknown): { model: string; input: string[] } {
  const b = objectBody(raw);
  const model = baseName(modelField(b));
  const input = typeof b.input === 'string' ? [b.input] : b.input;
  if (!Array.isArray(input) || input.length === 0 || !input.every((t) => typeof t === 'string' && t)) {
    throw badRequest('input must be a non-empty string or a list of non-empty strings');
  }
  return { model, input: input as string[] };
}

const ns = (ms: number) => Math.round(ms * 1e6);

function doneFields(r: DataPlaneResult, startedAt: number) {
  return {
    done: true,
    done_reason: r.stopReason === 'maxTokens' ? 'length' : 'stop',
    total_duration: ns(performance.now() - startedAt),
    load_duration: 0,
    prompt_eval_count: r.promptTokens,
    prompt_eval_duration: 0,
    eval_count: r.completionTokens,
    eval_duration: ns(r.durationMs),
  };
}

export function ollamaFormat(kind: 'chat' | 'complete', model: string): GenerationFormat {
  const startedAt = performance.now();
  const createdAt = () => new Date().toISOString();
  const name = JSON.stringify(model);
  const chat = kind === 'chat';
  return {
    streamType: 'application/x-ndjson',
    body: (r) =>
      JSON.stringify({
        model,
        created_at: createdAt(),
        ...(chat ? { message: { role: 'assistant', content: r.text } } : { response: r.text }),
        ...doneFields(r, startedAt),
      }),
    head: () => '',
    token: (json) =>
      chat
        ? `{"model":${name},"created_at":"${createdAt()}","message":{"role":"assistant","content":${json}},"done":false}\n`
        : `{"model":${name},"created_at":"${createdAt()}","response":${json},"done":false}\n`,
    tail: (r) =>
      `${JSON.stringify({
        model,
        created_at: createdAt(),
        ...(chat ? { message: { role: 'assistant', content: '' } } : { response: '' }),
        ...doneFields(r, startedAt),
      })}\n`,
    streamError: (err) => `${JSON.stringify({ error: err.message })}\n`,
  };
}

export function embedBody(model: string, r: DataPlaneEmbedResult, startedAt: number): unknown {
  return {
    model,
    embeddings: r.embeddings,
    total_duration: ns(performance.now() - startedAt),
    load_duration: 0,
    prompt_eval_count: r.promptTokens,
  };
}

function details() {
  return {
    parent_model: '',
    format: 'gguf',
    family: '',
    families: null,
    parameter_size: '',
    quantization_level: '',
  };
}

export function tagsBody(models: Map<string, RouterNode[]>): unknown {
  const now = new Date().toISOString();
  return {
    models: [...models.keys()].sort().map((name) => ({
      name,
      model: name,
      modified_at: now,
      size: 0,
      digest: '',
      details: details(),
    })),
  };
}

export function psBody(models: Map<string, RouterNode[]>): unknown {
  const out = [];
  for (const [name, nodes] of [...models].sort(([a], [b]) => a.localeCompare(b))) {
    if (!nodes.some((n) => n.models.get(name))) continue;
    out.push({ name, model: name, size: 0, digest: '', details: details(), expires_at: '', size_vram: 0 });
  }
  return { models: out };
}

export function ollamaError(err: GatewayError): unknown {
  return { error: err.message };
}
