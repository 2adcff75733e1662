// The registry's state machine with a fake clock over a real (in-memory) SQLite store.
import { beforeEach, describe, expect, it } from 'vitest';
import { NodeRegistry } from '../../src/registry/registry';
import type { Registration, RegistryChange } from '../../src/registry/types';
import { openDatabase, type Db } from '../../src/store/database';
import { SqliteNodeStore } from '../../src/store/node-store';

const caps = {
  cpu: { manufacturer: 'AMD', brand: 'EPYC', cores: 2, physicalCores: 2, speedGhz: 2 },
  memory: { totalBytes: 1000, freeBytes: 500, availableBytes: 600 },
  os: { platform: 'linux', distro: 'Debian', release: '12', kernel: '6', arch: 'x64' },
  gpus: [],
  containerEngine: null,
};
const reg = (id: string, heartbeatIntervalMs = 1000): Registration => ({
  id,
  hostname: `host-${id}`,
  labels: { zone: 'a' },
  agentVersion: '1',
  capabilities: caps,
  models: [],
  runtimes: ['echo'],
  slots: 2,
  heartbeatIntervalMs,
  address: '127.0.0.1:1',
});

describe('NodeRegistry', () => {
  let now: number;
  let db: Db;
  let changes: RegistryChange[];
  const clock = { now: () => now };
  const make = (opts = {}) => new NodeRegistry(new SqliteNodeStore(db), clock, (c) => changes.push(c), opts);

  beforeEach(() => {
    now = 1_000_000;
    db = openDatabase(':memory:');
    changes = [];
  });

  it('registers nodes as ready and announces them', () => {
    const r = make();
    const { node, known } = r.register(reg('a'));
    expect(known).toBe(false);
    expect(node.state).toBe('ready');
    expect(node.registrations).toBe(1);
    expect(changes.map((c) => c.type)).toEqual(['node.registered']);
    expect(r.countByState()).toEqual({ ready: 1, stale: 0, offline: 0 });
  });

  it('goes stale only after 3 missed intervals, and ready again on the next heartbeat', () => {
    const r = make();
    r.register(reg('a', 1000));
    now += 3000;
    r.sweep();
    expect(r.get('a')!.state).toBe('ready');
    now += 1;
    r.sweep();
    expect(r.get('a')!.state).toBe('stale');
    expect(r.get('a')!.stateReason).toBe('no heartbeat for 3s');
    now += 10;
    expect(r.heartbeat('a')).toBe(true);
    expect(r.get('a')!.state).toBe('ready');
    expect(changes.map((c) => c.type)).toEqual(['node.registered', 'node.stale', 'node.ready']);
  });

  it('heartbeats keep a node ready and are persisted in batches', () => {
    const r = make();
    r.register(reg('a', 1000));
    for (let i = 0; i < 10; i++) {
      now += 900;
      r.heartbeat('a');
      r.sweep();
    }
    expect(r.get('a')!.state).toBe('ready');
    expect(changes).toHaveLength(1);
    r.flushHeartbeats();
    const row = db.prepare('SELECT last_heartbeat_at FROM nodes WHERE id = ?').get('a') as {
      last_heartbeat_at: number;
    };
    expect(row.last_heartbeat_at).toBe(now);
  });

  it('an unknown node heartbeat is refused (the agent must register again)', () => {
    expect(make().heartbeat('ghost')).toBe(false);
  });

  it('goes offline when the session ends, and is pruned after the retention', () => {
    const r = make({ pruneOfflineAfterMs: 60_000 });
    r.register(reg('a'));
    r.markOffline('a', 'stream closed');
    expect(r.get('a')!.state).toBe('offline');
    expect(r.isConnected('a')).toBe(false);
    now += 60_000;
    r.sweep();
    expect(r.get('a')).toBeDefined();
    now += 1;
    r.sweep();
    expect(r.get('a')).toBeUndefined();
    expect(changes.map((c) => c.type)).toEqual(['node.registered', 'node.offline', 'node.removed']);
  });

  it('offline nodes do not go stale', () => {
    const r = make();
    r.register(reg('a'));
    r.markOffline('a', 'deregistered');
    now += 100_000;
    r.sweep();
    expect(r.get('a')!.state).toBe('offline');
    expect(r.get('a')!.stateReason).toBe('deregistered');
  });

  it('keeps history across a restart; nodes stay stale until they reconnect, offline after the grace', () => {
    const r1 = make();
    r1.register(reg('a'));
    r1.register(reg('b'));
    r1.register(reg('c'));
    r1.markOffline('c', 'deregistered');
    now += 500;
    r1.heartbeat('a');
    r1.flushHeartbeats();
    // "Restart": a new registry over the same database, an hour later.
    now += 3_600_000;
    const r2 = make({ reconnectGraceMs: 5000 });
    expect(r2.size).toBe(3);
    expect(r2.get('a')!.state).toBe('stale');
    expect(r2.get('a')!.stateReason).toMatch(/awaiting reconnection/);
    expect(r2.get('c')!.state).toBe('offline');
    r2.sweep();
    expect(r2.get('b')!.state).toBe('stale');
    now += 500;
    const { node, known } = r2.register(reg('a'));
    expect(known).toBe(true);
    expect(node.registrations).toBe(2);
    expect(node.firstRegisteredAt).toBe(1_000_000);
    now += 4600;
    r2.heartbeat('a');
    r2.sweep();
    expect(r2.get('a')!.state).toBe('ready');
    expect(r2.get('b')!.state).toBe('offline');
    expect(r2.get('b')!.stateReason).toMatch(/did not reconnect/);
  });

  it('applies only the capability sections that changed', () => {
    const r = make();
    r.register(reg('a'));
    r.updateCapabilities('a', { memory: { totalBytes: 1000, freeBytes: 100, availableBytes: 200 } } as never);
    const n = r.get('a')!;
    expect(n.capabilities.memory!.freeBytes).toBe(100);
    expect(n.capabilities.cpu!.cores).toBe(2);
    r.updateCapabilities('a', { gpus: { gpus: [] } } as never);
    expect(changes.filter((c) => c.type === 'node.updated')).toHaveLength(2);
    expect(r.get('a')!.runtimes).toEqual(['echo']);
    // A runtime that came up after registration (e.g. a container once Docker answered).
    r.updateCapabilities('a', { runtimes: { names: ['echo', 'late'] } } as never);
    expect(r.get('a')!.runtimes).toEqual(['echo', 'late']);
    expect(changes.filter((c) => c.type === 'node.updated')).toHaveLength(3);
  });

  it('lists nodes by id in pages, with a state filter', () => {
    const r = make();
    for (const id of ['d', 'b', 'a', 'c', 'e']) r.register(reg(id));
    r.markOffline('c', 'x');
    const p1 = r.list({ limit: 2 });
    expect(p1.nodes.map((n) => n.id)).toEqual(['a', 'b']);
    expect(p1.total).toBe(5);
    const p2 = r.list({ limit: 2, cursor: p1.nextCursor! });
    expect(p2.nodes.map((n) => n.id)).toEqual(['c', 'd']);
    const p3 = r.list({ limit: 2, cursor: p2.nextCursor! });
    expect(p3.nodes.map((n) => n.id)).toEqual(['e']);
    expect(p3.nextCursor).toBeNull();
    const ready = r.list({ limit: 10, state: 'ready' });
    expect(ready.nodes.map((n) => n.id)).toEqual(['a', 'b', 'd', 'e']);
    expect(ready.total).toBe(4);
    expect(r.list({ limit: 3, state: 'ready' }).nextCursor).toBe('d');
  });

  it('remove() forgets a node and its counts', () => {
    const r = make();
    r.register(reg('a'));
    expect(r.remove('a')?.id).toBe('a');
    expect(r.remove('a')).toBeUndefined();
    expect(r.countByState()).toEqual({ ready: 0, stale: 0, offline: 0 });
    expect(make().size).toBe(0);
  });
});
