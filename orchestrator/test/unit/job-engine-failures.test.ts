// Failures: a failed step skips its downstream steps (independent branches finish), retryable failures run again
// after an exponential backoff on the fake clock, non-retryable ones fail at once, exhausted retries say so;
// nodes that go offline or stale lose their attempts, which run again elsewhere; stray reports are ignored; the
// orchestrator-side timeout backs up a silent node.
import { beforeEach, describe, expect, it } from 'vitest';
import { Harness, node, pipeline, tick } from './job-engine-harness';

const one = (retries: number, extra = '') =>
  pipeline(`  - id: s
    prompt: hello
    retries: ${retries}
${extra}`);

describe('job engine: failures and retries', () => {
  let h: Harness;
  beforeEach(() => {
    h = new Harness();
  });

  it('skips (cancels) the steps downstream of a failed step, lets independent branches finish, fails the job', () => {
    const job = h.submit(
      pipeline(`  - { id: a, prompt: A }
  - { id: b, prompt: 'B \${{ steps.a.output }}', needs: [a] }
  - { id: c, prompt: 'C \${{ steps.b.output }}', needs: [b] }
  - { id: x, prompt: X }
  - { id: y, prompt: 'Y \${{ steps.x.output }}', needs: [x] }
`),
    );
    h.addNode('n1', { slots: 4 });
    expect(h.assignedSteps()).toEqual(['a', 'x']);
    h.fail(h.assignment('a'), { code: 'model-not-found', message: 'no such model', retryable: false });
    expect(h.step(job.id, 'a')).toMatchObject({ state: 'failed', error: 'no such model' });
    expect(h.step(job.id, 'b')).toMatchObject({
      state: 'cancelled',
      error: 'skipped: upstream step a failed',
    });
    expect(h.step(job.id, 'c')).toMatchObject({
      state: 'cancelled',
      error: 'skipped: upstream step b cancelled',
    });
    expect(h.view(job.id).state).toBe('running');

    h.succeed(h.assignment('x'), { text: 'x' });
    expect(h.view(job.id).state).toBe('running');
    h.succeed(h.assignment('y'), { text: 'y' });
    const done = h.view(job.id);
    expect(done.state).toBe('failed');
    expect(done.error).toBe('step a failed: no such model');
    expect(done.outputs).toBeNull();
    expect(done.stepDetails.map((s) => [s.id, s.state])).toEqual([
      ['a', 'failed'],
      ['b', 'cancelled'],
      ['c', 'cancelled'],
      ['x', 'succeeded'],
      ['y', 'succeeded'],
    ]);
    expect(h.step(job.id, 'a').attempts[0]).toMatchObject({ state: 'failed', errorCode: 'model-not-found' });
    expect(h.events(job.id)).toContain('job failed: step a failed: no such model');
  });

  it('retries a retryable failure after an exponential backoff, not before', () => {
    const job = h.submit(one(3));
    h.addNode('n1');
    h.fail(h.assignment('s'), { code: 'runtime-crashed', message: 'crash 1', retryable: true });
    let step = h.step(job.id, 's');
    expect(step.state).toBe('running');
    expect(step.attempts.map((a) => a.state)).toEqual(['failed', 'queued']);
    expect(step.attempts[1]!.notBefore).toBe(new Date(h.time.now + 1000).toISOString());
    expect(h.engine.waitingReason(step.attempts[1]!.id)).toMatch(/backoff|retry/i);
    expect(h.events(job.id)).toContain('attempt 1 failed: crash 1; retrying in 1.0s');

    h.time.advance(999);
    expect(h.dispatcher.assigned).toHaveLength(1);
    h.time.advance(1);
    expect(h.dispatcher.assigned).toHaveLength(2);
    expect(h.assignment('s').task.attempt).toBe(2);

    h.fail(h.assignment('s'), { message: 'crash 2', retryable: true });
    h.time.advance(1999);
    expect(h.dispatcher.assigned).toHaveLength(2);
    h.time.advance(1);
    expect(h.dispatcher.assigned).toHaveLength(3);

    h.succeed(h.assignment('s'), { text: 'third time lucky' });
    step = h.step(job.id, 's');
    expect(step.attempts.map((a) => [a.attempt, a.state])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'succeeded'],
    ]);
    expect(step.output).toBe('third time lucky');
    expect(h.view(job.id).state).toBe('succeeded');
  });

  it('caps the backoff at maxBackoffMs', () => {
    h = new Harness({ engine: { backoffMs: 1000, maxBackoffMs: 3000 } });
    const job = h.submit(one(5));
    h.addNode('n1');
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const before = h.time.now;
      h.fail(h.assignment('s'), { retryable: true });
      const queued = h.step(job.id, 's').attempts.at(-1)!;
      delays.push(Date.parse(queued.notBefore!) - before);
      h.time.advance(delays[i]!);
    }
    expect(delays).toEqual([1000, 2000, 3000, 3000]);
  });

  it('fails at once on a non-retryable failure, whatever the retries', () => {
    const job = h.submit(one(5));
    h.addNode('n1');
    h.fail(h.assignment('s'), { code: 'invalid-request', message: 'bad request', retryable: false });
    const step = h.step(job.id, 's');
    expect(step).toMatchObject({ state: 'failed', error: 'bad request' });
    expect(step.attempts).toHaveLength(1);
    expect(h.time.pending).toBe(0);
    expect(h.view(job.id)).toMatchObject({ state: 'failed', error: 'step s failed: bad request' });
  });

  it('fails with a clear message when the retries are exhausted', () => {
    const job = h.submit(one(1));
    h.addNode('n1');
    h.fail(h.assignment('s'), { message: 'out of memory', retryable: true });
    h.time.advance(1000);
    h.fail(h.assignment('s'), { message: 'out of memory', retryable: true });
    const step = h.step(job.id, 's');
    expect(step.attempts.map((a) => a.state)).toEqual(['failed', 'failed']);
    expect(step).toMatchObject({ state: 'failed', error: 'out of memory (after 2 attempts)' });
    expect(h.view(job.id).error).toBe('step s failed: out of memory (after 2 attempts)');
    expect(h.dispatcher.assigned).toHaveLength(2);
  });

  it('treats an agent-side cancellation like a failure (retryable when the agent says so)', () => {
    const job = h.submit(one(1));
    h.addNode('n1');
    h.update('n1', h.assignment('s').task.attemptId!, 'TASK_STATE_CANCELLED', {
      error: { code: 'agent-stopped', message: 'the agent is stopping', retryable: true },
    });
    expect(h.step(job.id, 's').attempts.map((a) => a.state)).toEqual(['cancelled', 'queued']);
    h.time.advance(1000);
    h.succeed(h.assignment('s'), { text: 'ok' });
    expect(h.view(job.id).state).toBe('succeeded');
  });

  describe('node loss', () => {
    it('loses the attempts of a node that goes offline and runs them again elsewhere', async () => {
      const job = h.submit(one(1));
      h.addNode('n1');
      const first = h.assignment('s');
      expect(first.nodeId).toBe('n1');
      h.addNode('n2');
      h.engine.nodeChanged(node('n1', { state: 'offline' }));
      let step = h.step(job.id, 's');
      expect(step.attempts[0]).toMatchObject({
        state: 'lost',
        errorCode: 'node-lost',
        error: 'node n1 went offline',
      });
      expect(step.attempts[1]).toMatchObject({ state: 'queued', attempt: 2 });
      h.time.advance(1000);
      await tick();
      const second = h.assignment('s');
      expect(second.nodeId).toBe('n2');
      expect(second.task.attempt).toBe(2);
      h.succeed(second, { text: 'ok' });
      step = h.step(job.id, 's');
      expect(step.attempts.map((a) => [a.state, a.nodeId])).toEqual([
        ['lost', 'n1'],
        ['succeeded', 'n2'],
      ]);
      expect(h.view(job.id).state).toBe('succeeded');
    });

    it('loses the attempts of a stale node (and of a removed one)', () => {
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
      expect(h.step(job.id, 'a').attempts[0]).toMatchObject({
        state: 'lost',
        error: `node ${a.nodeId} went stale`,
      });
      h.engine.nodeRemoved(b.nodeId);
      expect(h.step(job.id, 'b').attempts[0]).toMatchObject({
        state: 'lost',
        error: `node ${b.nodeId} went offline`,
      });
    });

    it('fails the step when a lost attempt has no retries left', () => {
      const job = h.submit(one(0));
      h.addNode('n1');
      h.engine.nodeChanged(node('n1', { state: 'offline' }));
      expect(h.step(job.id, 's')).toMatchObject({
        state: 'failed',
        error: 'node n1 went offline (after 1 attempt)',
      });
      expect(h.view(job.id).state).toBe('failed');
    });

    it('loses an attempt whose node has no session when it is assigned', () => {
      const job = h.submit(one(1));
      h.dispatcher.noSession.add('n1');
      h.addNode('n1');
      expect(h.step(job.id, 's').attempts[0]).toMatchObject({
        state: 'lost',
        error: 'node n1 has no session',
      });
    });
  });

  describe('stray reports', () => {
    it('ignores reports of superseded attempts, unknown attempts and the wrong node: no double finish', async () => {
      const job = h.submit(one(2));
      h.addNode('n1');
      h.addNode('n2');
      const first = h.assignment('s');
      h.engine.nodeChanged(node(first.nodeId, { state: 'offline' }));
      h.time.advance(1000);
      await tick();
      const second = h.assignment('s');
      expect(second.task.attempt).toBe(2);

      // The first node comes back and reports its (superseded) attempt.
      h.succeed(first, { text: 'stale result' });
      h.fail(first, { retryable: true });
      h.output(first, [{ text: 'late token' }]);
      // An attempt nobody knows, and the right attempt from the wrong node.
      h.update(second.nodeId, 'no-such-attempt', 'TASK_STATE_SUCCEEDED');
      h.succeed({ ...second, nodeId: first.nodeId }, { text: 'wrong node' });
      let step = h.step(job.id, 's');
      expect(step.attempts.map((a) => a.state)).toEqual(['lost', 'running']);
      expect(step.output).toBeNull();

      h.succeed(second, { text: 'right' });
      h.succeed(second, { text: 'twice' });
      h.fail(second, { retryable: true });
      step = h.step(job.id, 's');
      expect(step.attempts.map((a) => a.state)).toEqual(['lost', 'succeeded']);
      expect(step.output).toBe('right');
      expect(h.sinks.finished).toEqual([job.id]);
      expect(h.sinks.jobEvents.filter((e) => e.state === 'succeeded')).toHaveLength(1);
      expect(h.logs(job.id).some((e) => e.text === 'late token')).toBe(false);
    });
  });

  describe('orchestrator-side timeout', () => {
    it('gives up an attempt running past its timeout plus the grace, cancels it on the node and retries', () => {
      const job = h.submit(one(1, '    timeout: 10s\n'));
      h.addNode('n1');
      const a = h.assignment('s');
      h.time.advance(10_000 + 30_000);
      h.engine.sweep();
      expect(h.step(job.id, 's').attempts[0]!.state).toBe('running');
      h.time.advance(1);
      h.engine.sweep();
      const step = h.step(job.id, 's');
      expect(step.attempts[0]).toMatchObject({ state: 'lost', errorCode: 'timeout' });
      expect(step.attempts[0]!.error).toMatch(/^no answer from node n1 40s after start/);
      expect(h.dispatcher.cancelled).toEqual([
        { nodeId: 'n1', attemptId: a.task.attemptId, reason: 'timed out' },
      ]);
      expect(step.attempts[1]!.state).toBe('queued');
      h.time.advance(1000);
      expect(h.assignment('s').task.attempt).toBe(2);
    });
  });
});
