// Field checks shared by the OpenAI and Ollama request parsers: each failure is a 400 with a clear message.
import type { DataPlaneMessage } from '@orchion/proto';
import { GatewayError } from './dispatch';

export type Body = Record<string, unknown>;

export const badRequest = (message: string): GatewayError =>
  new GatewayError(400, 'invalid_request', message);

export function objectBody(value: unknown, what = 'the body'): Body {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest(`${what} must be a JSON object`);
  }
  return value as Body;
}

export function modelField(b: Body): string {
  if (typeof b.model !== 'string' || !b.model) throw badRequest('model must be a non-empty string');
  return b.model;
}

export function optionalNumber(b: Body, field: string, label = field): number | undefined {
  const v = b[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw badRequest(`${label} must be a number`);
  return v;
}

export function optionalInteger(b: Body, field: string, label = field, min = 1): number | undefined {
  const v = optionalNumber(b, field, label);
  if (v !== undefined && (!Number.isInteger(v) || v < min)) {
    throw badRequest(`${label} must be an integer of at least ${min}`);
  }
  return v;
}

export function stopField(v: unknown, label: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v ? [v] : undefined;
  if (Array.isArray(v) && v.every((s) => typeof s === 'string' && s)) return v as string[];
  throw badRequest(`${label} must be a string or a list of non-empty strings`);
}

const ROLES = new Set(['system', 'user', 'assistant']);

/** Chat messages: string content (or OpenAI text parts); the last one must be the user's. */
export function chatMessages(value: unknown): DataPlaneMessage[] {
  if (!Array.isArray(value) || value.length === 0) throw badRequest('messages must be a non-empty list');
  const messages = value.map((m: unknown, i) => {
    const msg = objectBody(m, `messages[${i}]`);
    const role = msg.role === 'developer' ? 'system' : msg.role;
    if (typeof role !== 'string' || !ROLES.has(role)) {
      throw badRequest(`messages[${i}].role must be system, user or assistant (tools are not supported)`);
    }
    return { role: role as DataPlaneMessage['role'], content: textOf(msg.content, i) };
  });
  if (messages[messages.length - 1]!.role !== 'user') {
    throw badRequest('the last message must be a user message');
  }
  return messages;
}

function textOf(content: unknown, i: number): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) => {
        const p = objectBody(part, `messages[${i}].content part`);
        if (p.type !== 'text' || typeof p.text !== 'string') {
          throw badRequest(`messages[${i}]: only text content parts are supported`);
        }
        return p.text;
      })
      .join('');
  }
  throw badRequest(`messages[${i}].content must be a string or a list of text parts`);
}

/** A JSON schema given by a client, as an object. */
export function schemaObject(v: unknown, label: string): object {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw badRequest(`${label} must be a JSON schema object`);
  }
  return v;
}
