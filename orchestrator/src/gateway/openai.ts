/**
 * The OpenAI API's shapes: request bodies → gateway calls, results → chat.completion / text_completion objects,
 * chunks for SSE (`data: {...}` … `data: [DONE]`), embeddings (float or base64), models, errors.
 * Per-token chunks are a precomputed prefix + the JSON string of the token + a suffix (no object built per token).
 */
import { randomBytes } from 'node:crypto';
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

/** OpenAI's default max_tokens for /v1/completions. */
const COMPLETIONS_DEFAULT_MAX_TOKENS = 16;

export interface OpenAIParsed {
  call: GenerateCall;
  includeUsage: boolean;
}

function options(b: Body, defaultMaxTokens?: number): DataPlaneOptions {
  if (b.n !== undefined && b.n !== null && b.n !== 1) throw badRequest('only n = 1 is supported');
  if (b.logprobs === true || (typeof b.logprobs === 'number' && b.logprobs > 0)) {
    throw badRequest('logprobs are not supported');
  }
  if (
    (Array.isArray(b.tools) && b.tools.length > 0) ||
    (Array.isArray(b.functions) && b.functions.length > 0)
  ) {
    throw badRequest('tools are not supported');
  }
  const o: DataPlaneOptions = {};
  const explicitNull = b.max_tokens === null || b.max_completion_tokens === null;
  const maxTokens =
    optionalInteger(b, 'max_completion_tokens') ??
    optionalInteger(b, 'max_tokens') ??
    (explicitNull ? undefined : defaultMaxTokens);
  if (maxTokens !== undefined) o.maxTokens = maxTokens;
  const temperature = optionalNumber(b, 'temperature');
  if (temperature !== undefined) {
    if (temperature < 0 || temperature > 2) throw badRequest('temperature must be between 0 and 2');
    o.temperature = temperature;
  }
  const topP = optionalNumber(b, 'top_p');
  if (topP !== undefined) {
    if (!(topP > 0 && topP <= 1)) throw badRequest('top_p must be in (0, 1]');
    o.topP = topP;
  }
  const seed = optionalInteger(b, 'seed', 'seed', Number.MIN_SAFE_INTEGER);
  if (seed !== undefined) o.seed = seed;
  const stop = stopField(b.stop, 'stop');
  if (stop) o.stop = stop;
  const schema = responseSchema(b.response_format);
  if (schema) o.jsonSchema = schema;
  return o;
}

function responseSchema(format: unknown): object | undefined {
  if (format === undefined || format === null) return undefined;
  const f = objectBody(format, 'response_format');
  if (f.type === 'text') return undefined;
  if (f.type === 'json_object') return { type: 'object' };
  if (f.type === 'json_schema') {
    const spec = objectBody(f.json_schema, 'response_format.json_schema');
    return spec.schema === undefined
      ? { type: 'object' }
      : schemaObject(spec.schema, 'response_format.json_schema.schema');
  }
  throw badRequest('response_format.type must be text, json_object or json_schema');
}

function streamFlags(b: Body): { stream: boolean; includeUsage: boolean } {
  if (b.stream !== undefined && b.stream !== null && typeof b.stream !== 'boolean') {
    throw badRequest('stream must be a boolean');
  }
  const so =
    b.stream_options === undefined || b.stream_options === null
      ? {}
      : objectBody(b.stream_options, 'stream_options');
  return { stream: b.stream === true, includeUsage: so.include_usage === true };
}

export function parseChat(raw: unknown): OpenAIParsed {
  const b = objectBody(raw);
  const model = modelField(b);
  const messages = chatMessages(b.messages);
  const { stream, includeUsage } = streamFlags(b);
  return { call: { kind: 'chat', model, messages, options: options(b), stream }, includeUsage };
}

export function parseCompletion(raw: unknown): OpenAIParsed {
  const b = objectBody(raw);
  const model = modelField(b);
  let prompt: string;
  if (typeof b.prompt === 'string') prompt = b.prompt;
  else if (Array.isArray(b.prompt) && b.prompt.length === 1 && typeof b.prompt[0] === 'string')
    prompt = b.prompt[0];
  else
    throw badRequest('prompt must be a string (lists of several prompts and token lists are not supported)');
  if (b.echo === true) throw badRequest('echo is not supported');
  if (typeof b.suffix === 'string' && b.suffix) throw badRequest('suffix is not supported');
  const { stream, includeUsage } = streamFlags(b);
  return {
    call: { kind: 'complete', model, prompt, options: options(b, COMPLETIONS_DEFAULT_MAX_TOKENS), stream },
    includeUsage,
  };
}

export function parseEmbeddings(raw: unknown): { model: string; input: string[]; base64: boolean } {
  const b = objectBody(raw);
  const model = modelField(b);
  const input = typeof b.input === 'string' ? [b.input] : b.input;
  if (!Array.isArray(input) || input.length === 0 || !input.every((t) => typeof t === 'string' && t)) {
    throw badRequest(
      'input must be a non-empty string or a list of non-empty strings (token lists are not supported)',
    );
  }
  const enc = b.encoding_format ?? 'float';
  if (enc !== 'float' && enc !== 'base64') throw badRequest('encoding_format must be float or base64');
  if (b.dimensions !== undefined && b.dimensions !== null) throw badRequest('dimensions is not supported');
  return { model, input: input as string[], base64: enc === 'base64' };
}

const finishReason = (r: DataPlaneResult['stopReason']): 'length' | 'stop' =>
  r === 'maxTokens' ? 'length' : 'stop';

const usage = (r: DataPlaneResult) => ({
  prompt_tokens: r.promptTokens,
  completion_tokens: r.completionTokens,
  total_tokens: r.promptTokens + r.completionTokens,
});

/** A count for a hand-built JSON body: a finite number from the node, else 0 (never `undefined` or `NaN`). */
const count = (n: number): number => (Number.isFinite(n) ? n : 0);

/** Unique ids without a random draw per request: a random process prefix and a counter. */
const ID_PREFIX = randomBytes(9).toString('base64url');
let idCounter = 0;
const newId = (prefix: string) => `${prefix}-${ID_PREFIX}${(++idCounter).toString(36)}`;

/** chat.completion / text_completion, one body or SSE chunks. */
export function openaiFormat(
  kind: 'chat' | 'complete',
  model: string,
  includeUsage: boolean,
): GenerationFormat {
  const chat = kind === 'chat';
  const id = newId(chat ? 'chatcmpl' : 'cmpl');
  const created = Math.floor(Date.now() / 1000);
  const chunkObject = chat ? 'chat.completion.chunk' : 'text_completion';
  const name = JSON.stringify(model);
  const head = `data: {"id":"${id}","object":"${chunkObject}","created":${created},"model":${name},"system_fingerprint":null,"choices":[{"index":0,`;
  // The non-streaming answer is built as text like the chunks: a third of the cost of an object + JSON.stringify.
  const bodyHead = `{"id":"${id}","object":"${chat ? 'chat.completion' : 'text_completion'}","created":${created},"model":${name},"system_fingerprint":null,"choices":[{"index":0,`;
  const usageNull = includeUsage ? ',"usage":null' : '';
  const tokenPrefix = chat ? `${head}"delta":{"content":` : `${head}"text":`;
  const tokenSuffix = chat
    ? `},"logprobs":null,"finish_reason":null}]${usageNull}}\n\n`
    : `,"logprobs":null,"finish_reason":null}]${usageNull}}\n\n`;
  return {
    streamType: 'text/event-stream; charset=utf-8',
    body: (r) => {
      const text = JSON.stringify(r.text);
      const p = count(r.promptTokens);
      const c = count(r.completionTokens);
      const choice = chat
        ? `"message":{"role":"assistant","content":${text},"refusal":null}`
        : `"text":${text}`;
      return `${bodyHead}${choice},"logprobs":null,"finish_reason":"${finishReason(r.stopReason)}"}],"usage":{"prompt_tokens":${p},"completion_tokens":${c},"total_tokens":${p + c}}}`;
    },
    head: () =>
      chat
        ? `${head}"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]${usageNull}}\n\n`
        : '',
    token: (json) => tokenPrefix + json + tokenSuffix,
    tail: (r) => {
      const finish = `"finish_reason":"${finishReason(r.stopReason)}"}]${usageNull}}\n\n`;
      let out = chat
        ? `${head}"delta":{},"logprobs":null,${finish}`
        : `${head}"text":"","logprobs":null,${finish}`;
      if (includeUsage) {
        out += `data: ${JSON.stringify({ id, object: chunkObject, created, model, system_fingerprint: null, choices: [], usage: usage(r) })}\n\n`;
      }
      return `${out}data: [DONE]\n\n`;
    },
    streamError: (err) => `data: ${JSON.stringify(openaiError(err))}\n\n`,
  };
}

export function embeddingsBody(model: string, r: DataPlaneEmbedResult, base64: boolean): unknown {
  return {
    object: 'list',
    model,
    data: r.embeddings.map((v, index) => ({
      object: 'embedding',
      index,
      embedding: base64 ? Buffer.from(new Float32Array(v).buffer).toString('base64') : v,
    })),
    usage: { prompt_tokens: r.promptTokens, total_tokens: r.promptTokens },
  };
}

export function modelObject(name: string, nodes: readonly RouterNode[], created: number): unknown {
  return {
    id: name,
    object: 'model',
    created,
    owned_by: 'orchion',
    nodes: nodes.map((n) => ({ id: n.id, loaded: n.models.get(name) === true, inFlight: n.inFlight })),
  };
}

const TYPE_OF_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  404: 'invalid_request_error',
  413: 'invalid_request_error',
  422: 'invalid_request_error',
  429: 'rate_limit_error',
};

export function openaiError(err: GatewayError): unknown {
  const code = err.code === 'model_not_found' ? 'model_not_found' : err.code;
  const type =
    err.code === 'insufficient_quota' ? 'insufficient_quota' : (TYPE_OF_STATUS[err.status] ?? 'api_error');
  return { error: { message: err.message, type, param: null, code } };
}
