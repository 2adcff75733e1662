// A job's log: engine events and agents' output (tokens, log lines), stored and then published to followers.
// Rows are buffered and stored together by `flush` (the job book calls it at the end of each change, the group
// commit before each commit), so a turn's rows cost one multi-row INSERT. Each job keeps at most about
// `maxPerJob` rows: once it has 1,000 more, the oldest are pruned.
import type { LogEntry } from '@orchion/api';
import type { OutputChunk__Output } from '@orchion/proto';
import type { Clock } from '../registry/types';
import type { NewLog, SqliteJobStore } from '../store/job-store';

/** Rows a job may hold past the limit before a prune (so that pruning is one DELETE per 1,000 rows). */
const PRUNE_SLACK = 1000;

interface AttemptRef {
  id: string;
  jobId: string;
  stepId: string;
}

export class JobLog {
  /** Rows each active job holds (an upper bound). */
  private readonly counts = new Map<string, number>();
  /** Rows appended since the last `flush`, in order. */
  private pending: NewLog[] = [];

  constructor(
    private readonly store: Pick<SqliteJobStore, 'appendLogs' | 'pruneJobLogs'>,
    private readonly out: {
      publish(jobId: string, entries: LogEntry[]): void;
      /** Whether anyone follows the job's log: entries are built only for followers. */
      followed(jobId: string): boolean;
    },
    private readonly clock: Clock,
    private readonly maxPerJob: number,
  ) {}

  /** Something the engine did or saw, about a job and possibly one of its steps and attempts. */
  event(jobId: string, stepId: string | null, attemptId: string | null, text: string, level = 'info'): void {
    this.pending.push({
      job_id: jobId,
      step_id: stepId,
      attempt_id: attemptId,
      kind: 'event',
      level,
      text,
      time: this.clock.now(),
    });
  }

  /** One output report of a running attempt. */
  output(attempt: AttemptRef, chunks: OutputChunk__Output[]): void {
    for (const row of outputRows(attempt, chunks, this.clock.now())) this.pending.push(row);
  }

  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  /**
   * Stores the rows appended since the last flush (multi-row INSERTs, in the caller's transaction), prunes jobs
   * past their limit, then publishes the rows to followers, in order.
   */
  flush(): void {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    const ids = this.store.appendLogs(rows);
    const byJob = new Map<string, LogEntry[] | null>();
    rows.forEach((r, i) => {
      let entries = byJob.get(r.job_id);
      if (entries === undefined) byJob.set(r.job_id, (entries = this.out.followed(r.job_id) ? [] : null));
      this.counts.set(r.job_id, (this.counts.get(r.job_id) ?? 0) + 1);
      entries?.push({
        id: ids[i]!,
        time: new Date(r.time).toISOString(),
        stepId: r.step_id,
        attemptId: r.attempt_id,
        kind: r.kind,
        level: r.level,
        text: r.text,
      });
    });
    for (const [jobId, entries] of byJob) {
      if (this.counts.get(jobId)! > this.maxPerJob + PRUNE_SLACK) {
        this.store.pruneJobLogs(jobId, this.maxPerJob);
        this.counts.set(jobId, this.maxPerJob);
      }
      if (entries) this.out.publish(jobId, entries);
    }
  }

  /** The job was reloaded after a restart: it may hold as many rows as are kept. */
  resumed(jobId: string): void {
    this.counts.set(jobId, this.maxPerJob);
  }

  /** The job finished: its rows are stored and published now, and nothing more will be appended. */
  finished(jobId: string): void {
    this.flush();
    this.counts.delete(jobId);
  }
}

/** Log rows for one output report: each run of consecutive token chunks becomes one row, log lines their own. */
export function outputRows(attempt: AttemptRef, chunks: OutputChunk__Output[], now: number): NewLog[] {
  const rows: NewLog[] = [];
  const row = (kind: NewLog['kind'], level: string | null, text: string, time: number): NewLog => ({
    job_id: attempt.jobId,
    step_id: attempt.stepId,
    attempt_id: attempt.id,
    kind,
    level,
    text,
    time,
  });
  let tokens = '';
  const flushTokens = (): void => {
    if (tokens) rows.push(row('token', null, tokens, now));
    tokens = '';
  };
  for (const c of chunks) {
    if (c.kind === 'TOKEN') tokens += c.text;
    else {
      flushTokens();
      rows.push(row('log', c.level || 'info', c.text, validTime(c.timeMs) ?? now));
    }
  }
  flushTokens();
  return rows;
}

/** Latest time a JS Date can hold. */
const MAX_DATE_MS = 8.64e15;

/** An agent's timestamp, when it is one (a bad one would make `toISOString` throw). */
function validTime(ms: number | string | undefined): number | undefined {
  const t = Number(ms);
  return Number.isFinite(t) && t > 0 && t <= MAX_DATE_MS ? t : undefined;
}
