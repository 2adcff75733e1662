// The job engine's in-memory records of active jobs, and their conversion to and from store rows.
import type { AttemptState, JobState, StepState } from '@orchion/api';
import type { AssignTask } from '@orchion/proto';
import { stepGraph, type Pipeline, type Step, type StepGraph } from '@orchion/schemas';
import type { AttemptRow, JobRow, StepRow } from '../store/job-store';

export interface AttemptRecord {
  id: string;
  jobId: string;
  stepId: string;
  attempt: number;
  state: AttemptState;
  nodeId: string | null;
  notBefore: number | null;
  errorCode: string | null;
  error: string | null;
  tokens: number;
  queuedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** What the agent runs; rebuilt from the pipeline after a restart. */
  task: AssignTask;
  /** An embedding step whose input was a list: its output is a list of vectors, even of one. */
  listInput: boolean;
}

export interface StepRecord {
  id: string;
  position: number;
  def: Step;
  state: StepState;
  attempts: number;
  output: unknown;
  outputs?: Record<string, unknown>;
  result: Record<string, unknown> | null;
  error: string | null;
  startedAt: number | null;
  finishedAt: number | null;
  current: AttemptRecord | null;
  /** Every attempt of the step, oldest first (step views are built from these, not read back). */
  history: AttemptRecord[];
  /** The job whose output this step reuses (it does not run in this job; see run-from.ts). */
  reusedFrom: string | null;
}

export interface JobRecord {
  id: string;
  seq: number;
  name: string;
  state: JobState;
  pipelineText: string;
  pipeline: Pipeline;
  graph: StepGraph;
  inputs: Record<string, unknown>;
  outputs: Record<string, string> | null;
  error: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  steps: Map<string, StepRecord>;
}

export const TERMINAL: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled', 'lost']);

/** `pipeline`: the parsed `row.pipeline`, when the caller has it. */
/** Step graphs of parsed pipelines (a re-submitted text gets the same, never mutated, parse back). */
const graphs = new WeakMap<Pipeline, StepGraph>();

function graphOf(pipeline: Pipeline): StepGraph {
  let graph = graphs.get(pipeline);
  if (!graph) graphs.set(pipeline, (graph = stepGraph(pipeline.steps)));
  return graph;
}

/** A job record from its rows; `steps` must be in position order (the map keeps that order). */
export function jobFromRows(
  row: JobRow,
  steps: StepRow[],
  pipeline = JSON.parse(row.pipeline) as Pipeline,
): JobRecord {
  const defs = new Map(pipeline.steps.map((s) => [s.id, s]));
  return {
    id: row.id,
    seq: row.seq,
    name: row.name,
    state: row.state,
    pipelineText: row.pipeline_text,
    pipeline,
    graph: graphOf(pipeline),
    inputs: JSON.parse(row.inputs) as Record<string, unknown>,
    outputs: row.outputs ? (JSON.parse(row.outputs) as Record<string, string>) : null,
    error: row.error,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    steps: new Map(
      steps.map((s) => {
        const def = defs.get(s.step_id)!;
        const output = s.output === null ? undefined : (JSON.parse(s.output) as unknown);
        const result = s.result ? (JSON.parse(s.result) as Record<string, unknown>) : null;
        return [
          s.step_id,
          {
            id: s.step_id,
            position: s.position,
            def,
            state: s.state,
            attempts: s.attempts,
            output,
            outputs: structuredOutputs(def, output),
            result,
            error: s.error,
            startedAt: s.started_at,
            finishedAt: s.finished_at,
            current: null,
            history: [],
            reusedFrom: reusedFrom(result),
          },
        ];
      }),
    ),
  };
}

/** A reused step keeps the id of its source job in its result (no column of its own). */
export function reusedFrom(result: Record<string, unknown> | null): string | null {
  return typeof result?.reusedFrom === 'string' ? result.reusedFrom : null;
}

/** For steps with an output schema, `steps.<id>.outputs.<field>` reads fields of the JSON value. */
export function structuredOutputs(def: Step, output: unknown): Record<string, unknown> | undefined {
  if (def.kind === 'embedding' || !def.output) return undefined;
  return output && typeof output === 'object' && !Array.isArray(output)
    ? (output as Record<string, unknown>)
    : undefined;
}

export function stepRow(jobId: string, s: StepRecord): StepRow {
  return {
    job_id: jobId,
    step_id: s.id,
    position: s.position,
    state: s.state,
    attempts: s.attempts,
    output: s.output === undefined ? null : JSON.stringify(s.output),
    result: s.result ? JSON.stringify(s.result) : null,
    error: s.error,
    started_at: s.startedAt,
    finished_at: s.finishedAt,
  };
}

/**
 * A job's step rows as its attempt rows complete them. A step row is written when the step ends, not when one of
 * its attempts is placed (each placement writes its attempt's row), so the row of a step that an attempt was
 * placed for still says `queued`, with the attempt count of its last write. Such a step is running since its
 * first placement, and its count is its latest attempt's. `attempts` are the job's attempt rows, in any order.
 */
export function stepRowsFromAttempts(steps: StepRow[], attempts: AttemptRow[]): StepRow[] {
  const byStep = new Map<string, { latest: number; firstStart: number | null }>();
  for (const a of attempts) {
    const s = byStep.get(a.step_id) ?? { latest: 0, firstStart: null };
    s.latest = Math.max(s.latest, a.attempt);
    if (a.started_at !== null && (s.firstStart === null || a.started_at < s.firstStart))
      s.firstStart = a.started_at;
    byStep.set(a.step_id, s);
  }
  return steps.map((row) => {
    const s = byStep.get(row.step_id);
    if (!s) return row;
    const placed = row.state === 'queued' && s.firstStart !== null;
    if (!placed && s.latest <= row.attempts) return row;
    return {
      ...row,
      attempts: Math.max(row.attempts, s.latest),
      ...(placed ? { state: 'running' as const, started_at: s.firstStart } : {}),
    };
  });
}

export function attemptRow(a: AttemptRecord): AttemptRow {
  return {
    id: a.id,
    job_id: a.jobId,
    step_id: a.stepId,
    attempt: a.attempt,
    state: a.state,
    node_id: a.nodeId,
    not_before: a.notBefore,
    error_code: a.errorCode,
    error: a.error,
    tokens: a.tokens,
    queued_at: a.queuedAt,
    started_at: a.startedAt,
    finished_at: a.finishedAt,
  };
}

export function attemptFromRow(
  row: AttemptRow,
  built: { task: AssignTask; listInput: boolean },
): AttemptRecord {
  return {
    id: row.id,
    jobId: row.job_id,
    stepId: row.step_id,
    attempt: row.attempt,
    state: row.state,
    nodeId: row.node_id,
    notBefore: row.not_before,
    errorCode: row.error_code,
    error: row.error,
    tokens: row.tokens,
    queuedAt: row.queued_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    task: built.task,
    listInput: built.listInput,
  };
}
