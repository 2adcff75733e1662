// A small typed client for the orchestrator's HTTP API, shared by the CLI and later clients.
// Uses the platform's fetch, so it runs in Node 20, VS Code's extension host and browsers alike.
import type {
  JobState,
  JobView,
  ListJobsResponse,
  LogEntry,
  SubmitJobRequest,
  ValidateResponse,
} from './jobs';
import type { NodeLogEntry } from './node-logs';
import type {
  ApiErrorBody,
  HealthResponse,
  ListNodesResponse,
  NodeState,
  NodeView,
  OrchionEvent,
} from './types';

export class ApiClientError extends Error {
  constructor(
    /** The API's error code, or `unreachable` when no HTTP answer came back. */
    readonly code: string,
    message: string,
    readonly status?: number,
    /** The error's `details` (e.g. pipeline diagnostics for `invalid_pipeline`). */
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiClientError';
  }
}

export interface ClientOptions {
  url: string;
  token?: string;
  /** Per-request timeout for non-streaming calls (ms). */
  timeoutMs?: number;
}

export interface SseOptions {
  /** Resume after this event id (`Last-Event-ID`). */
  lastEventId?: number;
  signal?: AbortSignal;
  /** Called once the server has answered the request (the stream is open), before any frame. */
  onOpen?(): void;
}

export interface ListNodesQuery {
  state?: NodeState;
  limit?: number;
  cursor?: string;
}

export class OrchionClient {
  readonly url: string;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;

  constructor(options: ClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.token = options.token;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  health(): Promise<HealthResponse> {
    return this.get('/healthz');
  }

  listNodes(query: ListNodesQuery = {}): Promise<ListNodesResponse> {
    return this.get(`/api/v1/nodes${toQuery({ ...query })}`);
  }

  /** Follows cursors until every node is listed. */
  async listAllNodes(query: Omit<ListNodesQuery, 'cursor'> = {}): Promise<NodeView[]> {
    const nodes: NodeView[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.listNodes({ ...query, limit: query.limit ?? 1000, cursor });
      nodes.push(...page.nodes);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return nodes;
  }

  getNode(id: string): Promise<NodeView> {
    return this.get(`/api/v1/nodes/${encodeURIComponent(id)}`);
  }

  submitJob(req: SubmitJobRequest): Promise<JobView> {
    return this.send('POST', '/api/v1/jobs', req);
  }

  validatePipeline(pipeline: string): Promise<ValidateResponse> {
    return this.send('POST', '/api/v1/pipelines/validate', { pipeline });
  }

  listJobs(query: { state?: JobState; limit?: number; cursor?: string } = {}): Promise<ListJobsResponse> {
    return this.get(`/api/v1/jobs${toQuery({ ...query })}`);
  }

  getJob(id: string): Promise<JobView> {
    return this.get(`/api/v1/jobs/${encodeURIComponent(id)}`);
  }

  cancelJob(id: string): Promise<JobView> {
    return this.send('POST', `/api/v1/jobs/${encodeURIComponent(id)}/cancel`, {});
  }

  /**
   * Streams a job's logs (SSE). With `follow`, keeps streaming until the job ends; resolves with the job's final
   * state (or undefined when the stream ended early), and the last entry id to resume from.
   */
  async streamJobLogs(
    id: string,
    onEntry: (entry: LogEntry) => void,
    options: { follow?: boolean; lastEventId?: number; signal?: AbortSignal } = {},
  ): Promise<{ state?: JobState; lastEventId?: number }> {
    let state: JobState | undefined;
    let lastEventId = options.lastEventId;
    const path = `/api/v1/jobs/${encodeURIComponent(id)}/logs${options.follow ? '?follow=1' : ''}`;
    await this.streamSse(
      path,
      (frame) => {
        if (frame.event === 'end') {
          state = (JSON.parse(frame.data) as { state: JobState }).state;
          return;
        }
        const entry = JSON.parse(frame.data) as LogEntry;
        lastEventId = entry.id;
        onEntry(entry);
      },
      options,
    );
    return { state, lastEventId };
  }

  /**
   * Streams a node's log (SSE): the retained lines, then with `follow` live ones until `signal` aborts or the node
   * is removed. Resolves with the last entry id, to resume from with `lastEventId`.
   */
  async streamNodeLogs(
    id: string,
    onEntry: (entry: NodeLogEntry) => void,
    options: { follow?: boolean; lastEventId?: number; signal?: AbortSignal } = {},
  ): Promise<{ lastEventId?: number }> {
    let lastEventId = options.lastEventId;
    const path = `/api/v1/nodes/${encodeURIComponent(id)}/logs${options.follow ? '?follow=1' : ''}`;
    await this.streamSse(
      path,
      (frame) => {
        if (frame.event !== 'log') return;
        const entry = JSON.parse(frame.data) as NodeLogEntry;
        lastEventId = entry.id;
        onEntry(entry);
      },
      options,
    );
    return { lastEventId };
  }

  /**
   * Streams `/api/v1/events` (SSE) until `signal` aborts or the server ends the stream.
   * Returns the id of the last event seen, to resume from with `lastEventId`.
   */
  async streamEvents(
    onEvent: (event: OrchionEvent) => void,
    options: SseOptions = {},
  ): Promise<number | undefined> {
    let lastId = options.lastEventId;
    await this.streamSse(
      '/api/v1/events',
      (frame) => {
        if (!frame.data) return;
        const event: OrchionEvent = {
          id: Number(frame.id),
          type: frame.event as OrchionEvent['type'],
          ...(JSON.parse(frame.data) as { time: string; data: unknown }),
        };
        if (Number.isFinite(event.id)) lastId = event.id;
        onEvent(event);
      },
      options,
    );
    return lastId;
  }

  /**
   * Reads an SSE endpoint of the API until `signal` aborts (then it resolves) or the server ends the stream; each
   * frame goes to `onFrame`. `onOpen` runs once the server has answered, before any frame. An HTTP error rejects
   * with an ApiClientError.
   */
  async streamSse(path: string, onFrame: (frame: SseFrame) => void, options: SseOptions = {}): Promise<void> {
    const headers: Record<string, string> = { ...this.authHeaders(), accept: 'text/event-stream' };
    if (options.lastEventId !== undefined) headers['last-event-id'] = String(options.lastEventId);
    const res = await this.fetch(path, { headers, signal: options.signal });
    if (!res.ok || !res.body) throw await toError(res);
    options.onOpen?.();
    const parser = new SseParser(onFrame);
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        parser.push(decoder.decode(chunk, { stream: true }));
      }
    } catch (err) {
      if (!options.signal?.aborted) throw err;
    }
  }

  private async get<T>(path: string): Promise<T> {
    const res = await this.fetch(path, {
      headers: this.authHeaders(),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!res.ok) throw await toError(res);
    return (await res.json()) as T;
  }

  private async send<T>(method: string, path: string, body: unknown): Promise<T> {
    const res = await this.fetch(path, {
      method,
      headers: { ...this.authHeaders(), 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!res.ok) throw await toError(res);
    return (await res.json()) as T;
  }

  private authHeaders(): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }

  private async fetch(path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(this.url + path, init);
    } catch (err) {
      if (
        (err as Error).name === 'AbortError' &&
        init.signal?.aborted &&
        !(init.signal.reason instanceof DOMException && init.signal.reason.name === 'TimeoutError')
      )
        throw err;
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why =
        (err as Error).name === 'TimeoutError'
          ? 'timed out'
          : (cause?.code ?? cause?.message ?? (err as Error).message);
      throw new ApiClientError('unreachable', `cannot reach the orchestrator at ${this.url} (${why})`);
    }
  }
}

async function toError(res: Response): Promise<ApiClientError> {
  let body: ApiErrorBody | undefined;
  try {
    body = (await res.json()) as ApiErrorBody;
  } catch {
    // not JSON: fall through
  }
  const code = body?.error?.code ?? `http-${res.status}`;
  const message = body?.error?.message ?? `${res.status} ${res.statusText}`;
  return new ApiClientError(code, message, res.status, body?.error?.details);
}

function toQuery(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export interface SseFrame {
  id?: string;
  event?: string;
  data: string;
}

/** Incremental text/event-stream parser (WHATWG rules for the fields we use). */
export class SseParser {
  private buffer = '';
  private frame: SseFrame = { data: '' };

  constructor(private readonly onFrame: (frame: SseFrame) => void) {}

  push(text: string): void {
    this.buffer += text;
    let nl: number;
    while ((nl = this.buffer.search(/\r\n|\n|\r/)) >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + (this.buffer.startsWith('\r\n', nl) ? 2 : 1));
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      if (this.frame.data || this.frame.event) {
        this.frame.data = this.frame.data.replace(/\n$/, '');
        this.onFrame(this.frame);
      }
      this.frame = { data: '' };
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') this.frame.data += value + '\n';
    else if (field === 'event') this.frame.event = value;
    else if (field === 'id') this.frame.id = value;
  }
}
