// Retry backoff (notBefore) with a fake clock and timer: a waiting task blocks nobody, and the scheduler wakes
// the caller exactly when the earliest backoff expires, arming one timer at a time (no polling).
import { beforeEach, describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/scheduler/scheduler';
import type { SchedNode, TaskRequest, Timer } from '../../src/scheduler/types';

const node = (id: string, over: Partial<SchedNode> = {}): SchedNode => ({
  id,
  state: 'ready',
  labels: {},
  slots: 4,
  runtimes: ['embedded'],
  models: [{ name: 'llama3', runtime: 'embedded', loaded: false }],
  gpus: [],
  ...over,
});
const task = (key: string, over: Partial<TaskRequest> = {}): TaskRequest => ({
  key,
  jobId: 'job',
  stepId: 'step',
  model: 'llama3',
  enqueuedAt: 0,
  ...over,
});

describe('scheduler backoff', () => {
  let now: number;
  let armed: Map<number, { at: number; fire: () => void }>;
  let setCalls: number;
  let wakes: number;
  let nextHandle: number;
  const timer: Timer = {
    setTimeout: (fire, delayMs) => {
      setCalls++;
      armed.set(++nextHandle, { at: now + delayMs, fire });
      return nextHandle;
    },
    clearTimeout: (handle) => void armed.delete(handle as number),
  };
  /** Moves the fake clock, firing due timers in order. */
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const due = [...armed].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      armed.delete(due[0]);
      now = due[1].at;
      due[1].fire();
    }
    now = until;
  };
  let s: Scheduler;
  let placed: string[];

  beforeEach(() => {
    now = 10_000;
    armed = new Map();
    setCalls = 0;
    wakes = 0;
    nextHandle = 0;
    placed = [];
    s = new Scheduler({
      clock: { now: () => now },
      timer,
      onWake: () => {
        wakes++;
        placed.push(...s.schedule().map((p) => `${p.key}@${now}`));
      },
    });
    s.upsertNode(node('a'));
  });

  it('does not place a task before notBefore, and does not let it block later tasks', () => {
    s.enqueue(task('retry', { enqueuedAt: 1, notBefore: now + 2_000 }));
    s.enqueue(task('fresh', { enqueuedAt: 2 }));
    expect(s.schedule().map((p) => p.key)).toEqual(['fresh']);
    expect(s.phase('retry')).toBe('delayed');
    expect(s.nextWakeAt()).toBe(12_000);
    expect(s.stats()).toMatchObject({ delayed: 1, queued: 0, running: 1 });
  });

  it('wakes the caller exactly when the backoff expires, with one timer', () => {
    s.enqueue(task('retry', { notBefore: now + 2_000 }));
    expect(s.schedule()).toEqual([]);
    expect(armed.size).toBe(1);
    advance(1_999);
    expect(wakes).toBe(0);
    advance(1);
    expect(wakes).toBe(1);
    expect(placed).toEqual(['retry@12000']);
    expect(setCalls).toBe(1);
    expect(armed.size).toBe(0);
    expect(s.nextWakeAt()).toBeUndefined();
  });

  it('re-arms for an earlier backoff, then for the next one, and disarms when none is left', () => {
    s.enqueue(task('late', { notBefore: now + 5_000 }));
    s.enqueue(task('early', { notBefore: now + 1_000 }));
    s.enqueue(task('same-as-late', { notBefore: now + 5_000 }));
    expect(armed.size).toBe(1);
    expect([...armed.values()][0]!.at).toBe(11_000);
    advance(1_000);
    expect(placed).toEqual(['early@11000']);
    expect([...armed.values()].map((t) => t.at)).toEqual([15_000]);
    expect(s.dequeue('late')).toBe(true);
    expect([...armed.values()].map((t) => t.at)).toEqual([15_000]); // same-as-late still waits
    expect(s.dequeue('same-as-late')).toBe(true);
    expect(armed.size).toBe(0);
    advance(10_000);
    expect(wakes).toBe(1);
    expect(setCalls).toBe(3);
  });

  it('re-arms instead of waking when the timer fires early', () => {
    s.enqueue(task('retry', { notBefore: now + 1_000 }));
    const [handle, t] = [...armed][0]!;
    armed.delete(handle);
    now += 990; // a timer that fired 10 ms early
    t.fire();
    expect(wakes).toBe(0);
    expect([...armed.values()].map((x) => x.at)).toEqual([11_000]);
    advance(10);
    expect(placed).toEqual(['retry@11000']);
  });

  it('queues a due task behind capacity like any other', () => {
    s.upsertNode(node('a', { slots: 1 }));
    s.enqueue(task('busy'));
    s.schedule();
    s.enqueue(task('retry', { notBefore: now + 500 }));
    advance(500);
    expect(wakes).toBe(1);
    expect(placed).toEqual([]);
    expect(s.phase('retry')).toBe('queued');
    expect(s.nextWakeAt()).toBeUndefined();
    s.release('busy');
    expect(s.schedule().map((p) => p.key)).toEqual(['retry']);
  });

  it('without a timer, nextWakeAt tells the caller when to run schedule()', () => {
    const plain = new Scheduler({ clock: { now: () => now } });
    plain.upsertNode(node('a'));
    plain.enqueue(task('t', { notBefore: now + 100 }));
    expect(plain.nextWakeAt()).toBe(10_100);
    expect(plain.schedule()).toEqual([]);
    now = plain.nextWakeAt()!;
    expect(plain.schedule().map((p) => p.key)).toEqual(['t']);
    expect(setCalls).toBe(0);
  });

  it('treats a notBefore that is already past as no backoff', () => {
    s.enqueue(task('t', { notBefore: now - 1 }));
    expect(s.phase('t')).toBe('queued');
    expect(armed.size).toBe(0);
    expect(s.schedule().map((p) => p.key)).toEqual(['t']);
  });
});
