// SQL for jobs, steps, attempts and logs. The job engine decides; this file only reads and writes rows.
import type { AttemptState, JobState, LogKind, StepState } from '@orchion/api';
import type { Statement } from 'better-sqlite3';
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

/** The row of a step that has not run yet. */
export function newStepRow(jobId: string, stepId: string, position: number): StepRow {
  return {
    job_id: jobId,
    step_id: stepId,
    position,
    state: 'queued',
    attempts: 0,
    output: null,
    result: null,
    error: null,
    started_at: null,
    finished_at: null,
  };
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

/** Step and attempt states after which their rows are not updated again. */
const FINAL: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled', 'lost']);
const stepKey = (s: Pick<StepRow, 'job_id' | 'step_id'>): string => `${s.job_id}\0${s.step_id}`;

/** Log rows per INSERT statement (7 parameters each). */
const LOG_ROWS_PER_INSERT = 64;
/** Step rows per INSERT statement (10 parameters each). */
const STEP_ROWS_PER_INSERT = 64;

export class SqliteJobStore {
  private readonly s;
  /** Multi-row log and step INSERTs, by row count. */
  private readonly logInserts = new Map<number, Statement>();
  private readonly stepInserts = new Map<number, Statement>();
  /**
   * The rowids of the step and attempt rows this process inserted and may still update (until they are final):
   * an UPDATE by rowid skips the descent through the text key's index. Rows read back after a restart are
   * updated by key. (Rowids of tables without an INTEGER PRIMARY KEY can change only in a VACUUM, which the
   * orchestrator never runs while it is up.)
   */
  private readonly stepRowids = new Map<string, number>();
  private readonly attemptRowids = new Map<string, number>();
  /**
   * One transaction function for every call: better-sqlite3 builds four wrapper functions each time
   * `db.transaction` is called, which cost more than the SAVEPOINT itself on the engine's hot path.
   */
  private readonly tx: <T>(fn: () => T) => T;

  constructor(private readonly db: Db) {
    const tx = db.transaction((fn: () => unknown) => fn());
    this.tx = <T>(fn: () => T): T => tx(fn) as T;
    this.s = {
      nextSeq: db.prepare('SELECT coalesce(max(seq), 0) + 1 AS seq FROM jobs'),
      insertJob:
        db.prepare(`INSERT INTO jobs (id, seq, name, state, pipeline_text, pipeline, inputs, created_at)
        VALUES (@id, @seq, @name, @state, @pipeline_text, @pipeline, @inputs, @created_at)`),
      updateJob: db.prepare(`UPDATE jobs SET state = @state, outputs = @outputs, error = @error,
        started_at = @started_at, finished_at = @finished_at WHERE id = @id`),
      // Positional parameters: binding is cheaper than by name on these hot statements.
      insertAttempt:
        db.prepare(`INSERT INTO attempts (id, job_id, step_id, attempt, state, node_id, not_before,
        error_code, error, tokens, queued_at, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      updateAttempt: db.prepare(`UPDATE attempts SET state = ?, node_id = ?, not_before = ?, error_code = ?,
        error = ?, tokens = ?, started_at = ?, finished_at = ? WHERE id = ?`),
      updateAttemptByRowid:
        db.prepare(`UPDATE attempts SET state = ?, node_id = ?, not_before = ?, error_code = ?,
        error = ?, tokens = ?, started_at = ?, finished_at = ? WHERE rowid = ?`),
      updateStep: db.prepare(`UPDATE steps SET state = ?, attempts = ?, output = ?, result = ?, error = ?,
        started_at = ?, finished_at = ? WHERE job_id = ? AND step_id = ?`),
      updateStepByRowid:
        db.prepare(`UPDATE steps SET state = ?, attempts = ?, output = ?, result = ?, error = ?,
        started_at = ?, finished_at = ? WHERE rowid = ?`),
      job: db.prepare('SELECT * FROM jobs WHERE id = ?'),
      jobIdsByName: db.prepare('SELECT id FROM jobs WHERE name = ? ORDER BY seq DESC LIMIT ?'),
      jobsPage: db.prepare('SELECT * FROM jobs WHERE seq < ? ORDER BY seq DESC LIMIT ?'),
      jobsPageByState: db.prepare('SELECT * FROM jobs WHERE state = ? AND seq < ? ORDER BY seq DESC LIMIT ?'),
      activeJobs: db.prepare("SELECT * FROM jobs WHERE state IN ('queued', 'running') ORDER BY seq"),
      steps: db.prepare('SELECT * FROM steps WHERE job_id = ? ORDER BY position'),
      stepCounts: db.prepare('SELECT state, count(*) AS n FROM steps WHERE job_id = ? GROUP BY state'),
      attempts: db.prepare('SELECT * FROM attempts WHERE job_id = ? ORDER BY step_id, attempt'),
      logsAfter: db.prepare('SELECT * FROM logs WHERE job_id = ? AND id > ? ORDER BY id LIMIT ?'),
      pruneJobLogs: db.prepare(`DELETE FROM logs WHERE job_id = ? AND id <= (
        SELECT id FROM logs WHERE job_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`),
      pruneOldLogs: db.prepare(`DELETE FROM logs WHERE job_id IN (
        SELECT id FROM jobs WHERE finished_at IS NOT NULL AND finished_at < ?)`),
    };
  }

  transaction<T>(fn: () => T): T {
    return this.tx(fn);
  }

  /** Whether a transaction is open (e.g. the group commit of this event-loop turn). */
  get inTransaction(): boolean {
    return this.db.inTransaction;
  }

  nextSeq(): number {
    return (this.s.nextSeq.get() as { seq: number }).seq;
  }

  /** Inserts a job row (its steps are inserted with `insertSteps`). */
  insertJob(job: Omit<JobRow, 'outputs' | 'error' | 'started_at' | 'finished_at'>): void {
    this.s.insertJob.run(job);
  }

  updateJob(job: Pick<JobRow, 'id' | 'state' | 'outputs' | 'error' | 'started_at' | 'finished_at'>): void {
    this.s.updateJob.run(job);
  }

  /** Inserts step rows with all their values (multi-row statements; call it inside a transaction). */
  insertSteps(rows: StepRow[]): void {
    for (let i = 0; i < rows.length; i += STEP_ROWS_PER_INSERT) {
      const part = rows.slice(i, i + STEP_ROWS_PER_INSERT);
      const params: unknown[] = [];
      for (const s of part) {
        params.push(
          s.job_id,
          s.step_id,
          s.position,
          s.state,
          s.attempts,
          s.output,
          s.result,
          s.error,
          s.started_at,
          s.finished_at,
        );
      }
      const last = Number(this.stepInsert(part.length).run(params).lastInsertRowid);
      // One statement's rows get consecutive rowids (one connection writes, each new rowid is the largest + 1).
      part.forEach((row, k) => {
        if (!FINAL.has(row.state)) this.stepRowids.set(stepKey(row), last - part.length + 1 + k);
      });
    }
  }

  private stepInsert(rows: number): Statement {
    let stmt = this.stepInserts.get(rows);
    if (!stmt) {
      const values = Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
      stmt = this.db.prepare(
        `INSERT INTO steps (job_id, step_id, position, state, attempts, output, result, error, started_at,
        finished_at) VALUES ${values}`,
      );
      this.stepInserts.set(rows, stmt);
    }
    return stmt;
  }

  updateStep(s: StepRow): void {
    const key = stepKey(s);
    const rowid = this.stepRowids.get(key);
    const values = [s.state, s.attempts, s.output, s.result, s.error, s.started_at, s.finished_at];
    if (rowid === undefined) {
      values.push(s.job_id, s.step_id);
      this.s.updateStep.run(values);
    } else {
      values.push(rowid);
      this.s.updateStepByRowid.run(values);
    }
    if (FINAL.has(s.state)) this.stepRowids.delete(key);
  }

  /** Inserts a new attempt row. */
  insertAttempt(a: AttemptRow): void {
    const { lastInsertRowid } = this.s.insertAttempt.run(
      a.id,
      a.job_id,
      a.step_id,
      a.attempt,
      a.state,
      a.node_id,
      a.not_before,
      a.error_code,
      a.error,
      a.tokens,
      a.queued_at,
      a.started_at,
      a.finished_at,
    );
    if (!FINAL.has(a.state)) this.attemptRowids.set(a.id, Number(lastInsertRowid));
  }

  /** Updates the changing fields of a stored attempt row. */
  updateAttempt(a: AttemptRow): void {
    const rowid = this.attemptRowids.get(a.id);
    const values = [
      a.state,
      a.node_id,
      a.not_before,
      a.error_code,
      a.error,
      a.tokens,
      a.started_at,
      a.finished_at,
    ];
    if (rowid === undefined) {
      values.push(a.id);
      this.s.updateAttempt.run(values);
    } else {
      values.push(rowid);
      this.s.updateAttemptByRowid.run(values);
    }
    if (FINAL.has(a.state)) this.attemptRowids.delete(a.id);
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

  /** Ids of the newest jobs of a pipeline name, newest first. */
  jobIdsByName(name: string, limit: number): string[] {
    return (this.s.jobIdsByName.all(name, limit) as { id: string }[]).map((r) => r.id);
  }

  activeJobs(): JobRow[] {
    return this.s.activeJobs.all() as JobRow[];
  }

  steps(jobId: string): StepRow[] {
    return this.s.steps.all(jobId) as StepRow[];
  }

  /** How many steps of a job are in each state. */
  stepCounts(jobId: string): Partial<Record<StepState, number>> {
    const counts: Partial<Record<StepState, number>> = {};
    for (const r of this.s.stepCounts.all(jobId) as { state: StepState; n: number }[]) counts[r.state] = r.n;
    return counts;
  }

  attempts(jobId: string): AttemptRow[] {
    return this.s.attempts.all(jobId) as AttemptRow[];
  }

  /** Inserts log rows (in multi-row statements) and returns their ids, in order. */
  appendLogs(logs: NewLog[]): number[] {
    const insert = (): number[] => {
      const ids: number[] = [];
      for (let i = 0; i < logs.length; i += LOG_ROWS_PER_INSERT) {
        const part = logs.slice(i, i + LOG_ROWS_PER_INSERT);
        const params: unknown[] = [];
        for (const l of part) params.push(l.job_id, l.step_id, l.attempt_id, l.kind, l.level, l.text, l.time);
        // One statement's rows get consecutive ids (one connection writes; AUTOINCREMENT never reuses one).
        const last = Number(this.logInsert(part.length).run(params).lastInsertRowid);
        for (let k = part.length - 1; k >= 0; k--) ids.push(last - k);
      }
      return ids;
    };
    return logs.length > LOG_ROWS_PER_INSERT && !this.db.inTransaction ? this.transaction(insert) : insert();
  }

  private logInsert(rows: number): Statement {
    let stmt = this.logInserts.get(rows);
    if (!stmt) {
      const values = Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?)').join(', ');
      stmt = this.db.prepare(
        `INSERT INTO logs (job_id, step_id, attempt_id, kind, level, text, time) VALUES ${values}`,
      );
      this.logInserts.set(rows, stmt);
    }
    return stmt;
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
