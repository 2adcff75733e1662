// Job, step and attempt views for the API, read from the store (and, for waiting steps, the scheduler).
import type { AttemptView, JobSummary, JobView, LogEntry, StepState, StepView } from '@orchion/api';
import type { Pipeline, Step } from '@orchion/schemas';
import type { AttemptRow, JobRow, LogRow, SqliteJobStore, StepRow } from '../store/job-store';
import {
  reusedFrom,
  stepRowsFromAttempts,
  type AttemptRecord,
  type JobRecord,
  type StepRecord,
} from './model';

/** Recent timestamps' ISO strings: a turn's views repeat the few times it set (formatting is not free). */
const isoCache = new Map<number, string>();
const ISO_CACHED = 256;

const iso = (ms: number | null): string | null => {
  if (ms === null) return null;
  let text = isoCache.get(ms);
  if (text === undefined) {
    if (isoCache.size >= ISO_CACHED) isoCache.clear();
    isoCache.set(ms, (text = new Date(ms).toISOString()));
  }
  return text;
};

export function summaryFromRecord(job: JobRecord): JobSummary {
  const steps: Partial<Record<StepState, number>> = {};
  for (const s of job.steps.values()) steps[s.state] = (steps[s.state] ?? 0) + 1;
  return {
    id: job.id,
    name: job.name,
    state: job.state,
    createdAt: iso(job.createdAt)!,
    startedAt: iso(job.startedAt),
    finishedAt: iso(job.finishedAt),
    error: job.error,
    steps,
  };
}

/** `steps`: the job's step rows, or their counts by state. */
export function summaryFromRow(
  row: JobRow,
  steps: Pick<StepRow, 'state'>[] | Partial<Record<StepState, number>>,
): JobSummary {
  let counts: Partial<Record<StepState, number>> = {};
  if (Array.isArray(steps)) for (const s of steps) counts[s.state] = (counts[s.state] ?? 0) + 1;
  else counts = steps;
  return {
    id: row.id,
    name: row.name,
    state: row.state,
    createdAt: iso(row.created_at)!,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    error: row.error,
    steps: counts,
  };
}

export function attemptView(a: AttemptRow): AttemptView {
  return {
    id: a.id,
    attempt: a.attempt,
    state: a.state,
    nodeId: a.node_id,
    notBefore: iso(a.not_before),
    errorCode: a.error_code,
    error: a.error,
    tokens: a.tokens,
    queuedAt: iso(a.queued_at)!,
    startedAt: iso(a.started_at),
    finishedAt: iso(a.finished_at),
  };
}

export function stepView(
  def: Step,
  row: Pick<StepRow, 'state' | 'output' | 'result' | 'error' | 'started_at' | 'finished_at'>,
  attempts: AttemptRow[],
  waitingFor: string | null,
): StepView {
  const result = row.result === null ? null : (JSON.parse(row.result) as Record<string, unknown>);
  return {
    id: def.id,
    kind: def.kind,
    state: row.state,
    model: def.model,
    runtime: def.runtime ?? null,
    needs: def.needs,
    output: row.output === null ? null : (JSON.parse(row.output) as unknown),
    result,
    error: row.error,
    waitingFor,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    attempts: attempts.map(attemptView),
    reusedFrom: reusedFrom(result),
  };
}

/** A live attempt (from the engine) as a view. */
export function attemptViewFromRecord(a: AttemptRecord): AttemptView {
  return {
    id: a.id,
    attempt: a.attempt,
    state: a.state,
    nodeId: a.nodeId,
    notBefore: iso(a.notBefore),
    errorCode: a.errorCode,
    error: a.error,
    tokens: a.tokens,
    queuedAt: iso(a.queuedAt)!,
    startedAt: iso(a.startedAt),
    finishedAt: iso(a.finishedAt),
  };
}

/** A live step (from the engine) as a view, built from memory. */
export function stepViewFromRecord(step: StepRecord, waitingFor: string | null): StepView {
  const def = step.def;
  return {
    id: def.id,
    kind: def.kind,
    state: step.state,
    model: def.model,
    runtime: def.runtime ?? null,
    needs: def.needs,
    output: step.output === undefined ? null : step.output,
    result: step.result,
    error: step.error,
    waitingFor,
    startedAt: iso(step.startedAt),
    finishedAt: iso(step.finishedAt),
    attempts: step.history.map(attemptViewFromRecord),
    reusedFrom: step.reusedFrom,
  };
}

/** A live job (from the engine) as a view, built from memory. */
export function jobViewFromRecord(job: JobRecord, waitingFor: (attemptId: string) => string | null): JobView {
  const steps = [...job.steps.values()].sort((x, y) => x.position - y.position);
  return {
    ...summaryFromRecord(job),
    inputs: job.inputs,
    outputs: job.outputs,
    pipeline: job.pipelineText,
    stepDetails: steps.map((s) =>
      stepViewFromRecord(s, s.current?.state === 'queued' ? waitingFor(s.current.id) : null),
    ),
  };
}

export function jobView(
  store: SqliteJobStore,
  row: JobRow,
  waitingFor: (attemptId: string) => string | null,
): JobView {
  const pipeline = JSON.parse(row.pipeline) as Pipeline;
  const attempts = store.attempts(row.id);
  const steps = stepRowsFromAttempts(store.steps(row.id), attempts);
  const defs = new Map(pipeline.steps.map((s) => [s.id, s]));
  return {
    ...summaryFromRow(row, steps),
    inputs: JSON.parse(row.inputs) as Record<string, unknown>,
    outputs: row.outputs ? (JSON.parse(row.outputs) as Record<string, string>) : null,
    pipeline: row.pipeline_text,
    stepDetails: steps.map((s) => {
      const mine = attempts.filter((a) => a.step_id === s.step_id);
      const last = mine[mine.length - 1];
      return stepView(
        defs.get(s.step_id)!,
        s,
        mine,
        last && last.state === 'queued' ? waitingFor(last.id) : null,
      );
    }),
  };
}

export function logEntry(r: LogRow): LogEntry {
  return {
    id: r.id,
    time: new Date(r.time).toISOString(),
    stepId: r.step_id,
    attemptId: r.attempt_id,
    kind: r.kind,
    level: r.level,
    text: r.text,
  };
}
