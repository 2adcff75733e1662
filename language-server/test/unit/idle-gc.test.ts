import { describe, expect, test } from 'vitest';
import { IdleCollector, youngBytesUsed } from '../../src/server/idle-gc.js';

const MB = 1024 * 1024;
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Allocates short-lived objects until the young generation holds `bytes` (or as much as it will: a fresh process
 * starts with a small one that grows as objects survive); returns how much it holds.
 */
function fillYoung(bytes: number): number {
  let sink: unknown[] = [];
  for (let i = 0; youngBytesUsed() < bytes && i < 20_000; i++) {
    for (let k = 0; k < 200; k++) sink.push({ i, k, s: `x${k}` });
    if (sink.length > 20_000) sink = [];
  }
  return youngBytesUsed();
}

describe('idle collector', () => {
  test('collects the young generation once, after the current turn, when it is well filled', async () => {
    const collector = new IdleCollector(MB / 4); // made first: making it allocates (a context)
    expect(collector.available).toBe(true);
    expect(fillYoung(3 * MB)).toBeGreaterThan(MB / 2);
    collector.schedule();
    collector.schedule(); // one collection per turn
    expect(collector.collections).toBe(0); // not within the turn that scheduled it
    const before = youngBytesUsed();
    await turn();
    await turn();
    expect(collector.collections).toBe(1);
    expect(youngBytesUsed()).toBeLessThan(before);
  });

  test('leaves a young generation with little in it alone', async () => {
    const collector = new IdleCollector(Number.MAX_SAFE_INTEGER);
    collector.schedule();
    await turn();
    await turn();
    expect(collector.collections).toBe(0);
  });
});
