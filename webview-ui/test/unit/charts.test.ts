import { describe, expect, it } from 'vitest';
import { matchNodes, nodeGauges, nodeSummary } from '../../src/data/node-usage';
import { SampleRing, barRects, bucketCounts, chartWindow, stepArea, stepPath } from '../../src/data/series';
import { stepTimeline } from '../../src/data/timeline';
import { attempt, iso, node, step, T0 } from './fixtures';

describe('series', () => {
  it('a ring keeps the newest samples and collapses flat runs', () => {
    const r = new SampleRing(3);
    r.push(1, 0.5);
    r.push(2, 0.5);
    r.push(3, 0.5);
    expect(r.samples()).toEqual([
      { t: 1, v: 0.5 },
      { t: 3, v: 0.5 },
    ]);
    r.push(4, 0.7);
    r.push(5, 0.9);
    expect(r.samples().map((s) => s.t)).toEqual([3, 4, 5]);
    r.push(2, 0.1); // out of order
    expect(r.size).toBe(3);
    r.insert(4.5, 0.2); // at its place; the oldest goes
    expect(r.samples().map((s) => s.t)).toEqual([4, 4.5, 5]);
  });

  it('draws a step line across the window, starting from the value before it', () => {
    const box = { from: 100, to: 200, width: 100, height: 10, max: 1 };
    expect(stepPath([], box)).toBe('');
    expect(
      stepPath(
        [
          { t: 50, v: 0.5 },
          { t: 150, v: 1 },
        ],
        box,
      ),
    ).toBe('M0,5H50V0H100');
    expect(stepPath([{ t: 250, v: 1 }], box)).toBe('');
    expect(stepArea('M0,5H50V0H100', 10)).toBe('M0,5H50V0H100V10H0Z');
    expect(stepArea('', 10)).toBe('');
  });

  it('fits the window to a young history, between its bounds', () => {
    const now = 1_000_000;
    expect(chartWindow([], now, 600_000)).toEqual({ from: now - 60_000, to: now });
    expect(chartWindow([{ t: now - 200_000, v: 1 }], now, 600_000)).toEqual({ from: now - 200_000, to: now });
    expect(chartWindow([{ t: 0, v: 1 }], now, 600_000)).toEqual({ from: now - 600_000, to: now });
  });

  it('counts per bucket and bar geometry', () => {
    const now = 10_000;
    expect(bucketCounts([1_000, 9_999, 10_000, 5_000, 20_000, Number.NaN], now, 2_500, 4)).toEqual([
      1, 0, 1, 2,
    ]);
    const bars = barRects([0, 2, 4], 30, 10, 0);
    expect(bars.map((b) => b.height)).toEqual([0, 5, 10]);
    expect(bars.map((b) => b.x)).toEqual([0, 10, 20]);
  });
});

describe('step timeline', () => {
  it('places waiting and running time of each step within the job span', () => {
    const tl = stepTimeline(
      { createdAt: iso(0), finishedAt: iso(10_000) },
      [
        step('a', {
          state: 'succeeded',
          startedAt: iso(1000),
          finishedAt: iso(4000),
          attempts: [attempt({ queuedAt: iso(0) })],
        }),
        step('b', {
          state: 'succeeded',
          startedAt: iso(5000),
          finishedAt: iso(10_000),
          attempts: [attempt({ queuedAt: iso(4000) }), attempt({ attempt: 2 })],
        }),
        step('c', { state: 'cancelled', startedAt: null, finishedAt: iso(10_000), attempts: [] }),
      ],
      T0 + 99_999,
    );
    expect(tl.end - tl.start).toBe(10_000);
    expect(tl.rows[0]).toMatchObject({
      queued: { left: 0, width: 0.1 },
      running: { left: 0.1, width: 0.3 },
      durationMs: 3000,
    });
    expect(tl.rows[1]).toMatchObject({
      queued: { left: 0.4, width: 0.1 },
      running: { left: 0.5, width: 0.5 },
      attempts: 2,
    });
    expect(tl.rows[2]).toMatchObject({ queued: null, running: null, durationMs: undefined });
    expect(tl.ticks[0]).toEqual({ at: 0, ms: 0 });
    expect(tl.ticks.length).toBeGreaterThan(2);
    expect(tl.ticks.length).toBeLessThanOrEqual(7);
  });

  it('a running step runs until now', () => {
    const tl = stepTimeline({ createdAt: iso(0), finishedAt: null }, [step('a')], T0 + 4000);
    expect(tl.rows[0]!.running).toEqual({ left: 0.25, width: 0.75 });
    expect(tl.rows[0]!.durationMs).toBe(3000);
  });
});

describe('node filter', () => {
  it('matches host, id prefix, labels, runtimes and models', () => {
    const nodes = [
      node('aa11', { hostname: 'gpu-box', labels: { zone: 'lab' } }),
      node('bb22', { hostname: 'laptop', runtimes: ['ollama'], models: [{ ...model, name: 'qwen2.5' }] }),
    ];
    const ids = (q: string) => matchNodes(nodes, q).map((n) => n.id);
    expect(ids('')).toEqual(['aa11', 'bb22']);
    expect(ids('GPU')).toEqual(['aa11']);
    expect(ids('bb')).toEqual(['bb22']);
    expect(ids('zone=lab')).toEqual(['aa11']);
    expect(ids('ollama')).toEqual(['bb22']);
    expect(ids('qwen')).toEqual(['bb22']);
    expect(ids('nothing')).toEqual([]);
  });
});

const model = {
  name: 'm',
  runtime: 'embedded',
  sizeBytes: 1,
  architecture: 'llama',
  contextLength: 256,
  embeddingLength: 64,
  loaded: false,
  error: '',
};

describe('node gauges', () => {
  it('slots, memory, and each GPU with its VRAM', () => {
    const n = node('n1', {
      slots: 4,
      capabilities: {
        ...node('x').capabilities,
        gpus: [
          {
            index: 0,
            vendor: 'NVIDIA',
            model: 'H100',
            vramTotalBytes: 80 * 1024 ** 3,
            vramUsedBytes: 20 * 1024 ** 3,
            utilizationPercent: 55,
            powerDrawWatts: 310.4,
            bus: '',
          },
          { index: 1, vendor: 'NVIDIA', model: 'H100', vramTotalBytes: 80 * 1024 ** 3, bus: '' },
        ],
      },
    });
    const g = nodeGauges(n, 1);
    expect(g.map((x) => [x.key, x.fraction])).toEqual([
      ['slots', 0.25],
      ['memory', 0.25],
      ['gpu0', 0.55],
      ['vram0', 0.25],
      ['gpu1', undefined],
      ['vram1', undefined],
    ]);
    expect(g[2]!.detail).toBe('H100 at 55%, 310 W');
    expect(g[5]!.detail).toBe('80.0 GiB (use not reported)');
    expect(nodeSummary(n)).toBe('8 cores · AMD EPYC · Debian x64');
  });
});
