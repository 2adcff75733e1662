// How a job ends once all its steps have: failed if one failed, cancelled if one was cancelled, else succeeded
// with its outputs rendered (or failed, when they cannot be).
import type { JobState } from '@orchion/api';
import { TERMINAL, type JobRecord } from './model';

export interface JobOutcome {
  state: JobState;
  error: string | null;
  outputs: Record<string, string> | null;
}

/** Undefined while a step is still to run. */
export function jobOutcome(
  job: JobRecord,
  renderOutputs: () => Record<string, string>,
): JobOutcome | undefined {
  const steps = [...job.steps.values()];
  if (!steps.every((s) => TERMINAL.has(s.state))) return undefined;
  const failed = steps.find((s) => s.state === 'failed');
  if (failed) return { state: 'failed', error: `step ${failed.id} failed: ${failed.error}`, outputs: null };
  if (steps.some((s) => s.state === 'cancelled')) return { state: 'cancelled', error: null, outputs: null };
  try {
    return { state: 'succeeded', error: null, outputs: renderOutputs() };
  } catch (err) {
    return { state: 'failed', error: `cannot render the outputs: ${(err as Error).message}`, outputs: null };
  }
}
