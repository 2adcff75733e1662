// API keys of the gateway (OpenAI- and Ollama-compatible endpoints): HTTP shapes and a small client.
// Routes (admin token only): POST /api/v1/keys, GET /api/v1/keys, DELETE /api/v1/keys/:id.
import { ApiClientError, type ClientOptions } from './client';
import type { ApiErrorBody } from './types';

export interface ApiKeyUsage {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  requests: number;
  tokens: number;
}

export interface ApiKeyView {
  id: string;
  name: string;
  /** The first characters of the key, to recognise it (the key itself is shown once, at creation). */
  prefix: string;
  /** null: no limit. */
  requestsPerMinute: number | null;
  tokensPerDay: number | null;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
  /** Today's usage (UTC). */
  usage: ApiKeyUsage;
}

export interface CreateKeyRequest {
  name: string;
  requestsPerMinute?: number | null;
  tokensPerDay?: number | null;
}

export interface CreateKeyResponse {
  key: ApiKeyView;
  /** The secret: `Authorization: Bearer <token>`. Shown once; only its hash is stored. */
  token: string;
}

export interface ListKeysResponse {
  keys: ApiKeyView[];
}

/** The keys routes, for the CLI and other admin clients. */
export class KeysClient {
  private readonly url: string;

  constructor(private readonly options: ClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
  }

  create(req: CreateKeyRequest): Promise<CreateKeyResponse> {
    return this.request('POST', '/api/v1/keys', req);
  }

  list(): Promise<ListKeysResponse> {
    return this.request('GET', '/api/v1/keys');
  }

  revoke(id: string): Promise<ApiKeyView> {
    return this.request('DELETE', `/api/v1/keys/${encodeURIComponent(id)}`);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(this.url + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause;
      throw new ApiClientError(
        'unreachable',
        `cannot reach the orchestrator at ${this.url} (${cause?.code ?? (err as Error).message})`,
      );
    }
    const parsed = (await res.json().catch(() => undefined)) as unknown;
    if (!res.ok) {
      const e = (parsed as ApiErrorBody | undefined)?.error;
      throw new ApiClientError(
        e?.code ?? `http-${res.status}`,
        e?.message ?? `${res.status} ${res.statusText}`,
        res.status,
      );
    }
    return parsed as T;
  }
}
