/**
 * One loaded model inside the worker: its generation context (one sequence, reused across requests so
 * llama.cpp can keep a shared prompt prefix), a lazily created embedding context, and a queue that runs the
 * model's requests one at a time.
 */
import {
  resolveChatWrapper,
  type ChatWrapper,
  type LlamaContextSequence,
  type LlamaEmbeddingContext,
  type LlamaModel,
} from 'node-llama-cpp';
import type { WorkerConfig } from './protocol.js';

/** Context size used when none is configured: the model's training context, capped at this. */
const DEFAULT_MAX_CONTEXT = 4096;

export class ModelSlot {
  private queue: Promise<unknown> = Promise.resolve();
  private sequence?: Promise<LlamaContextSequence>;
  private embedding?: Promise<LlamaEmbeddingContext>;
  private wrapper?: ChatWrapper;

  constructor(
    readonly model: LlamaModel,
    private readonly config: WorkerConfig,
  ) {}

  get contextSize(): number {
    return this.config.contextSize ?? Math.min(this.model.trainContextSize, DEFAULT_MAX_CONTEXT);
  }

  /** Runs `fn` after every request queued before it has finished. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  generationSequence(): Promise<LlamaContextSequence> {
    this.sequence ??= this.model
      .createContext({ contextSize: this.contextSize, threads: this.config.threads, sequences: 1 })
      .then((ctx) => ctx.getSequence());
    this.sequence.catch(() => (this.sequence = undefined));
    return this.sequence;
  }

  /** The chat template wrapper, resolved once: resolving it (template analysis) takes ~0.4 s. */
  chatWrapper(): ChatWrapper {
    this.wrapper ??= resolveChatWrapper(this.model);
    return this.wrapper;
  }

  embeddingContext(): Promise<LlamaEmbeddingContext> {
    this.embedding ??= this.model.createEmbeddingContext({
      contextSize: this.contextSize,
      threads: this.config.threads,
    });
    this.embedding.catch(() => (this.embedding = undefined));
    return this.embedding;
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}
