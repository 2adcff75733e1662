// The job engine's books: the live records of unfinished jobs and their open attempts, and every change to them
// written to the store and told to the sinks. It decides nothing; the engine does.
//
// Writes are coalesced: a change marks its attempt and step rows dirty, and `flush` writes each dirty row once,
// stores the buffered log rows, and publishes one `step.updated` per changed step (its latest state), at the
// end of the outermost `atomically` — inside its transaction, so a change is durable exactly as before — or,
// for changes made outside one (agents' output), before the group commit of the turn commits.
import { randomUUID } from 'node:crypto';
import type { StepState } from '@orchion/api';
import type { Pipeline } from '@orchion/schemas';
import { newStepRow, type AttemptRow, type StepRow } from '../store/job-store';
import type { JobOutcome } from './job-outcome';
import { JobLog } from './job-log';
import {
  TERMINAL,
  attemptFromRow,
  attemptRow,
  jobFromRows,
  stepRow,
  stepRowsFromAttempts,
  structuredOutputs,
  type AttemptRecord,
  type JobRecord,
  type StepRecord,
} from './model';
import type { EngineDeps } from './ports';
import type { RunFromPlan } from './run-from';
import type { StepSuccess } from './step-result';
import type { Assignment } from './task-request';

export class JobBook {
  /** Unfinished jobs, by id. */
  readonly jobs = new Map<string, JobRecord>();
  /** Open (queued or running) attempts, by id. */
  readonly open = new Map<string, AttemptRecord>();
  readonly log: JobLog;
  private readonly dirtyAttempts = new Set<AttemptRecord>();
  /** Attempts created since the last flush (their rows are inserted, the others updated). */
  private readonly newAttempts = new Set<AttemptRecord>();
  private readonly dirtySteps = new Map<StepRecord, JobRecord>();
  /** Steps of jobs created since the last flush (their rows are inserted then, with their values by then). */
  private readonly newSteps = new Set<StepRecord>();
  /** Steps whose `step.updated` is due, in the order they first changed. */
  private readonly changedSteps = new Map<StepRecord, JobRecord>();
  private depth = 0;

  constructor(
    private readonly deps: Pick<EngineDeps, 'store' | 'sinks' | 'clock'>,
    maxLogsPerJob: number,
  ) {
    this.log = new JobLog(
      deps.store,
      {
        publish: (jobId, entries) => deps.sinks.logs(jobId, entries),
        followed: (jobId) => deps.sinks.followed?.(jobId) ?? true,
      },
      deps.clock,
      maxLogsPerJob,
    );
  }

  /**
   * Runs `fn` as one transaction, its rows written at its end: a crash never leaves half a change in the store.
   * Nested calls join the outermost one.
   */
  atomically<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    this.depth++;
    const { sinks } = this.deps;
    const change = (): T => {
      const result = fn();
      this.flush();
      return result;
    };
    try {
      return this.deps.store.transaction(() => (sinks.batch ? sinks.batch(change) : change()));
    } finally {
      this.depth--;
    }
  }

  /** After a change made outside `atomically`: written now, unless a transaction (the turn's group) is open. */
  changedOutside(): void {
    if (this.depth === 0 && !this.deps.store.inTransaction) this.flush();
  }

  /** Writes the dirty rows and buffered logs, then announces the changed steps. */
  flush(): void {
    const { sinks } = this.deps;
    if (this.depth === 0 && sinks.batch) sinks.batch(() => this.write());
    else this.write();
  }

  private write(): void {
    const { store } = this.deps;
    const inserts: StepRow[] = [];
    for (const [step, job] of this.dirtySteps) {
      if (this.newSteps.has(step)) inserts.push(stepRow(job.id, step));
      else store.updateStep(stepRow(job.id, step));
    }
    // A new job's steps go in together (one multi-row INSERT rather than one statement a step).
    if (inserts.length > 0) store.insertSteps(inserts);
    this.dirtySteps.clear();
    this.newSteps.clear();
    for (const a of this.dirtyAttempts) {
      if (this.newAttempts.has(a)) store.insertAttempt(attemptRow(a));
      else store.updateAttempt(attemptRow(a));
    }
    this.dirtyAttempts.clear();
    this.newAttempts.clear();
    this.log.flush();
    this.announceSteps();
  }

  private announceSteps(): void {
    for (const [step, job] of this.changedSteps) {
      this.changedSteps.delete(step);
      this.deps.sinks.stepChanged(job, step);
    }
  }

  runningOn(nodeId: string): AttemptRecord[] {
    return [...this.open.values()].filter((a) => a.state === 'running' && a.nodeId === nodeId);
  }

  // ----------------------------------------------------------------------------------------------- jobs

  /** A new job, stored (its steps at the end of the change: call it inside `atomically`). */
  createJob(pipelineText: string, pipeline: Pipeline, inputs: Record<string, unknown>): JobRecord {
    const { store } = this.deps;
    const row = {
      id: randomUUID(),
      seq: store.nextSeq(),
      name: pipeline.metadata.name,
      state: 'queued' as const,
      pipeline_text: pipelineText,
      pipeline: pipelineJson(pipeline),
      inputs: JSON.stringify(inputs),
      created_at: this.deps.clock.now(),
    };
    // The step rows are inserted by the flush at the end of this change, with the values they have by then.
    store.insertJob(row);
    const job = jobFromRows(
      { ...row, outputs: null, error: null, started_at: null, finished_at: null },
      pipeline.steps.map((s, position) => newStepRow(row.id, s.id, position)),
      pipeline,
    );
    for (const step of job.steps.values()) {
      this.newSteps.add(step);
      this.dirtySteps.set(step, job);
    }
    this.jobs.set(job.id, job);
    this.deps.sinks.jobChanged(job, true);
    this.event(job, null, null, `job ${job.name} submitted with ${pipeline.steps.length} steps`);
    return job;
  }

  /** A job run from one step: the steps it does not run take their output from the source job. */
  reuse(job: JobRecord, plan: RunFromPlan): void {
    const source = plan.reuse;
    for (const step of job.steps.values()) {
      const row = source?.steps.get(step.id);
      if (!source || !row || plan.run.has(step.id)) continue;
      step.output = row.output === null ? undefined : (JSON.parse(row.output) as unknown);
      step.outputs = structuredOutputs(step.def, step.output);
      const result = row.result ? (JSON.parse(row.result) as Record<string, unknown>) : {};
      step.result = { ...result, reusedFrom: source.jobId };
      step.reusedFrom = source.jobId;
      step.startedAt = row.started_at;
      this.setStep(job, step, 'succeeded', null);
      // The source job's finish time, not now: the step did not run in this job.
      step.finishedAt = row.finished_at;
    }
    const reused = [...job.steps.values()].filter((s) => s.reusedFrom).map((s) => s.id);
    const what = reused.length > 0 ? `; reusing ${reused.join(', ')} from job ${source!.jobId}` : '';
    this.event(job, null, null, `running from step ${plan.step}${what}`);
  }

  /** The unfinished jobs in the store (after a restart), each with the open attempt rows of its steps. */
  *storedJobs(): Generator<{ job: JobRecord; open: AttemptRow[] }> {
    const { store } = this.deps;
    for (const row of store.activeJobs()) {
      const attempts = store.attempts(row.id);
      const job = jobFromRows(row, stepRowsFromAttempts(store.steps(row.id), attempts));
      this.jobs.set(job.id, job);
      this.log.resumed(job.id);
      const latest = new Map<string, AttemptRow>();
      for (const a of attempts) {
        latest.set(a.step_id, a);
        job.steps.get(a.step_id)?.history.push(attemptFromRow(a, { task: {}, listInput: false }));
      }
      yield { job, open: [...latest.values()].filter((a) => a.state === 'queued' || a.state === 'running') };
    }
  }

  /** The job goes from queued to running. */
  startJob(job: JobRecord): void {
    if (job.state !== 'queued') return;
    job.state = 'running';
    job.startedAt = this.deps.clock.now();
    this.saveJob(job);
  }

  finishJob(job: JobRecord, outcome: JobOutcome): void {
    job.state = outcome.state;
    job.error = outcome.error;
    if (outcome.outputs) job.outputs = outcome.outputs;
    job.finishedAt = this.deps.clock.now();
    const error = job.error && job.state !== 'cancelled' ? `: ${job.error}` : '';
    this.event(job, null, null, `job ${job.state}${error}`);
    this.saveJob(job);
    this.jobs.delete(job.id);
    this.log.finished(job.id);
    this.deps.sinks.jobFinished(job);
  }

  // ---------------------------------------------------------------------------------------------- steps

  setStep(job: JobRecord, step: StepRecord, state: StepState, error: string | null): void {
    step.state = state;
    step.error = error;
    if (TERMINAL.has(state)) step.finishedAt = this.deps.clock.now();
    this.dirtySteps.set(step, job);
    this.changedSteps.set(step, job);
  }

  succeedStep(job: JobRecord, step: StepRecord, success: StepSuccess): void {
    step.output = success.output;
    step.outputs = success.outputs;
    step.result = success.result;
    this.setStep(job, step, 'succeeded', null);
  }

  stepChanged(job: JobRecord, step: StepRecord): void {
    this.changedSteps.set(step, job);
  }

  // ------------------------------------------------------------------------------------------- attempts

  /** A new queued attempt of a step (the caller enqueues it, then calls `stepChanged`). */
  addAttempt(job: JobRecord, step: StepRecord, built: Assignment, notBefore: number | null): AttemptRecord {
    const a: AttemptRecord = {
      id: built.task.attemptId!,
      jobId: job.id,
      stepId: step.id,
      attempt: built.task.attempt!,
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
    step.attempts = a.attempt;
    step.current = a;
    step.history.push(a);
    this.open.set(a.id, a);
    this.dirtyAttempts.add(a);
    this.newAttempts.add(a);
    // The step row is not written for its new count alone: a queued attempt's row is read back after a restart
    // (which sets the count again), and the row is written when the attempt is placed or the step ends.
    return a;
  }

  /** An open attempt read back from the store becomes its step's current attempt again. */
  reopenAttempt(step: StepRecord, row: AttemptRow, built: Assignment): AttemptRecord {
    const a = attemptFromRow(row, built);
    step.attempts = Math.max(step.attempts, a.attempt);
    step.current = a;
    const i = step.history.findIndex((h) => h.id === a.id);
    if (i >= 0) step.history[i] = a;
    else step.history.push(a);
    this.open.set(a.id, a);
    return a;
  }

  /** A queued attempt was placed on a node. */
  startAttempt(job: JobRecord, step: StepRecord, a: AttemptRecord, nodeId: string): void {
    const now = this.deps.clock.now();
    a.state = 'running';
    a.nodeId = nodeId;
    a.startedAt = now;
    this.dirtyAttempts.add(a);
    if (step.state === 'queued') {
      step.startedAt ??= now;
      step.state = 'running';
    }
    // Announced, but the step row is not written for a placement (nor a retry's new attempt count): the row is
    // written when the step ends, and after a restart `runningFromAttempts` reads these from the attempt rows.
    this.stepChanged(job, step);
    this.startJob(job);
  }

  settleAttempt(
    a: AttemptRecord,
    state: AttemptRecord['state'],
    code: string | null,
    error: string | null,
  ): void {
    a.state = state;
    a.errorCode = code;
    a.error = error;
    a.finishedAt = this.deps.clock.now();
    this.dirtyAttempts.add(a);
    this.open.delete(a.id);
    // An attempt read back from the store to be closed takes the place of its record in the step's history.
    const history = this.jobs.get(a.jobId)?.steps.get(a.stepId)?.history;
    const i = history ? history.findIndex((h) => h.id === a.id) : -1;
    if (history && i >= 0 && history[i] !== a) history[i] = a;
  }

  // ------------------------------------------------------------------------------------------------ log

  event(
    job: JobRecord,
    step: StepRecord | null,
    a: AttemptRecord | null,
    text: string,
    level = 'info',
  ): void {
    this.log.event(job.id, a?.stepId ?? step?.id ?? null, a?.id ?? null, text, level);
  }

  private saveJob(job: JobRecord): void {
    // Steps are announced before the job that they changed.
    this.announceSteps();
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
}

/** The stored JSON of parsed pipelines: a re-submitted text gets the same (never mutated) parse back. */
const pipelineJsons = new WeakMap<Pipeline, string>();

function pipelineJson(pipeline: Pipeline): string {
  let json = pipelineJsons.get(pipeline);
  if (json === undefined) pipelineJsons.set(pipeline, (json = JSON.stringify(pipeline)));
  return json;
}
