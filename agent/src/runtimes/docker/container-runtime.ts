/**
 * A managed container as a `Runtime` (what the task executor talks to): requests go over HTTP through the client
 * runtime of its kind — OllamaRuntime for Ollama containers, OpenAIRuntime for vLLM — to the container's loopback
 * port. Each request holds a lease (so an idle vLLM container is started again first, and is not stopped while
 * in use) and is bound to the container's current run: when the container dies mid-request the request fails
 * at once as 'runtime-crashed' (retryable: the orchestrator retries the attempt) rather than as whatever the
 * broken connection looked like; a runtime that is restarting or failed is 'runtime-unavailable'.
 */
import { isRuntimeError, RuntimeError } from '../errors.js';
import { OllamaRuntime } from '../ollama/index.js';
import { OpenAIRuntime } from '../openai/index.js';
import type {
  ChatRequest,
  CompletionRequest,
  EmbedRequest,
  EmbedResult,
  GenerateResult,
  ModelInfo,
  Runtime,
} from '../types.js';
import { ContainerError } from './errors.js';
import type { ManagedRuntime } from './managed-container.js';
import type { DockerRuntimeManager, RuntimeLease } from './manager.js';

export interface ContainerRuntimeOptions {
  manager: DockerRuntimeManager;
  /** The managed runtime's name (ManagedRuntime.name). */
  runtime: string;
  /** The name tasks use for this runtime; default the managed runtime's name. */
  name?: string;
  /** Ollama containers: keep_alive sent with each request (unloading idle models is Ollama's job). */
  keepAlive?: string | number;
  /** The HTTP client for a container; default by kind. */
  client?: (rt: ManagedRuntime) => Runtime;
}

/** How long a failed request waits for the engine's 'die' event before it is reported as what it was. */
const CRASH_GRACE_MS = 1_000;

export class ContainerRuntime implements Runtime {
  readonly name: string;
  private client: { runtime: Runtime; baseUrl: string } | undefined;
  private closed = false;

  constructor(private readonly o: ContainerRuntimeOptions) {
    this.name = o.name ?? o.runtime;
  }

  async listModels(): Promise<ModelInfo[]> {
    const rt = this.o.manager.get(this.o.runtime);
    if (rt?.state === 'ready') {
      const models = await this.clientFor(rt).listModels();
      return models.map((m) => ({ ...m, runtime: this.name }));
    }
    // Not running (idle, restarting): do not start it just to list; a vLLM container serves one known model.
    return rt?.kind === 'vllm' ? [{ name: rt.model, runtime: this.name, loaded: false }] : [];
  }

  complete(request: CompletionRequest): Promise<GenerateResult> {
    return this.generate(request.signal, (client, signal) => client.complete({ ...request, signal }));
  }

  chat(request: ChatRequest): Promise<GenerateResult> {
    return this.generate(request.signal, (client, signal) => client.chat({ ...request, signal }));
  }

  embed(request: EmbedRequest): Promise<EmbedResult> {
    return this.withLease(request.signal, (client, signal) => client.embed({ ...request, signal }));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client?.runtime.close();
    this.client = undefined;
  }

  private async generate(
    callerSignal: AbortSignal | undefined,
    call: (client: Runtime, signal: AbortSignal) => Promise<GenerateResult>,
  ): Promise<GenerateResult> {
    return this.withLease(callerSignal, async (client, signal, run) => {
      const result = await call(client, signal);
      // The run's end aborted the generation: that is a crash, not the caller's abort.
      if (result.stopReason === 'aborted' && run.aborted && !callerSignal?.aborted) throw crashed(run);
      return result;
    });
  }

  private async withLease<T>(
    callerSignal: AbortSignal | undefined,
    call: (client: Runtime, signal: AbortSignal, run: AbortSignal) => Promise<T>,
  ): Promise<T> {
    if (this.closed) throw new RuntimeError('closed', `${this.name} is closed`);
    let lease: RuntimeLease;
    try {
      lease = await this.o.manager.acquire(this.o.runtime);
    } catch (err) {
      throw leaseError(this.name, err);
    }
    const run = lease.runtime.signal;
    try {
      const signal = callerSignal ? AbortSignal.any([callerSignal, run]) : run;
      return await call(this.clientFor(lease.runtime), signal, run);
    } catch (err) {
      if (callerSignal?.aborted) throw err;
      // A dropped connection may come before the engine's 'die' event: give it a moment to say it was a crash.
      const connectionLost = isRuntimeError(err, 'runtime-unavailable') || isRuntimeError(err, 'internal');
      if (run.aborted || (connectionLost && (await abortsSoon(run, CRASH_GRACE_MS)))) throw crashed(run, err);
      throw err;
    } finally {
      lease.release();
    }
  }

  private clientFor(rt: ManagedRuntime): Runtime {
    if (!this.client || this.client.baseUrl !== rt.baseUrl) {
      void this.client?.runtime.close();
      const runtime =
        this.o.client?.(rt) ??
        (rt.kind === 'ollama'
          ? new OllamaRuntime({ name: this.name, baseUrl: rt.baseUrl, keepAlive: this.o.keepAlive })
          : new OpenAIRuntime({ name: this.name, baseUrl: rt.baseUrl }));
      this.client = { runtime, baseUrl: rt.baseUrl };
    }
    return this.client.runtime;
  }
}

function crashed(run: AbortSignal, cause?: unknown): RuntimeError {
  const reason = run.reason instanceof Error ? run.reason.message : 'the container stopped';
  return new RuntimeError('runtime-crashed', reason, { cause });
}

function leaseError(name: string, err: unknown): RuntimeError {
  if (err instanceof RuntimeError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof ContainerError && err.code === 'closed') return new RuntimeError('closed', message);
  // Container errors name their runtime already.
  return new RuntimeError(
    'runtime-unavailable',
    err instanceof ContainerError ? message : `${name}: ${message}`,
    {
      cause: err,
    },
  );
}

function abortsSoon(signal: AbortSignal, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(false);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(true);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
