// Reconnects and restarts: an agent that registers again reports what it still runs (the rest is lost after a
// grace), and a new engine over the same database resumes every unfinished job: queued attempts are queued
// again, running ones keep their lease and finish exactly once.
import { beforeEach, describe, expect, it } from 'vitest';
import { Harness, node, pipeline, tick } from './job-engine-harness';

const TWO = pipeline(`  - { id: a, prompt: A, retries: 1 }
  - { id: b, prompt: 'B \${{ steps.a.output }}', needs: [a] }
`);

describe('job engine: reconnects', () => {
  let h: Harness;
  beforeEach(() => {
    h = new Harness();
  });

  it('keeps an attempt the reconnected agent still runs', () => {
    const job = h.submit(TWO);
    h.addNode('n1');
    const a = h.assignment('a');
    h.engine.nodeReconnected('n1', [a.task.attemptId!]);
    expect(h.time.pending).toBe(0);
    h.time.advance(60_000);
    expect(h.step(job.id, 'a').attempts.map((x) => x.state)).toEqual(['running']);
    h.succeed(a, { text: 'x' });
    expect(h.step(job.id, 'a').attempts.map((x) => x.state)).toEqual(['succeeded']);
  });

  it('waits the grace for the final update of an attempt the agent no longer runs', () => {
    const job = h.submit(TWO);
    h.addNode('n1');
    const a = h.assignment('a');
    h.engine.nodeReconnected('n1', []);
    h.time.advance(2999);
    h.succeed(a, { text: 'held across the disconnect' });
    h.time.advance(10);
    expect(h.step(job.id, 'a')).toMatchObject({ state: 'succeeded', output: 'held across the disconnect' });
  });

  it('loses an attempt the agent no longer runs once the grace has passed, and runs it again', () => {
    const job = h.submit(TWO);
    h.addNode('n1');
    const a = h.assignment('a');
    h.engine.nodeReconnected('n1', []);
    h.time.advance(2999);
    expect(h.step(job.id, 'a').attempts.map((x) => x.state)).toEqual(['running']);
    h.time.advance(1);
    expect(h.step(job.id, 'a').attempts[0]).toMatchObject({
      state: 'lost',
      error: 'node n1 no longer runs it',
    });
    h.time.advance(1000);
    expect(h.assignment('a').task.attempt).toBe(2);
    h.succeed(a, { text: 'too late' });
    expect(h.step(job.id, 'a').attempts.map((x) => x.state)).toEqual(['lost', 'running']);
  });
});

describe('job engine: superseded work on agents', () => {
  it('cancels the attempts of a node that went stale (they run again elsewhere), not of one that went offline', () => {
    const h = new Harness();
    const job = h.submit(
      pipeline(`  - { id: a, prompt: A, retries: 1 }
  - { id: b, prompt: B, retries: 1 }
`),
    );
    h.addNode('n1', { slots: 1 });
    h.addNode('n2', { slots: 1 });
    const a = h.assignment('a');
    const b = h.assignment('b');
    h.engine.nodeChanged(node(a.nodeId, { state: 'stale', slots: 1 }));
    h.engine.nodeChanged(node(b.nodeId, { state: 'offline', slots: 1 }));
    expect(h.dispatcher.cancelled).toEqual([
      { nodeId: a.nodeId, attemptId: a.task.attemptId, reason: `node ${a.nodeId} went stale` },
    ]);
    expect(h.view(job.id).stepDetails.map((s) => s.attempts.map((x) => x.state))).toEqual([
      ['lost', 'queued'],
      ['lost', 'queued'],
    ]);
  });

  it('cancels what a reconnecting agent runs that is no longer its lease, after its welcome', async () => {
    const h = new Harness();
    const job = h.submit(TWO);
    h.addNode('n1');
    const first = h.assignment('a');
    h.engine.nodeChanged(node('n1', { state: 'offline' }));
    h.engine.nodeChanged(node('n1'));
    h.time.advance(1000);
    const second = h.assignment('a');
    expect(second.task.attempt).toBe(2);
    h.engine.nodeReconnected('n1', [first.task.attemptId!, second.task.attemptId!, 'of-a-finished-job']);
    expect(h.dispatcher.cancelled).toEqual([]);
    await tick();
    expect(h.dispatcher.cancelled).toEqual([
      { nodeId: 'n1', attemptId: first.task.attemptId, reason: 'superseded: no longer leased to this node' },
      { nodeId: 'n1', attemptId: 'of-a-finished-job', reason: 'superseded: no longer leased to this node' },
    ]);
    expect(h.step(job.id, 'a').attempts.map((x) => x.state)).toEqual(['lost', 'running']);
  });
});

describe('job engine: recovery after a restart', () => {
  let h: Harness;
  beforeEach(() => {
    h = new Harness();
  });

  /** What the orchestrator does at start: known nodes are offered (stale until they reconnect), then recover(). */
  const restart = (nodes: string[] = ['n1']): Harness => {
    const next = h.restart();
    for (const id of nodes) next.engine.nodeChanged(node(id, { state: 'stale' }));
    next.engine.recover();
    return next;
  };

  it('reads a running step from its attempt rows after a restart (its row is written when it ends)', () => {
    const job = h.submit(pipeline('  - { id: s, prompt: S, retries: 3 }\n'));
    h.addNode('n1');
    const first = h.assignment('s');
    const placedAt = h.attempts(job.id, 's')[0]!.started_at;
    expect(placedAt).not.toBeNull();
    h.fail(first, { retryable: true });
    // Attempt 2 waits out its backoff. The step row, inserted at the submit, was written neither for the
    // placement nor for the new count.
    expect(h.store.steps(job.id)[0]).toMatchObject({ state: 'queued', attempts: 1, started_at: null });
    const h2 = restart();
    expect(h2.engine.activeJob(job.id)!.steps.get('s')).toMatchObject({
      state: 'running',
      attempts: 2,
      startedAt: placedAt,
    });
    expect(h2.step(job.id, 's')).toMatchObject({
      state: 'running',
      startedAt: new Date(placedAt!).toISOString(),
    });
    h2.engine.nodeChanged(node('n1'));
    h2.time.advance(60_000);
    const second = h2.assignment('s');
    expect(second.task.attempt).toBe(2);
    h2.fail(second, { retryable: true });
    h2.time.advance(60_000);
    h2.succeed(h2.assignment('s'), { text: 'third time' });
    expect(h2.store.steps(job.id)[0]).toMatchObject({
      state: 'succeeded',
      attempts: 3,
      started_at: placedAt,
    });
    expect(h2.attempts(job.id).map((a) => [a.attempt, a.state])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'succeeded'],
    ]);
  });

  it('re-enqueues queued attempts (keeping their backoff) and keeps running ones leased; each finishes once', async () => {
    const running = h.submit(TWO);
    const backoff = h.submit(pipeline('  - { id: s, prompt: S, retries: 2 }\n'));
    const waiting = h.submit(pipeline('  - { id: w, prompt: W, model: big }\n'));
    h.addNode('n1');
    const a = h.assignment('a', running.id);
    h.fail(h.assignment('s', backoff.id), { retryable: true });
    const notBefore = h.time.now + 1000;

    const h2 = restart();
    expect(h2.engine.activeJobs).toBe(3);
    expect(h2.scheduler.stats()).toMatchObject({ delayed: 1, queued: 1, running: 0 });
    await tick();
    expect(h2.dispatcher.assigned).toHaveLength(0);

    // The node reconnects, still running `a`.
    h2.engine.nodeChanged(node('n1'));
    h2.engine.nodeReconnected('n1', [a.task.attemptId!]);
    await tick();
    expect(h2.dispatcher.assigned).toHaveLength(0);
    h2.time.advance(notBefore - h2.time.now);
    expect(h2.assignment('s', backoff.id).task.attempt).toBe(2);
    h2.succeed(h2.assignment('s'), { text: 's' });
    expect(h2.view(backoff.id).state).toBe('succeeded');

    h2.succeed(a, { text: 'A' });
    h2.succeed(a, { text: 'A again' });
    expect(h2.assignment('b', running.id).task.prompt).toBe('B A');
    h2.succeed(h2.assignment('b'), { text: 'B' });
    const done = h2.view(running.id);
    expect(done.state).toBe('succeeded');
    expect(done.stepDetails.map((s) => s.attempts.map((x) => x.state))).toEqual([
      ['succeeded'],
      ['succeeded'],
    ]);
    expect(h2.step(running.id, 'a').output).toBe('A');

    expect(h2.view(waiting.id).state).toBe('queued');
    expect(h2.step(waiting.id, 'w').waitingFor).toMatch(/big/);
    expect(h2.engine.activeJobs).toBe(1);
  });

  it('loses recovered running attempts of a node that does not come back', () => {
    const job = h.submit(TWO);
    h.addNode('n1');
    const h2 = restart();
    h2.engine.nodeChanged(node('n1', { state: 'offline' }));
    expect(h2.step(job.id, 'a').attempts.map((x) => x.state)).toEqual(['lost', 'queued']);
    h2.addNode('n2');
    h2.time.advance(1000);
    expect(h2.assignment('a').nodeId).toBe('n2');
  });

  it('loses recovered running attempts that the reconnected node does not report, after the grace', () => {
    const job = h.submit(TWO);
    h.addNode('n1');
    const h2 = restart();
    h2.engine.nodeChanged(node('n1'));
    h2.engine.nodeReconnected('n1', []);
    h2.time.advance(3000);
    expect(h2.step(job.id, 'a').attempts.map((x) => x.state)).toEqual(['lost', 'queued']);
  });

  it('survives two restarts in a row with a step running throughout', () => {
    const job = h.submit(TWO);
    h.addNode('n1');
    h.succeed(h.assignment('a'), { text: 'A' });
    const b = h.assignment('b');
    h = restart();
    const h3 = restart();
    h3.engine.nodeChanged(node('n1'));
    h3.engine.nodeReconnected('n1', [b.task.attemptId!]);
    h3.succeed(b, { text: 'B' });
    expect(h3.view(job.id)).toMatchObject({ state: 'succeeded', outputs: {} });
    expect(h3.view(job.id).stepDetails.map((s) => s.attempts.map((x) => x.state))).toEqual([
      ['succeeded'],
      ['succeeded'],
    ]);
  });

  it('finishes a job whose steps had all ended when the orchestrator stopped', () => {
    const job = h.submit(TWO);
    h.addNode('n1');
    h.succeed(h.assignment('a'), { text: 'A' });
    h.succeed(h.assignment('b'), { text: 'B' });
    // As if the process died between the last step's write and the job's.
    h.store.updateJob({
      id: job.id,
      state: 'running',
      outputs: null,
      error: null,
      started_at: 1,
      finished_at: null,
    });
    const h2 = restart();
    expect(h2.view(job.id).state).toBe('succeeded');
    expect(h2.engine.activeJobs).toBe(0);
  });

  it('counts recovered running attempts against their node slots until they end', async () => {
    const first = h.submit(pipeline('  - { id: long, prompt: L }\n'));
    const second = h.submit(pipeline('  - { id: next, prompt: N }\n'));
    h.addNode('n1', { slots: 1 });
    const long = h.assignment('long', first.id);
    expect(h.dispatcher.assigned).toHaveLength(1);

    const h2 = restart();
    h2.engine.nodeChanged(node('n1', { slots: 1 }));
    h2.engine.nodeReconnected('n1', [long.task.attemptId!]);
    await tick();
    h2.engine.pump();
    expect(h2.dispatcher.assigned).toHaveLength(0);
    expect(h2.step(second.id, 'next').waitingFor).toMatch(/busy|slot/);

    h2.succeed(long, { text: 'done' });
    expect(h2.assignment('next', second.id).nodeId).toBe('n1');
    // A node update keeps the freed slot free, and the adopted attempt does not count twice.
    h2.engine.nodeChanged(node('n1', { slots: 1 }));
    h2.succeed(h2.assignment('next'), { text: 'ok' });
    expect(h2.scheduler.stats()).toMatchObject({ running: 0, queued: 0 });
  });

  it('loses at once a recovered running attempt whose node was offline at the restart', () => {
    const job = h.submit(TWO);
    h.addNode('n1');
    const h2 = h.restart();
    h2.engine.nodeChanged(node('n1', { state: 'offline' }));
    h2.engine.recover();
    expect(h2.step(job.id, 'a').attempts[0]).toMatchObject({
      state: 'lost',
      error: 'node n1 was offline when the orchestrator restarted',
    });
    expect(h2.step(job.id, 'a').attempts[1]!.state).toBe('queued');
  });

  it('closes an attempt left open by a step that had ended; its node is told to cancel it once it reconnects', async () => {
    const job = h.submit(TWO);
    h.addNode('n1');
    const a = h.assignment('a');
    h.store.updateStep({
      job_id: job.id,
      step_id: 'a',
      position: 0,
      state: 'failed',
      attempts: 1,
      output: null,
      result: null,
      error: 'boom',
      started_at: null,
      finished_at: null,
    });
    const h2 = restart();
    expect(h2.step(job.id, 'a').attempts[0]).toMatchObject({ state: 'cancelled', error: 'step a failed' });
    expect(h2.view(job.id)).toMatchObject({ state: 'failed', error: 'step a failed: boom' });
    h2.engine.nodeChanged(node('n1'));
    h2.engine.nodeReconnected('n1', [a.task.attemptId!]);
    await tick();
    expect(h2.dispatcher.cancelled).toEqual([
      { nodeId: 'n1', attemptId: a.task.attemptId, reason: 'superseded: no longer leased to this node' },
    ]);
  });

  it('keeps pruning the logs of a recovered job as if it held the most rows kept', () => {
    h = new Harness({ engine: { maxLogsPerJob: 50 } });
    const job = h.submit(TWO);
    h.addNode('n1');
    const a = h.assignment('a');
    const line = { kind: 'LOG' as const, text: 'line' };
    h.output(a, Array(1000).fill(line));
    const count = () => h.store.logsAfter(job.id, 0, 100_000).length;
    expect(count()).toBeGreaterThan(1000);
    const h2 = restart();
    h2.engine.nodeChanged(node('n1'));
    h2.engine.nodeReconnected('n1', [a.task.attemptId!]);
    h2.output(a, Array(1001).fill(line));
    expect(count()).toBe(50);
  });

  it('leaves no half-made change in the store when the process dies in the middle of one', () => {
    const job = h.submit(pipeline('  - { id: s, prompt: S, retries: 1 }\n'));
    h.addNode('n1');
    // Die after the lost attempt is written and before its retry is (the retry event is written in between).
    const publish = h.sinks.logs.bind(h.sinks);
    h.sinks.logs = (jobId, entries) => {
      if (entries.some((e) => e.text.includes('retrying'))) throw new Error('killed');
      publish(jobId, entries);
    };
    expect(() => h.engine.nodeChanged(node('n1', { state: 'offline' }))).toThrow('killed');
    expect(h.attempts(job.id).map((x) => x.state)).toEqual(['running']);

    const h2 = restart();
    h2.engine.nodeChanged(node('n1', { state: 'offline' }));
    h2.addNode('n2');
    h2.time.advance(1000);
    h2.succeed(h2.assignment('s'), { text: 'ok' });
    expect(h2.view(job.id).state).toBe('succeeded');
    expect(h2.attempts(job.id).map((x) => x.state)).toEqual(['lost', 'succeeded']);
  });
});
