import { describe, expect, it } from 'vitest';
import { Backoff } from '../../src/session/backoff';

describe('Backoff', () => {
  it('grows exponentially up to the cap with full jitter, and resets', () => {
    const max = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 1 });
    expect([1, 2, 3, 4, 5, 6].map(() => max.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    max.reset();
    expect(max.next()).toBe(100);
    const half = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 0.5 });
    expect(half.next()).toBe(50);
  });
});
