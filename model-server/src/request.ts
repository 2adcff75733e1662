/** Reading JSON request bodies defensively: anything may arrive. */
import { badRequest } from './errors.js';

export type Body = Record<string, unknown>;

export function objectBody(body: unknown): Body {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body))
    throw badRequest('the request body must be a JSON object');
  return body as Body;
}

/** The `model` field (Ollama's older clients send `name`). */
export function modelField(b: Body): string {
  const model = b.model ?? b.name;
  if (typeof model !== 'string' || model.trim() === '') throw badRequest('model is required');
  return model;
}

export function optionalString(b: Body, field: string): string | undefined {
  const v = b[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw badRequest(`${field} must be a string`);
  return v;
}

export const nonEmptyArray = (v: unknown): boolean => Array.isArray(v) && v.length > 0;

/** Unique ids for OpenAI objects. */
let counter = 0;
export const newId = (prefix: string): string =>
  `${prefix}-${Date.now().toString(36)}${(counter++ & 0xffff).toString(36).padStart(4, '0')}`;

/** JSON with one trailing newline: an NDJSON line. */
export const ndjson = (value: unknown): string => `${JSON.stringify(value)}\n`;
