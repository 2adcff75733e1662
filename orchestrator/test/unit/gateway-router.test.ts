// The gateway's routing core: choice of node, per-node concurrency, bounded per-model queues, exclusions.
import { describe, expect, it } from 'vitest';
import { RouteRejected, Router, type Lease, type RouterNodeInput } from '../../src/gateway/router';

/** A manual timer: queue timeouts fire when the test says so. */
function manualTimer() {
  const pending = new Map<number, () => void>();
  let next = 1;
  return {
    setTimeout: (fn: () => void) => {
      const id = next++;
      pending.set(id, fn);
      return id;
    },
    clearTimeout: (h: unknown) => void pending.delete(h as number),
    fireAll: () => {
      const fns = [...pending.values()];
      pending.clear();
      for (const fn of fns) fn();
    },
    get size() {
      return pending.size;
    },
  };
}

const node = (id: string, models: [string, boolean][], concurrency = 2, ready = true): RouterNodeInput => ({
  id,
  url: `http://${id}`,
  concurrency,
  ready,
  models: models.map(([name, loaded]) => ({ name, loaded })),
});

const now = (l: Lease | Promise<Lease>): Lease => {
  if (l instanceof Promise) throw new Error('expected a slot at once');
  return l;
};

const rejected = (fn: () => unknown): RouteRejected => {
  try {
    fn();
  } catch (err) {
    if (err instanceof RouteRejected) return err;
    throw err;
  }
  throw new Error('expected a rejection');
};

describe('Router', () => {
  it('prefers a node with the model loaded, then the fewest requests in flight', () => {
    const r = new Router();
    r.upsert(node('cold', [['m', false]], 4));
    r.upsert(node('warm', [['m', true]], 4));
    r.upsert(node('warm2', [['m', true]], 4));
    const a = now(r.acquire('m'));
    const b = now(r.acquire('m'));
    expect(new Set([a.node.id, b.node.id])).toEqual(new Set(['warm', 'warm2']));
    // Both loaded nodes have 1 in flight; still preferred over the cold one while they have slots.
    const c = now(r.acquire('m'));
    expect(c.node.id).not.toBe('cold');
    expect(r.get('warm')!.inFlight + r.get('warm2')!.inFlight).toBe(3);
  });

  it('a degraded (stale) node is used only when no healthy node has a free slot', () => {
    const r = new Router();
    r.upsert({ ...node('late', [['m', true]], 4), degraded: true });
    r.upsert(node('ok', [['m', false]], 1));
    expect(now(r.acquire('m')).node.id).toBe('ok');
    expect(now(r.acquire('m')).node.id).toBe('late');
  });

  it('spreads over equal nodes by in-flight count', () => {
    const r = new Router();
    for (const id of ['a', 'b', 'c']) r.upsert(node(id, [['m', true]], 10));
    const leases = Array.from({ length: 9 }, () => now(r.acquire('m')));
    expect([...r.list()].map((n) => n.inFlight)).toEqual([3, 3, 3]);
    leases.forEach((l) => l.release());
    expect([...r.list()].map((n) => n.inFlight)).toEqual([0, 0, 0]);
  });

  it('respects per-node concurrency, then queues FIFO, then refuses with queue_full', async () => {
    const timer = manualTimer();
    const r = new Router({ maxQueue: 2, timer, retryAfterS: 3 });
    r.upsert(node('a', [['m', true]], 1));
    const first = now(r.acquire('m'));
    const w1 = r.acquire('m');
    const w2 = r.acquire('m');
    expect(w1).toBeInstanceOf(Promise);
    expect(r.queued('m')).toBe(2);
    const full = rejected(() => r.acquire('m'));
    expect(full.reason).toBe('queue_full');
    expect(full.retryAfterS).toBe(3);
    expect(full.message).toContain('2 requests are already waiting');
    first.release();
    const l1 = await w1;
    expect(l1.node.id).toBe('a');
    expect(r.queued('m')).toBe(1);
    l1.release();
    (await w2).release();
    expect(r.get('a')!.inFlight).toBe(0);
    expect(timer.size).toBe(0);
  });

  it('a waiter gives up after the queue timeout', async () => {
    const timer = manualTimer();
    const r = new Router({ timer, queueTimeoutMs: 1234 });
    r.upsert(node('a', [['m', true]], 1));
    now(r.acquire('m'));
    const waiting = r.acquire('m') as Promise<Lease>;
    timer.fireAll();
    const err = await waiting.catch((e: RouteRejected) => e);
    expect(err).toBeInstanceOf(RouteRejected);
    expect((err as RouteRejected).reason).toBe('queue_timeout');
    expect((err as RouteRejected).message).toContain('1234 ms');
    expect(r.queued('m')).toBe(0);
  });

  it('a new node, or a model loaded on a node, takes the waiters', async () => {
    const r = new Router({ timer: manualTimer() });
    r.upsert(node('a', [['m', true]], 1));
    now(r.acquire('m'));
    const waiting = r.acquire('m') as Promise<Lease>;
    r.upsert(node('b', [['m', false]], 1));
    expect((await waiting).node.id).toBe('b');
  });

  it('unknown models and excluded or unready nodes are refused with their reason', () => {
    const r = new Router();
    r.upsert(node('a', [['m', true]]));
    r.upsert(node('b', [['m', true]], 2, false));
    expect(rejected(() => r.acquire('other')).reason).toBe('unknown_model');
    expect(now(r.acquire('m', new Set(['b']))).node.id).toBe('a');
    const none = rejected(() => r.acquire('m', new Set(['a'])));
    expect(none.reason).toBe('no_node');
    expect(none.message).toContain('every node serving it failed this request');
    r.upsert(node('a', [['m', true]], 2, false));
    expect(rejected(() => r.acquire('m')).message).toContain('none is ready');
    expect(r.serves('m')).toBe(false);
    expect(r.models().size).toBe(0);
  });

  it('a waiter is never given a node it excluded', async () => {
    const r = new Router({ timer: manualTimer() });
    r.upsert(node('a', [['m', true]], 1));
    r.upsert(node('b', [['m', true]], 1));
    const la = now(r.acquire('m'));
    const lb = now(r.acquire('m'));
    const excludeA = new Set([la.node.id]);
    const waiting = r.acquire('m', excludeA) as Promise<Lease>;
    la.release();
    expect(r.queued('m')).toBe(1);
    lb.release();
    expect((await waiting).node.id).toBe(lb.node.id);
  });

  it('models with an error are not routed; release is idempotent; removal forgets a node', () => {
    const r = new Router();
    r.upsert({ ...node('a', []), models: [{ name: 'broken', loaded: false, error: 'bad GGUF' }] });
    expect(r.serves('broken')).toBe(false);
    r.upsert(node('b', [['m', true]], 1));
    const l = now(r.acquire('m'));
    l.release();
    l.release();
    expect(r.get('b')!.inFlight).toBe(0);
    r.remove('b');
    expect(rejected(() => r.acquire('m')).reason).toBe('unknown_model');
  });
});
