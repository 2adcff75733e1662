/** OpenAI request fields → runtime requests, and runtime results → OpenAI's finish reasons and usage. */
import {
  isRuntimeError,
  RuntimeError,
  type ChatMessage,
  type GenerateOptions,
  type StopReason,
} from '../agent.js';
import { badRequest } from '../errors.js';
import { nonEmptyArray, objectBody, type Body } from '../request.js';

const number = (b: Body, field: string): number | undefined => {
  const v = b[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw badRequest(`${field} must be a number`);
  return v;
};

/** The structured-output schema for `response_format`, if any. */
export function responseSchema(format: unknown): object | undefined {
  if (format === undefined || format === null) return undefined;
  const f = objectBody(format);
  if (f.type === 'text') return undefined;
  if (f.type === 'json_object') return { type: 'object' };
  if (f.type === 'json_schema') {
    const spec = objectBody(f.json_schema);
    if (spec.schema === undefined) return { type: 'object' };
    if (typeof spec.schema !== 'object' || spec.schema === null || Array.isArray(spec.schema)) {
      throw badRequest('response_format.json_schema.schema must be a JSON schema object');
    }
    return spec.schema;
  }
  throw badRequest(`response_format.type must be text, json_object or json_schema`);
}

/** Sampling options shared by completions and chat completions. */
export function generateOptions(b: Body, defaultMaxTokens?: number): GenerateOptions {
  if (b.n !== undefined && b.n !== null && b.n !== 1) throw badRequest('only n = 1 is supported');
  if (b.logprobs === true || (typeof b.logprobs === 'number' && b.logprobs > 0)) {
    throw badRequest('logprobs are not supported');
  }
  if (nonEmptyArray(b.tools) || nonEmptyArray(b.functions)) throw badRequest('tools are not supported');
  const out: GenerateOptions = {};
  // An explicit null means no limit but the runtime's (vLLM: the rest of the context), absent the API default.
  const unlimited = b.max_tokens === null || b.max_completion_tokens === null;
  const maxTokens =
    number(b, 'max_completion_tokens') ??
    number(b, 'max_tokens') ??
    (unlimited ? undefined : defaultMaxTokens);
  if (maxTokens !== undefined) out.maxTokens = maxTokens;
  const temperature = number(b, 'temperature');
  if (temperature !== undefined) out.temperature = temperature;
  const topP = number(b, 'top_p');
  if (topP !== undefined) out.topP = topP;
  const seed = number(b, 'seed');
  if (seed !== undefined) out.seed = seed;
  if (b.stop !== undefined && b.stop !== null)
    out.stop = typeof b.stop === 'string' ? [b.stop] : (b.stop as string[]);
  const schema = responseSchema(b.response_format);
  if (schema) out.jsonSchema = schema;
  return out;
}

/** A message's text: a string, or a list of text parts. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) => {
        const p = objectBody(part);
        if (p.type !== 'text' || typeof p.text !== 'string')
          throw badRequest('only text content parts are supported');
        return p.text;
      })
      .join('');
  }
  throw badRequest('each message needs a content string or a list of text parts');
}

export function chatMessages(value: unknown): ChatMessage[] {
  if (!Array.isArray(value) || value.length === 0) throw badRequest('messages must be a non-empty list');
  return value.map((m: unknown) => {
    const msg = objectBody(m);
    const role = msg.role === 'developer' ? 'system' : msg.role;
    if (role === 'tool' || nonEmptyArray(msg.tool_calls)) throw badRequest('tool messages are not supported');
    return { role: role as ChatMessage['role'], content: textOf(msg.content) };
  });
}

/** The single prompt of a completion request (a string or a list of one string). */
export function completionPrompt(prompt: unknown): string {
  if (typeof prompt === 'string') return prompt;
  if (Array.isArray(prompt) && prompt.length === 1 && typeof prompt[0] === 'string') return prompt[0];
  throw badRequest('prompt must be a string (lists of several prompts and token lists are not supported)');
}

export const finishReason = (r: StopReason): 'length' | 'stop' => (r === 'maxTokens' ? 'length' : 'stop');

export const usage = (promptTokens: number, completionTokens: number) => ({
  prompt_tokens: promptTokens,
  completion_tokens: completionTokens,
  total_tokens: promptTokens + completionTokens,
});

/** OpenAI's wording for an unknown model. */
export const openaiNotFound = (err: unknown, model: string): unknown =>
  isRuntimeError(err, 'model-not-found')
    ? new RuntimeError(
        'model-not-found',
        `The model \`${model}\` does not exist or you do not have access to it.`,
      )
    : err;
