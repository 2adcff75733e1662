/**
 * The embedded runtime: llama.cpp (node-llama-cpp) serving the GGUF models of a directory, run in a child
 * process (see worker.ts) so that a llama.cpp abort kills only that process. Headers are validated before a
 * model is handed to the worker; models load on first use and stay loaded (optionally until idle).
 *
 * A worker death fails the requests it was running with 'runtime-crashed'; the next request forks a new worker.
 * With gpu 'auto', a crash in the GPU backend moves the runtime to the CPU (see gpu-fallback.ts).
 * Aborts follow the Runtime contract: generations resolve with stopReason 'aborted', embeddings reject.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { ModelCatalog, type CatalogEntry } from '../../models/catalog.js';
import { isRuntimeError, RuntimeError } from '../errors.js';
import { checkEmbedInput, checkMessages, checkOptions } from '../requests.js';
import { validateStructuredOutput } from '../structured.js';
import type {
  ChatRequest,
  CompletionRequest,
  EmbedRequest,
  EmbedResult,
  GenerateOptions,
  GenerateResult,
  ModelInfo,
  Runtime,
  TokenSink,
} from '../types.js';
import type { WorkerConfig, WorkerEmbedResult, WorkerGenerateResult } from './protocol.js';
import { backendName, gpuCrashCause } from './gpu-fallback.js';
import { defaultWorkerPath } from './worker-path.js';
import { WorkerProcess, type WorkerRequestBody } from './worker-process.js';

export interface EmbeddedRuntimeOptions {
  /** Directory of `*.gguf` models; a model's name is its file stem. */
  modelsDir: string;
  /** CPU threads for inference (default 1: on small CPU-only machines more threads can be far slower). */
  threads?: number;
  /** 'auto' (default) uses CUDA/Vulkan/Metal when the installed binaries and hardware allow; false: CPU only. */
  gpu?: WorkerConfig['gpu'];
  /** Context size in tokens (default: the model's training context, capped at 4096). */
  contextSize?: number;
  /** Stop the worker (unloading every model) after this long without requests; unset: never. */
  idleUnloadMs?: number;
  /** An aborted generation resolves after the worker confirms, or after this long at most (default 500). */
  abortGraceMs?: number;
  /** The bundled worker script (default: agent/dist/llama-worker.js). */
  workerPath?: string;
  /** Receives the worker's stdout/stderr (llama.cpp warnings). */
  onLog?: (text: string) => void;
  /** Lines for the node's log: the backend llama.cpp runs on, and a move from a crashing GPU to the CPU. */
  onNotice?: (level: 'info' | 'warn', text: string) => void;
}

/**
 * How long a read of the models dir is reused (ms): a task lists the models and then looks its own up, and tasks
 * follow each other closely; each read costs a readdir and a stat per file. The reuse also needs the dir's mtime
 * unchanged (one stat), so a file added, removed or renamed in (a pull) is listed at once; a model missing from
 * the reused read is looked up afresh.
 */
const CATALOG_REUSE_MS = 500;

export class EmbeddedRuntime implements Runtime {
  readonly name = 'embedded';
  readonly continuesChat = true;
  private readonly catalog: ModelCatalog;
  private recent: { at: number; dirMtimeMs: number; entries: Promise<CatalogEntry[]> } | undefined;
  private config: WorkerConfig;
  private worker: WorkerProcess | undefined;
  /** The backend last announced (each change is noticed once). */
  private announced: string | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: EmbeddedRuntimeOptions) {
    this.catalog = new ModelCatalog(options.modelsDir);
    this.config = {
      gpu: options.gpu ?? 'auto',
      threads: options.threads ?? 1,
      contextSize: options.contextSize,
    };
  }

  /** The worker's process id while one runs (diagnostics). */
  get workerPid(): number | undefined {
    return this.worker?.alive ? this.worker.pid : undefined;
  }

  async listModels(): Promise<ModelInfo[]> {
    const entries = await this.entries();
    const loaded = this.worker?.alive ? this.worker.loaded : new Set<string>();
    return entries.map((e) => ({
      name: e.name,
      runtime: this.name,
      sizeBytes: e.sizeBytes,
      architecture: e.summary?.architecture,
      contextLength: e.summary?.contextLength,
      embeddingLength: e.summary?.embeddingLength,
      loaded: loaded.has(e.name),
      ...(e.error ? { error: e.error } : {}),
    }));
  }

  async complete(r: CompletionRequest): Promise<GenerateResult> {
    checkOptions(r.options);
    const entry = await this.model(r.model);
    const options = r.options ?? {};
    return this.generate({ type: 'complete', ...ref(entry), prompt: r.prompt, options }, options, r);
  }

  async chat(r: ChatRequest): Promise<GenerateResult> {
    checkMessages(r.messages);
    checkOptions(r.options);
    const entry = await this.model(r.model);
    const options = r.options ?? {};
    const prefix = r.assistantPrefix ? { assistantPrefix: r.assistantPrefix } : {};
    return this.generate(
      { type: 'chat', ...ref(entry), messages: r.messages, options, ...prefix },
      options,
      r,
    );
  }

  async embed(r: EmbedRequest): Promise<EmbedResult> {
    checkEmbedInput(r.input);
    const entry = await this.model(r.model);
    if (r.signal?.aborted) throw new RuntimeError('aborted', 'embedding aborted');
    const worker = this.startWorker();
    const { id, done } = worker.request({ type: 'embed', ...ref(entry), input: r.input });
    const onAbort = () => worker.abort(id);
    r.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return (await done) as WorkerEmbedResult;
    } catch (err) {
      if (this.retryOnCpu(worker, err) && !r.signal?.aborted) return await this.embed(r);
      throw err;
    } finally {
      r.signal?.removeEventListener('abort', onAbort);
      this.armIdleTimer();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleTimer);
    await this.worker?.stop();
    this.worker = undefined;
  }

  /** Finds a model and checks its header, so the worker is never asked to load a file that would abort it. */
  private async model(name: string): Promise<CatalogEntry> {
    if (this.closed) throw new RuntimeError('closed', 'the embedded runtime is closed');
    const recent = this.recent && performance.now() - this.recent.at < CATALOG_REUSE_MS;
    const entry =
      (recent ? (await this.entries()).find((e) => e.name === name) : undefined) ??
      (await this.catalog.get(name));
    if (!entry) {
      throw new RuntimeError(
        'model-not-found',
        `no model ${JSON.stringify(name)} in ${this.options.modelsDir}`,
      );
    }
    if (entry.error) throw new RuntimeError('model-invalid', `model ${name}: ${entry.error}`);
    return entry;
  }

  /** The models dir's entries, read again when the last read is older than CATALOG_REUSE_MS or the dir changed. */
  private async entries(): Promise<CatalogEntry[]> {
    const now = performance.now();
    const dirMtimeMs = await stat(this.options.modelsDir).then(
      (st) => st.mtimeMs,
      () => -1,
    );
    const recent = this.recent;
    if (recent && now - recent.at < CATALOG_REUSE_MS && recent.dirMtimeMs === dirMtimeMs)
      return recent.entries;
    const entries = this.catalog.list();
    const read = { at: now, dirMtimeMs, entries };
    this.recent = read;
    entries.catch(() => {
      if (this.recent === read) this.recent = undefined;
    });
    return entries;
  }

  private startWorker(): WorkerProcess {
    clearTimeout(this.idleTimer);
    if (this.closed) throw new RuntimeError('closed', 'the embedded runtime is closed');
    if (this.worker?.alive) return this.worker;
    const path = this.options.workerPath ?? defaultWorkerPath();
    if (!existsSync(path)) {
      throw new RuntimeError('internal', `llama worker not found at ${path}: run \`npm run build\` first`);
    }
    this.worker = new WorkerProcess(path, this.config, this.options.onLog, (b) => {
      const text = `llama.cpp runs on ${backendName(b.gpu)}${b.gpu && b.devices.length ? ` (${b.devices.join(', ')})` : ''}`;
      if (text !== this.announced) this.options.onNotice?.('info', text);
      this.announced = text;
    });
    return this.worker;
  }

  /**
   * After a worker on a GPU crashed in its GPU backend (gpu 'auto' only): moves the runtime to the CPU, once, and
   * says so. True when the failed request should run again on the CPU.
   */
  private retryOnCpu(worker: WorkerProcess, err: unknown): boolean {
    if (!isRuntimeError(err, 'runtime-crashed') || !worker.backend?.gpu) return false;
    // Still on the GPU (not moved by a crash of a request that ran beside this one)?
    if (this.config.gpu !== false) {
      const cause = gpuCrashCause(this.config.gpu, worker.backend.gpu, worker.output);
      if (cause === undefined) return false;
      this.config = { ...this.config, gpu: false };
      const gpu = worker.backend.gpu;
      this.options.onNotice?.(
        'warn',
        `llama.cpp's ${backendName(gpu)} backend crashed (${cause}); the embedded runtime runs on the CPU from now on ` +
          `(set its gpu option to false to skip the GPU, or to "${gpu}" to keep it and see the errors)`,
      );
    }
    return true;
  }

  private armIdleTimer(): void {
    const ms = this.options.idleUnloadMs;
    const worker = this.worker;
    if (!ms || !worker || worker.busy) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.worker === worker && !worker.busy) {
        this.worker = undefined;
        void worker.stop();
      }
    }, ms);
    this.idleTimer.unref();
  }

  private async generate(
    body: WorkerRequestBody,
    options: GenerateOptions,
    r: { signal?: AbortSignal; onToken?: TokenSink },
  ): Promise<GenerateResult> {
    const started = performance.now();
    if (r.signal?.aborted) {
      const durationMs = performance.now() - started;
      return { text: '', stopReason: 'aborted', promptTokens: 0, completionTokens: 0, durationMs };
    }
    const worker = this.startWorker();
    let streamed = '';
    const { id, done } = worker.request(body, (text) => {
      streamed += text;
      r.onToken?.(text);
    });
    let graceTimer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<WorkerGenerateResult>((resolve) => {
      const onAbort = () => {
        worker.abort(id);
        graceTimer = setTimeout(() => {
          worker.forget(id);
          const durationMs = performance.now() - started;
          resolve({
            text: streamed,
            stopReason: 'aborted',
            promptTokens: 0,
            completionTokens: 0,
            durationMs,
          });
        }, this.options.abortGraceMs ?? 500);
      };
      r.signal?.addEventListener('abort', onAbort, { once: true });
      void done.finally(() => r.signal?.removeEventListener('abort', onAbort)).catch(() => undefined);
    });
    try {
      const result: GenerateResult = {
        ...(await Promise.race([done as Promise<WorkerGenerateResult>, gaveUp])),
      };
      if (options.jsonSchema) result.structured = validateStructuredOutput(result.text, options.jsonSchema);
      return result;
    } catch (err) {
      // Nothing streamed yet: run it again on the CPU, invisibly to the caller.
      if (streamed === '' && !r.signal?.aborted && this.retryOnCpu(worker, err)) {
        return await this.generate(body, options, r);
      }
      throw err;
    } finally {
      clearTimeout(graceTimer);
      this.armIdleTimer();
    }
  }
}

const ref = (e: CatalogEntry) => ({ model: e.name, modelPath: e.path });
