// What the job engine talks to, and its options. It knows no transport: a dispatcher, a scheduler, a store and
// sinks are handed to it.
import type { LogEntry } from '@orchion/api';
import type { AssignTask } from '@orchion/proto';
import type { Logger } from 'pino';
import type { Clock } from '../registry/types';
import type { Explanation, Placement, SchedNode, TaskRequest, Timer } from '../scheduler/types';
import type { SqliteJobStore } from '../store/job-store';
import type { JobRecord, StepRecord } from './model';

/** What the engine needs from the scheduler core. */
export interface SchedulerPort {
  upsertNode(node: SchedNode): void;
  removeNode(id: string): void;
  enqueue(task: TaskRequest): void;
  dequeue(key: string): void;
  release(key: string): void;
  schedule(): Placement[];
  explain(key: string): Explanation | undefined;
}

/** Sends work to agents (the session layer implements it). */
export interface Dispatcher {
  /** False when the node has no live session. */
  assign(nodeId: string, task: AssignTask): boolean;
  cancel(nodeId: string, attemptId: string, reason: string): void;
}

export interface EngineSinks {
  /** Runs one engine change: the events it publishes may be stored and sent together at its end. */
  batch?<T>(fn: () => T): T;
  jobChanged(job: JobRecord, created: boolean): void;
  stepChanged(job: JobRecord, step: StepRecord): void;
  logs(jobId: string, entries: LogEntry[]): void;
  /** Whether anyone follows the job's log (entries are built for `logs` only then). Default: always. */
  followed?(jobId: string): boolean;
  jobFinished(job: JobRecord): void;
}

/** The turn's group commit (store/group-commit.ts): writes of one event-loop turn share one COMMIT. */
export interface GroupCommitPort {
  run<T>(fn: () => T): T;
  /** Resolves once the writes made so far are committed (at once when no group is open). */
  committed(): Promise<void>;
}

export interface EngineDeps {
  store: SqliteJobStore;
  /** Submits join the turn's group commit when given (`submitDurably`); otherwise each commits alone. */
  group?: GroupCommitPort;
  scheduler: SchedulerPort;
  dispatcher: Dispatcher;
  sinks: EngineSinks;
  clock: Clock;
  logger: Logger;
  /** Arms the reconnect and cancel graces; Node's timers by default. */
  timer?: Timer;
}

export interface EngineOptions {
  /** First retry delay; doubles per attempt up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** After an agent reconnects without an attempt we leased to it, how long to wait for its final update. */
  reconnectGraceMs?: number;
  /**
   * Extra time past a step's timeout before the orchestrator gives up on a silent node; also how long the slot
   * of an attempt being cancelled stays held when its agent does not report the end.
   */
  timeoutGraceMs?: number;
  /** Log rows kept per job. */
  maxLogsPerJob?: number;
}

export const DEFAULT_ENGINE_OPTIONS: Required<EngineOptions> = {
  backoffMs: 1000,
  maxBackoffMs: 30_000,
  reconnectGraceMs: 3000,
  timeoutGraceMs: 30_000,
  maxLogsPerJob: 20_000,
};

/** Node's timers, unref'd so that a pending grace never keeps the process alive. */
export const nodeTimer: Timer = {
  setTimeout: (fire, delayMs) => setTimeout(fire, delayMs).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
