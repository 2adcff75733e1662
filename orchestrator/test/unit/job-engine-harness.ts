// Test harness for the job engine, in-process: a real SQLite store (in memory), the real scheduler, pipelines
// parsed by the real prepareJob, a fake clock and timer, and recording test doubles for what the engine talks
// to (the dispatcher stands in for the gRPC session layer; the sinks for the event bus and the log hub).
import type { JobView, LogEntry } from '@orchion/api';
import type {
  AssignTask,
  OutputChunk__Output,
  TaskError__Output,
  TaskResult__Output,
  TaskUpdate__Output,
} from '@orchion/proto';
import { pino } from 'pino';
import {
  JobEngine,
  type Dispatcher,
  type EngineOptions,
  type EngineSinks,
  type SchedulerPort,
} from '../../src/jobs/engine';
import type { JobRecord } from '../../src/jobs/model';
import { prepareJob } from '../../src/jobs/submit';
import { jobView } from '../../src/jobs/views';
import { Scheduler } from '../../src/scheduler/scheduler';
import type { SchedNode, Timer } from '../../src/scheduler/types';
import { openDatabase, type Db } from '../../src/store/database';
import { SqliteJobStore, type AttemptRow } from '../../src/store/job-store';

export const START = 1_700_000_000_000;

/** Parsing is the slow part of a submission: randomized tests submit the same texts many times. */
const PREPARED = new Map<string, ReturnType<typeof prepareJob>>();

/** A clock and a one-shot timer that only move when the test says so. */
export class FakeTime implements Timer {
  now = START;
  private handles = 0;
  private readonly armed = new Map<number, { at: number; fire: () => void }>();
  readonly clock = { now: (): number => this.now };

  setTimeout(fire: () => void, delayMs: number): unknown {
    this.armed.set(++this.handles, { at: this.now + Math.max(0, delayMs), fire });
    return this.handles;
  }

  clearTimeout(handle: unknown): void {
    this.armed.delete(handle as number);
  }

  /** Forgets every armed timer (the process that armed them is gone). */
  clearAll(): void {
    this.armed.clear();
  }

  get pending(): number {
    return this.armed.size;
  }

  /** Moves the clock by `ms`, firing due timers in time order (each at its own time). */
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      let next: [number, { at: number; fire: () => void }] | undefined;
      for (const e of this.armed) if (e[1].at <= until && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.armed.delete(next[0]);
      this.now = next[1].at;
      next[1].fire();
    }
    this.now = until;
  }
}

/** Test double for the session layer: records what the engine sends; nodes in `noSession` refuse. */
export class RecordingDispatcher implements Dispatcher {
  readonly assigned: { nodeId: string; task: AssignTask }[] = [];
  readonly cancelled: { nodeId: string; attemptId: string; reason: string }[] = [];
  /** Both, in the order they were sent. */
  readonly sent: ({ assign: AssignTask; nodeId: string } | { cancel: string; nodeId: string })[] = [];
  readonly noSession = new Set<string>();

  assign(nodeId: string, task: AssignTask): boolean {
    if (this.noSession.has(nodeId)) return false;
    this.assigned.push({ nodeId, task });
    this.sent.push({ nodeId, assign: task });
    return true;
  }

  cancel(nodeId: string, attemptId: string, reason: string): void {
    this.cancelled.push({ nodeId, attemptId, reason });
    if (!this.noSession.has(nodeId)) this.sent.push({ nodeId, cancel: attemptId });
  }
}

/** Test double for the event bus and log hub. */
export class RecordingSinks implements EngineSinks {
  readonly jobEvents: { id: string; state: string; created: boolean }[] = [];
  readonly stepEvents: { jobId: string; stepId: string; state: string }[] = [];
  readonly logEntries = new Map<string, LogEntry[]>();
  readonly finished: string[] = [];

  jobChanged(job: JobRecord, created: boolean): void {
    this.jobEvents.push({ id: job.id, state: job.state, created });
  }

  stepChanged(job: JobRecord, step: { id: string; state: string }): void {
    this.stepEvents.push({ jobId: job.id, stepId: step.id, state: step.state });
  }

  logs(jobId: string, entries: LogEntry[]): void {
    const list = this.logEntries.get(jobId) ?? [];
    list.push(...entries);
    this.logEntries.set(jobId, list);
  }

  jobFinished(job: JobRecord): void {
    this.finished.push(job.id);
  }
}

export const node = (id: string, over: Partial<SchedNode> = {}): SchedNode => ({
  id,
  state: 'ready',
  labels: {},
  slots: 2,
  runtimes: ['embedded', 'echo'],
  models: [
    { name: 'orchion-tiny', runtime: 'embedded', loaded: true },
    { name: 'echo', runtime: 'echo', loaded: true },
  ],
  gpus: [],
  ...over,
});

export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface HarnessOptions {
  engine?: EngineOptions;
  /** Share the database of an earlier harness (a restart). */
  db?: Db;
  time?: FakeTime;
}

export class Harness {
  readonly time: FakeTime;
  readonly db: Db;
  readonly store: SqliteJobStore;
  readonly scheduler: Scheduler;
  readonly dispatcher = new RecordingDispatcher();
  readonly sinks = new RecordingSinks();
  readonly engine: JobEngine;
  private dead = false;

  constructor(readonly options: HarnessOptions = {}) {
    this.time = options.time ?? new FakeTime();
    this.db = options.db ?? openDatabase(':memory:');
    this.store = new SqliteJobStore(this.db);
    this.scheduler = new Scheduler({
      clock: this.time.clock,
      timer: this.time,
      onWake: () => this.engine.pump(),
    });
    const scheduler = this.scheduler;
    // A dead harness's engine may still have a deferred pump: it must place nothing.
    const port: SchedulerPort = {
      upsertNode: (n) => scheduler.upsertNode(n),
      removeNode: (id) => void scheduler.removeNode(id),
      enqueue: (t) => scheduler.enqueue(t),
      dequeue: (key) => void scheduler.dequeue(key),
      release: (key) => void scheduler.release(key),
      schedule: () => (this.dead ? [] : scheduler.schedule()),
      explain: (key) => scheduler.explain(key),
    };
    this.engine = new JobEngine(
      {
        store: this.store,
        scheduler: port,
        dispatcher: this.dispatcher,
        sinks: this.sinks,
        clock: this.time.clock,
        logger: pino({ level: 'silent' }),
        timer: this.time,
      },
      {
        backoffMs: 1000,
        maxBackoffMs: 8000,
        reconnectGraceMs: 3000,
        timeoutGraceMs: 30_000,
        ...options.engine,
      },
    );
  }

  /**
   * The same database under a new engine and scheduler, as after an orchestrator restart. This harness is dead
   * afterwards: its timers are dropped and its scheduler's wake-ups do nothing.
   */
  restart(engine: EngineOptions = this.options.engine ?? {}): Harness {
    this.dead = true;
    this.time.clearAll();
    return new Harness({ db: this.db, time: this.time, engine });
  }

  submit(yaml: string, inputs: Record<string, unknown> = {}): JobRecord {
    const key = `${yaml}\0${JSON.stringify(inputs)}`;
    const prepared = PREPARED.get(key) ?? prepareJob(yaml, inputs);
    PREPARED.set(key, prepared);
    if (!prepared.ok) {
      throw new Error(
        `invalid test pipeline: ${JSON.stringify(prepared.diagnostics.length ? prepared.diagnostics : prepared.inputProblems)}`,
      );
    }
    return this.engine.submit(yaml, prepared.pipeline, prepared.inputs);
  }

  /** Adds (or updates) a node and places what can run on it now. */
  addNode(id: string, over: Partial<SchedNode> = {}): void {
    this.engine.nodeChanged(node(id, over));
    this.engine.pump();
  }

  view(jobId: string): JobView {
    return jobView(this.store, this.store.job(jobId)!, (id) => this.engine.waitingReason(id));
  }

  step(jobId: string, stepId: string): JobView['stepDetails'][number] {
    return this.view(jobId).stepDetails.find((s) => s.id === stepId)!;
  }

  attempts(jobId: string, stepId?: string): AttemptRow[] {
    return this.store.attempts(jobId).filter((a) => stepId === undefined || a.step_id === stepId);
  }

  /** The latest assignment of a step (of any job unless `jobId` is given). */
  assignment(stepId: string, jobId?: string): { nodeId: string; task: AssignTask } {
    const found = this.dispatcher.assigned.filter(
      (a) => a.task.stepId === stepId && (jobId === undefined || a.task.jobId === jobId),
    );
    if (found.length === 0) throw new Error(`step ${stepId} was never assigned`);
    return found[found.length - 1]!;
  }

  assignedSteps(): string[] {
    return this.dispatcher.assigned.map((a) => a.task.stepId!);
  }

  logs(jobId: string): LogEntry[] {
    return this.sinks.logEntries.get(jobId) ?? [];
  }

  events(jobId: string): string[] {
    return this.logs(jobId)
      .filter((e) => e.kind === 'event')
      .map((e) => e.text);
  }

  // ------------------------------------------------------------------------------ a simulated agent

  update(
    nodeId: string,
    attemptId: string,
    state: TaskUpdate__Output['state'],
    over: Partial<TaskUpdate__Output> = {},
  ): void {
    this.engine.taskUpdate(nodeId, { attemptId, state, result: null, error: null, ...over });
  }

  started(a: { nodeId: string; task: AssignTask }): void {
    this.update(a.nodeId, a.task.attemptId!, 'TASK_STATE_STARTED');
  }

  succeed(a: { nodeId: string; task: AssignTask }, result: Partial<TaskResult__Output> = {}): void {
    this.update(a.nodeId, a.task.attemptId!, 'TASK_STATE_SUCCEEDED', { result: taskResult(result) });
  }

  fail(a: { nodeId: string; task: AssignTask }, error: Partial<TaskError__Output> = {}): void {
    this.update(a.nodeId, a.task.attemptId!, 'TASK_STATE_FAILED', {
      error: { code: 'runtime-crashed', message: 'the runtime crashed', retryable: false, ...error },
    });
  }

  output(a: { nodeId: string; task: AssignTask }, chunks: Partial<OutputChunk__Output>[]): void {
    this.engine.taskOutput(a.nodeId, {
      attemptId: a.task.attemptId!,
      chunks: chunks.map((c) => ({ kind: 'TOKEN', text: '', level: '', timeMs: 0, ...c })),
    });
  }
}

export function taskResult(over: Partial<TaskResult__Output> = {}): TaskResult__Output {
  return {
    text: '',
    json: '',
    embeddings: [],
    dimensions: 0,
    stopReason: 'eogToken',
    promptTokens: 3,
    completionTokens: 5,
    durationMs: 10,
    ...over,
  };
}

/** A pipeline of echo-free steps on the tiny model: `steps` is YAML for the steps list, indented by 2. */
export const pipeline = (steps: string, extra = ''): string => `apiVersion: orchion/v1
kind: Pipeline
metadata: { name: test }
defaults: { model: orchion-tiny }
${extra}steps:
${steps}`;
