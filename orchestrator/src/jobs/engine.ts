// The job engine: advances each job's step DAG, creates attempts, hands them to the scheduler, leases them to
// nodes, and settles them from agents' updates — retries with backoff, node loss, timeouts, cancellation and
// recovery after a restart. It knows no transport: it talks to a dispatcher, a scheduler, a store and sinks
// (ports.ts). It decides; the job book (job-book.ts) records. Each entry point is one store transaction.
import type { TaskOutput__Output, TaskUpdate__Output } from '@orchion/proto';
import { renderOutputs, TemplateError, type Pipeline } from '@orchion/schemas';
import type { SchedNode } from '../scheduler/types';
import type { AttemptRow } from '../store/job-store';
import { timeOrderedId } from './attempt-id';
import { HeldSlots } from './held-slots';
import { JobBook } from './job-book';
import { jobOutcome } from './job-outcome';
import { TERMINAL, attemptFromRow, type AttemptRecord, type JobRecord, type StepRecord } from './model';
import { DEFAULT_ENGINE_OPTIONS, nodeTimer, type EngineDeps, type EngineOptions } from './ports';
import { retryDecision } from './retry-policy';
import type { RunFromPlan } from './run-from';
import { stepSuccess } from './step-result';
import { buildAssignment, jobContext, placementRequest, type Assignment } from './task-request';

export type {
  Dispatcher,
  EngineDeps,
  EngineOptions,
  EngineSinks,
  GroupCommitPort,
  SchedulerPort,
} from './ports';

const SUPERSEDED = 'superseded: no longer leased to this node';

export class JobEngine {
  private readonly opts: Required<EngineOptions>;
  private readonly book: JobBook;
  private readonly held: HeldSlots;
  private pumpQueued = false;

  constructor(
    private readonly deps: EngineDeps,
    options: EngineOptions = {},
  ) {
    this.opts = { ...DEFAULT_ENGINE_OPTIONS, ...options };
    this.book = new JobBook(deps, this.opts.maxLogsPerJob);
    this.held = new HeldSlots(deps.scheduler);
  }

  get activeJobs(): number {
    return this.book.jobs.size;
  }

  activeJob(id: string): JobRecord | undefined {
    return this.book.jobs.get(id);
  }

  waitingReason(attemptId: string): string | null {
    return this.deps.scheduler.explain(attemptId)?.message ?? null;
  }

  // ------------------------------------------------------------------------------------------------ jobs

  /**
   * Stores a new job and starts what can run. With `from` (see run-from.ts), the steps it reuses are succeeded
   * at once with their source job's output, and only the others run.
   */
  submit(
    pipelineText: string,
    pipeline: Pipeline,
    inputs: Record<string, unknown>,
    from?: RunFromPlan,
  ): JobRecord {
    return this.book.atomically(() => {
      const job = this.book.createJob(pipelineText, pipeline, inputs);
      if (from) this.book.reuse(job, from);
      this.advance(job);
      this.pump();
      return job;
    });
  }

  /**
   * `submit` for a caller that acknowledges the job (the POST route): inside the turn's group commit when the
   * engine has one, so that the submits and agents' reports of one event-loop turn share one COMMIT instead of
   * one each. Resolves once the job is committed: acknowledge it only then.
   */
  async submitDurably(
    pipelineText: string,
    pipeline: Pipeline,
    inputs: Record<string, unknown>,
    from?: RunFromPlan,
  ): Promise<JobRecord> {
    const group = this.deps.group;
    if (!group) return this.submit(pipelineText, pipeline, inputs, from);
    const job = group.run(() => this.submit(pipelineText, pipeline, inputs, from));
    await group.committed();
    return job;
  }

  /**
   * Reloads unfinished jobs after a restart (call it after the known nodes were offered through `nodeChanged`):
   * queued attempts are queued again; running ones keep their lease (their node reports them again when it
   * reconnects, or goes offline), unless their node is already offline.
   */
  recover(): void {
    for (const { job, open } of this.book.storedJobs()) {
      this.book.atomically(() => {
        const orphans: AttemptRecord[] = [];
        for (const row of open) {
          const a = this.resume(job, job.steps.get(row.step_id)!, row);
          if (a?.state !== 'running') continue;
          // The new scheduler never placed it: its slot is held outside the scheduler until it ends.
          if (this.held.has(a.nodeId!)) this.held.hold(a.nodeId!, a.id);
          else orphans.push(a);
        }
        for (const a of orphans) this.lose(a, `node ${a.nodeId} was offline when the orchestrator restarted`);
        this.advance(job);
      });
      this.deps.logger.info({ jobId: job.id, name: job.name }, 'job recovered');
    }
    this.pump();
  }

  cancel(jobId: string, reason = 'cancelled by the user'): JobRecord | undefined {
    const job = this.book.jobs.get(jobId);
    if (!job) return undefined;
    this.book.atomically(() => {
      for (const step of job.steps.values()) {
        if (TERMINAL.has(step.state)) continue;
        const a = step.current;
        if (a && a.state === 'queued') this.deps.scheduler.dequeue(a.id);
        if (a && a.state === 'running') {
          this.release(a);
          this.stopOnNode(a, reason);
        }
        if (a) this.book.settleAttempt(a, 'cancelled', 'cancelled', reason);
        this.book.setStep(job, step, 'cancelled', reason);
      }
      this.book.event(job, null, null, reason);
      this.finishIfDone(job);
      this.pump();
    });
    return job;
  }

  // ------------------------------------------------------------------------------------------ placement

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
    this.book.atomically(() => {
      for (const p of this.deps.scheduler.schedule()) {
        const a = this.book.open.get(p.key);
        const job = a && this.book.jobs.get(a.jobId);
        const step = job?.steps.get(a!.stepId);
        if (!a || !job || !step || a.state !== 'queued') {
          this.deps.scheduler.release(p.key);
          continue;
        }
        this.book.startAttempt(job, step, a, p.nodeId);
        const loaded = p.modelLoaded ? ' (model loaded)' : '';
        this.book.event(job, step, a, `attempt ${a.attempt} placed on node ${p.nodeId}${loaded}`);
        if (!this.deps.dispatcher.assign(p.nodeId, a.task)) this.lose(a, `node ${p.nodeId} has no session`);
      }
    });
  }

  // ---------------------------------------------------------------------------------------------- nodes

  /** A node's registry record changed: keep the scheduler's view current; a node that left loses its leases. */
  nodeChanged(node: SchedNode): void {
    this.held.nodeChanged(node);
    if (node.state !== 'ready') {
      this.book.atomically(() => {
        for (const a of this.book.runningOn(node.id)) {
          const why = `node ${node.id} went ${node.state}`;
          this.lose(a, why);
          // A stale node may wake up: it must not go on with work that now runs elsewhere.
          if (node.state === 'stale') this.stopOnNode(a, why);
        }
      });
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
      const a = this.book.open.get(id);
      return !a || a.state !== 'running' || a.nodeId !== nodeId;
    });
    const still = new Set(running);
    for (const id of superseded) this.holdUntilEnded(nodeId, id);
    // Slots held for attempts being cancelled that the agent no longer runs are free.
    let freed = false;
    for (const id of this.held.heldOn(nodeId)) {
      if (!still.has(id) && !this.book.open.has(id)) freed = this.held.release(nodeId, id) || freed;
    }
    if (freed) this.requestPump();
    if (superseded.length > 0) {
      // Deferred, like assignments: the agent gets its welcome first.
      setImmediate(() => {
        for (const id of superseded) this.deps.dispatcher.cancel(nodeId, id, SUPERSEDED);
      });
    }
    const suspects = this.book.runningOn(nodeId).filter((a) => !still.has(a.id));
    if (suspects.length === 0) return;
    const timer = this.deps.timer ?? nodeTimer;
    timer.setTimeout(() => {
      this.book.atomically(() => {
        for (const a of suspects) {
          if (a.state === 'running' && a.nodeId === nodeId) this.lose(a, `node ${nodeId} no longer runs it`);
        }
        this.pump();
      });
    }, this.opts.reconnectGraceMs);
  }

  /** Periodic check: attempts running far past their timeout on a silent node are given up. */
  sweep(): void {
    const now = this.deps.clock.now();
    this.book.atomically(() => {
      for (const a of [...this.book.open.values()]) {
        if (a.state !== 'running' || !a.startedAt || !a.task.timeoutMs) continue;
        if (now - a.startedAt > a.task.timeoutMs + this.opts.timeoutGraceMs) {
          const after = Math.round((now - a.startedAt) / 1000);
          this.lose(a, `no answer from node ${a.nodeId} ${after}s after start`, 'timeout');
          this.stopOnNode(a, 'timed out');
        }
      }
      this.pump();
    });
  }

  // ------------------------------------------------------------------------------------ agents' reports

  taskUpdate(nodeId: string, u: TaskUpdate__Output): void {
    const a = this.current(nodeId, u.attemptId);
    if (!a) {
      // The final report of an attempt we stopped: the agent has freed its slot.
      const final = u.state !== 'TASK_STATE_STARTED' && u.state !== 'TASK_STATE_UNSPECIFIED';
      if (final && this.held.release(nodeId, u.attemptId)) this.pump();
      return;
    }
    const job = this.book.jobs.get(a.jobId)!;
    const step = job.steps.get(a.stepId)!;
    if (u.state === 'TASK_STATE_STARTED') {
      this.book.event(job, step, a, `attempt ${a.attempt} started on node ${nodeId}`);
      this.book.changedOutside();
      return;
    }
    if (u.state === 'TASK_STATE_UNSPECIFIED') return;
    this.book.atomically(() => {
      this.release(a);
      if (u.state === 'TASK_STATE_SUCCEEDED') this.succeeded(job, step, a, nodeId, u.result);
      else {
        const err = u.error;
        const message = err?.message || 'the attempt failed';
        const state = u.state === 'TASK_STATE_FAILED' ? 'failed' : 'cancelled';
        this.book.settleAttempt(a, state, err?.code || 'failed', message);
        this.retryOrFail(job, step, a, message, err?.retryable ?? false);
      }
      this.finishIfDone(job);
      this.pump();
    });
  }

  taskOutput(nodeId: string, out: TaskOutput__Output): void {
    const a = this.current(nodeId, out.attemptId);
    if (!a) return;
    this.book.log.output(a, out.chunks);
    this.book.changedOutside();
  }

  /**
   * Writes what changes made outside a transaction of the engine left buffered (agents' output): the group
   * commit calls it before it commits a turn's transaction.
   */
  flush(): void {
    this.book.flush();
  }

  // ------------------------------------------------------------------------------------------ internals

  /** The running attempt a report is about, unless it is superseded, unknown or from another node. */
  private current(nodeId: string, attemptId: string): AttemptRecord | undefined {
    const a = this.book.open.get(attemptId);
    if (!a || a.state !== 'running' || a.nodeId !== nodeId) {
      this.deps.logger.debug({ nodeId, attemptId }, 'ignoring a report for a superseded or unknown attempt');
      return undefined;
    }
    return a;
  }

  private succeeded(
    job: JobRecord,
    step: StepRecord,
    a: AttemptRecord,
    nodeId: string,
    r: TaskUpdate__Output['result'],
  ): void {
    a.tokens = r?.completionTokens ?? a.tokens;
    const success = stepSuccess(step.def, a, r, nodeId);
    if (!success.ok) {
      this.book.settleAttempt(a, 'failed', success.code, success.message);
      this.retryOrFail(job, step, a, success.message, true);
      return;
    }
    this.book.settleAttempt(a, 'succeeded', null, null);
    this.book.succeedStep(job, step, success);
    const tokens = r?.completionTokens ?? 0;
    this.book.event(job, step, a, `step ${step.id} succeeded (${tokens} tokens, ${r?.stopReason || 'done'})`);
    this.advance(job);
  }

  /** An open attempt read back from the store; undefined when it cannot run any more (it is closed). */
  private resume(job: JobRecord, step: StepRecord, row: AttemptRow): AttemptRecord | undefined {
    if (TERMINAL.has(step.state)) {
      // Left open by a crash after its step ended (before every change was one transaction). If its node
      // still runs it, it reports it when it reconnects, and it is cancelled then.
      const a = attemptFromRow(row, { task: {}, listInput: false });
      this.book.settleAttempt(a, 'cancelled', 'cancelled', `step ${step.id} ${step.state}`);
      return undefined;
    }
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
      this.book.settleAttempt(
        attemptFromRow(row, { task: {}, listInput: false }),
        'failed',
        'render-failed',
        why,
      );
      this.failStep(job, step, why);
      return undefined;
    }
    const a = this.book.reopenAttempt(step, row, built);
    if (a.state === 'queued') this.deps.scheduler.enqueue(placementRequest(step.def, a));
    return a;
  }

  /** A running attempt ended for the engine: the scheduler's slot (or the one held for it) is free. */
  private release(a: AttemptRecord): void {
    this.deps.scheduler.release(a.id);
    if (a.nodeId) this.held.release(a.nodeId, a.id);
  }

  /** Asks the node to stop a released attempt; its slot stays held until the agent reports the end. */
  private stopOnNode(a: AttemptRecord, reason: string): void {
    if (!a.nodeId) return;
    this.deps.dispatcher.cancel(a.nodeId, a.id, reason);
    this.holdUntilEnded(a.nodeId, a.id);
  }

  /** Holds a slot of the node for an attempt it runs but should not: until its final report, or a grace. */
  private holdUntilEnded(nodeId: string, attemptId: string): void {
    this.held.hold(nodeId, attemptId);
    (this.deps.timer ?? nodeTimer).setTimeout(() => {
      if (this.held.release(nodeId, attemptId)) this.pump();
    }, this.opts.timeoutGraceMs);
  }

  /** Starts every step whose needs succeeded; skips steps whose upstream failed or was cancelled. */
  private advance(job: JobRecord): void {
    // `job.steps` is in position order (model.ts builds it so).
    for (const step of job.steps.values()) {
      if (step.state !== 'queued' || step.current) continue;
      const needs = job.graph.needs(step.id).map((id) => job.steps.get(id)!);
      const blocked = needs.find((n) => n.state === 'failed' || n.state === 'cancelled');
      if (blocked) {
        this.book.setStep(job, step, 'cancelled', `skipped: upstream step ${blocked.id} ${blocked.state}`);
        continue;
      }
      if (needs.every((n) => n.state === 'succeeded')) this.newAttempt(job, step, null);
    }
    this.finishIfDone(job);
  }

  private newAttempt(job: JobRecord, step: StepRecord, notBefore: number | null): void {
    let built: Assignment;
    try {
      const ids = { attemptId: timeOrderedId(), jobId: job.id, attempt: step.attempts + 1 };
      built = buildAssignment(step.def, jobContext(job), ids);
    } catch (err) {
      const why = err instanceof TemplateError ? err.message : String(err);
      this.failStep(job, step, `cannot render the step: ${why}`);
      return;
    }
    const a = this.book.addAttempt(job, step, built, notBefore);
    this.deps.scheduler.enqueue(placementRequest(step.def, a));
    this.book.stepChanged(job, step);
  }

  /** The node holding `a` is gone or silent: the attempt is lost and, within the step's retries, run again. */
  private lose(a: AttemptRecord, why: string, code = 'node-lost'): void {
    const job = this.book.jobs.get(a.jobId);
    if (!job || a.state !== 'running') return;
    const step = job.steps.get(a.stepId)!;
    this.release(a);
    this.book.settleAttempt(a, 'lost', code, why);
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
    this.book.event(job, step, a, `attempt ${a.attempt} ${a.state}: ${why}; retrying in ${delay}`, 'warn');
    step.current = null;
    this.newAttempt(job, step, this.deps.clock.now() + decision.delayMs);
  }

  private failStep(job: JobRecord, step: StepRecord, why: string): void {
    this.book.setStep(job, step, 'failed', why);
    this.book.event(job, step, step.current, `step ${step.id} failed: ${why}`, 'error');
    this.advance(job);
  }

  private finishIfDone(job: JobRecord): void {
    if (TERMINAL.has(job.state)) return;
    const outcome = jobOutcome(job, () => renderOutputs(job.pipeline, jobContext(job)));
    if (outcome) this.book.finishJob(job, outcome);
  }
}
