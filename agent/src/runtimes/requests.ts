/** Request checks shared by every runtime, so each rejects malformed input the same way ('bad-request'). */
import { RuntimeError } from './errors.js';
import { jsonSchemaError } from './structured.js';
import type { ChatMessage, GenerateOptions } from './types.js';

const ROLES = new Set(['system', 'user', 'assistant']);

export function checkMessages(messages: ChatMessage[]): void {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new RuntimeError('bad-request', 'chat needs at least one message');
  }
  for (const m of messages) {
    if (!ROLES.has(m?.role) || typeof m.content !== 'string') {
      throw new RuntimeError(
        'bad-request',
        'each message needs a role (system, user, assistant) and a string content',
      );
    }
  }
  if (messages[messages.length - 1]?.role !== 'user') {
    throw new RuntimeError('bad-request', 'the last chat message must be a user message');
  }
}

export function checkOptions(o: GenerateOptions | undefined): void {
  if (!o) return;
  const bad = (why: string) => new RuntimeError('bad-request', `options: ${why}`);
  if (o.maxTokens !== undefined && (!Number.isInteger(o.maxTokens) || o.maxTokens < 1)) {
    throw bad('maxTokens must be a positive integer');
  }
  if (o.temperature !== undefined && !(o.temperature >= 0 && o.temperature <= 10)) {
    throw bad('temperature must be between 0 and 10');
  }
  if (o.topP !== undefined && !(o.topP > 0 && o.topP <= 1)) throw bad('topP must be in (0, 1]');
  if (o.seed !== undefined && !Number.isInteger(o.seed)) throw bad('seed must be an integer');
  if (o.stop !== undefined && (!Array.isArray(o.stop) || o.stop.some((s) => typeof s !== 'string' || !s))) {
    throw bad('stop must be a list of non-empty strings');
  }
  if (o.jsonSchema !== undefined) {
    if (typeof o.jsonSchema !== 'object' || o.jsonSchema === null) throw bad('jsonSchema must be an object');
    const error = jsonSchemaError(o.jsonSchema);
    if (error) throw bad(error);
  }
}

export const MAX_EMBED_INPUTS = 2048;

export function checkEmbedInput(input: string[]): void {
  if (!Array.isArray(input) || input.length === 0 || input.length > MAX_EMBED_INPUTS) {
    throw new RuntimeError('bad-request', `embed input must be a list of 1 to ${MAX_EMBED_INPUTS} strings`);
  }
  if (input.some((t) => typeof t !== 'string' || t.length === 0)) {
    throw new RuntimeError('bad-request', 'embed inputs must be non-empty strings');
  }
}
