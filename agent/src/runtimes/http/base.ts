// What the HTTP runtimes (Ollama, OpenAI-compatible) share: the client, close handling, guarded calls and
// streamed generation. Subclasses say how to talk to their API.
import type { GenerateOptions, GenerateResult, TokenSink } from '../types.js';
import { guardedCall, HttpClient } from './client.js';
import { closedError, streamGeneration, type GenerationEvent } from './generation.js';

export abstract class HttpRuntime {
  readonly name: string;
  protected readonly http: HttpClient;
  protected readonly closer = new AbortController();

  protected constructor(name: string, client: { baseUrl: string; headers?: Record<string, string> }) {
    this.name = name;
    this.http = new HttpClient({ runtime: name, baseUrl: client.baseUrl, headers: client.headers });
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  async close(): Promise<void> {
    this.closer.abort();
  }

  /** Decodes a streamed response body into generation events (NDJSON for Ollama, SSE for OpenAI). */
  protected abstract decode(body: ReturnType<typeof HttpClient.body>): AsyncIterable<GenerationEvent>;

  protected generate(
    path: string,
    body: object,
    r: { signal?: AbortSignal; onToken?: TokenSink; options?: GenerateOptions },
  ): Promise<GenerateResult> {
    return streamGeneration({
      runtime: this.name,
      baseUrl: this.baseUrl,
      signal: r.signal,
      closed: this.closer.signal,
      onToken: r.onToken,
      jsonSchema: r.options?.jsonSchema,
      open: async (signal) => this.decode(HttpClient.body(await this.http.send('POST', path, body, signal))),
    });
  }

  protected check(): void {
    if (this.closer.signal.aborted) throw closedError(this.name);
  }

  protected guard<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return guardedCall({ runtime: this.name, baseUrl: this.baseUrl, closed: this.closer.signal }, fn, signal);
  }
}
