// The job store's writes: multi-row step inserts and updates by remembered rowid land on the right rows, also
// for rows it did not insert itself (read back after a restart) and after a row went final.
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database';
import { SqliteJobStore, newStepRow, type AttemptRow, type StepRow } from '../../src/store/job-store';
import { attemptRow } from './helpers/rows';

const job = (id: string, seq: number) => ({
  id,
  seq,
  name: id,
  state: 'queued' as const,
  pipeline_text: '',
  pipeline: '{}',
  inputs: '{}',
  created_at: 1,
});

const step = (jobId: string, stepId: string, position: number, over: Partial<StepRow> = {}): StepRow => ({
  ...newStepRow(jobId, stepId, position),
  ...over,
});

const attempt = (id: string, jobId: string, stepId: string, over: Partial<AttemptRow> = {}): AttemptRow =>
  attemptRow({ id, job_id: jobId, step_id: stepId, queued_at: 1, ...over });

describe('SqliteJobStore writes', () => {
  it('updates the right step and attempt rows, by rowid or by key', () => {
    const db = openDatabase(':memory:');
    const store = new SqliteJobStore(db);
    store.transaction(() => {
      store.insertJob(job('j1', 1));
      store.insertJob(job('j2', 2));
      // 70 steps: more than one multi-row statement.
      store.insertSteps(Array.from({ length: 70 }, (_, i) => step('j1', `s${i}`, i)));
      store.insertSteps([step('j2', 'a', 0), step('j2', 'b', 1, { state: 'succeeded', output: '"reused"' })]);
    });
    store.updateStep(step('j1', 's65', 65, { state: 'running', attempts: 1, started_at: 5 }));
    store.updateStep(step('j2', 'a', 0, { state: 'succeeded', output: '"A"', finished_at: 9 }));
    // Final: later updates go by key, and still find the row.
    store.updateStep(step('j2', 'a', 0, { state: 'succeeded', output: '"A2"', finished_at: 9 }));
    store.updateStep(step('j2', 'b', 1, { state: 'succeeded', output: '"B"' }));
    const j1 = store.steps('j1');
    expect(j1).toHaveLength(70);
    expect(j1.filter((r) => r.state !== 'queued').map((r) => [r.step_id, r.state, r.attempts])).toEqual([
      ['s65', 'running', 1],
    ]);
    expect(store.steps('j2').map((r) => [r.step_id, r.state, r.output])).toEqual([
      ['a', 'succeeded', '"A2"'],
      ['b', 'succeeded', '"B"'],
    ]);

    store.insertAttempt(attempt('x1', 'j1', 's0'));
    store.insertAttempt(attempt('x2', 'j1', 's1'));
    store.updateAttempt(attempt('x2', 'j1', 's1', { state: 'running', node_id: 'n1', started_at: 3 }));
    store.updateAttempt(attempt('x2', 'j1', 's1', { state: 'succeeded', node_id: 'n1', finished_at: 4 }));
    store.updateAttempt(attempt('x2', 'j1', 's1', { state: 'succeeded', node_id: 'n1', tokens: 7 }));
    expect(store.attempts('j1').map((a) => [a.id, a.state, a.node_id, a.tokens])).toEqual([
      ['x1', 'queued', null, 0],
      ['x2', 'succeeded', 'n1', 7],
    ]);

    // A new store over the same database (a restart): it updates by key.
    const again = new SqliteJobStore(db);
    again.updateAttempt(attempt('x1', 'j1', 's0', { state: 'lost', error: 'node gone' }));
    again.updateStep(step('j1', 's0', 0, { state: 'failed', error: 'boom' }));
    expect(store.attempts('j1')[0]).toMatchObject({ id: 'x1', state: 'lost', error: 'node gone' });
    expect(store.steps('j1')[0]).toMatchObject({ step_id: 's0', state: 'failed', error: 'boom' });
  });
});
