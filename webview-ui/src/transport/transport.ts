// How the dashboard reaches the orchestrator: one interface, two implementations (the VS Code host over
// postMessage, the browser over fetch + SSE). Components and the store never see which one runs.
import type { HttpMethod } from '../protocol';

export interface ApiResponse {
  status: number;
  body: unknown;
}

/** One SSE frame of a subscription. */
export interface StreamFrame {
  event: string;
  data: string;
  lastEventId?: string;
}

export interface StreamHandlers {
  frame(frame: StreamFrame): void;
  /** The stream ended (an error, or the server closed it). No more frames follow. */
  closed(message: string): void;
  /** The stream is open (the server answered). */
  opened?(): void;
}

export type ConnectionState = 'connected' | 'disconnected';

export interface Transport {
  /** Where the host runs: a VS Code webview or a plain browser page. */
  readonly kind: 'vscode' | 'browser';
  request(method: HttpMethod, path: string, body?: unknown): Promise<ApiResponse>;
  /** Opens an SSE stream; the returned function closes it (no `closed` call follows). */
  subscribe(path: string, handlers: StreamHandlers): () => void;
  /** Runs a host command (VS Code only; the browser ignores it). */
  command(command: string, args?: unknown[]): void;
  /** The host's link to the orchestrator; called at once with the current state. */
  onConnection(listener: (state: ConnectionState, url?: string) => void): () => void;
}

/** A failed API call: the `{error:{code,message}}` body's fields, or the status when the body has none. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Calls the API and returns the JSON body of a 2xx answer; throws ApiError otherwise. */
export async function call<T>(
  transport: Transport,
  method: HttpMethod,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await transport.request(method, path, body);
  if (res.status >= 200 && res.status < 300) return res.body as T;
  const err = (res.body as { error?: { code?: string; message?: string } } | null)?.error;
  throw new ApiError(res.status, err?.code ?? `http-${res.status}`, err?.message ?? `HTTP ${res.status}`);
}
