// "Run from here": a job that runs one step and everything downstream of it, and reuses the outputs of the
// other steps from an earlier job. This file decides which steps run, which earlier job provides the others,
// and what is reused; it reads the store through a small port and knows no transport.
//
// - `run`: the step and every step downstream of it. They run.
// - `needed`: the steps upstream of `run` (outside it). The run needs their outputs: they must have succeeded in
//   the source job, or there is nothing to run from.
// - any other step (neither): reused when it succeeded in the source job, run otherwise.
import type { RunFrom } from '@orchion/api';
import { stepGraph, type Pipeline } from '@orchion/schemas';
import type { JobRow, StepRow } from '../store/job-store';

/** What the plan reads from the store. */
export interface RunFromStore {
  job(id: string): JobRow | undefined;
  steps(jobId: string): StepRow[];
  /** Ids of the newest jobs of a pipeline name, newest first. */
  jobIdsByName(name: string, limit: number): string[];
}

/** The steps of the job that are not run: their rows in the source job. */
export interface Reuse {
  jobId: string;
  steps: Map<string, StepRow>;
}

export interface RunFromPlan {
  step: string;
  /** Steps that run (the step and its downstream steps). */
  run: ReadonlySet<string>;
  /** Steps reused; undefined when no earlier job exists and the run needs none. */
  reuse: Reuse | undefined;
}

export type RunFromResult =
  { ok: true; plan: RunFromPlan } | { ok: false; status: 409 | 422; code: string; message: string };

/** Earlier jobs of the same name looked at, newest first, when the request names none. */
export const CANDIDATE_JOBS = 200;

/** The `from` of a request, checked: a step id and an optional job id. */
export function readRunFrom(value: unknown): RunFrom | string {
  if (value === undefined) return 'missing';
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return 'from must be an object {"step": "<step id>", "job": "<job id>"} (job is optional)';
  }
  const { step, job, ...rest } = value as Record<string, unknown>;
  if (typeof step !== 'string' || step === '') return 'from.step must be a step id';
  if (job !== undefined && (typeof job !== 'string' || job === '')) return 'from.job must be a job id';
  const extra = Object.keys(rest);
  if (extra.length > 0) return `from has unknown field${extra.length > 1 ? 's' : ''} ${extra.join(', ')}`;
  return job === undefined ? { step } : { step, job };
}

export function planRunFrom(pipeline: Pipeline, from: RunFrom, store: RunFromStore): RunFromResult {
  const graph = stepGraph(pipeline.steps);
  const ids = pipeline.steps.map((s) => s.id);
  if (!graph.has(from.step)) {
    return fail(
      422,
      'unknown_step',
      `the pipeline has no step "${from.step}" to run from (its steps: ${ids.join(', ')})`,
    );
  }
  const run = new Set([from.step, ...graph.downstreamOf(from.step)]);
  const needed = new Set<string>();
  for (const id of run) for (const up of graph.upstreamOf(id)) if (!run.has(up)) needed.add(up);
  const neededList = ids.filter((id) => needed.has(id));
  const succeeded = (rows: StepRow[]) =>
    new Map(rows.filter((r) => r.state === 'succeeded').map((r) => [r.step_id, r]));
  const missing = (done: Map<string, StepRow>) => neededList.filter((id) => !done.has(id));

  if (from.job !== undefined) {
    const row = store.job(from.job);
    if (!row) return fail(422, 'unknown_job', `no job "${from.job}" to reuse outputs from`);
    const done = succeeded(store.steps(row.id));
    const lacking = missing(done);
    if (lacking.length > 0) {
      return fail(
        409,
        'no_reusable_job',
        `job ${row.id} cannot provide the outputs that running from step "${from.step}" needs: ` +
          `${listSteps(lacking)} did not succeed in it`,
      );
    }
    return ok(from.step, run, { jobId: row.id, steps: reusable(done, run) });
  }

  const name = pipeline.metadata.name;
  for (const id of store.jobIdsByName(name, CANDIDATE_JOBS)) {
    const done = succeeded(store.steps(id));
    if (missing(done).length === 0) return ok(from.step, run, { jobId: id, steps: reusable(done, run) });
  }
  if (neededList.length === 0) return ok(from.step, run, undefined);
  return fail(
    409,
    'no_reusable_job',
    `no earlier job of pipeline "${name}" has ${listSteps(neededList)} succeeded, which running from step ` +
      `"${from.step}" needs: run the whole pipeline first, or name a job with from.job (--reuse)`,
  );
}

/** The succeeded steps of the source job that this job does not run. */
function reusable(done: Map<string, StepRow>, run: ReadonlySet<string>): Map<string, StepRow> {
  return new Map([...done].filter(([id]) => !run.has(id)));
}

function listSteps(ids: string[]): string {
  const quoted = ids.map((id) => `"${id}"`);
  return ids.length === 1 ? `step ${quoted[0]}` : `steps ${quoted.join(', ')}`;
}

const ok = (step: string, run: ReadonlySet<string>, reuse: Reuse | undefined): RunFromResult => ({
  ok: true,
  plan: { step, run, reuse },
});

const fail = (status: 409 | 422, code: string, message: string): RunFromResult => ({
  ok: false,
  status,
  code,
  message,
});
