// Slot accounting with the agents: an agent frees a slot only once a run has ended, so the slot of an attempt
// being cancelled (job cancelled, node stale, timed out, superseded) stays held until the agent reports the end,
// the node leaves or reconnects without it, or a grace passes. Otherwise the next assignment would be refused
// ('no-slot') and cost an innocent step a retry.
import { beforeEach, describe, expect, it } from 'vitest';
import { Harness, node, pipeline, tick } from './job-engine-harness';

const LONG = pipeline('  - { id: long, prompt: L }\n');
const NEXT = pipeline('  - { id: next, prompt: N }\n');

describe('job engine: slots of attempts being stopped', () => {
  let h: Harness;
  beforeEach(() => {
    h = new Harness({ engine: { timeoutGraceMs: 30_000 } });
    h.addNode('n1', { slots: 1 });
  });

  const cancelled = (nodeId: string, attemptId: string) =>
    h.update(nodeId, attemptId, 'TASK_STATE_CANCELLED', {
      error: { code: 'cancelled', message: 'cancelled', retryable: false },
    });

  it('keeps the slot of a cancelled job held until its agent reports the end', () => {
    const first = h.submit(LONG);
    const long = h.assignment('long');
    h.engine.cancel(first.id);
    const second = h.submit(NEXT);
    expect(h.dispatcher.assigned).toHaveLength(1);
    expect(h.step(second.id, 'next').waitingFor).toMatch(/busy|slot/);
    h.output(long, [{ text: 'still aborting' }]);
    expect(h.dispatcher.assigned).toHaveLength(1);
    cancelled('n1', long.task.attemptId!);
    expect(h.assignment('next').nodeId).toBe('n1');
    expect(h.view(first.id).state).toBe('cancelled');
  });

  it('frees a held slot after the grace when the agent stays silent', () => {
    const first = h.submit(LONG);
    h.engine.cancel(first.id);
    h.submit(NEXT);
    h.time.advance(29_999);
    expect(h.dispatcher.assigned).toHaveLength(1);
    h.time.advance(1);
    expect(h.assignment('next').nodeId).toBe('n1');
  });

  it('frees a held slot when the node reconnects without the attempt, or goes offline', async () => {
    const first = h.submit(LONG);
    h.engine.cancel(first.id);
    h.submit(NEXT);
    h.engine.nodeReconnected('n1', []);
    await tick();
    expect(h.assignment('next').nodeId).toBe('n1');

    const h2 = new Harness();
    h2.addNode('n1', { slots: 1 });
    const job = h2.submit(LONG);
    h2.engine.cancel(job.id);
    h2.engine.nodeChanged(node('n1', { state: 'offline', slots: 1 }));
    h2.engine.nodeChanged(node('n1', { slots: 1 }));
    h2.submit(NEXT);
    expect(h2.assignment('next').nodeId).toBe('n1');
  });

  it('holds the slot of an attempt a stale node was told to stop until it reports', async () => {
    const job = h.submit(pipeline('  - { id: long, prompt: L, retries: 1 }\n'));
    const first = h.assignment('long');
    h.engine.nodeChanged(node('n1', { state: 'stale', slots: 1 }));
    expect(h.dispatcher.cancelled.map((c) => c.attemptId)).toEqual([first.task.attemptId]);
    h.engine.nodeChanged(node('n1', { slots: 1 }));
    h.time.advance(1000);
    await tick();
    expect(h.dispatcher.assigned).toHaveLength(1);
    cancelled('n1', first.task.attemptId!);
    expect(h.assignment('long').task.attempt).toBe(2);
    expect(h.step(job.id, 'long').attempts.map((a) => a.state)).toEqual(['lost', 'running']);
  });

  it('holds a slot for what a reconnecting agent runs that is no longer its lease, until it ends', async () => {
    const job = h.submit(pipeline('  - { id: long, prompt: L, retries: 1 }\n'));
    const first = h.assignment('long');
    // The stream broke: the attempt is lost; the agent comes back still running it.
    h.engine.nodeChanged(node('n1', { state: 'offline', slots: 1 }));
    h.engine.nodeChanged(node('n1', { slots: 1 }));
    h.engine.nodeReconnected('n1', [first.task.attemptId!]);
    h.time.advance(1000);
    await tick();
    expect(h.dispatcher.assigned).toHaveLength(1);
    expect(h.dispatcher.cancelled.map((c) => c.reason)).toEqual([
      'superseded: no longer leased to this node',
    ]);
    cancelled('n1', first.task.attemptId!);
    expect(h.assignment('long').task.attempt).toBe(2);
    expect(h.step(job.id, 'long').attempts.map((a) => a.state)).toEqual(['lost', 'running']);
  });

  it('holds the slot of an attempt given up by the timeout backup', () => {
    h.submit(pipeline('  - { id: long, prompt: L, timeout: 1s }\n'));
    const first = h.assignment('long');
    h.time.advance(31_001);
    h.engine.sweep();
    h.submit(NEXT);
    expect(h.dispatcher.assigned).toHaveLength(1);
    cancelled('n1', first.task.attemptId!);
    expect(h.assignment('next').nodeId).toBe('n1');
  });
});
