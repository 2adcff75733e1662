// SQL for jobs, steps, attempts and logs. The job engine decides; this file only reads and writes rows.
import type { AttemptState, JobState, LogKind, StepState } from '@orchion/api';
import type { Db } from './database';

export interface JobRow {
  id: string;
  seq: number;
  name: string;
  state: JobState;
  pipeline_text: string;
  pipeline: string;
  inputs: string;
  outputs: string | null;
  error: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

export interface StepRow {
  job_id: string;
  step_id: string;
  position: number;
  state: StepState;
  attempts: number;
  output: string | null;
  result: string | null;
  error: string | null;
  started_at: number | null;
  finished_at: number | null;
}

export interface AttemptRow {
  id: string;
  job_id: string;
  step_id: string;
  attempt: number;
  state: AttemptState;
  node_id: string | null;
  not_before: number | null;
  error_code: string | null;
  error: string | null;
  tokens: number;
  queued_at: number;
  started_at: number | null;
  finished_at: number | null;
}

export interface LogRow {
  id: number;
  job_id: string;
  step_id: string | null;
  attempt_id: string | null;
  kind: LogKind;
  level: string | null;
  text: string;
  time: number;
}

export type NewLog = Omit<LogRow, 'id'>;

export class SqliteJobStore {
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      nextSeq: db.prepare('SELECT coalesce(max(seq), 0) + 1 AS seq FROM jobs'),
      insertJob:
        db.prepare(`INSERT INTO jobs (id, seq, name, state, pipeline_text, pipeline, inputs, created_at)
        VALUES (@id, @seq, @name, @state, @pipeline_text, @pipeline, @inputs, @created_at)`),
      updateJob: db.prepare(`UPDATE jobs SET state = @state, outputs = @outputs, error = @error,
        started_at = @started_at, finished_at = @finished_at WHERE id = @id`),
      insertStep: db.prepare(`INSERT INTO steps (job_id, step_id, position, state) VALUES (?, ?, ?, ?)`),
      updateStep:
        db.prepare(`UPDATE steps SET state = @state, attempts = @attempts, output = @output, result = @result,
        error = @error, started_at = @started_at, finished_at = @finished_at WHERE job_id = @job_id AND step_id = @step_id`),
      upsertAttempt:
        db.prepare(`INSERT INTO attempts (id, job_id, step_id, attempt, state, node_id, not_before,
        error_code, error, tokens, queued_at, started_at, finished_at) VALUES (@id, @job_id, @step_id, @attempt, @state,
        @node_id, @not_before, @error_code, @error, @tokens, @queued_at, @started_at, @finished_at)
        ON CONFLICT(id) DO UPDATE SET state = excluded.state, node_id = excluded.node_id, not_before = excluded.not_before,
        error_code = excluded.error_code, error = excluded.error, tokens = excluded.tokens,
        started_at = excluded.started_at, finished_at = excluded.finished_at`),
      job: db.prepare('SELECT * FROM jobs WHERE id = ?'),
      jobsPage: db.prepare('SELECT * FROM jobs WHERE seq < ? ORDER BY seq DESC LIMIT ?'),
      jobsPageByState: db.prepare('SELECT * FROM jobs WHERE state = ? AND seq < ? ORDER BY seq DESC LIMIT ?'),
      activeJobs: db.prepare("SELECT * FROM jobs WHERE state IN ('queued', 'running') ORDER BY seq"),
      steps: db.prepare('SELECT * FROM steps WHERE job_id = ? ORDER BY position'),
      attempts: db.prepare('SELECT * FROM attempts WHERE job_id = ? ORDER BY step_id, attempt'),
      stepAttempts: db.prepare('SELECT * FROM attempts WHERE job_id = ? AND step_id = ? ORDER BY attempt'),
      insertLog: db.prepare(`INSERT INTO logs (job_id, step_id, attempt_id, kind, level, text, time)
        VALUES (@job_id, @step_id, @attempt_id, @kind, @level, @text, @time)`),
      logsAfter: db.prepare('SELECT * FROM logs WHERE job_id = ? AND id > ? ORDER BY id LIMIT ?'),
      pruneJobLogs: db.prepare(`DELETE FROM logs WHERE job_id = ? AND id <= (
        SELECT id FROM logs WHERE job_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`),
      pruneOldLogs: db.prepare(`DELETE FROM logs WHERE job_id IN (
        SELECT id FROM jobs WHERE finished_at IS NOT NULL AND finished_at < ?)`),
    };
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  nextSeq(): number {
    return (this.s.nextSeq.get() as { seq: number }).seq;
  }

  insertJob(job: Omit<JobRow, 'outputs' | 'error' | 'started_at' | 'finished_at'>, steps: string[]): void {
    this.transaction(() => {
      this.s.insertJob.run(job);
      steps.forEach((id, i) => this.s.insertStep.run(job.id, id, i, 'queued'));
    });
  }

  updateJob(job: Pick<JobRow, 'id' | 'state' | 'outputs' | 'error' | 'started_at' | 'finished_at'>): void {
    this.s.updateJob.run(job);
  }

  updateStep(step: StepRow): void {
    this.s.updateStep.run(step);
  }

  saveAttempt(a: AttemptRow): void {
    this.s.upsertAttempt.run(a);
  }

  job(id: string): JobRow | undefined {
    return this.s.job.get(id) as JobRow | undefined;
  }

  /** Newest first; `beforeSeq` is the cursor. */
  jobs(query: { state?: JobState; beforeSeq: number; limit: number }): JobRow[] {
    return (
      query.state
        ? this.s.jobsPageByState.all(query.state, query.beforeSeq, query.limit)
        : this.s.jobsPage.all(query.beforeSeq, query.limit)
    ) as JobRow[];
  }

  activeJobs(): JobRow[] {
    return this.s.activeJobs.all() as JobRow[];
  }

  steps(jobId: string): StepRow[] {
    return this.s.steps.all(jobId) as StepRow[];
  }

  stepAttempts(jobId: string, stepId: string): AttemptRow[] {
    return this.s.stepAttempts.all(jobId, stepId) as AttemptRow[];
  }

  attempts(jobId: string): AttemptRow[] {
    return this.s.attempts.all(jobId) as AttemptRow[];
  }

  appendLogs(logs: NewLog[]): number[] {
    return this.transaction(() => logs.map((l) => Number(this.s.insertLog.run(l).lastInsertRowid)));
  }

  logsAfter(jobId: string, afterId: number, limit: number): LogRow[] {
    return this.s.logsAfter.all(jobId, afterId, limit) as LogRow[];
  }

  /** Keeps the newest `keep` log rows of a job. */
  pruneJobLogs(jobId: string, keep: number): void {
    this.s.pruneJobLogs.run(jobId, jobId, keep);
  }

  /** Deletes the logs of jobs that finished before `before` (epoch ms). */
  pruneLogsBefore(before: number): number {
    return this.s.pruneOldLogs.run(before).changes;
  }
}
