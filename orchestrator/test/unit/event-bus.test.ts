import { describe, expect, it } from 'vitest';
import { EventBus, type BusEvent } from '../../src/events/event-bus';
import { openDatabase } from '../../src/store/database';
import { SqliteEventStore } from '../../src/store/event-store';

const bus = () => new EventBus(new SqliteEventStore(openDatabase(':memory:')), { now: () => 0 });

describe('EventBus', () => {
  it('stores events, fans them out as SSE frames and replays after an id', () => {
    const b = bus();
    const live: BusEvent[] = [];
    const off = b.subscribe((e) => live.push(e));
    b.publish('node.registered', { id: 'a' });
    b.publish('node.stale', { id: 'a' });
    off();
    b.publish('node.ready', { id: 'a' });
    expect(live.map((e) => e.id)).toEqual([1, 2]);
    expect(live[0]!.frame).toBe(
      'id: 1\nevent: node.registered\ndata: {"time":"1970-01-01T00:00:00.000Z","data":{"id":"a"}}\n\n',
    );
    expect(b.batchAfter(1, 10).map((e) => e.id)).toEqual([2, 3]);
    expect(b.lastId()).toBe(3);
  });

  it('stores the events of a batch together and delivers them, in order, when the outermost batch ends', () => {
    const b = bus();
    const live: BusEvent[] = [];
    b.subscribe((e) => live.push(e));
    b.publish('node.registered', { id: 'a' });
    b.batch(() => {
      for (let i = 0; i < 150; i++) b.publish('node.updated', { i });
      b.batch(() => b.publish('node.stale', { id: 'a' }));
      expect(live).toHaveLength(1);
    });
    b.publish('node.ready', { id: 'a' });
    expect(live.map((e) => e.id)).toEqual(Array.from({ length: 153 }, (_, i) => i + 1));
    expect(live.slice(1, 151).map((e) => JSON.parse(e.frame.split('data: ')[1]!).data.i)).toEqual(
      Array.from({ length: 150 }, (_, i) => i),
    );
    expect(live[151]!.frame).toContain('event: node.stale');
    // What was delivered is what a resuming client replays.
    expect(b.batchAfter(0, 500).map((e) => e.frame)).toEqual(live.map((e) => e.frame));
  });

  it('pages through long histories', () => {
    const b = bus();
    for (let i = 0; i < 1234; i++) b.publish('node.updated', { i });
    let n = 0;
    for (let after = 0, batch = b.batchAfter(0, 500); batch.length > 0; batch = b.batchAfter(after, 500)) {
      n += batch.length;
      after = batch[batch.length - 1]!.id;
    }
    expect(n).toBe(1234);
  });

  it('reports a gap when the client is behind the retention or ahead of the log', () => {
    const b = bus();
    for (let i = 0; i < 10; i++) b.publish('node.updated', { i });
    expect(b.prune(3)).toBe(7);
    expect(b.lostAfter(7)).toBe(false);
    expect(b.lostAfter(6)).toBe(true);
    expect(b.lostAfter(10)).toBe(false);
    expect(b.lostAfter(11)).toBe(true);
  });
});
