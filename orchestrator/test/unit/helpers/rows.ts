import type { AttemptRow } from '../../../src/store/job-store';

/** An attempt row of job 'j', step 's', attempt 1, queued at 1000; `over` sets the rest. */
export const attemptRow = (over: Partial<AttemptRow> = {}): AttemptRow => ({
  id: 'a1',
  job_id: 'j',
  step_id: 's',
  attempt: 1,
  state: 'queued',
  node_id: null,
  not_before: null,
  error_code: null,
  error: null,
  tokens: 0,
  queued_at: 1000,
  started_at: null,
  finished_at: null,
  ...over,
});
