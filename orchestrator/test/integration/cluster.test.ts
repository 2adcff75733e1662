// An orchestrator and three agent processes over loopback: registration, stream breaks, freezes, restarts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { NodeView, OrchionEvent } from '@orchion/api';
import {
  cleanup,
  freePort,
  startAgentProc,
  startOrchestratorProc,
  tempDir,
  waitFor,
  type OrchestratorProc,
  type Proc,
} from './harness';

describe('cluster: orchestrator + 3 agents', () => {
  const dirs: string[] = [];
  const procs: Proc[] = [];
  let orch: OrchestratorProc;
  let httpPort: number;
  let grpcPort: number;
  let dataDir: string;
  const agents: { proc: Proc; dir: string; id: string }[] = [];

  const node = async (id: string): Promise<NodeView> => orch.client.getNode(id);

  beforeAll(async () => {
    dataDir = tempDir();
    dirs.push(dataDir);
    httpPort = await freePort();
    grpcPort = await freePort();
    orch = await startOrchestratorProc({ dataDir, httpPort, grpcPort });
    procs.push(orch);
    for (let i = 0; i < 3; i++) {
      const dir = tempDir('orchion-agent-');
      dirs.push(dir);
      const proc = startAgentProc({
        orchestrator: orch.grpcAddress,
        joinToken: orch.joinToken,
        dataDir: dir,
        labels: { pool: 'test', index: String(i) },
      });
      procs.push(proc);
      const id = await waitFor(`agent ${i} node id`, () => {
        try {
          return readFileSync(join(dir, 'node-id'), 'utf8').trim() || undefined;
        } catch {
          return undefined;
        }
      });
      agents.push({ proc, dir, id });
    }
    await waitFor('3 ready nodes', async () => (await orch.client.listNodes({ state: 'ready' })).total === 3);
  });

  afterAll(() => cleanup(procs, dirs));

  it('registers every agent with its capabilities and labels', async () => {
    const { nodes } = await orch.client.listNodes();
    expect(nodes.map((n) => n.id).sort()).toEqual(agents.map((a) => a.id).sort());
    for (const n of nodes) {
      expect(n.state).toBe('ready');
      expect(n.labels.pool).toBe('test');
      expect(n.capabilities.cpu?.cores).toBeGreaterThan(0);
      expect(Number(n.capabilities.memory?.totalBytes)).toBeGreaterThan(0);
      expect(n.capabilities.os?.platform).toBe(process.platform);
      expect(Array.isArray(n.capabilities.gpus)).toBe(true);
      expect(n.heartbeatIntervalMs).toBe(300);
      expect(n.registrations).toBe(1);
    }
  });

  it('keeps heartbeating nodes ready', async () => {
    const before = await node(agents[0]!.id);
    await new Promise((r) => setTimeout(r, 700));
    const after = await node(agents[0]!.id);
    expect(after.state).toBe('ready');
    expect(Date.parse(after.lastHeartbeatAt!)).toBeGreaterThan(Date.parse(before.lastHeartbeatAt!));
  });

  it('marks a frozen agent stale within 3 intervals, and ready again when it wakes', async () => {
    const a = agents[1]!;
    const frozenAt = Date.now();
    a.proc.child.kill('SIGSTOP');
    const stale = await waitFor(
      'stale',
      async () => ((await node(a.id)).state === 'stale' ? Date.now() : false),
      5_000,
    );
    // 3 intervals of 300 ms, plus one sweep (100 ms) and slack for a loaded machine.
    expect(stale - frozenAt).toBeLessThan(3 * 300 + 900);
    expect((await node(a.id)).stateReason).toMatch(/no heartbeat/);
    a.proc.child.kill('SIGCONT');
    await waitFor('ready again', async () => (await node(a.id)).state === 'ready', 5_000);
  });

  it('marks a killed agent offline at once (stream break)', async () => {
    const a = agents[2]!;
    const killedAt = Date.now();
    a.proc.child.kill('SIGKILL');
    const offline = await waitFor(
      'offline',
      async () => ((await node(a.id)).state === 'offline' ? Date.now() : false),
      5_000,
    );
    expect(offline - killedAt).toBeLessThan(800);
    expect((await node(a.id)).stateReason).toMatch(/stream/);
  });

  it('re-registers every live agent after an orchestrator kill -9 and restart, keeping history', async () => {
    const before = await orch.client.listNodes();
    const lastEventId = await lastEvent(orch);
    orch.child.kill('SIGKILL');
    await orch.exited;
    orch = await startOrchestratorProc({ dataDir, httpPort, grpcPort });
    procs.push(orch);
    const live = [agents[0]!, agents[1]!];
    await waitFor(
      'live agents re-registered',
      async () => {
        const nodes = await Promise.all(live.map((a) => node(a.id)));
        return nodes.every((n) => n.state === 'ready' && n.registrations === 2);
      },
      15_000,
    );
    const after = await orch.client.listNodes();
    expect(after.total).toBe(3);
    for (const n of after.nodes) {
      const old = before.nodes.find((b) => b.id === n.id)!;
      expect(n.firstRegisteredAt).toBe(old.firstRegisteredAt);
    }
    // The dead agent stays known, and offline.
    expect((await node(agents[2]!.id)).state).toBe('offline');
    // Events survive the restart too: resuming from before it replays the re-registrations.
    const events = await collectEvents(orch, lastEventId, 2);
    expect(events.map((e) => e.type)).toContain('node.registered');
  });

  it('sends a clean shutdown as offline (deregistered), not stale', async () => {
    const a = agents[0]!;
    a.proc.kill('SIGTERM');
    expect(await a.proc.exited).toBe(0);
    const n = await waitFor('offline', async () => {
      const v = await node(a.id);
      return v.state === 'offline' ? v : undefined;
    });
    expect(n.stateReason).toMatch(/deregistered/);
  });

  it('keeps the node id across an agent restart', async () => {
    const a = agents[0]!;
    const proc = startAgentProc({
      orchestrator: orch.grpcAddress,
      joinToken: orch.joinToken,
      dataDir: a.dir,
    });
    procs.push(proc);
    const n = await waitFor('re-registered', async () => {
      const v = await node(a.id);
      return v.state === 'ready' ? v : undefined;
    });
    expect(n.registrations).toBe(3);
    expect((await orch.client.listNodes()).total).toBe(3);
    a.proc = proc;
  });

  it('re-registers at once when the orchestrator forgets a live node (NOT_FOUND)', async () => {
    const a = agents[0]!;
    const res = await fetch(`${orch.httpUrl}/api/v1/nodes/${a.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${orch.adminToken}` },
    });
    expect(res.status).toBe(204);
    const n = await waitFor('registered again', async () => {
      const v = await node(a.id).catch(() => undefined);
      return v?.state === 'ready' ? v : undefined;
    });
    expect(n.registrations).toBe(1);
    expect(a.proc.child.exitCode).toBeNull();
  });
});

async function lastEvent(orch: OrchestratorProc): Promise<number> {
  const ac = new AbortController();
  let last = 0;
  const done = orch.client.streamEvents((e) => (last = e.id), { lastEventId: 0, signal: ac.signal });
  await new Promise((r) => setTimeout(r, 300));
  ac.abort();
  await done.catch(() => {});
  return last;
}

async function collectEvents(
  orch: OrchestratorProc,
  after: number,
  atLeast: number,
): Promise<OrchionEvent[]> {
  const ac = new AbortController();
  const events: OrchionEvent[] = [];
  const done = orch.client.streamEvents((e) => events.push(e), { lastEventId: after, signal: ac.signal });
  await waitFor('events', () => events.length >= atLeast, 5_000);
  ac.abort();
  await done.catch(() => {});
  return events;
}
