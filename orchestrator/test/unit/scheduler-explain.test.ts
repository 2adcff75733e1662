// explain(): the reasons the UI and the CLI show for a task that does not run yet.
import { describe, expect, it } from 'vitest';
import { AHEAD_COUNTED, Scheduler } from '../../src/scheduler/scheduler';
import type { SchedNode, TaskRequest } from '../../src/scheduler/types';

const node = (id: string, over: Partial<SchedNode> = {}): SchedNode => ({
  id,
  state: 'ready',
  labels: {},
  slots: 1,
  runtimes: ['embedded'],
  models: [{ name: 'llama3', runtime: 'embedded', loaded: false }],
  gpus: [],
  ...over,
});
let seq = 0;
const task = (key: string, over: Partial<TaskRequest> = {}): TaskRequest => ({
  key,
  jobId: 'job',
  stepId: 'step',
  model: 'llama3',
  enqueuedAt: ++seq,
  ...over,
});
let now = 50_000;
const make = (...nodes: SchedNode[]) => {
  const s = new Scheduler({ clock: { now: () => now } });
  for (const n of nodes) s.upsertNode(n);
  return s;
};
const why = (s: Scheduler, key: string) => s.explain(key)?.message;

describe('scheduler explain', () => {
  it('no node lists the model', () => {
    const s = make(node('a', { models: [{ name: 'phi', runtime: 'embedded', loaded: true }] }));
    s.enqueue(task('t'));
    s.schedule();
    expect(s.explain('t')).toEqual({ code: 'no-model', message: 'no node serves model "llama3"' });
  });

  it('the nodes that serve the model are not ready', () => {
    const s = make(node('a', { state: 'stale' }), node('b', { state: 'stale' }));
    s.enqueue(task('t'));
    expect(s.explain('t')).toEqual({
      code: 'not-ready',
      message: 'no ready node serves model "llama3" (2 nodes serve it but are stale)',
    });
    s.upsertNode(node('c', { state: 'offline' }));
    expect(why(s, 't')).toBe(
      'no ready node serves model "llama3" (3 nodes serve it but are not ready: 2 stale, 1 offline)',
    );
    s.removeNode('a');
    s.removeNode('b');
    expect(why(s, 't')).toBe('no ready node serves model "llama3" (1 node serves it but is offline)');
  });

  it('ready nodes serve the model but none fits, with a count per reason', () => {
    const s = make(
      node('a', { labels: { zone: 'us' }, gpus: [{ vramTotalBytes: 24e9 }] }),
      node('b', { labels: { zone: 'eu' } }),
      node('c', { labels: { zone: 'eu' }, gpus: [{ vramTotalBytes: 16e9 }] }),
      node('d', {
        labels: { zone: 'us' },
        gpus: [{ vramTotalBytes: 24e9 }],
        runtimes: ['embedded', 'ollama'],
      }),
      node('e', {
        labels: { zone: 'eu' },
        gpus: [{ vramTotalBytes: 24e9 }],
        models: [{ name: 'llama3', runtime: 'embedded', loaded: false, error: 'file not found' }],
      }),
      node('f', { state: 'stale' }),
    );
    s.enqueue(task('t', { resources: { gpu: true, minVramGb: 24, labels: { zone: 'eu' } } }));
    s.schedule();
    expect(s.explain('t')).toEqual({
      code: 'no-fit',
      message:
        'no ready node that serves model "llama3" fits: 2 do not match labels zone=eu, ' +
        '1 reports an error for it ("file not found"), 1 has no GPU, 1 has less than 24 GB of VRAM on one GPU; ' +
        '1 node serves it but is stale',
    });
    s.enqueue(task('r', { runtime: 'ollama' }));
    expect(why(s, 'r')).toBe(
      'no ready node that serves model "llama3" fits: 4 lack runtime "ollama", ' +
        '1 serves it only with another runtime than "ollama"; 1 node serves it but is stale',
    );
    s.enqueue(task('g', { resources: { gpu: 3 } }));
    expect(why(s, 'g')).toMatch(/: 4 have fewer than 3 GPUs, 1 reports an error for it/);
  });

  it('all nodes that fit are busy', () => {
    const s = make(node('a'), node('b', { slots: 2 }), node('c', { labels: { zone: 'us' } }));
    for (const k of ['t1', 't2', 't3', 't4', 't5']) s.enqueue(task(k));
    expect(s.schedule()).toHaveLength(4);
    expect(s.explain('t5')).toEqual({ code: 'busy', message: 'all 3 nodes that fit are busy (4/4 slots)' });
    s.enqueue(task('us', { resources: { labels: { zone: 'us' } } }));
    s.schedule();
    expect(why(s, 'us')).toBe('the only node that fits is busy (1/1 slots)');
    s.enqueue(task('t6'));
    expect(why(s, 't6')).toBe(
      'all 3 nodes that fit are busy (4/4 slots); 1 earlier task with the same requirements ahead of it',
    );
  });

  it('counts the tasks ahead up to a bound, whatever the heap order', () => {
    const s = make(node('a'));
    s.enqueue(task('running'));
    s.schedule();
    // Enqueued out of time order, so that the queue's heap is not simply sorted.
    const times = Array.from({ length: 150 }, (_, i) => 1_000_000 + ((i * 37) % 150));
    times.forEach((t, i) => s.enqueue(task(`q${i}`, { enqueuedAt: t })));
    const ahead = (i: number) => times.filter((t) => t < times[i]!).length;
    for (const i of [0, 1, 40, 77, 149]) {
      const n = ahead(i);
      const expected =
        n === 0
          ? 'the only node that fits is busy (1/1 slots)'
          : n >= AHEAD_COUNTED
            ? `the only node that fits is busy (1/1 slots); at least ${AHEAD_COUNTED} earlier tasks with the same requirements ahead of it`
            : `the only node that fits is busy (1/1 slots); ${n} earlier task${n === 1 ? '' : 's'} with the same requirements ahead of it`;
      expect(why(s, `q${i}`)).toBe(expected);
    }
  });

  it('a slot is free but schedule() has not run since', () => {
    const s = make(node('a', { slots: 3 }));
    s.enqueue(task('t'));
    expect(s.explain('t')).toEqual({
      code: 'pending',
      message: '3 free slots on 1 node that fit; waiting for the next placement pass',
    });
  });

  it('retry backoff, running, unknown', () => {
    const s = make(node('a'));
    s.enqueue(task('r', { notBefore: now + 2_050 }));
    expect(s.explain('r')).toEqual({ code: 'backoff', message: 'waiting for retry backoff (2.1s)' });
    s.enqueue(task('r2', { notBefore: now + 125_000 }));
    expect(why(s, 'r2')).toBe('waiting for retry backoff (2m 5s)');
    now += 2_050;
    expect(why(s, 'r')).toBe('retry backoff is over; waiting for the next placement pass');
    s.schedule();
    expect(s.explain('r')).toEqual({ code: 'running', message: 'running on node "a"' });
    expect(s.explain('nope')).toBeUndefined();
  });
});
