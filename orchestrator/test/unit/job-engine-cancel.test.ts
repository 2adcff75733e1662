// Cancellation: queued attempts leave the scheduler, running ones get a CancelTask, the job ends cancelled and
// whatever the agents report afterwards is ignored.
import { beforeEach, describe, expect, it } from 'vitest';
import { Harness, pipeline } from './job-engine-harness';

const JOB = pipeline(`  - { id: a, prompt: A }
  - { id: b, prompt: B, retries: 2 }
  - { id: c, prompt: C }
  - { id: d, prompt: 'D \${{ steps.a.output }}', needs: [a] }
`);

describe('job engine: cancellation', () => {
  let h: Harness;
  beforeEach(() => {
    h = new Harness();
  });

  it('dequeues queued attempts, cancels running ones on their node and marks the job cancelled', () => {
    const job = h.submit(JOB);
    h.addNode('n1', { slots: 1 });
    const a = h.assignment('a');
    expect(h.scheduler.stats()).toMatchObject({ running: 1, queued: 2 });

    const cancelled = h.engine.cancel(job.id);
    expect(cancelled?.state).toBe('cancelled');
    expect(h.scheduler.stats()).toMatchObject({ running: 0, queued: 0, delayed: 0 });
    expect(h.dispatcher.cancelled).toEqual([
      { nodeId: 'n1', attemptId: a.task.attemptId, reason: 'cancelled by the user' },
    ]);
    const view = h.view(job.id);
    expect(view.state).toBe('cancelled');
    expect(view.error).toBeNull();
    expect(view.stepDetails.map((s) => [s.id, s.state, s.attempts.map((x) => x.state)])).toEqual([
      ['a', 'cancelled', ['cancelled']],
      ['b', 'cancelled', ['cancelled']],
      ['c', 'cancelled', ['cancelled']],
      ['d', 'cancelled', []],
    ]);
    expect(h.sinks.finished).toEqual([job.id]);
    expect(h.events(job.id).slice(-2)).toEqual(['cancelled by the user', 'job cancelled']);

    // Late reports change nothing; the node is free for other work.
    h.succeed(a, { text: 'too late' });
    h.output(a, [{ text: 'tok' }]);
    expect(h.view(job.id).state).toBe('cancelled');
    expect(h.step(job.id, 'a').output).toBeNull();
    const next = h.submit(pipeline('  - { id: z, prompt: Z }\n'));
    h.engine.pump();
    expect(h.assignment('z', next.id).nodeId).toBe('n1');
  });

  it('dequeues an attempt waiting in backoff', () => {
    const job = h.submit(pipeline('  - { id: s, prompt: S, retries: 2 }\n'));
    h.addNode('n1');
    h.fail(h.assignment('s'), { retryable: true });
    expect(h.scheduler.stats().delayed).toBe(1);
    h.engine.cancel(job.id, 'changed my mind');
    expect(h.scheduler.stats()).toMatchObject({ delayed: 0, queued: 0, running: 0 });
    expect(h.dispatcher.cancelled).toEqual([]);
    expect(h.step(job.id, 's')).toMatchObject({ state: 'cancelled', error: 'changed my mind' });
    h.time.advance(10_000);
    expect(h.dispatcher.assigned).toHaveLength(1);
  });

  it('keeps a failed step failed: a job cancelled after a failure is failed', () => {
    const job = h.submit(JOB);
    h.addNode('n1', { slots: 3 });
    h.fail(h.assignment('a'), { message: 'boom' });
    h.engine.cancel(job.id);
    expect(h.view(job.id)).toMatchObject({ state: 'failed', error: 'step a failed: boom' });
  });

  it('answers undefined for a finished or unknown job', () => {
    const job = h.submit(pipeline('  - { id: s, prompt: S }\n'));
    h.addNode('n1');
    h.succeed(h.assignment('s'), { text: 'done' });
    expect(h.engine.cancel(job.id)).toBeUndefined();
    expect(h.engine.cancel('nope')).toBeUndefined();
    expect(h.view(job.id).state).toBe('succeeded');
  });
});
