// Failed steps of a job as diagnostics on its pipeline file, at each step's `id` (pure).
import type { JobView } from '@orchion/api';
import type { Range } from '@orchion/schemas';
import { readPipeline } from '../pipeline/read';

export interface StepDiagnostic {
  stepId: string;
  range: Range;
  severity: 'error' | 'warning';
  message: string;
  /** `step-failed` or the attempt's error code. */
  code: string;
}

const ZERO: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/**
 * One diagnostic per failed step of `job`, placed on the step in `text` (the file as it is now; a step that was
 * renamed or removed since the submit is placed at the top of the file). Steps cancelled because an upstream
 * step failed are not reported: the failure that caused them is.
 */
export function failedStepDiagnostics(text: string, job: JobView): StepDiagnostic[] {
  const failed = job.stepDetails.filter((s) => s.state === 'failed');
  if (failed.length === 0) return [];
  const ranges = new Map(readPipeline(text).steps.map((s) => [s.id, s.range]));
  return failed.map((step) => {
    const last = step.attempts[step.attempts.length - 1];
    const tries = step.attempts.length > 1 ? ` after ${step.attempts.length} attempts` : '';
    const why = step.error ?? last?.error ?? 'no reason given';
    return {
      stepId: step.id,
      range: ranges.get(step.id) ?? ZERO,
      severity: 'error',
      message: `step "${step.id}" failed in job ${job.name} ${job.id.slice(0, 8)}${tries}: ${why}`,
      code: last?.errorCode ?? 'step-failed',
    };
  });
}
