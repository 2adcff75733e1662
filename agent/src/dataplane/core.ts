/**
 * What the data plane does, without a transport: runs generate and embed requests on this agent's runtimes and
 * hands the outcome to a sink (the HTTP route's response, or a stream of the multiplexed connection). Counts
 * what it serves (GET /v1/status).
 */
import type {
  DataPlaneEmbedRequest,
  DataPlaneEmbedResult,
  DataPlaneGenerateRequest,
  DataPlaneResult,
  DataPlaneStatus,
} from '@orchion/proto';
import type { Logger } from 'pino';
import { chooseRuntime } from '../executor/runtime-choice.js';
import { TaskFailure } from '../executor/task-errors.js';
import { isRuntimeError } from '../runtimes/errors.js';
import type { GenerateResult, Runtime } from '../runtimes/types.js';

const STATUS_OF: Record<string, number> = {
  'bad-request': 400,
  'model-not-found': 404,
  'runtime-not-found': 404,
  'model-invalid': 422,
  'continuation-unsupported': 422,
  'runtime-crashed': 502,
  'runtime-unavailable': 503,
  closed: 503,
  aborted: 499,
};

/** An error with the HTTP status it answers with (the multiplexed connection carries the same status). */
export class DataPlaneFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Described {
  status: number;
  code: string;
  message: string;
}

export function describe(err: unknown): Described {
  if (err instanceof DataPlaneFailure) return { status: err.status, code: err.code, message: err.message };
  if (isRuntimeError(err) || err instanceof TaskFailure) {
    return { status: STATUS_OF[err.code] ?? 500, code: err.code, message: err.message };
  }
  return { status: 500, code: 'internal', message: err instanceof Error ? err.message : String(err) };
}

export interface GenerateSink {
  /** A token chunk (streaming requests only), as a JSON string literal. */
  chunk(literal: string): void;
  done(result: DataPlaneResult): void;
  /** `streamed`: chunks were sent before the error. */
  error(err: Described, streamed: boolean): void;
  /** The caller went away (the signal fired): nothing more is sent. */
  aborted(): void;
}

export interface EmbedSink {
  done(result: DataPlaneEmbedResult): void;
  error(err: Described): void;
}

export class DataPlaneCore {
  private readonly runtimes: ReadonlyMap<string, Runtime>;
  private readonly counters = { active: 0, completed: 0, failed: 0, aborted: 0, chunks: 0 };

  constructor(
    private readonly nodeId: string,
    runtimes: readonly Runtime[],
    private readonly logger: Logger,
  ) {
    this.runtimes = new Map(runtimes.map((r) => [r.name, r]));
  }

  status(): DataPlaneStatus {
    return { nodeId: this.nodeId, ...this.counters };
  }

  async generate(body: unknown, signal: AbortSignal, sink: GenerateSink): Promise<void> {
    const r = body as DataPlaneGenerateRequest;
    this.counters.active++;
    let streamed = false;
    try {
      const runtime = await this.runtimeFor(r?.model);
      if (r.kind !== 'chat' && r.kind !== 'complete') {
        throw new DataPlaneFailure(400, 'bad-request', 'kind must be chat or complete');
      }
      if (r.assistantPrefix && (r.kind !== 'chat' || !runtime.continuesChat)) {
        throw new DataPlaneFailure(
          422,
          'continuation-unsupported',
          `the ${runtime.name} runtime cannot continue an assistant answer`,
        );
      }
      const onToken = r.stream
        ? (text: string) => {
            if (signal.aborted) return;
            streamed = true;
            this.counters.chunks++;
            sink.chunk(JSON.stringify(text));
          }
        : undefined;
      const options = r.options ?? {};
      const result: GenerateResult =
        r.kind === 'chat'
          ? await runtime.chat({
              model: r.model,
              messages: r.messages ?? [],
              ...(r.assistantPrefix ? { assistantPrefix: r.assistantPrefix } : {}),
              options,
              signal,
              onToken,
            })
          : await runtime.complete({
              model: r.model,
              prompt: typeof r.prompt === 'string' ? r.prompt : '',
              options,
              signal,
              onToken,
            });
      if (signal.aborted || result.stopReason === 'aborted') {
        this.counters.aborted++;
        this.logger.info(
          { model: r.model, chunks: result.completionTokens },
          'data plane: generation stopped, the caller went away',
        );
        sink.aborted();
        return;
      }
      this.counters.completed++;
      sink.done({ ...result, runtime: runtime.name });
    } catch (err) {
      this.counters.failed++;
      sink.error(describe(err), streamed);
    } finally {
      this.counters.active--;
    }
  }

  async embed(body: unknown, signal: AbortSignal, sink: EmbedSink): Promise<void> {
    const r = body as DataPlaneEmbedRequest;
    this.counters.active++;
    try {
      const runtime = await this.runtimeFor(r?.model);
      const result = await runtime.embed({ model: r.model, input: r.input, signal });
      this.counters.completed++;
      sink.done(result);
    } catch (err) {
      if (isRuntimeError(err, 'aborted')) this.counters.aborted++;
      else this.counters.failed++;
      sink.error(describe(err));
    } finally {
      this.counters.active--;
    }
  }

  private async runtimeFor(model: unknown): Promise<Runtime> {
    if (typeof model !== 'string' || !model)
      throw new DataPlaneFailure(400, 'bad-request', 'model must be a string');
    return (await chooseRuntime(this.runtimes, '', model)).runtime;
  }
}
