/**
 * The HTTP side of the client runtimes (Ollama, OpenAI-compatible): the platform fetch, with every failure
 * turned into a RuntimeError — an unreachable server or a dropped connection is 'runtime-unavailable', HTTP
 * errors are mapped by status and by the error body both APIs use (`{error: "..."}`, `{error: {message}}`).
 */
import { RuntimeError, type RuntimeErrorCode } from '../errors.js';

export interface HttpClientOptions {
  /** The runtime's name, for messages. */
  runtime: string;
  baseUrl: string;
  headers?: Record<string, string>;
}

export const isAbortError = (err: unknown): boolean =>
  err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError');

/** `connect ECONNREFUSED 127.0.0.1:1` from fetch's "fetch failed" TypeError and its cause chain. */
function networkReason(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    parts.push(typeof code === 'string' && !e.message.includes(code) ? `${e.message} (${code})` : e.message);
  }
  return parts.slice(-1)[0] ?? String(err);
}

/** A RuntimeError for a failure to talk to the server (anything but an abort). */
export function unavailable(runtime: string, baseUrl: string, err: unknown): RuntimeError {
  if (err instanceof RuntimeError) return err;
  if (err instanceof SyntaxError) {
    return new RuntimeError('internal', `${runtime} at ${baseUrl} sent a malformed response: ${err.message}`);
  }
  return new RuntimeError(
    'runtime-unavailable',
    `${runtime} at ${baseUrl} is unreachable: ${networkReason(err)}`,
    {
      cause: err,
    },
  );
}

/** The message of an error body of either API, or the raw text. */
export function errorMessage(text: string): { message: string; code?: string } {
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof body.error === 'string') return { message: body.error };
    if (body.error && typeof body.error === 'object') {
      const e = body.error as { message?: unknown; code?: unknown };
      return {
        message: typeof e.message === 'string' ? e.message : JSON.stringify(body.error),
        code: typeof e.code === 'string' ? e.code : undefined,
      };
    }
    if (typeof body.message === 'string') return { message: body.message };
  } catch {
    // not JSON
  }
  return { message: text.trim().slice(0, 500) };
}

export function codeForStatus(status: number, message: string, apiCode?: string): RuntimeErrorCode {
  if (apiCode === 'model_not_found') return 'model-not-found';
  if (status === 404) return /model/i.test(message) ? 'model-not-found' : 'runtime-unavailable';
  if (status === 400 || status === 413 || status === 422) return 'bad-request';
  if ([401, 403, 408, 429, 502, 503, 504].includes(status)) return 'runtime-unavailable';
  return 'internal';
}

/**
 * Runs a non-streamed call of a client runtime: the runtime's close makes it 'closed', an abort of `signal`
 * 'aborted', anything else not already a RuntimeError 'runtime-unavailable'.
 */
export async function guardedCall<T>(
  at: { runtime: string; baseUrl: string; closed: AbortSignal },
  fn: () => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (at.closed.aborted) throw new RuntimeError('closed', `the ${at.runtime} runtime is closed`);
    if (signal?.aborted || isAbortError(err))
      throw new RuntimeError('aborted', `${at.runtime}: request aborted`);
    throw unavailable(at.runtime, at.baseUrl, err);
  }
}

export class HttpClient {
  readonly baseUrl: string;

  constructor(private readonly options: HttpClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  /**
   * Sends a request and returns the (2xx) response. Rejects with a RuntimeError, or with the fetch AbortError
   * when `signal` aborted (callers decide what an abort means).
   */
  async send(method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    const url = `${this.baseUrl}${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          accept: 'application/json, application/x-ndjson, text/event-stream',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...this.options.headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (err) {
      if (isAbortError(err) || signal?.aborted) throw err;
      throw unavailable(this.options.runtime, this.baseUrl, err);
    }
    if (res.ok) return res;
    const text = await res.text().catch(() => '');
    const { message, code } = errorMessage(text);
    throw new RuntimeError(
      codeForStatus(res.status, message, code),
      `${this.options.runtime}: ${method} ${path} answered ${res.status}: ${message || res.statusText}`,
    );
  }

  async json<T>(method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const res = await this.send(method, path, body, signal);
    try {
      return (await res.json()) as T;
    } catch (err) {
      if (isAbortError(err) || signal?.aborted) throw err;
      throw new RuntimeError('internal', `${this.options.runtime}: ${path} did not answer JSON`, {
        cause: err,
      });
    }
  }

  /** The body of a streamed response, as an async iterable of bytes. */
  static body(res: Response): AsyncIterable<Uint8Array> {
    if (!res.body) throw new RuntimeError('internal', 'the response has no body');
    return res.body as unknown as AsyncIterable<Uint8Array>;
  }
}
