import { describe, expect, it } from 'vitest';
import { DashboardStore } from '../../src/data/store';
import { attempt, event, iso, job, node, step, T0 } from './fixtures';

describe('DashboardStore', () => {
  it('takes a snapshot, then node events add, update and remove nodes (ready first, by hostname)', () => {
    const store = new DashboardStore(() => T0);
    let calls = 0;
    store.subscribe(() => calls++);
    store.setSnapshot(
      [node('b', { hostname: 'zeta' }), node('a', { hostname: 'alpha', state: 'offline' })],
      [],
      null,
    );
    expect(store.nodes().map((n) => n.id)).toEqual(['b', 'a']);
    store.apply(event('node.registered', node('c', { hostname: 'beta' })));
    store.apply(event('node.stale', node('b', { hostname: 'zeta', state: 'stale' })));
    expect(store.nodes().map((n) => `${n.id}:${n.state}`)).toEqual(['c:ready', 'b:stale', 'a:offline']);
    store.apply(event('node.removed', node('a')));
    expect(store.node('a')).toBeUndefined();
    expect(store.counts().nodes).toEqual({ ready: 1, stale: 1, offline: 0 });
    expect(calls).toBe(4);
  });

  it('lists jobs newest first with state filters and text search', () => {
    const store = new DashboardStore();
    store.setSnapshot(
      [],
      [
        job('j1', { name: 'hello', createdAt: iso(1), state: 'succeeded' }),
        job('j2', { name: 'release-notes', createdAt: iso(2), state: 'running' }),
        job('j3', { name: 'hello', createdAt: iso(3), state: 'queued' }),
      ],
      'cursor',
    );
    expect(store.jobs().map((j) => j.id)).toEqual(['j3', 'j2', 'j1']);
    expect(store.jobs('active').map((j) => j.id)).toEqual(['j3', 'j2']);
    expect(store.jobs('succeeded').map((j) => j.id)).toEqual(['j1']);
    expect(store.jobs('all', 'HELLO').map((j) => j.id)).toEqual(['j3', 'j1']);
    expect(store.jobs('all', 'j2').map((j) => j.id)).toEqual(['j2']);
    expect(store.nextJobsCursor).toBe('cursor');
    store.addJobs([job('j0', { createdAt: iso(0) }), job('j1', { state: 'queued' })], null);
    expect(store.jobs().map((j) => j.id)).toEqual(['j3', 'j2', 'j1', 'j0']);
    expect(store.job('j1')!.state).toBe('succeeded'); // the newer state already known wins
    expect(store.nextJobsCursor).toBeNull();
  });

  it('never moves a job back from a finished state (events that raced a snapshot)', () => {
    const store = new DashboardStore();
    store.setSnapshot([], [job('j1', { state: 'succeeded', finishedAt: iso(5) })], null);
    store.apply(event('job.updated', job('j1', { state: 'running' })));
    expect(store.job('j1')!.state).toBe('succeeded');
    store.apply(event('job.created', job('j2')));
    store.apply(event('job.updated', job('j2', { state: 'running' })));
    store.apply(event('job.updated', job('j2', { state: 'queued' })));
    expect(store.job('j2')!.state).toBe('running');
  });

  it('keeps step views from details and events; counts busy slots of unfinished jobs per node', () => {
    let clock = T0;
    const store = new DashboardStore(() => (clock += 1000));
    store.setSnapshot([node('n1')], [job('j1', { state: 'running' })], null);
    store.setJob({
      ...job('j1', { state: 'running' }),
      inputs: {},
      outputs: null,
      pipeline: 'p',
      stepDetails: [step('a'), step('b', { state: 'queued', attempts: [] })],
    });
    expect(store.busySlots('n1')).toBe(1);
    store.apply(
      event('step.updated', {
        jobId: 'j1',
        step: step('b', { attempts: [attempt({ id: 'a2', nodeId: 'n1' })] }),
      }),
    );
    expect(store.busySlots('n1')).toBe(2);
    expect(store.steps('j1').map((s) => s.id)).toEqual(['a', 'b']);
    // An older view of a step (fewer attempts) does not replace a newer one.
    store.apply(event('step.updated', { jobId: 'j1', step: step('b', { state: 'queued', attempts: [] }) }));
    expect(store.jobDetail('j1')!.stepDetails[1]!.attempts).toHaveLength(1);
    store.apply(event('job.updated', job('j1', { state: 'succeeded', finishedAt: iso(9) }), 9));
    expect(store.busySlots('n1')).toBe(0);
    // Slot use over time, per node and across the cluster (the node has 2 slots): 0 at the snapshot, ½ once
    // the job's detail showed a running step, 1 with both, 0 when the job ended.
    const slotValues = store.usageHistory('n1', 'slots')!.samples();
    expect(slotValues.map((s) => s.v)).toEqual([0, 0.5, 1, 0]);
    expect(store.clusterSlotHistory().map((s) => s.v)).toEqual([0, 0.5, 1, 0]);
    expect(store.jobDetail('j1')!.state).toBe('succeeded');
  });

  it('records tokens per second of succeeded steps once, and node utilisation over time', () => {
    const store = new DashboardStore(() => T0);
    store.setSnapshot([], [job('j1', { state: 'running' })], null);
    const done = step('a', {
      state: 'succeeded',
      finishedAt: iso(3000),
      result: { completionTokens: 40, durationMs: 2000 },
    });
    store.apply(event('step.updated', { jobId: 'j1', step: done }));
    store.apply(event('step.updated', { jobId: 'j1', step: done }));
    expect(store.stepRates.samples()).toEqual([{ t: T0 + 3000, v: 20 }]);
    // A job fetched in full adds its finished steps' rates in time order, once.
    const detail = (id: string, at: number, rate: number) => ({
      ...job(id, { state: 'succeeded' as const }),
      inputs: {},
      outputs: null,
      pipeline: 'p',
      stepDetails: [
        step('a', {
          state: 'succeeded',
          finishedAt: iso(at),
          result: { completionTokens: rate, durationMs: 1000 },
        }),
      ],
    });
    store.setJob(detail('j0', 1000, 5));
    store.setJob(detail('j0', 1000, 5));
    expect(store.stepRates.samples().map((s) => s.v)).toEqual([5, 20]);

    const mem = (availGiB: number) => ({
      totalBytes: 16 * 1024 ** 3,
      freeBytes: 0,
      availableBytes: availGiB * 1024 ** 3,
    });
    const base = node('n1');
    store.apply(
      event('node.registered', { ...base, capabilities: { ...base.capabilities, memory: mem(12) } }, 0),
    );
    store.apply(
      event('node.updated', { ...base, capabilities: { ...base.capabilities, memory: mem(4) } }, 10_000),
    );
    expect(store.usageHistory('n1', 'memory')!.samples()).toEqual([
      { t: T0, v: 0.25 },
      { t: T0 + 10_000, v: 0.75 },
    ]);
  });

  it('samples the cluster share at most every 250 ms while busy, and the last change when read', () => {
    let clock = T0;
    const store = new DashboardStore(() => clock);
    store.setSnapshot([node('n1', { slots: 4 })], [job('j1', { state: 'running' })], null);
    const run = (id: string, at: number) => {
      clock = T0 + at;
      store.apply(
        event('step.updated', { jobId: 'j1', step: step(id, { attempts: [attempt({ id, nodeId: 'n1' })] }) }),
      );
    };
    run('a', 100); // within 250 ms of the snapshot's sample: pending
    run('b', 300); // sampled (2 of 4)
    run('c', 400); // pending
    expect(store.busySlots('n1')).toBe(3);
    expect(store.clusterSlotHistory()).toEqual([
      { t: T0, v: 0 },
      { t: T0 + 300, v: 0.5 },
      { t: T0 + 400, v: 0.75 }, // the pending change, at its own time
    ]);
    expect(
      store
        .usageHistory('n1', 'slots')!
        .samples()
        .map((s) => s.v),
    ).toEqual([0, 0.25, 0.5, 0.75]);
    // An offline node leaves the cluster's slots.
    clock = T0 + 1000;
    store.apply(event('node.offline', node('n1', { slots: 4, state: 'offline' })));
    expect(store.clusterSlotHistory().at(-1)).toEqual({ t: T0 + 1000, v: 0 });
  });

  it('forgets the oldest finished jobs past its bound, never unfinished ones', () => {
    const store = new DashboardStore(Date.now, 3);
    store.setSnapshot([], [], null);
    store.apply(event('job.created', job('old-running', { createdAt: iso(0), state: 'running' })));
    store.apply(event('job.created', job('old-done', { createdAt: iso(1), state: 'succeeded' })));
    store.apply(event('step.updated', { jobId: 'old-done', step: step('a', { state: 'succeeded' }) }));
    store.apply(event('job.created', job('mid', { createdAt: iso(2), state: 'failed' })));
    store.apply(event('job.created', job('new', { createdAt: iso(3) })));
    // Past 3 it forgets the excess and a tenth of the bound more (1): the two oldest finished jobs.
    expect(store.jobs().map((j) => j.id)).toEqual(['new', 'old-running']);
    expect(store.steps('old-done')).toEqual([]);
  });

  it('marks itself stale on reset and ignores unknown event types', () => {
    const store = new DashboardStore();
    expect(store.apply(event('reset', { reason: 'gone' }))).toBe(true);
    expect(store.stale).toBe(true);
    expect(store.apply({ id: 1, type: 'bogus' as never, time: iso(0), data: {} })).toBe(false);
    store.setSnapshot([], [], null);
    expect(store.stale).toBe(false);
  });
});
