// The job engine's books: the live records of unfinished jobs and their open attempts, and every change to them
// written to the store and told to the sinks. It decides nothing; the engine does.
import { randomUUID } from 'node:crypto';
import type { StepState } from '@orchion/api';
import type { Pipeline } from '@orchion/schemas';
import type { AttemptRow } from '../store/job-store';
import type { JobOutcome } from './job-outcome';
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
import type { EngineDeps } from './ports';
import type { StepSuccess } from './step-result';
import type { Assignment } from './task-request';

export class JobBook {
  /** Unfinished jobs, by id. */
  readonly jobs = new Map<string, JobRecord>();
  /** Open (queued or running) attempts, by id. */
  readonly open = new Map<string, AttemptRecord>();
  readonly log: JobLog;

  constructor(
    private readonly deps: Pick<EngineDeps, 'store' | 'sinks' | 'clock'>,
    maxLogsPerJob: number,
  ) {
    this.log = new JobLog(
      deps.store,
      (jobId, entries) => deps.sinks.logs(jobId, entries),
      deps.clock,
      maxLogsPerJob,
    );
  }

  /** Runs `fn` as one transaction: a crash never leaves half a change in the store. */
  atomically<T>(fn: () => T): T {
    return this.deps.store.transaction(fn);
  }

  runningOn(nodeId: string): AttemptRecord[] {
    return [...this.open.values()].filter((a) => a.state === 'running' && a.nodeId === nodeId);
  }

  // ----------------------------------------------------------------------------------------------- jobs

  createJob(pipelineText: string, pipeline: Pipeline, inputs: Record<string, unknown>): JobRecord {
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
    return job;
  }

  /** The unfinished jobs in the store (after a restart), each with the open attempt rows of its steps. */
  *storedJobs(): Generator<{ job: JobRecord; open: AttemptRow[] }> {
    const { store } = this.deps;
    for (const row of store.activeJobs()) {
      const job = jobFromRows(row, store.steps(row.id));
      this.jobs.set(job.id, job);
      this.log.resumed(job.id);
      const latest = new Map<string, AttemptRow>();
      for (const a of store.attempts(job.id)) latest.set(a.step_id, a);
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
    this.saveJob(job);
    const error = job.error && job.state !== 'cancelled' ? `: ${job.error}` : '';
    this.event(job, null, null, `job ${job.state}${error}`);
    this.jobs.delete(job.id);
    this.log.finished(job.id);
    this.deps.sinks.jobFinished(job);
  }

  // ---------------------------------------------------------------------------------------------- steps

  setStep(job: JobRecord, step: StepRecord, state: StepState, error: string | null): void {
    step.state = state;
    step.error = error;
    if (TERMINAL.has(state)) step.finishedAt = this.deps.clock.now();
    this.deps.store.updateStep(stepRow(job.id, step));
    this.deps.sinks.stepChanged(job, step);
  }

  succeedStep(job: JobRecord, step: StepRecord, success: StepSuccess): void {
    step.output = success.output;
    step.outputs = success.outputs;
    step.result = success.result;
    this.setStep(job, step, 'succeeded', null);
  }

  stepChanged(job: JobRecord, step: StepRecord): void {
    this.deps.sinks.stepChanged(job, step);
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
    this.open.set(a.id, a);
    this.deps.store.saveAttempt(attemptRow(a));
    this.deps.store.updateStep(stepRow(job.id, step));
    return a;
  }

  /** An open attempt read back from the store becomes its step's current attempt again. */
  reopenAttempt(step: StepRecord, row: AttemptRow, built: Assignment): AttemptRecord {
    const a = attemptFromRow(row, built);
    step.attempts = Math.max(step.attempts, a.attempt);
    step.current = a;
    this.open.set(a.id, a);
    return a;
  }

  /** A queued attempt was placed on a node. */
  startAttempt(job: JobRecord, step: StepRecord, a: AttemptRecord, nodeId: string): void {
    const now = this.deps.clock.now();
    a.state = 'running';
    a.nodeId = nodeId;
    a.startedAt = now;
    this.deps.store.saveAttempt(attemptRow(a));
    if (step.state === 'queued') {
      step.startedAt ??= now;
      this.setStep(job, step, 'running', null);
    } else this.stepChanged(job, step);
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
    this.deps.store.saveAttempt(attemptRow(a));
    this.open.delete(a.id);
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
