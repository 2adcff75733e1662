// Randomized operations against the scheduler, checked after every step against invariants and against the
// naive reference scheduler (which must make exactly the same placements).
import { describe, expect, it } from 'vitest';
import { fits } from '../../src/scheduler/fit';
import { IndexedHeap } from '../../src/scheduler/heap';
import { ReferenceScheduler } from '../../src/scheduler/reference';
import { requirementKey, requirementKeyOf, requirementOf } from '../../src/scheduler/requirement';
import { Scheduler } from '../../src/scheduler/scheduler';
import type { Placement, SchedNode, TaskRequest, Timer } from '../../src/scheduler/types';
import { mulberry32 as prng } from '../../../test-support/seeded-random';

const MODELS = ['m0', 'm1', 'm2', 'm3'];

/** A cheap assertion for the hot loop (expect() per check would dominate the run time). */
function assert(cond: boolean, what: string): void {
  if (!cond) throw new Error(`invariant broken: ${what}`);
}
const RUNTIMES = ['r0', 'r1'];
const ZONES = ['a', 'b'];

function simulate(seed: number, steps: number): { placements: number; maxQueued: number } {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;

  let now = 1_000_000;
  const timers = new Map<number, { at: number; fire: () => void }>();
  let handles = 0;
  const timer: Timer = {
    setTimeout: (fire, ms) => {
      timers.set(++handles, { at: now + ms, fire });
      return handles;
    },
    clearTimeout: (h) => void timers.delete(h as number),
  };
  const clock = { now: () => now };
  const sched = new Scheduler({ clock, timer, onWake: () => wake() });
  const ref = new ReferenceScheduler(clock);

  // The test's own model of the world.
  const nodes = new Map<string, SchedNode>();
  const runningOn = new Map<string, Set<string>>(); // node id → keys (survives removal)
  const waiting = new Map<string, TaskRequest>();
  const running = new Map<string, string>(); // key → node id
  const everPlaced = new Set<string>();
  let keys = 0;
  let placements = 0;
  let maxQueued = 0;

  const randomNode = (id: string): SchedNode => {
    const runtimes = RUNTIMES.filter(() => rnd() < 0.7);
    const models = MODELS.filter(() => rnd() < 0.5).flatMap((name) =>
      (runtimes.length ? runtimes : ['r0']).map((runtime) => ({
        name,
        runtime,
        loaded: rnd() < 0.3,
        ...(rnd() < 0.1 ? { error: 'load failed' } : {}),
      })),
    );
    return {
      id,
      state: rnd() < 0.75 ? 'ready' : pick(['stale', 'offline'] as const),
      labels: rnd() < 0.8 ? { zone: pick(ZONES), ...(rnd() < 0.5 ? { tier: 'x' } : {}) } : {},
      slots: int(4),
      runtimes,
      models,
      gpus: Array.from({ length: int(3) }, () => ({ vramTotalBytes: pick([8e9, 16e9, 24e9]) })),
    };
  };
  const randomTask = (): TaskRequest => {
    const t: TaskRequest = {
      key: `k${++keys}`,
      jobId: `j${int(5)}`,
      stepId: 's',
      model: pick(MODELS),
      enqueuedAt: now - int(50),
    };
    if (rnd() < 0.3) t.runtime = pick(RUNTIMES);
    if (rnd() < 0.5) {
      t.resources = {};
      if (rnd() < 0.5) t.resources.gpu = pick([true, false, 1, 2]);
      if (rnd() < 0.3) t.resources.minVramGb = pick([8, 16, 20]);
      if (rnd() < 0.5)
        t.resources.labels = rnd() < 0.3 ? { zone: pick(ZONES), tier: 'x' } : { zone: pick(ZONES) };
    }
    if (rnd() < 0.25) t.notBefore = now + int(2_000);
    return t;
  };

  const check = (placed: Placement[], expected: Placement[]) => {
    expect(placed).toEqual(expected);
    for (const p of placed) {
      placements++;
      // Nothing placed twice, and only tasks that are waiting and out of their backoff.
      assert(!everPlaced.has(p.key), `${p.key} placed twice`);
      everPlaced.add(p.key);
      const task = waiting.get(p.key)!;
      assert(task !== undefined, `${p.key} placed but not waiting`);
      assert((task.notBefore ?? 0) <= now, `${p.key} placed during its backoff`);
      // The placement satisfied the filter at the time it was made.
      const node = nodes.get(p.nodeId)!;
      const set = runningOn.get(p.nodeId) ?? new Set();
      assert(fits(node, set.size, requirementOf(task)), `${p.key} placed on ${p.nodeId}, which does not fit`);
      set.add(p.key);
      runningOn.set(p.nodeId, set);
      assert(set.size <= node.slots, `${p.nodeId} runs more than its slots`);
      waiting.delete(p.key);
      running.set(p.key, p.nodeId);
    }
    // Work conservation: no due waiting task fits a node after a pass.
    for (const t of waiting.values()) {
      if ((t.notBefore ?? 0) > now) continue;
      const req = requirementOf(t);
      for (const n of nodes.values()) {
        assert(!fits(n, runningOn.get(n.id)?.size ?? 0, req), `${t.key} left waiting though ${n.id} fits`);
      }
    }
  };
  const runSchedule = () => check(sched.schedule(), ref.schedule());
  function wake(): void {
    // Woken only when a backoff is due.
    assert(sched.nextWakeAt()! <= now, 'woken with no backoff due');
    runSchedule();
  }
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const due = [...timers].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      timers.delete(due[0]);
      now = Math.max(now, due[1].at);
      due[1].fire();
    }
    now = until;
  };

  for (let step = 0; step < steps; step++) {
    const r = rnd();
    if (r < 0.1) {
      // A new version of a node: all new, or the same one with slots, state or a model's load changed.
      const id = `n${int(14)}`;
      const old = nodes.get(id);
      const v = rnd();
      let node: SchedNode;
      if (!old || v < 0.4) node = randomNode(id);
      else if (v < 0.7) node = { ...old, slots: int(5) };
      else if (v < 0.85)
        node = { ...old, state: old.state === 'ready' ? pick(['stale', 'offline'] as const) : 'ready' };
      else node = { ...old, models: old.models.map((m) => (rnd() < 0.5 ? { ...m, loaded: !m.loaded } : m)) };
      nodes.set(node.id, node);
      sched.upsertNode(node);
      ref.upsertNode(node);
    } else if (r < 0.13) {
      const id = `n${int(14)}`;
      const known = nodes.delete(id);
      expect(sched.removeNode(id)).toBe(known);
      expect(ref.removeNode(id)).toBe(known);
    } else if (r < 0.45 && waiting.size < 60) {
      const t = randomTask();
      assert(requirementKeyOf(t) === requirementKey(requirementOf(t)), 'class key of a task');
      waiting.set(t.key, t);
      sched.enqueue(t);
      ref.enqueue(t);
    } else if ((r < 0.5 && waiting.size > 0) || waiting.size >= 60) {
      const key = pick([...waiting.keys()]);
      waiting.delete(key);
      expect(sched.dequeue(key)).toBe(true);
      expect(ref.dequeue(key)).toBe(true);
    } else if (r < 0.72 && running.size > 0) {
      const key = pick([...running.keys()]);
      runningOn.get(running.get(key)!)!.delete(key);
      running.delete(key);
      expect(sched.dequeue(key)).toBe(false);
      expect(sched.release(key)).toBe(true);
      expect(ref.release(key)).toBe(true);
    } else if (r < 0.82) {
      advance(int(800));
    } else {
      runSchedule();
    }

    // Bookkeeping agrees with the model after every step.
    maxQueued = Math.max(maxQueued, waiting.size);
    const stats = sched.stats();
    assert(stats.running === running.size, 'running count');
    assert(stats.queued + stats.delayed === waiting.size, 'waiting count');
    assert(stats.nodes === nodes.size, 'node count');
    for (const id of nodes.keys()) {
      assert(sched.nodeLoad(id)?.running === (runningOn.get(id)?.size ?? 0), `load of ${id}`);
    }
    if (step % 50 === 0) {
      for (const key of waiting.keys()) assert(sched.explain(key)!.code !== 'running', `explain ${key}`);
      for (const [key, id] of running) {
        assert(sched.explain(key)!.message === `running on node "${id}"`, `explain ${key}`);
      }
    }
    // Exactly one timer is armed while some task is in backoff, and none otherwise.
    const wakeAt = sched.nextWakeAt();
    if (wakeAt !== undefined && wakeAt > now) expect([...timers.values()].map((t) => t.at)).toEqual([wakeAt]);
    if (wakeAt === undefined) expect(timers.size).toBe(0);
  }
  return { placements, maxQueued };
}

describe('scheduler property', () => {
  it('holds its invariants and matches the reference over random operations', () => {
    let placements = 0;
    for (let seed = 1; seed <= 25; seed++) {
      const r = simulate(seed, 2_000);
      placements += r.placements;
      expect(r.maxQueued).toBeGreaterThan(3);
    }
    expect(placements).toBeGreaterThan(5_000);
  }, 60_000);

  it('the indexed heap pops in order and removes any item', () => {
    const rnd = prng(7);
    type Item = { v: number; heapIndex: number };
    const heap = new IndexedHeap<Item>((a, b) => a.v < b.v);
    const live: Item[] = [];
    for (let i = 0; i < 5_000; i++) {
      const r = rnd();
      if (r < 0.5) {
        const item = { v: Math.floor(rnd() * 100), heapIndex: -1 };
        heap.push(item);
        live.push(item);
      } else if (r < 0.75 && live.length) {
        const item = live.splice(Math.floor(rnd() * live.length), 1)[0]!;
        expect(heap.remove(item)).toBe(true);
        expect(heap.remove(item)).toBe(false);
      } else if (live.length) {
        const min = Math.min(...live.map((x) => x.v));
        const top = heap.pop()!;
        expect(top.v).toBe(min);
        live.splice(live.indexOf(top), 1);
      }
      expect(heap.size).toBe(live.length);
    }
  });
});
