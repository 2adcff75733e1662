// Job, step, attempt and log shapes of the HTTP API.
import type { Diagnostic } from '@orchion/schemas';

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export const JOB_STATES: readonly JobState[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];
export type StepState = JobState;
export type AttemptState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'lost';

export interface AttemptView {
  id: string;
  attempt: number;
  state: AttemptState;
  nodeId: string | null;
  /** For a queued retry: not placed before this time. */
  notBefore: string | null;
  errorCode: string | null;
  error: string | null;
  tokens: number;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface StepView {
  id: string;
  kind: 'completion' | 'chat' | 'embedding';
  state: StepState;
  model: string;
  /** The runtime the step asked for; null: any runtime of the node that serves the model. */
  runtime: string | null;
  needs: string[];
  /** Text for completion/chat, the JSON value for structured output, vectors for embeddings. */
  output: unknown;
  /** Stop reason, token counts, duration and dimensions of the successful attempt. */
  result: Record<string, unknown> | null;
  error: string | null;
  /** Why the step's next attempt is not running yet (no node serves the model, nodes busy, retry backoff …). */
  waitingFor: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  attempts: AttemptView[];
  /**
   * For a job submitted with `from`: the id of the earlier job whose output this step reuses (the step did not
   * run in this job; it shows as succeeded, with that job's output, result and times). Null otherwise.
   */
  reusedFrom?: string | null;
}

export interface JobSummary {
  id: string;
  name: string;
  state: JobState;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  /** Step counts by state. */
  steps: Partial<Record<StepState, number>>;
}

export interface JobView extends JobSummary {
  inputs: Record<string, unknown>;
  outputs: Record<string, string> | null;
  pipeline: string;
  stepDetails: StepView[];
}

export interface ListJobsResponse {
  jobs: JobSummary[];
  nextCursor: string | null;
}

/**
 * "Run from here": run `step` and every step downstream of it; the other steps are not run, their outputs are
 * reused from an earlier job (see docs/pipelines.md).
 */
export interface RunFrom {
  /** The id of the step to run from. */
  step: string;
  /**
   * The job whose outputs are reused. Default: the newest job of the same pipeline name in which every step the
   * run needs (the upstream steps of `step` and of its downstream steps) succeeded.
   */
  job?: string;
}

export interface SubmitJobRequest {
  /** The pipeline YAML text. */
  pipeline: string;
  inputs?: Record<string, unknown>;
  /** Convert string input values to the declared types (as the CLI's `--input k=v` does). */
  coerceInputs?: boolean;
  /** Run only from this step on, reusing the other steps' outputs from an earlier job. */
  from?: RunFrom;
}

export interface ValidateResponse {
  valid: boolean;
  diagnostics: Diagnostic[];
}

export type LogKind = 'token' | 'log' | 'event';

export interface LogEntry {
  id: number;
  time: string;
  stepId: string | null;
  attemptId: string | null;
  kind: LogKind;
  level: string | null;
  text: string;
}
