// The job engine: advances each job's step DAG, creates attempts, hands them to the scheduler, leases them to
// nodes, and settles them from agents' updates — retries with backoff, node loss, timeouts, cancellation and
// recovery after a restart. It knows no transport: it talks to a dispatcher, a scheduler, a store and sinks.
import { randomUUID } from 'node:crypto';
import type { JobState, LogEntry, StepState } from '@orchion/api';
import type { AssignTask, TaskOutput__Output, TaskUpdate__Output } from '@orchion/proto';
import { renderOutputs, TemplateError, type Pipeline } from '@orchion/schemas';
import type { Logger } from 'pino';
import type { Clock } from '../registry/types';
import type { Explanation, Placement, SchedNode, TaskRequest, Timer } from '../scheduler/types';
import type { AttemptRow, NewLog, SqliteJobStore } from '../store/job-store';
import {
  TERMINAL,
  attemptFromRow,
  attemptRow,
  jobFromRows,
  stepRow,
  structuredOutputs,
  type AttemptRecord,
  type JobRecord,
  type StepRecord,
} from './model';
import { buildAssignment, templateContext, type StepOutputs } from './task-request';

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
  jobChanged(job: JobRecord, created: boolean): void;
  stepChanged(job: JobRecord, step: StepRecord): void;
  logs(jobId: string, entries: LogEntry[]): void;
  jobFinished(job: JobRecord): void;
}

export interface EngineOptions {
  /** First retry delay; doubles per attempt up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** After an agent reconnects without an attempt we leased to it, how long to wait for its final update. */
  reconnectGraceMs?: number;
  /** Extra time past a step's timeout before the orchestrator gives up on a silent node. */
  timeoutGraceMs?: number;
  /** Log rows kept per job. */
  maxLogsPerJob?: number;
}

export class JobEngine {
  private readonly jobs = new Map<string, JobRecord>();
  private readonly attempts = new Map<string, AttemptRecord>();
  private readonly logCounts = new Map<string, number>();
  private readonly opts: Required<EngineOptions>;
  private pumpQueued = false;

  constructor(
    private readonly deps: {
      store: SqliteJobStore;
      scheduler: SchedulerPort;
      dispatcher: Dispatcher;
      sinks: EngineSinks;
      clock: Clock;
      logger: Logger;
      /** Arms the reconnect grace; Node's timers by default. */
      timer?: Timer;
    },
    options: EngineOptions = {},
  ) {
    this.opts = {
      backoffMs: 1000,
      maxBackoffMs: 30_000,
      reconnectGraceMs: 3000,
      timeoutGraceMs: 30_000,
      maxLogsPerJob: 20_000,
      ...options,
    };
  }

  get activeJobs(): number {
    return this.jobs.size;
  }

  activeJob(id: string): JobRecord | undefined {
    return this.jobs.get(id);
  }

  waitingReason(attemptId: string): string | null {
    return this.deps.scheduler.explain(attemptId)?.message ?? null;
  }

  // ------------------------------------------------------------------------------------------- submission

  submit(pipelineText: string, pipeline: Pipeline, inputs: Record<string, unknown>): JobRecord {
    const now = this.deps.clock.now();
    const { store } = this.deps;
    const row = {
      id: randomUUID(),
      seq: store.nextSeq(),
      name: pipeline.metadata.name,
      state: 'queued' as JobState,
      pipeline_text: pipelineText,
      pipeline: JSON.stringify(pipeline),
      inputs: JSON.stringify(inputs),
      created_at: now,
    };
    store.insertJob(
      row,
      pipeline.steps.map((s) => s.id),
    );
    const job = jobFromRows(
      { ...row, outputs: null, error: null, started_at: null, finished_at: null },
      store.steps(row.id),
    );
    this.jobs.set(job.id, job);
    this.deps.sinks.jobChanged(job, true);
    this.event(job, null, null, `job ${job.name} submitted with ${pipeline.steps.length} steps`);
    this.advance(job);
    this.pump();
    return job;
  }

  /** Reloads unfinished jobs after a restart: queued attempts are queued again, running ones keep their lease. */
  recover(): void {
    const { store } = this.deps;
    for (const row of store.activeJobs()) {
      const job = jobFromRows(row, store.steps(row.id));
      this.jobs.set(job.id, job);
      const latest = new Map<string, AttemptRow>();
      for (const a of store.attempts(job.id)) latest.set(a.step_id, a);
      for (const a of latest.values()) {
        const step = job.steps.get(a.step_id)!;
        if (a.state !== 'queued' && a.state !== 'running') continue;
        let task: AssignTask;
        try {
          task = buildAssignment(step.def, this.context(job), {
            attemptId: a.id,
            jobId: job.id,
            attempt: a.attempt,
          });
        } catch (err) {
          this.failStep(job, step, `cannot render the step: ${(err as Error).message}`);
          continue;
        }
        const attempt = attemptFromRow(a, task);
        step.current = attempt;
        this.attempts.set(attempt.id, attempt);
        if (attempt.state === 'queued') this.deps.scheduler.enqueue(this.request(job, step, attempt));
        // Running attempts stay leased: their node reports them again when it reconnects (or goes offline).
      }
      this.advance(job);
      this.deps.logger.info({ jobId: job.id, name: job.name }, 'job recovered');
    }
    this.pump();
  }

  cancel(jobId: string, reason = 'cancelled by the user'): JobRecord | undefined {
    const job = this.jobs.get(jobId);
    if (!job) return undefined;
    for (const step of job.steps.values()) {
      if (TERMINAL.has(step.state)) continue;
      const a = step.current;
      if (a && a.state === 'queued') this.deps.scheduler.dequeue(a.id);
      if (a && a.state === 'running') {
        this.deps.scheduler.release(a.id);
        if (a.nodeId) this.deps.dispatcher.cancel(a.nodeId, a.id, reason);
      }
      if (a) this.settleAttempt(a, 'cancelled', 'cancelled', reason);
      this.setStep(job, step, 'cancelled', reason);
    }
    this.event(job, null, null, reason);
    this.finishIfDone(job);
    this.pump();
    return job;
  }

  // -------------------------------------------------------------------------------------------- scheduling

  /** Runs `pump()` once after the current event-loop turn, however many times it is asked for. */
  requestPump(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    setImmediate(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  /** Places whatever the scheduler can place now and sends it to the nodes. */
  pump(): void {
    for (const p of this.deps.scheduler.schedule()) {
      const a = this.attempts.get(p.key);
      const job = a && this.jobs.get(a.jobId);
      const step = job?.steps.get(a!.stepId);
      if (!a || !job || !step || a.state !== 'queued') {
        this.deps.scheduler.release(p.key);
        continue;
      }
      const now = this.deps.clock.now();
      a.state = 'running';
      a.nodeId = p.nodeId;
      a.startedAt = now;
      this.deps.store.saveAttempt(attemptRow(a));
      if (step.state === 'queued') {
        step.startedAt ??= now;
        this.setStep(job, step, 'running', null);
      } else this.deps.sinks.stepChanged(job, step);
      if (job.state === 'queued') {
        job.state = 'running';
        job.startedAt = now;
        this.saveJob(job);
      }
      this.event(
        job,
        step,
        a,
        `attempt ${a.attempt} placed on node ${p.nodeId}${p.modelLoaded ? ' (model loaded)' : ''}`,
      );
      if (!this.deps.dispatcher.assign(p.nodeId, a.task)) {
        this.lose(a, `node ${p.nodeId} has no session`);
      }
    }
  }

  /** A node's registry record changed: keep the scheduler's view current; a node that left loses its leases. */
  nodeChanged(node: SchedNode): void {
    if (node.state === 'offline') this.deps.scheduler.removeNode(node.id);
    else this.deps.scheduler.upsertNode(node);
    if (node.state !== 'ready') {
      for (const a of [...this.attempts.values()]) {
        if (a.state === 'running' && a.nodeId === node.id) this.lose(a, `node ${node.id} went ${node.state}`);
      }
    }
    // Deferred: a registering node gets its welcome before any assignment.
    this.requestPump();
  }

  nodeRemoved(id: string): void {
    this.nodeChanged({ id, state: 'offline', labels: {}, slots: 0, runtimes: [], models: [], gpus: [] });
  }

  /** An agent (re)registered, still running `running`: anything else we leased to it is lost unless it reports soon. */
  nodeReconnected(nodeId: string, running: string[]): void {
    const still = new Set(running);
    const suspects = [...this.attempts.values()].filter(
      (a) => a.state === 'running' && a.nodeId === nodeId && !still.has(a.id),
    );
    if (suspects.length === 0) return;
    const timer = this.deps.timer ?? nodeTimer;
    timer.setTimeout(() => {
      for (const a of suspects) {
        if (a.state === 'running' && a.nodeId === nodeId) this.lose(a, `node ${nodeId} no longer runs it`);
      }
      this.pump();
    }, this.opts.reconnectGraceMs);
  }

  /** Periodic check: attempts running far past their timeout on a silent node are given up. */
  sweep(): void {
    const now = this.deps.clock.now();
    for (const a of [...this.attempts.values()]) {
      if (a.state !== 'running' || !a.startedAt || !a.task.timeoutMs) continue;
      if (now - a.startedAt > a.task.timeoutMs + this.opts.timeoutGraceMs) {
        if (a.nodeId) this.deps.dispatcher.cancel(a.nodeId, a.id, 'timed out');
        this.lose(
          a,
          `no answer from node ${a.nodeId} ${Math.round((now - a.startedAt) / 1000)}s after start`,
        );
      }
    }
    this.pump();
  }

  // -------------------------------------------------------------------------------------- agents' reports

  taskUpdate(nodeId: string, u: TaskUpdate__Output): void {
    const a = this.current(nodeId, u.attemptId);
    if (!a) return;
    const job = this.jobs.get(a.jobId)!;
    const step = job.steps.get(a.stepId)!;
    switch (u.state) {
      case 'TASK_STATE_STARTED':
        this.event(job, step, a, `attempt ${a.attempt} started on node ${nodeId}`);
        return;
      case 'TASK_STATE_SUCCEEDED': {
        const r = u.result;
        this.deps.scheduler.release(a.id);
        a.tokens = r?.completionTokens ?? a.tokens;
        this.settleAttempt(a, 'succeeded', null, null);
        step.output = stepOutput(step, a, r);
        step.outputs = structuredOutputs(step.def, step.output);
        step.result = {
          stopReason: r?.stopReason || null,
          promptTokens: r?.promptTokens ?? 0,
          completionTokens: r?.completionTokens ?? 0,
          durationMs: r?.durationMs ?? 0,
          ...(r?.dimensions ? { dimensions: r.dimensions } : {}),
          nodeId,
        };
        this.setStep(job, step, 'succeeded', null);
        this.event(
          job,
          step,
          a,
          `step ${step.id} succeeded (${r?.completionTokens ?? 0} tokens, ${r?.stopReason || 'done'})`,
        );
        this.advance(job);
        break;
      }
      case 'TASK_STATE_FAILED':
      case 'TASK_STATE_CANCELLED': {
        this.deps.scheduler.release(a.id);
        const err = u.error;
        const message = err?.message || 'the attempt failed';
        this.settleAttempt(
          a,
          u.state === 'TASK_STATE_FAILED' ? 'failed' : 'cancelled',
          err?.code || 'failed',
          message,
        );
        this.retryOrFail(job, step, a, message, err?.retryable ?? false);
        break;
      }
      default:
        return;
    }
    this.finishIfDone(job);
    this.pump();
  }

  taskOutput(nodeId: string, out: TaskOutput__Output): void {
    const a = this.current(nodeId, out.attemptId);
    if (!a) return;
    const time = this.deps.clock.now();
    const rows: NewLog[] = [];
    let tokens = '';
    const flushTokens = (): void => {
      if (tokens) rows.push(this.logRow(a, 'token', null, tokens, time));
      tokens = '';
    };
    for (const c of out.chunks) {
      if (c.kind === 'TOKEN') tokens += c.text;
      else {
        flushTokens();
        rows.push(this.logRow(a, 'log', c.level || 'info', c.text, Number(c.timeMs) || time));
      }
    }
    flushTokens();
    this.appendLogs(a.jobId, rows);
  }

  // ------------------------------------------------------------------------------------------- internals

  private current(nodeId: string, attemptId: string): AttemptRecord | undefined {
    const a = this.attempts.get(attemptId);
    if (!a || a.state !== 'running' || a.nodeId !== nodeId) {
      this.deps.logger.debug({ nodeId, attemptId }, 'ignoring a report for a superseded or unknown attempt');
      return undefined;
    }
    return a;
  }

  /** Starts every step whose needs succeeded; skips steps whose upstream failed or was cancelled. */
  private advance(job: JobRecord): void {
    for (const step of [...job.steps.values()].sort((x, y) => x.position - y.position)) {
      if (step.state !== 'queued' || step.current) continue;
      const needs = job.graph.needs(step.id).map((id) => job.steps.get(id)!);
      const blocked = needs.find((n) => n.state === 'failed' || n.state === 'cancelled');
      if (blocked) {
        this.setStep(job, step, 'cancelled', `skipped: upstream step ${blocked.id} ${blocked.state}`);
        continue;
      }
      if (needs.every((n) => n.state === 'succeeded')) this.newAttempt(job, step, null);
    }
    this.finishIfDone(job);
  }

  private newAttempt(job: JobRecord, step: StepRecord, notBefore: number | null): void {
    const id = randomUUID();
    const attemptNo = step.attempts + 1;
    let task: AssignTask;
    try {
      task = buildAssignment(step.def, this.context(job), {
        attemptId: id,
        jobId: job.id,
        attempt: attemptNo,
      });
    } catch (err) {
      const why = err instanceof TemplateError ? err.message : String(err);
      this.failStep(job, step, `cannot render the step: ${why}`);
      return;
    }
    const a: AttemptRecord = {
      id,
      jobId: job.id,
      stepId: step.id,
      attempt: attemptNo,
      state: 'queued',
      nodeId: null,
      notBefore,
      errorCode: null,
      error: null,
      tokens: 0,
      queuedAt: this.deps.clock.now(),
      startedAt: null,
      finishedAt: null,
      task,
    };
    step.attempts = attemptNo;
    step.current = a;
    this.attempts.set(id, a);
    this.deps.store.saveAttempt(attemptRow(a));
    this.deps.store.updateStep(stepRow(job.id, step));
    this.deps.scheduler.enqueue(this.request(job, step, a));
    this.deps.sinks.stepChanged(job, step);
  }

  private request(job: JobRecord, step: StepRecord, a: AttemptRecord): TaskRequest {
    const r = step.def.resources;
    return {
      key: a.id,
      jobId: job.id,
      stepId: step.id,
      model: step.def.model,
      runtime: step.def.runtime,
      resources: { gpu: r.gpu, minVramGb: r.min_vram_gb, labels: r.labels },
      enqueuedAt: a.queuedAt,
      ...(a.notBefore ? { notBefore: a.notBefore } : {}),
    };
  }

  private context(job: JobRecord) {
    const outputs: StepOutputs = {};
    for (const s of job.steps.values()) {
      if (s.state === 'succeeded')
        outputs[s.id] = { output: s.output, ...(s.outputs ? { outputs: s.outputs } : {}) };
    }
    return templateContext(job.inputs, outputs);
  }

  /** The node holding `a` is gone or silent: the attempt is lost and, within the step's retries, run again. */
  private lose(a: AttemptRecord, why: string): void {
    const job = this.jobs.get(a.jobId);
    if (!job || a.state !== 'running') return;
    const step = job.steps.get(a.stepId)!;
    this.deps.scheduler.release(a.id);
    this.settleAttempt(a, 'lost', 'node-lost', why);
    this.retryOrFail(job, step, a, why, true);
    this.finishIfDone(job);
  }

  private retryOrFail(
    job: JobRecord,
    step: StepRecord,
    a: AttemptRecord,
    why: string,
    retryable: boolean,
  ): void {
    if (retryable && step.attempts <= step.def.retries) {
      const delay = Math.min(this.opts.maxBackoffMs, this.opts.backoffMs * 2 ** (step.attempts - 1));
      this.event(
        job,
        step,
        a,
        `attempt ${a.attempt} ${a.state}: ${why}; retrying in ${(delay / 1000).toFixed(1)}s`,
        'warn',
      );
      step.current = null;
      this.newAttempt(job, step, this.deps.clock.now() + delay);
      return;
    }
    const tries = retryable ? ` (after ${step.attempts} attempt${step.attempts === 1 ? '' : 's'})` : '';
    this.failStep(job, step, `${why}${tries}`);
  }

  private failStep(job: JobRecord, step: StepRecord, why: string): void {
    this.setStep(job, step, 'failed', why);
    this.event(job, step, step.current, `step ${step.id} failed: ${why}`, 'error');
    this.advance(job);
  }

  private settleAttempt(
    a: AttemptRecord,
    state: AttemptRecord['state'],
    code: string | null,
    error: string | null,
  ): void {
    a.state = state;
    a.errorCode = code;
    a.error = error;
    a.finishedAt = this.deps.clock.now();
    this.deps.store.saveAttempt(attemptRow(a));
    this.attempts.delete(a.id);
  }

  private setStep(job: JobRecord, step: StepRecord, state: StepState, error: string | null): void {
    step.state = state;
    step.error = error;
    if (TERMINAL.has(state)) step.finishedAt = this.deps.clock.now();
    this.deps.store.updateStep(stepRow(job.id, step));
    this.deps.sinks.stepChanged(job, step);
  }

  private finishIfDone(job: JobRecord): void {
    if (TERMINAL.has(job.state)) return;
    const steps = [...job.steps.values()];
    if (!steps.every((s) => TERMINAL.has(s.state))) return;
    const failed = steps.find((s) => s.state === 'failed');
    let state: JobState = failed
      ? 'failed'
      : steps.some((s) => s.state === 'cancelled')
        ? 'cancelled'
        : 'succeeded';
    job.error = failed ? `step ${failed.id} failed: ${failed.error}` : null;
    if (state === 'succeeded') {
      try {
        job.outputs = renderOutputs(job.pipeline, this.context(job));
      } catch (err) {
        state = 'failed';
        job.error = `cannot render the outputs: ${(err as Error).message}`;
      }
    }
    job.state = state;
    job.finishedAt = this.deps.clock.now();
    this.saveJob(job);
    this.event(job, null, null, `job ${state}${job.error && state !== 'cancelled' ? `: ${job.error}` : ''}`);
    this.jobs.delete(job.id);
    this.logCounts.delete(job.id);
    this.deps.sinks.jobFinished(job);
  }

  private saveJob(job: JobRecord): void {
    this.deps.store.updateJob({
      id: job.id,
      state: job.state,
      outputs: job.outputs ? JSON.stringify(job.outputs) : null,
      error: job.error,
      started_at: job.startedAt,
      finished_at: job.finishedAt,
    });
    this.deps.sinks.jobChanged(job, false);
  }

  private logRow(
    a: AttemptRecord | null,
    kind: NewLog['kind'],
    level: string | null,
    text: string,
    time: number,
    jobId?: string,
  ): NewLog {
    return {
      job_id: a?.jobId ?? jobId!,
      step_id: a?.stepId ?? null,
      attempt_id: a?.id ?? null,
      kind,
      level,
      text,
      time,
    };
  }

  private event(
    job: JobRecord,
    step: StepRecord | null,
    a: AttemptRecord | null,
    text: string,
    level = 'info',
  ): void {
    const row = this.logRow(a, 'event', level, text, this.deps.clock.now(), job.id);
    if (step && !a) row.step_id = step.id;
    this.appendLogs(job.id, [row]);
  }

  private appendLogs(jobId: string, rows: NewLog[]): void {
    if (rows.length === 0) return;
    const ids = this.deps.store.appendLogs(rows);
    const count = (this.logCounts.get(jobId) ?? 0) + rows.length;
    this.logCounts.set(jobId, count);
    if (count > this.opts.maxLogsPerJob + 1000) {
      this.deps.store.pruneJobLogs(jobId, this.opts.maxLogsPerJob);
      this.logCounts.set(jobId, this.opts.maxLogsPerJob);
    }
    this.deps.sinks.logs(
      jobId,
      rows.map((r, i) => ({
        id: ids[i]!,
        time: new Date(r.time).toISOString(),
        stepId: r.step_id,
        attemptId: r.attempt_id,
        kind: r.kind,
        level: r.level,
        text: r.text,
      })),
    );
  }
}

/** Node's timers, unref'd so a pending grace never keeps the process alive. */
const nodeTimer: Timer = {
  setTimeout: (fire, delayMs) => setTimeout(fire, delayMs).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

function stepOutput(step: StepRecord, a: AttemptRecord, r: TaskUpdate__Output['result']): unknown {
  if (!r) return null;
  if (step.def.kind === 'embedding') {
    const vectors = r.embeddings.map((e) => e.values);
    // One text in, one vector out; a list (literal, or one expression that evaluated to a list) gives a list.
    const single = !Array.isArray(step.def.embed) && (a.task.embed?.input?.length ?? 1) === 1;
    return single ? (vectors[0] ?? []) : vectors;
  }
  if (step.def.output && r.json) return JSON.parse(r.json) as unknown;
  return r.text;
}
