// The scheduler's filter, one rule at a time: a task goes only to nodes that are ready, have a free slot, offer
// the runtime, serve the model without error, have the GPUs and VRAM, and carry every required label.
import { describe, expect, it } from 'vitest';
import { staticFit } from '../../src/scheduler/fit';
import { requirementOf } from '../../src/scheduler/requirement';
import { Scheduler } from '../../src/scheduler/scheduler';
import type { SchedNode, TaskRequest } from '../../src/scheduler/types';

const MiB = 2 ** 20;
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
let seq = 0;
const task = (key: string, over: Partial<TaskRequest> = {}): TaskRequest => ({
  key,
  jobId: 'job',
  stepId: 'step',
  model: 'llama3',
  enqueuedAt: ++seq,
  ...over,
});

/** The ids of the nodes (among `nodes`) that the task may run on, by asking the scheduler for each alone. */
function placeableOn(nodes: SchedNode[], t: Omit<TaskRequest, 'key'>): string[] {
  return nodes
    .filter((n) => {
      const s = new Scheduler({ clock: { now: () => 1_000 } });
      s.upsertNode(n);
      s.enqueue({ ...t, key: 'k' });
      return s.schedule().length === 1;
    })
    .map((n) => n.id);
}

describe('scheduler filter', () => {
  it('needs a ready node', () => {
    const nodes = [node('r'), node('s', { state: 'stale' }), node('o', { state: 'offline' })];
    expect(placeableOn(nodes, task('t'))).toEqual(['r']);
  });

  it('needs a free slot', () => {
    const s = new Scheduler();
    s.upsertNode(node('a', { slots: 1 }));
    s.upsertNode(node('z', { slots: 0 }));
    s.enqueue(task('t1'));
    s.enqueue(task('t2'));
    expect(s.schedule().map((p) => [p.key, p.nodeId])).toEqual([['t1', 'a']]);
    expect(s.phase('t2')).toBe('queued');
  });

  it('needs the runtime, when the task names one, and the model under that runtime', () => {
    const nodes = [
      node('no-runtime'),
      node('other-runtime-model', { runtimes: ['embedded', 'ollama'] }),
      node('yes', {
        runtimes: ['embedded', 'ollama'],
        models: [{ name: 'llama3', runtime: 'ollama', loaded: false }],
      }),
    ];
    expect(placeableOn(nodes, task('t', { runtime: 'ollama' }))).toEqual(['yes']);
    expect(placeableOn(nodes, task('t'))).toEqual(['no-runtime', 'other-runtime-model', 'yes']);
  });

  it('needs the model, listed without an error', () => {
    const nodes = [
      node('other-model', { models: [{ name: 'mistral', runtime: 'embedded', loaded: true }] }),
      node('broken', { models: [{ name: 'llama3', runtime: 'embedded', loaded: false, error: 'bad gguf' }] }),
      node('one-good-entry', {
        runtimes: ['embedded', 'ollama'],
        models: [
          { name: 'llama3', runtime: 'embedded', loaded: false, error: 'out of memory' },
          { name: 'llama3', runtime: 'ollama', loaded: false },
        ],
      }),
      node('ok'),
    ];
    expect(placeableOn(nodes, task('t'))).toEqual(['one-good-entry', 'ok']);
    expect(placeableOn(nodes, task('t', { runtime: 'embedded' }))).toEqual(['ok']);
  });

  it('counts GPUs: true means at least one, a number at least that many', () => {
    const gpu = { vramTotalBytes: 8e9 };
    const nodes = [node('none'), node('one', { gpus: [gpu] }), node('two', { gpus: [gpu, gpu] })];
    expect(placeableOn(nodes, task('t', { resources: { gpu: true } }))).toEqual(['one', 'two']);
    expect(placeableOn(nodes, task('t', { resources: { gpu: 2 } }))).toEqual(['two']);
    expect(placeableOn(nodes, task('t', { resources: { gpu: false } }))).toEqual(['none', 'one', 'two']);
    expect(placeableOn(nodes, task('t', { resources: { gpu: 0 } }))).toEqual(['none', 'one', 'two']);
  });

  it('compares minVramGb (decimal GB) with the largest GPU, not the sum', () => {
    const nodes = [
      node('none'),
      node('two-16', { gpus: [{ vramTotalBytes: 16_384 * MiB }, { vramTotalBytes: 16_384 * MiB }] }),
      // A "24 GB" card reports 24,564 MiB: just under 24 GiB, over 24 GB.
      node('one-24', { gpus: [{ vramTotalBytes: 24_564 * MiB, vramUsedBytes: 20_000 * MiB }] }),
    ];
    expect(placeableOn(nodes, task('t', { resources: { minVramGb: 24 } }))).toEqual(['one-24']);
    expect(placeableOn(nodes, task('t', { resources: { minVramGb: 16 } }))).toEqual(['two-16', 'one-24']);
    expect(placeableOn(nodes, task('t', { resources: { minVramGb: 30 } }))).toEqual([]);
  });

  it('needs every required label with the same value', () => {
    const nodes = [
      node('eu-gpu', { labels: { zone: 'eu', tier: 'gpu', extra: 'x' } }),
      node('eu', { labels: { zone: 'eu' } }),
      node('us-gpu', { labels: { zone: 'us', tier: 'gpu' } }),
      node('none'),
    ];
    expect(placeableOn(nodes, task('t', { resources: { labels: { zone: 'eu' } } }))).toEqual([
      'eu-gpu',
      'eu',
    ]);
    expect(placeableOn(nodes, task('t', { resources: { labels: { tier: 'gpu', zone: 'eu' } } }))).toEqual([
      'eu-gpu',
    ]);
    expect(placeableOn(nodes, task('t', { resources: { labels: { toString: 'x' } } }))).toEqual([]);
  });

  it('staticFit names the first failing rule and whether the model is loaded', () => {
    const n = node('a', {
      runtimes: ['embedded', 'ollama'],
      models: [
        { name: 'llama3', runtime: 'embedded', loaded: true },
        { name: 'phi', runtime: 'embedded', loaded: false, error: 'oom' },
      ],
      gpus: [{ vramTotalBytes: 8e9 }],
      labels: { zone: 'eu' },
    });
    const fit = (over: Partial<TaskRequest>) => staticFit(n, requirementOf(task('t', over)));
    expect(fit({})).toEqual({ ok: true, loaded: true });
    expect(fit({ runtime: 'vllm' })).toEqual({ ok: false, misfit: 'runtime' });
    expect(fit({ runtime: 'ollama' })).toEqual({ ok: false, misfit: 'model-runtime' });
    expect(fit({ model: 'phi' })).toEqual({ ok: false, misfit: 'model-error', error: 'oom' });
    expect(fit({ resources: { gpu: 2 } })).toEqual({ ok: false, misfit: 'gpu' });
    expect(fit({ resources: { minVramGb: 9 } })).toEqual({ ok: false, misfit: 'vram' });
    expect(fit({ resources: { labels: { zone: 'us' } } })).toEqual({ ok: false, misfit: 'labels' });
  });
});
