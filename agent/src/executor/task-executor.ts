/**
 * Runs the attempts the orchestrator assigns to this agent on its runtimes, and reports them over the session
 * stream: TaskUpdate STARTED, TaskOutput batches (tokens and log lines), then one final TaskUpdate (SUCCEEDED
 * with a TaskResult, FAILED or CANCELLED with a TaskError). Knows the contract's messages but not gRPC: the
 * session gives it `send` and the stream's state.
 *
 * - At most `slots` attempts run at once; one more is refused at once (FAILED 'no-slot', retryable). A second
 *   assign of an attempt that is running is ignored.
 * - `cancel` and `timeout_ms` abort the runtime call; it stops promptly (runtimes resolve aborted generations).
 * - Attempts keep running while the session is down; their updates are held (bounded) and sent by `resume()`
 *   after the next welcome; their token output produced meanwhile is kept merged (bounded by the text).
 */
import type { AgentMessage, AssignTask__Output, TaskUpdate } from '@orchion/proto';
import { pino, type Logger } from 'pino';
import type { Runtime } from '../runtimes/types.js';
import { DEFAULT_OUTPUT_LIMITS, OutputBatcher, type OutputLimits } from './output-batcher.js';
import { chooseRuntime } from './runtime-choice.js';
import { TaskFailure, taskErrorOf } from './task-errors.js';
import { parseTask, type TaskRequest } from './task-request.js';
import {
  embeddingLog,
  embeddingResult,
  formatBytes,
  generationLog,
  generationResult,
} from './task-result.js';
import { UpdateOutbox } from './update-outbox.js';

export interface TaskExecutorOptions {
  runtimes: Runtime[];
  /** Attempts run at once. */
  slots: number;
  /** Writes one message to the session stream. */
  send(msg: AgentMessage): void;
  /** Whether the stream takes more output now (false while backpressured or down). Default: always. */
  canSend?(): boolean;
  /** Whether a session is up; while not, task updates are held until `resume()`. Default: always. */
  isConnected?(): boolean;
  /** A task named a model no runtime here serves: the model list the orchestrator has may be stale. */
  onModelMissing?(): void;
  /** Task updates held at most while disconnected (default 1,000; the oldest are dropped past it). */
  maxHeldUpdates?: number;
  output?: Partial<OutputLimits>;
  logger?: Logger;
}

type AbortCause = { code: 'cancelled' | 'timeout' | 'agent-stopped'; message: string };

interface Attempt {
  id: string;
  controller: AbortController;
  cause?: AbortCause;
  output: OutputBatcher;
  timer?: NodeJS.Timeout;
  done?: Promise<void>;
}

export class TaskExecutor {
  private readonly runtimes: ReadonlyMap<string, Runtime>;
  private readonly running = new Map<string, Attempt>();
  private readonly outbox: UpdateOutbox;
  private readonly limits: OutputLimits;
  private readonly logger: Logger;
  private readonly isConnected: () => boolean;
  private readonly canSend: () => boolean;
  private stopping: string | undefined;

  constructor(private readonly opts: TaskExecutorOptions) {
    if (!Number.isInteger(opts.slots) || opts.slots < 1) throw new Error('slots must be a positive integer');
    this.runtimes = new Map(opts.runtimes.map((r) => [r.name, r]));
    this.limits = { ...DEFAULT_OUTPUT_LIMITS, ...opts.output };
    this.logger = opts.logger ?? pino({ enabled: false });
    this.isConnected = opts.isConnected ?? (() => true);
    this.canSend = opts.canSend ?? (() => true);
    this.outbox = new UpdateOutbox(
      { send: (m) => opts.send(m), isConnected: this.isConnected },
      opts.maxHeldUpdates ?? 1_000,
      (u) => this.logger.warn({ attemptId: u.attemptId, state: u.state }, 'dropped a held task update'),
    );
  }

  get slots(): number {
    return this.opts.slots;
  }

  /** Attempts running now. */
  runningAttempts(): string[] {
    return [...this.running.keys()];
  }

  /** Attempts that finished while the session was down, whose final update is not sent yet. */
  finishedUnreported(): string[] {
    return this.outbox.finishedAttempts();
  }

  /** Starts an attempt (or refuses it). Never throws; the outcome goes out as task updates. */
  assign(task: AssignTask__Output): void {
    const id = task.attemptId;
    if (!id) {
      this.logger.warn(
        { jobId: task.jobId, stepId: task.stepId },
        'ignored a task assignment without attempt id',
      );
      return;
    }
    if (this.running.has(id)) {
      this.logger.debug({ attemptId: id }, 'ignored a duplicate assignment of a running attempt');
      return;
    }
    if (this.stopping !== undefined) {
      const error = { code: 'agent-stopped', message: this.stopping, retryable: true };
      this.outbox.send({ attemptId: id, state: 'TASK_STATE_FAILED', error });
      return;
    }
    if (this.running.size >= this.opts.slots) {
      const message = `all ${this.opts.slots} slot${this.opts.slots === 1 ? '' : 's'} of this agent are busy`;
      this.logger.warn({ attemptId: id, running: this.running.size }, 'refused a task: no free slot');
      this.outbox.send({
        attemptId: id,
        state: 'TASK_STATE_FAILED',
        error: { code: 'no-slot', message, retryable: true },
      });
      return;
    }
    const attempt: Attempt = {
      id,
      controller: new AbortController(),
      output: new OutputBatcher(
        id,
        { send: this.opts.send, canSend: () => this.outputWritable() },
        this.limits,
      ),
    };
    this.running.set(id, attempt);
    attempt.done = this.run(attempt, task);
  }

  /** Aborts a running attempt; it ends CANCELLED. Unknown (finished) attempts are ignored. */
  cancel(attemptId: string, reason = ''): void {
    const attempt = this.running.get(attemptId);
    if (!attempt) return;
    this.abort(attempt, { code: 'cancelled', message: reason || 'cancelled by the orchestrator' });
  }

  /**
   * Aborts every running attempt (they end FAILED 'agent-stopped', retryable) and waits until they have ended.
   * Later assignments are refused the same way.
   */
  async abortAll(reason = 'the agent is shutting down'): Promise<void> {
    this.stopping = reason;
    const attempts = [...this.running.values()];
    for (const a of attempts) this.abort(a, { code: 'agent-stopped', message: reason });
    await Promise.all(attempts.map((a) => a.done));
  }

  /** Sends what waited for the stream: held updates after a (re)connection, output after a drain. */
  resume(): void {
    if (!this.outbox.flush()) return;
    for (const a of this.running.values()) a.output.flush();
  }

  private outputWritable(): boolean {
    // Held updates (an attempt's STARTED) go before any output of a new session.
    return this.outbox.flush() && this.canSend();
  }

  private abort(attempt: Attempt, cause: AbortCause): void {
    if (attempt.cause) return;
    attempt.cause = cause;
    attempt.controller.abort();
  }

  private async run(attempt: Attempt, task: AssignTask__Output): Promise<void> {
    const { id } = attempt;
    const started = performance.now();
    this.outbox.send({ attemptId: id, state: 'TASK_STATE_STARTED' });
    let final: TaskUpdate;
    try {
      const request = parseTask(task);
      if (request.timeoutMs > 0) {
        attempt.timer = setTimeout(
          () => this.abort(attempt, { code: 'timeout', message: `timed out after ${request.timeoutMs} ms` }),
          request.timeoutMs,
        );
      }
      const result = await this.execute(attempt, request, started);
      if (attempt.cause) throw new TaskFailure(attempt.cause.code, attempt.cause.message, true);
      final = { attemptId: id, state: 'TASK_STATE_SUCCEEDED', result };
    } catch (err) {
      final = this.failure(attempt, err);
      attempt.output.log(final.state === 'TASK_STATE_CANCELLED' ? 'info' : 'error', describe(final));
    } finally {
      clearTimeout(attempt.timer);
    }
    this.running.delete(id);
    if (this.isConnected()) {
      this.outbox.flush();
      attempt.output.finish();
    } else {
      attempt.output.discard();
    }
    this.outbox.send(final);
    this.logger.info(
      { attemptId: id, jobId: task.jobId, stepId: task.stepId, state: final.state, error: final.error?.code },
      'task attempt ended',
    );
  }

  private async execute(attempt: Attempt, request: TaskRequest, started: number) {
    const { output, controller } = attempt;
    const signal = controller.signal;
    const choice = await chooseRuntime(this.runtimes, request.runtime, request.model).catch(
      (err: unknown) => {
        if (err instanceof TaskFailure && err.code === 'model-not-found') this.opts.onModelMissing?.();
        throw err;
      },
    );
    const { runtime, model } = choice;
    const modelName = request.model;
    if (model && !model.loaded && !model.error) {
      const size = model.sizeBytes ? `, ${formatBytes(model.sizeBytes)}` : '';
      const arch = model.architecture ? `, ${model.architecture}` : '';
      output.log('info', `loading model ${modelName} (${runtime.name} runtime${arch}${size})`);
    }
    const onToken = (text: string) => output.token(text);
    const { input, options } = request;
    if (input.kind === 'embed') {
      const r = await runtime.embed({ model: modelName, input: input.input, signal });
      output.log('info', embeddingLog(r, performance.now() - started));
      return embeddingResult(r, performance.now() - started);
    }
    const r =
      input.kind === 'complete'
        ? await runtime.complete({ model: modelName, prompt: input.prompt, options, signal, onToken })
        : await runtime.chat({ model: modelName, messages: input.messages, options, signal, onToken });
    if (r.stopReason === 'aborted')
      throw attempt.cause ?? new TaskFailure('aborted', 'the generation was aborted', true);
    output.log('info', generationLog(r));
    return generationResult(r, request.schema, options.maxTokens, performance.now() - started);
  }

  private failure(attempt: Attempt, err: unknown): TaskUpdate {
    const { id, cause } = attempt;
    if (cause?.code === 'cancelled') {
      return {
        attemptId: id,
        state: 'TASK_STATE_CANCELLED',
        error: { code: 'cancelled', message: cause.message, retryable: false },
      };
    }
    if (cause) {
      return {
        attemptId: id,
        state: 'TASK_STATE_FAILED',
        error: { code: cause.code, message: cause.message, retryable: true },
      };
    }
    return { attemptId: id, state: 'TASK_STATE_FAILED', error: taskErrorOf(err) };
  }
}

function describe(update: TaskUpdate): string {
  const e = update.error;
  const what = update.state === 'TASK_STATE_CANCELLED' ? 'cancelled' : 'failed';
  return `${what}: ${e?.code ?? 'error'}: ${e?.message ?? ''}${e?.retryable ? ' (retryable)' : ''}`;
}
