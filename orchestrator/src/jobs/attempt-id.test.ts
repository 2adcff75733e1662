// Attempt ids are version 7 UUIDs: unique, and sorted by when they were made (tests use times after any real clock's
// now, since the last id made is module state).
import { describe, expect, it } from 'vitest';
import { timeOrderedId } from './attempt-id';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('timeOrderedId', () => {
  it('makes version 7 UUIDs that carry the time and sort in the order they were made', () => {
    const t = Date.UTC(2030, 10, 27, 4, 0, 0);
    const ids = Array.from({ length: 10_000 }, (_, i) => timeOrderedId(t + Math.floor(i / 3000)));
    for (const id of ids) expect(id).toMatch(V7);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(parseInt(ids[0]!.replace(/-/g, '').slice(0, 12), 16)).toBe(t);
  });

  it('keeps sorting when the clock goes back or more than 4,096 ids fall in one millisecond', () => {
    const t = Date.UTC(2031, 0, 1);
    const ids = [
      ...Array.from({ length: 5000 }, () => timeOrderedId(t)),
      timeOrderedId(t - 60_000),
      timeOrderedId(t + 1),
    ];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
