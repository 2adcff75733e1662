// Scoring order, slots, FIFO and per-model queues, node changes and determinism of the scheduler.
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/scheduler/scheduler';
import type { Placement, SchedNode, TaskRequest } from '../../src/scheduler/types';

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
const loaded = (model = 'llama3') => [{ name: model, runtime: 'embedded', loaded: true }];
let seq = 0;
const task = (key: string, over: Partial<TaskRequest> = {}): TaskRequest => ({
  key,
  jobId: 'job',
  stepId: 'step',
  model: 'llama3',
  enqueuedAt: ++seq,
  ...over,
});
const pairs = (ps: Placement[]) => ps.map((p) => `${p.key}@${p.nodeId}`);
const make = (...nodes: SchedNode[]) => {
  const s = new Scheduler({ clock: { now: () => 1_000 } });
  for (const n of nodes) s.upsertNode(n);
  return s;
};
/** Occupies `n` slots of the node with tasks of a model only it serves. */
function fill(s: Scheduler, nodeId: string, n: number): void {
  for (let i = 0; i < n; i++)
    s.enqueue(task(`fill-${nodeId}-${i}`, { resources: { labels: { id: nodeId } } }));
  expect(s.schedule()).toHaveLength(n);
}

describe('scheduler scoring', () => {
  it('prefers a node with the model loaded, even when it is busier', () => {
    const s = make(
      node('cold', { labels: { id: 'cold' } }),
      node('warm', { labels: { id: 'warm' }, models: loaded() }),
    );
    fill(s, 'warm', 3);
    s.enqueue(task('t'));
    const [p] = s.schedule();
    expect(p).toMatchObject({ key: 't', nodeId: 'warm', modelLoaded: true });
  });

  it('then the least loaded node by running/slots', () => {
    const s = make(
      node('a', { slots: 2, labels: { id: 'a' } }),
      node('b', { slots: 8, labels: { id: 'b' } }),
    );
    fill(s, 'a', 1); // 1/2
    fill(s, 'b', 2); // 2/8
    s.enqueue(task('t1'));
    s.enqueue(task('t2'));
    s.enqueue(task('t3'));
    // b: 2/8 → 3/8 → 4/8 ties a at 1/2, and a was assigned less recently.
    expect(pairs(s.schedule())).toEqual(['t1@b', 't2@b', 't3@a']);
  });

  it('then spreads equal work round-robin over equal nodes (least recently assigned)', () => {
    const s = make(node('c'), node('a'), node('b'));
    for (let i = 0; i < 6; i++) s.enqueue(task(`t${i}`));
    expect(pairs(s.schedule())).toEqual(['t0@a', 't1@b', 't2@c', 't3@a', 't4@b', 't5@c']);
    // With releases in between, every node still gets its turn.
    for (let i = 0; i < 6; i++) s.release(`t${i}`);
    const order: string[] = [];
    for (let i = 0; i < 6; i++) {
      s.enqueue(task(`r${i}`));
      const [p] = s.schedule();
      order.push(p!.nodeId);
      s.release(p!.key);
    }
    expect(order).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });
});

describe('scheduler slots and queues', () => {
  it('respects slots and frees them on release', () => {
    const s = make(node('a', { slots: 2 }));
    for (const k of ['t1', 't2', 't3']) s.enqueue(task(k));
    expect(pairs(s.schedule())).toEqual(['t1@a', 't2@a']);
    expect(s.nodeLoad('a')).toEqual({ running: 2, slots: 2 });
    expect(s.schedule()).toEqual([]);
    expect(s.release('t2')).toBe(true);
    expect(s.release('t2')).toBe(false);
    expect(pairs(s.schedule())).toEqual(['t3@a']);
    expect(s.stats()).toMatchObject({ queued: 0, running: 2 });
  });

  it('is FIFO by enqueuedAt, then by enqueue order', () => {
    const s = make(node('a', { slots: 1 }));
    s.enqueue(task('late', { enqueuedAt: 300 }));
    s.enqueue(task('early', { enqueuedAt: 100 }));
    s.enqueue(task('tie-1', { enqueuedAt: 200 }));
    s.enqueue(task('tie-2', { enqueuedAt: 200 }));
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      const [p] = s.schedule();
      order.push(p!.key);
      s.release(p!.key);
    }
    expect(order).toEqual(['early', 'tie-1', 'tie-2', 'late']);
  });

  it('keeps queues per model: a task for a missing or busy model does not hold up others', () => {
    const s = make(
      node('llama', { slots: 1 }),
      node('phi', { slots: 1, models: [{ name: 'phi', runtime: 'embedded', loaded: false }] }),
    );
    s.enqueue(task('missing', { model: 'mistral' }));
    s.enqueue(task('l1'));
    s.enqueue(task('l2'));
    s.enqueue(task('p1', { model: 'phi' }));
    expect(pairs(s.schedule())).toEqual(['l1@llama', 'p1@phi']);
    s.release('p1');
    s.enqueue(task('p2', { model: 'phi' }));
    expect(pairs(s.schedule())).toEqual(['p2@phi']);
    expect(s.phase('missing')).toBe('queued');
    expect(s.phase('l2')).toBe('queued');
  });

  it('gives a freed slot to the oldest task among the models that node serves', () => {
    const both = [
      { name: 'llama3', runtime: 'embedded', loaded: false },
      { name: 'phi', runtime: 'embedded', loaded: false },
    ];
    const s = make(node('a', { slots: 1, models: both }));
    s.enqueue(task('first'));
    expect(pairs(s.schedule())).toEqual(['first@a']);
    s.enqueue(task('phi-old', { model: 'phi', enqueuedAt: 10 }));
    s.enqueue(task('llama-new', { enqueuedAt: 20 }));
    s.release('first');
    expect(pairs(s.schedule())).toEqual(['phi-old@a']);
  });

  it('dequeue cancels a waiting task but not a running one', () => {
    const s = make(node('a', { slots: 1 }));
    s.enqueue(task('t1'));
    s.enqueue(task('t2'));
    s.enqueue(task('t3'));
    expect(pairs(s.schedule())).toEqual(['t1@a']);
    expect(s.dequeue('t1')).toBe(false);
    expect(s.dequeue('t2')).toBe(true);
    expect(s.dequeue('t2')).toBe(false);
    s.release('t1');
    expect(pairs(s.schedule())).toEqual(['t3@a']);
    expect(() => s.enqueue(task('t3'))).toThrow(/already/);
  });

  it('release cancels a task that is still waiting', () => {
    const s = make();
    s.enqueue(task('t'));
    expect(s.release('t')).toBe(true);
    expect(s.phase('t')).toBeUndefined();
    s.upsertNode(node('a'));
    expect(s.schedule()).toEqual([]);
  });
});

describe('scheduler node changes', () => {
  it('gives no new work to a node that went stale, and resumes when it is ready again', () => {
    const s = make(node('a', { slots: 2 }));
    s.enqueue(task('t1'));
    expect(pairs(s.schedule())).toEqual(['t1@a']);
    s.upsertNode(node('a', { slots: 2, state: 'stale' }));
    s.enqueue(task('t2'));
    expect(s.schedule()).toEqual([]);
    s.release('t1'); // its running task ended meanwhile
    expect(s.schedule()).toEqual([]);
    s.upsertNode(node('a', { slots: 2, state: 'ready' }));
    expect(pairs(s.schedule())).toEqual(['t2@a']);
  });

  it('places queued work on a node that appears later', () => {
    const s = make();
    s.enqueue(task('t1'));
    s.enqueue(task('t2', { model: 'phi' }));
    expect(s.schedule()).toEqual([]);
    s.upsertNode(node('a'));
    expect(pairs(s.schedule())).toEqual(['t1@a']);
    s.upsertNode(node('a', { models: [...loaded(), ...loaded('phi')] }));
    expect(pairs(s.schedule())).toEqual(['t2@a']);
  });

  it('uses more slots as soon as a node reports them, and fewer without evicting anything', () => {
    const s = make(node('a', { slots: 1 }));
    for (const k of ['t1', 't2', 't3']) s.enqueue(task(k));
    expect(pairs(s.schedule())).toEqual(['t1@a']);
    s.upsertNode(node('a', { slots: 3 }));
    expect(pairs(s.schedule())).toEqual(['t2@a', 't3@a']);
    s.upsertNode(node('a', { slots: 1 }));
    s.enqueue(task('t4'));
    s.release('t1');
    s.release('t2');
    expect(s.schedule()).toEqual([]); // 1 running, 1 slot
    s.release('t3');
    expect(pairs(s.schedule())).toEqual(['t4@a']);
  });

  it('keeps counting the running tasks of a removed node until they are released', () => {
    const s = make(node('a', { slots: 1 }));
    s.enqueue(task('t1'));
    s.schedule();
    expect(s.removeNode('a')).toBe(true);
    expect(s.removeNode('a')).toBe(false);
    s.enqueue(task('t2'));
    expect(s.schedule()).toEqual([]);
    s.upsertNode(node('a', { slots: 1 }));
    expect(s.schedule()).toEqual([]); // t1 still holds the slot
    s.release('t1');
    expect(pairs(s.schedule())).toEqual(['t2@a']);
  });

  it('follows a model that stops loading (error) and comes back', () => {
    const s = make(node('a'), node('b'));
    s.upsertNode(
      node('a', { models: [{ name: 'llama3', runtime: 'embedded', loaded: false, error: 'oom' }] }),
    );
    s.enqueue(task('t1'));
    s.enqueue(task('t2'));
    expect(pairs(s.schedule())).toEqual(['t1@b', 't2@b']);
    s.upsertNode(node('a'));
    s.enqueue(task('t3'));
    expect(pairs(s.schedule())).toEqual(['t3@a']);
  });
});

describe('scheduler requirement classes', () => {
  it('forgets classes that stayed idle since the previous collection, and rebuilds one when needed', () => {
    const s = make();
    const churn = (prefix: string, n: number) => {
      for (let i = 0; i < n; i++)
        s.enqueue(task(`${prefix}${i}`, { resources: { labels: { run: `${prefix}${i}` } } }));
      for (let i = 0; i < n; i++) s.dequeue(`${prefix}${i}`);
      s.schedule();
    };
    s.enqueue(task('kept', { resources: { labels: { run: 'u1' } } }));
    churn('u', 5_000); // past the threshold: a first collection, but every class was used since the start
    expect(s.stats().requirementClasses).toBe(5_000);
    churn('v', 5_100); // past twice that: the u classes, idle and unused since, go (but not kept's)
    expect(s.stats().requirementClasses).toBe(5_101);
    s.upsertNode(node('a', { labels: { run: 'u7' } }));
    s.enqueue(task('again', { resources: { labels: { run: 'u7' } } }));
    expect(pairs(s.schedule())).toEqual(['again@a']);
    s.upsertNode(node('a', { labels: { run: 'u1' } }));
    expect(pairs(s.schedule())).toEqual(['kept@a']);
  });
});

describe('scheduler determinism', () => {
  it('makes the same placements from the same inputs, whatever order the nodes arrived in', () => {
    const nodes = Array.from({ length: 12 }, (_, i) =>
      node(`n${i}`, {
        slots: 1 + (i % 3),
        labels: { zone: i % 2 ? 'eu' : 'us' },
        models: i % 4 === 0 ? loaded() : [{ name: 'llama3', runtime: 'embedded', loaded: false }],
      }),
    );
    const run = (order: SchedNode[]) => {
      const s = make(...order);
      const out: string[] = [];
      for (let round = 0; round < 5; round++) {
        for (let i = 0; i < 7; i++) {
          const labels = i % 3 === 0 ? { zone: 'eu' } : undefined;
          s.enqueue(task(`r${round}-${i}`, { enqueuedAt: round * 10 + (i % 4), resources: { labels } }));
        }
        const placed = s.schedule();
        out.push(...pairs(placed));
        for (const p of placed.filter((_, j) => j % 2 === 0)) s.release(p.key);
      }
      return out;
    };
    const a = run(nodes);
    expect(a.length).toBeGreaterThan(20);
    expect(run(nodes)).toEqual(a);
    expect(run([...nodes].reverse())).toEqual(a);
  });
});
