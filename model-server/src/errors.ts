/** HTTP statuses for runtime errors, and the two APIs' error bodies. */
import { isRuntimeError, RuntimeError, type RuntimeErrorCode } from './agent.js';

const STATUS: Record<RuntimeErrorCode, number> = {
  'model-not-found': 404,
  'bad-request': 400,
  'model-invalid': 500,
  'runtime-crashed': 500,
  'runtime-unavailable': 503,
  aborted: 499,
  closed: 503,
  internal: 500,
};

/** A request the server refuses before it reaches the runtime. */
export const badRequest = (message: string): RuntimeError => new RuntimeError('bad-request', message);

/** The HTTP status for any error a handler ends with. */
export function statusOf(err: unknown): number {
  if (isRuntimeError(err)) return STATUS[err.code] ?? 500;
  const status = (err as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

export const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Ollama's error body. */
export const ollamaError = (message: string) => ({ error: message });

/** OpenAI's error body: `{ error: { message, type, param, code } }`. */
export function openaiError(status: number, message: string, code: string | null = null) {
  const type =
    status === 401
      ? 'authentication_error'
      : status === 404 || status === 400 || status === 422
        ? 'invalid_request_error'
        : status === 503
          ? 'service_unavailable_error'
          : 'server_error';
  return { error: { message, type, param: null, code } };
}

/** OpenAI's `code` for a runtime error. */
export function openaiCode(err: unknown): string | null {
  if (!isRuntimeError(err)) return null;
  if (err.code === 'model-not-found') return 'model_not_found';
  if (err.code === 'bad-request') return 'invalid_request';
  return err.code.replace(/-/g, '_');
}
