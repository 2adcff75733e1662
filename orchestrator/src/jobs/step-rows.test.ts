// A step row is written when the step ends, not when an attempt is placed: `stepRowsFromAttempts` completes the
// rows of running steps from their attempt rows (after a restart, and in views read from the store).
import { describe, expect, it } from 'vitest';
import { newStepRow, type AttemptRow, type StepRow } from '../store/job-store';
import { attemptRow } from '../../test/unit/helpers/rows';
import { stepRowsFromAttempts } from './model';

const step = (over: Partial<StepRow>): StepRow => ({ ...newStepRow('j', 's', 0), attempts: 1, ...over });
const attempt = (n: number, over: Partial<AttemptRow>): AttemptRow =>
  attemptRow({ id: `a${n}`, attempt: n, ...over });

describe('stepRowsFromAttempts', () => {
  it('leaves a step whose attempt was never placed queued, and steps without attempts as they are', () => {
    const rows = [step({}), step({ step_id: 't', position: 1, attempts: 0 })];
    expect(stepRowsFromAttempts(rows, [attempt(1, {})])).toEqual(rows);
  });

  it('reads a placed step as running since its first placement, with its latest attempt count', () => {
    const rows = stepRowsFromAttempts(
      [step({})],
      [
        attempt(2, { state: 'queued', not_before: 9000 }),
        attempt(1, { state: 'lost', node_id: 'n1', started_at: 2000, finished_at: 3000 }),
      ],
    );
    expect(rows).toEqual([step({ state: 'running', attempts: 2, started_at: 2000 })]);
  });

  it('keeps a row that is already written past queued (an ended step, or one written by an earlier version)', () => {
    const ended = step({ state: 'succeeded', attempts: 2, started_at: 2000, finished_at: 5000 });
    const running = step({ step_id: 't', state: 'running', attempts: 1, started_at: 1500 });
    const attempts = [
      attempt(1, { state: 'failed', started_at: 2000 }),
      attempt(2, { state: 'succeeded', started_at: 4000 }),
      attempt(1, { id: 't1', step_id: 't', state: 'running', started_at: 1500 }),
    ];
    expect(stepRowsFromAttempts([ended, running], attempts)).toEqual([ended, running]);
  });
});
