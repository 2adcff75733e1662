// Views built from the engine's memory (step events, the submit response, live jobs) equal the views read back
// from the store, through placements, retries, node loss, a restart and cancellation; each step change is
// announced once per engine change, with its latest state.
import { describe, expect, it } from 'vitest';
import { jobViewFromRecord } from '../../src/jobs/views';
import { Harness, pipeline } from './job-engine-harness';

const DAG = pipeline(`  - { id: a, prompt: A, retries: 2 }
  - { id: b, prompt: 'B \${{ steps.a.output }}', needs: [a] }
  - { id: c, prompt: 'C \${{ steps.a.output }}', needs: [a] }
`);

function expectSameViews(h: Harness, jobId: string): void {
  const live = h.engine.activeJob(jobId);
  expect(live, 'the job is active').toBeDefined();
  expect(jobViewFromRecord(live!, (id) => h.engine.waitingReason(id))).toEqual(h.view(jobId));
}

describe('job engine: views from memory', () => {
  it('match the store through retries, node loss and a restart', () => {
    const h = new Harness();
    const job = h.submit(DAG);
    expectSameViews(h, job.id);
    h.addNode('n1', { slots: 1 });
    expectSameViews(h, job.id);
    const first = h.assignment('a');
    h.started(first);
    h.fail(first, { message: 'crash', retryable: true });
    expectSameViews(h, job.id);
    h.time.advance(1000);
    const second = h.assignment('a');
    h.engine.nodeChanged({
      id: 'n1',
      state: 'offline',
      labels: {},
      slots: 0,
      runtimes: [],
      models: [],
      gpus: [],
    });
    expectSameViews(h, job.id);
    expect(h.step(job.id, 'a').attempts.map((x) => x.state)).toEqual(['failed', 'lost', 'queued']);
    expect(second.task.attempt).toBe(2);

    const h2 = h.restart();
    h2.engine.recover();
    expectSameViews(h2, job.id);
    h2.addNode('n2', { slots: 1 });
    h2.time.advance(10_000); // the retry backoff
    expectSameViews(h2, job.id);
    const third = h2.assignment('a');
    h2.succeed(third, { text: 'out' });
    expectSameViews(h2, job.id);
    expect(h2.step(job.id, 'a').attempts.map((x) => x.state)).toEqual(['failed', 'lost', 'succeeded']);
    expect(h2.step(job.id, 'b').state).toBe('running');
    expect(h2.step(job.id, 'c').state).toBe('queued');
    expect(h2.step(job.id, 'c').waitingFor).toMatch(/busy|slot/);
    h2.succeed(h2.assignment('b'), { text: 'b' });
    h2.succeed(h2.assignment('c'), { text: 'c' });
    expect(h2.view(job.id).state).toBe('succeeded');
  });

  it('announces each changed step once per change, with its latest state, before the job', () => {
    const h = new Harness();
    h.addNode('n1');
    const job = h.submit(DAG);
    // Submitted and placed in one change: one event for `a` (running), one each for b and c (queued, no
    // attempt yet: they were never announced, being untouched).
    expect(h.sinks.stepEvents).toEqual([{ jobId: job.id, stepId: 'a', state: 'running' }]);
    h.sinks.stepEvents.length = 0;
    h.succeed(h.assignment('a'), { text: 'x' });
    expect(h.sinks.stepEvents.map((e) => `${e.stepId}:${e.state}`)).toEqual([
      'a:succeeded',
      'b:running',
      'c:running',
    ]);
    h.sinks.stepEvents.length = 0;
    h.succeed(h.assignment('b'), { text: 'y' });
    h.sinks.jobEvents.length = 0;
    h.succeed(h.assignment('c'), { text: 'z' });
    expect(h.sinks.stepEvents.map((e) => `${e.stepId}:${e.state}`)).toEqual(['b:succeeded', 'c:succeeded']);
    expect(h.sinks.jobEvents.map((e) => e.state)).toEqual(['succeeded']);
  });
});
