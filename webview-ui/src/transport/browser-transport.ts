// The Transport of the web dashboard: fetch for requests, fetch + the API package's SSE parser for streams
// (EventSource cannot send the bearer token), the token kept in localStorage.
import { SseParser } from '@orchion/api';
import type { HttpMethod } from '../protocol';
import type { ApiResponse, ConnectionState, StreamHandlers, Transport } from './transport';

export const TOKEN_KEY = 'orchion.token';

export interface TokenStore {
  get(): string | null;
  set(token: string | null): void;
}

export const localTokenStore = (storage: Storage): TokenStore => ({
  get: () => storage.getItem(TOKEN_KEY),
  set: (token) => (token === null ? storage.removeItem(TOKEN_KEY) : storage.setItem(TOKEN_KEY, token)),
});

export class BrowserTransport implements Transport {
  readonly kind = 'browser';
  private readonly connectionListeners = new Set<(s: ConnectionState, url?: string) => void>();
  private readonly authListeners = new Set<() => void>();
  private connection: ConnectionState = 'disconnected';
  private openStreams = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly tokens: TokenStore,
    private readonly fetchFn: typeof fetch = (...args) => fetch(...args),
  ) {}

  get hasToken(): boolean {
    return !!this.tokens.get();
  }

  setToken(token: string | null): void {
    this.tokens.set(token);
  }

  /** Called when the API answers 401 (no token or a wrong one): the page asks for the token. */
  onUnauthorized(listener: () => void): () => void {
    this.authListeners.add(listener);
    return () => this.authListeners.delete(listener);
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const token = this.tokens.get();
    return { ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra };
  }

  private unauthorized(): void {
    for (const l of this.authListeners) l();
  }

  async request(method: HttpMethod, path: string, body?: unknown): Promise<ApiResponse> {
    let res: Response;
    try {
      res = await this.fetchFn(this.baseUrl + path, {
        method,
        headers: this.headers(body === undefined ? {} : { 'content-type': 'application/json' }),
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (err) {
      return {
        status: 0,
        body: {
          error: {
            code: 'unreachable',
            message: `cannot reach the orchestrator (${(err as Error).message})`,
          },
        },
      };
    }
    if (res.status === 401) this.unauthorized();
    let parsed: unknown = null;
    const text = await res.text();
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = { error: { code: `http-${res.status}`, message: text.slice(0, 200) } };
    }
    return { status: res.status, body: parsed };
  }

  subscribe(path: string, handlers: StreamHandlers): () => void {
    const abort = new AbortController();
    let counted = false;
    const run = async (): Promise<void> => {
      const res = await this.fetchFn(this.baseUrl + path, {
        headers: this.headers({ accept: 'text/event-stream' }),
        signal: abort.signal,
        cache: 'no-store',
      });
      if (res.status === 401) this.unauthorized();
      if (!res.ok || !res.body) {
        let message = `HTTP ${res.status}`;
        try {
          message = ((await res.json()) as { error?: { message?: string } }).error?.message ?? message;
        } catch {
          // not JSON
        }
        throw new Error(message);
      }
      counted = true;
      this.streamOpened();
      handlers.opened?.();
      const parser = new SseParser((f) =>
        handlers.frame({ event: f.event ?? 'message', data: f.data, lastEventId: f.id }),
      );
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.push(value);
      }
    };
    run().then(
      () => this.streamEnded(abort, counted, handlers, 'the server closed the stream'),
      (err: Error) => this.streamEnded(abort, counted, handlers, err.message),
    );
    return () => abort.abort();
  }

  private streamOpened(): void {
    this.openStreams++;
    this.setConnection('connected');
  }

  private streamEnded(
    abort: AbortController,
    counted: boolean,
    handlers: StreamHandlers,
    message: string,
  ): void {
    if (counted) this.openStreams--;
    if (abort.signal.aborted) return;
    if (this.openStreams === 0) this.setConnection('disconnected');
    handlers.closed(message);
  }

  private setConnection(state: ConnectionState): void {
    if (state === this.connection) return;
    this.connection = state;
    for (const l of this.connectionListeners) l(state, this.baseUrl || location.origin);
  }

  command(): void {
    // VS Code commands do not exist in the browser.
  }

  onConnection(listener: (state: ConnectionState, url?: string) => void): () => void {
    this.connectionListeners.add(listener);
    listener(this.connection, this.baseUrl || location.origin);
    return () => this.connectionListeners.delete(listener);
  }
}
