/**
 * Owns the server's runtime: runs every request on it, counts what it does (for /health and tests), and honours
 * keep-alive. A `Runtime` has no per-model unload, so unloading means replacing the runtime with a fresh one
 * (for the embedded runtime: stopping its llama.cpp worker, which frees every model it loaded). That happens
 * once no loaded model has keep-alive time left and no request is running; a model whose time ran out while
 * another still had some is no longer reported loaded, and is freed with the others.
 */
import type { Runtime, EmbedResult, GenerateResult, ModelInfo, TokenSink } from './agent.js';
import type { KeepAliveMs } from './keep-alive.js';

export interface RuntimeHostOptions {
  /** Makes the runtime, at start and again after each unload. */
  create: () => Runtime;
  /** Keep-alive when a request names none (Ollama's default: 5 minutes). */
  defaultKeepAliveMs: KeepAliveMs;
}

/** Counters, as /health reports them. */
export interface HostStats {
  /** Generations and embeddings running now. */
  active: number;
  /** Requests run on the runtime since the start. */
  requests: number;
  /** Streamed chunks produced by the runtime since the start (all requests). */
  chunks: number;
  /** Generations that ended because their client went away (or asked to stop). */
  aborted: number;
  /** Times the runtime was replaced to unload models. */
  unloads: number;
}

export interface LoadedModel extends ModelInfo {
  /** When the model will be unloaded (epoch ms; Infinity: never). */
  expiresAt: number;
}

export class RuntimeHost {
  readonly stats: HostStats = { active: 0, requests: 0, chunks: 0, aborted: 0, unloads: 0 };
  private runtime: Runtime;
  private replacing: Promise<void> | undefined;
  /** Per loaded model: when its keep-alive runs out. */
  private readonly expiry = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: RuntimeHostOptions) {
    this.runtime = options.create();
  }

  get name(): string {
    return this.runtime.name;
  }

  async listModels(): Promise<ModelInfo[]> {
    await this.replacing;
    return this.runtime.listModels();
  }

  /** Models the runtime has loaded whose keep-alive has not run out. */
  async loadedModels(): Promise<LoadedModel[]> {
    const models = await this.listModels();
    const now = Date.now();
    return models.flatMap((m) => {
      const expiresAt = this.expiry.get(m.name);
      return m.loaded && expiresAt !== undefined && expiresAt > now ? [{ ...m, expiresAt }] : [];
    });
  }

  complete(
    request: Parameters<Runtime['complete']>[0],
    keepAlive: KeepAliveMs | undefined,
  ): Promise<GenerateResult> {
    return this.generate(request.model, keepAlive, request.onToken, (rt, onToken) =>
      rt.complete({ ...request, onToken }),
    );
  }

  chat(request: Parameters<Runtime['chat']>[0], keepAlive: KeepAliveMs | undefined): Promise<GenerateResult> {
    return this.generate(request.model, keepAlive, request.onToken, (rt, onToken) =>
      rt.chat({ ...request, onToken }),
    );
  }

  embed(request: Parameters<Runtime['embed']>[0], keepAlive: KeepAliveMs | undefined): Promise<EmbedResult> {
    return this.run(request.model, keepAlive, (rt) => rt.embed(request));
  }

  /**
   * Loads a model without answering anything (Ollama's generate or chat with no prompt). A runtime has no load
   * call, so this generates one token and drops it.
   */
  async load(model: string, keepAlive: KeepAliveMs | undefined): Promise<void> {
    await this.run(model, keepAlive, (rt) => rt.complete({ model, prompt: ' ', options: { maxTokens: 1 } }));
  }

  /** Ends a model's keep-alive now (Ollama's keep_alive 0 with no prompt). */
  async unload(model: string): Promise<void> {
    await this.replacing;
    this.expiry.set(model, 0);
    await this.sweep();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.replacing;
    await this.runtime.close();
  }

  private async generate(
    model: string,
    keepAlive: KeepAliveMs | undefined,
    onToken: TokenSink | undefined,
    call: (rt: Runtime, onToken: TokenSink) => Promise<GenerateResult>,
  ): Promise<GenerateResult> {
    const counted: TokenSink = (chunk) => {
      this.stats.chunks++;
      onToken?.(chunk);
    };
    const result = await this.run(model, keepAlive, (rt) => call(rt, counted));
    if (result.stopReason === 'aborted') this.stats.aborted++;
    return result;
  }

  private async run<T>(model: string, keepAlive: KeepAliveMs | undefined, fn: (rt: Runtime) => Promise<T>) {
    while (this.replacing) await this.replacing;
    this.stats.active++;
    this.stats.requests++;
    try {
      return await fn(this.runtime);
    } finally {
      this.stats.active--;
      const ms = keepAlive ?? this.options.defaultKeepAliveMs;
      this.expiry.set(model, Date.now() + ms);
      void this.sweep();
    }
  }

  /** Forgets models whose time ran out; replaces the runtime when none is left and nothing runs. */
  private async sweep(): Promise<void> {
    clearTimeout(this.timer);
    if (this.closed) return;
    const models = await this.runtime.listModels().catch(() => []);
    const loaded = new Set(models.filter((m) => m.loaded).map((m) => m.name));
    const now = Date.now();
    // Models that never loaded (unknown names, failed loads) are forgotten too.
    for (const [model, at] of this.expiry) if (at <= now || !loaded.has(model)) this.expiry.delete(model);
    if (this.expiry.size === 0 && this.stats.active === 0 && loaded.size > 0 && !this.replacing) {
      await this.replace();
      return;
    }
    const next = Math.min(...this.expiry.values());
    if (Number.isFinite(next)) {
      // setTimeout's limit is 2^31-1 ms; a later expiry is re-armed when that fires.
      this.timer = setTimeout(() => void this.sweep(), Math.min(Math.max(next - now, 0), 2 ** 31 - 1));
      this.timer.unref();
    }
  }

  private replace(): Promise<void> {
    const old = this.runtime;
    this.replacing = (async () => {
      try {
        await old.close();
      } finally {
        this.stats.unloads++;
        if (!this.closed) this.runtime = this.options.create();
        this.replacing = undefined;
      }
    })();
    return this.replacing;
  }
}
