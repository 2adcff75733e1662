// The job engine: advances each job's step DAG, creates attempts, hands them to the scheduler, leases them to
// nodes, and settles them from agents' updates — retries with backoff, node loss, timeouts, cancellation and
// recovery after a restart. It knows no transport: it talks to a dispatcher, a scheduler, a store and sinks
// (see ports.ts); logs, retry policy, step results and job outcomes live in their own modules.
import { randomUUID } from 'node:crypto';
import type { StepState } from '@orchion/api';
import type { TaskOutput__Output, TaskUpdate__Output } from '@orchion/proto';
import { renderOutputs, TemplateError, type Pipeline } from '@orchion/schemas';
import type { SchedNode } from '../scheduler/types';
import type { AttemptRow } from '../store/job-store';
import { AdoptedLeases } from './adopted-leases';
import { jobOutcome } from './job-outcome';
import { JobLog } from './job-log';
import {
  TERMINAL,
  attemptFromRow,
  attemptRow,
  jobFromRows,
  stepRow,
  type AttemptRecord,
  type JobRecord,
  type StepRecord,
} from './model';
import { DEFAULT_ENGINE_OPTIONS, nodeTimer, type EngineDeps, type EngineOptions } from './ports';
import { retryDecision } from './retry-policy';
import { stepSuccess } from './step-result';
import { buildAssignment, jobContext, placementRequest, type Assignment } from './task-request';

export type { Dispatcher, EngineDeps, EngineOptions, EngineSinks, SchedulerPort } from './ports';

export class JobEngine {
  private readonly jobs = new Map<string, JobRecord>();
  /** Open (queued or running) attempts, by id. */
  private readonly attempts = new Map<string, AttemptRecord>();
  private readonly opts: Required<EngineOptions>;
  private readonly log: JobLog;
  private readonly leases: AdoptedLeases;
  private pumpQueued = false;

  constructor(
    private readonly deps: EngineDeps,
    options: EngineOptions = {},
  ) {
    this.opts = { ...DEFAULT_ENGINE_OPTIONS, ...options };
    this.log = new JobLog(
      deps.store,
      (jobId, entries) => deps.sinks.logs(jobId, entries),
      deps.clock,
      this.opts.maxLogsPerJob,
    );
    this.leases = new AdoptedLeases(deps.scheduler);
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
    const { store } = this.deps;
    const row = {
      id: randomUUID(),
      seq: store.nextSeq(),
      name: pipeline.metadata.name,
      state: 'queued' as const,
      pipeline_text: pipelineText,
      pipeline: JSON.stringify(pipeline),
      inputs: JSON.stringify(inputs),
      created_at: this.deps.clock.now(),
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

  /**
   * Reloads unfinished jobs after a restart (call it after the known nodes were offered through `nodeChanged`):
   * queued attempts are queued again; running ones keep their lease (their node reports them again when it
   * reconnects, or goes offline), unless their node is already offline.
   */
  recover(): void {
    const { store } = this.deps;
    for (const row of store.activeJobs()) {
      const job = jobFromRows(row, store.steps(row.id));
      this.jobs.set(job.id, job);
      this.log.resumed(job.id);
      const latest = new Map<string, AttemptRow>();
      for (const a of store.attempts(job.id)) latest.set(a.step_id, a);
      const orphans: AttemptRecord[] = [];
      for (const a of latest.values()) {
        if (a.state !== 'queued' && a.state !== 'running') continue;
        const attempt = this.resume(job, job.steps.get(a.step_id)!, a);
        if (attempt?.state === 'running') {
          if (this.leases.has(attempt.nodeId!)) this.leases.adopt(attempt.nodeId!, attempt.id);
          else orphans.push(attempt);
        }
      }
      for (const a of orphans) this.lose(a, `node ${a.nodeId} was offline when the orchestrator restarted`);
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
        this.release(a);
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
      const loaded = p.modelLoaded ? ' (model loaded)' : '';
      this.event(job, step, a, `attempt ${a.attempt} placed on node ${p.nodeId}${loaded}`);
      if (!this.deps.dispatcher.assign(p.nodeId, a.task)) {
        this.lose(a, `node ${p.nodeId} has no session`);
      }
    }
  }

  // ------------------------------------------------------------------------------------------------ nodes

  /** A node's registry record changed: keep the scheduler's view current; a node that left loses its leases. */
  nodeChanged(node: SchedNode): void {
    this.leases.nodeChanged(node);
    if (node.state !== 'ready') {
      for (const a of this.runningOn(node.id)) {
        const why = `node ${node.id} went ${node.state}`;
        // A stale node may wake up: it must not go on with work that now runs elsewhere.
        if (node.state === 'stale') this.deps.dispatcher.cancel(node.id, a.id, why);
        this.lose(a, why);
      }
    }
    // Deferred: a registering node gets its welcome before any assignment.
    this.requestPump();
  }

  nodeRemoved(id: string): void {
    this.nodeChanged({ id, state: 'offline', labels: {}, slots: 0, runtimes: [], models: [], gpus: [] });
  }

  /**
   * An agent (re)registered, still running `running`: anything else we leased to it is lost unless it reports
   * soon, and what it runs that is no longer its lease (lost meanwhile, or of a finished job) is cancelled.
   */
  nodeReconnected(nodeId: string, running: string[]): void {
    const superseded = running.filter((id) => {
      const a = this.attempts.get(id);
      return !a || a.state !== 'running' || a.nodeId !== nodeId;
    });
    if (superseded.length > 0) {
      // Deferred, like assignments: the agent gets its welcome first.
      setImmediate(() => {
        for (const id of superseded)
          this.deps.dispatcher.cancel(nodeId, id, 'superseded: no longer leased to this node');
      });
    }
    const still = new Set(running);
    const suspects = this.runningOn(nodeId).filter((a) => !still.has(a.id));
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
        const after = Math.round((now - a.startedAt) / 1000);
        this.lose(a, `no answer from node ${a.nodeId} ${after}s after start`);
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
        const success = stepSuccess(step.def, a, r, nodeId);
        this.release(a);
        a.tokens = r?.completionTokens ?? a.tokens;
        if (!success.ok) {
          this.settleAttempt(a, 'failed', success.code, success.message);
          this.retryOrFail(job, step, a, success.message, true);
          break;
        }
        this.settleAttempt(a, 'succeeded', null, null);
        step.output = success.output;
        step.outputs = success.outputs;
        step.result = success.result;
        this.setStep(job, step, 'succeeded', null);
        const tokens = r?.completionTokens ?? 0;
        this.event(job, step, a, `step ${step.id} succeeded (${tokens} tokens, ${r?.stopReason || 'done'})`);
        this.advance(job);
        break;
      }
      case 'TASK_STATE_FAILED':
      case 'TASK_STATE_CANCELLED': {
        this.release(a);
        const err = u.error;
        const message = err?.message || 'the attempt failed';
        const state = u.state === 'TASK_STATE_FAILED' ? 'failed' : 'cancelled';
        this.settleAttempt(a, state, err?.code || 'failed', message);
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
    if (a) this.log.output(a, out.chunks);
  }

  // ------------------------------------------------------------------------------------------- internals

  /** An open attempt read back from the store, with its task rebuilt; undefined when it cannot run any more. */
  private resume(job: JobRecord, step: StepRecord, row: AttemptRow): AttemptRecord | undefined {
    let built: Assignment;
    try {
      built = buildAssignment(step.def, jobContext(job), {
        attemptId: row.id,
        jobId: job.id,
        attempt: row.attempt,
      });
    } catch (err) {
      // Upstream outputs are stored, so this should not happen; if it does, nothing may stay open.
      const why = `cannot render the step: ${(err as Error).message}`;
      if (row.state === 'running' && row.node_id) this.deps.dispatcher.cancel(row.node_id, row.id, why);
      const attempt = attemptFromRow(row, { task: {}, listInput: false });
      this.settleAttempt(attempt, 'failed', 'render-failed', why);
      if (!TERMINAL.has(step.state)) this.failStep(job, step, why);
      return undefined;
    }
    const attempt = attemptFromRow(row, built);
    if (TERMINAL.has(step.state)) {
      // Left open by a crash after its step ended (writes of older versions were not atomic).
      if (row.state === 'running' && row.node_id)
        this.deps.dispatcher.cancel(row.node_id, row.id, 'step ended');
      this.settleAttempt(attempt, 'cancelled', 'cancelled', `step ${step.id} ${step.state}`);
      return undefined;
    }
    step.current = attempt;
    this.attempts.set(attempt.id, attempt);
    if (attempt.state === 'queued') this.deps.scheduler.enqueue(placementRequest(step.def, attempt));
    return attempt;
  }

  private current(nodeId: string, attemptId: string): AttemptRecord | undefined {
    const a = this.attempts.get(attemptId);
    if (!a || a.state !== 'running' || a.nodeId !== nodeId) {
      this.deps.logger.debug({ nodeId, attemptId }, 'ignoring a report for a superseded or unknown attempt');
      return undefined;
    }
    return a;
  }

  /** A running attempt ended: its slot is free. */
  private release(a: AttemptRecord): void {
    this.deps.scheduler.release(a.id);
    if (a.nodeId) this.leases.release(a.nodeId, a.id);
  }

  private runningOn(nodeId: string): AttemptRecord[] {
    return [...this.attempts.values()].filter((a) => a.state === 'running' && a.nodeId === nodeId);
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
    let built: Assignment;
    try {
      built = buildAssignment(step.def, jobContext(job), {
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
      task: built.task,
      listInput: built.listInput,
    };
    step.attempts = attemptNo;
    step.current = a;
    this.attempts.set(id, a);
    this.deps.store.saveAttempt(attemptRow(a));
    this.deps.store.updateStep(stepRow(job.id, step));
    this.deps.scheduler.enqueue(placementRequest(step.def, a));
    this.deps.sinks.stepChanged(job, step);
  }

  /** The node holding `a` is gone or silent: the attempt is lost and, within the step's retries, run again. */
  private lose(a: AttemptRecord, why: string): void {
    const job = this.jobs.get(a.jobId);
    if (!job || a.state !== 'running') return;
    const step = job.steps.get(a.stepId)!;
    this.release(a);
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
    const decision = retryDecision(step.attempts, step.def.retries, why, retryable, this.opts);
    if (!decision.retry) {
      this.failStep(job, step, decision.error);
      return;
    }
    const delay = `${(decision.delayMs / 1000).toFixed(1)}s`;
    this.event(job, step, a, `attempt ${a.attempt} ${a.state}: ${why}; retrying in ${delay}`, 'warn');
    step.current = null;
    this.newAttempt(job, step, this.deps.clock.now() + decision.delayMs);
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
    const outcome = jobOutcome(job, () => renderOutputs(job.pipeline, jobContext(job)));
    if (!outcome) return;
    job.state = outcome.state;
    job.error = outcome.error;
    if (outcome.outputs) job.outputs = outcome.outputs;
    job.finishedAt = this.deps.clock.now();
    this.saveJob(job);
    const error = job.error && job.state !== 'cancelled' ? `: ${job.error}` : '';
    this.event(job, null, null, `job ${job.state}${error}`);
    this.jobs.delete(job.id);
    this.log.finished(job.id);
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

  private event(
    job: JobRecord,
    step: StepRecord | null,
    a: AttemptRecord | null,
    text: string,
    level = 'info',
  ): void {
    this.log.event(job.id, a?.stepId ?? step?.id ?? null, a?.id ?? null, text, level);
  }
}
