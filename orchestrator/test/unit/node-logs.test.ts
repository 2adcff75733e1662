// Node logs on the orchestrator: the in-memory ring (bounded, ids that increase across restarts, followers), the
// SSE route (replay, resume with Last-Event-ID, 404/400), the CLI's printer (progress bar on a TTY, percentage
// lines otherwise), and the container engine capability merged into the registry and persisted.
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { OrchionClient, type NodeLogEntry } from '@orchion/api';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeLogPrinter } from '../../src/cli/commands/node-logs';
import { EventBus } from '../../src/events/event-bus';
import { buildHttpApp } from '../../src/http/app';
import { JobEngine } from '../../src/jobs/engine';
import { LogHub } from '../../src/jobs/log-hub';
import { Metrics } from '../../src/metrics';
import { NodeLogRing, type NodeLogLineInput } from '../../src/nodes/node-log-ring';
import { NodeRegistry } from '../../src/registry/registry';
import { systemClock, type Registration } from '../../src/registry/types';
import { Scheduler } from '../../src/scheduler';
import { openDatabase } from '../../src/store/database';
import { SqliteEventStore } from '../../src/store/event-store';
import { SqliteJobStore } from '../../src/store/job-store';
import { SqliteNodeStore } from '../../src/store/node-store';

const line = (text: string, extra: Partial<NodeLogLineInput> = {}): NodeLogLineInput => ({
  level: 'info',
  text,
  timeMs: 1_700_000_000_000,
  source: 'docker',
  progress: null,
  ...extra,
});

const reg = (id: string): Registration => ({
  id,
  hostname: 'h',
  labels: {},
  agentVersion: '1',
  capabilities: {
    cpu: { manufacturer: '', brand: '', cores: 2, physicalCores: 2, speedGhz: 1 },
    memory: null,
    os: null,
    gpus: [],
    containerEngine: null,
  },
  models: [],
  runtimes: ['echo'],
  slots: 1,
  heartbeatIntervalMs: 1000,
  address: '127.0.0.1:1',
});

describe('NodeLogRing', () => {
  it('keeps the last perNode entries with consecutive ids and reads after an id', () => {
    const ring = new NodeLogRing({ perNode: 3, now: () => 5 });
    const first = ring.append('a', [line('1'), line('2')]);
    expect(first[0]!.id).toBe(5000);
    ring.append('a', [line('3'), line('4'), line('5')]);
    expect(ring.after('a', 0).map((e) => e.text)).toEqual(['3', '4', '5']);
    expect(ring.after('a', 5003).map((e) => e.text)).toEqual(['5']);
    expect(ring.after('a', 5004)).toEqual([]);
    expect(ring.after('a', 0, 2).map((e) => e.id)).toEqual([5002, 5003]);
    expect(ring.after('b', 0)).toEqual([]);
  });

  it('bounds the total: rings made in a big fleet get their share (at least minPerNode)', () => {
    const ring = new NodeLogRing({ perNode: 10, maxTotal: 20, minPerNode: 3 });
    const fill = (id: string) =>
      ring.append(
        id,
        Array.from({ length: 12 }, (_, i) => line(String(i))),
      );
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) fill(id);
    const kept = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((id) => ring.after(id, 0).length);
    expect(kept).toEqual([10, 10, 6, 5, 4, 3, 3, 3]);
  });

  it('normalises lines: unknown levels are info, times from the agent, long texts cut, progress kept', () => {
    const ring = new NodeLogRing({ maxText: 4 });
    const [e] = ring.append('a', [
      line('abcdefgh', {
        level: 'shout',
        progress: { subject: 'img', status: 'Downloading', completed: 5, total: 10, done: false },
      }),
    ]);
    expect(e).toMatchObject({
      level: 'info',
      text: 'abcd… (cut)',
      time: new Date(1_700_000_000_000).toISOString(),
      progress: { subject: 'img', completed: 5, total: 10, done: false },
    });
  });

  it('hands new entries to followers and ends them when the node is dropped', () => {
    const ring = new NodeLogRing();
    const got: string[] = [];
    let ended = false;
    const off = ring.follow('a', {
      entries: (es) => got.push(...es.map((e) => e.text)),
      end: () => (ended = true),
    });
    ring.append('a', [line('x')]);
    ring.append('b', [line('other node')]);
    ring.drop('a');
    expect(got).toEqual(['x']);
    expect(ended).toBe(true);
    expect(ring.after('a', 0)).toEqual([]);
    off();
  });

  it('starts ids from the clock, so ids after a restart exceed the ones before', () => {
    let now = 1_000;
    const before = new NodeLogRing({ now: () => now });
    const last = before
      .append(
        'a',
        Array.from({ length: 500 }, (_, i) => line(String(i))),
      )
      .at(-1)!;
    now += 1;
    const after = new NodeLogRing({ now: () => now });
    expect(after.append('a', [line('new')])[0]!.id).toBeGreaterThan(last.id);
  });
});

describe('GET /api/v1/nodes/:id/logs', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => app?.close());
  const auth = { authorization: 'Bearer t' };

  async function start() {
    const db = openDatabase(':memory:');
    const registry = new NodeRegistry(new SqliteNodeStore(db), systemClock, () => {});
    const store = new SqliteJobStore(db);
    const logger = pino({ level: 'silent' });
    const nodeLogs = new NodeLogRing();
    app = await buildHttpApp({
      registry,
      bus: new EventBus(new SqliteEventStore(db), systemClock),
      metrics: new Metrics(() => registry.countByState()),
      logger,
      adminToken: 't',
      version: 'test',
      corsOrigins: [],
      onNodeRemoved: () => {},
      jobs: {
        engine: new JobEngine({
          store,
          scheduler: new Scheduler(),
          // Test double for the gRPC session layer: no agent is connected in these tests.
          dispatcher: { assign: () => false, cancel: () => {} },
          sinks: { jobChanged: () => {}, stepChanged: () => {}, logs: () => {}, jobFinished: () => {} },
          clock: systemClock,
          logger,
        }),
        store,
        hub: new LogHub(),
      },
      nodeLogs,
    });
    return { app, registry, nodeLogs };
  }

  const entries = (body: string): NodeLogEntry[] =>
    body
      .split('\n\n')
      .filter((f) => f.includes('event: log'))
      .map(
        (f) =>
          JSON.parse(
            f
              .split('\n')
              .find((l) => l.startsWith('data: '))!
              .slice(6),
          ) as NodeLogEntry,
      );

  it('replays the retained lines and ends; resumes after Last-Event-ID', async () => {
    const { app, registry, nodeLogs } = await start();
    registry.register(reg('n1'));
    const [a, b] = nodeLogs.append('n1', [line('one'), line('two')]);
    const res = await app.inject({ method: 'GET', url: '/api/v1/nodes/n1/logs', headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/event-stream');
    expect(entries(res.body).map((e) => e.text)).toEqual(['one', 'two']);
    expect(res.body).toContain(`id: ${b!.id}\nevent: log`);
    expect(res.body).toContain('event: end');
    const resumed = await app.inject({
      method: 'GET',
      url: '/api/v1/nodes/n1/logs',
      headers: { ...auth, 'last-event-id': String(a!.id) },
    });
    expect(entries(resumed.body).map((e) => e.text)).toEqual(['two']);
  });

  it('follows: replays, then streams new lines live until the node is removed (through OrchionClient)', async () => {
    const { app, registry, nodeLogs } = await start();
    registry.register(reg('n1'));
    const [first] = nodeLogs.append('n1', [line('before')]);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address() as { port: number };
    const client = new OrchionClient({ url: `http://127.0.0.1:${address.port}`, token: 't' });
    const got: string[] = [];
    const streamed = client.streamNodeLogs('n1', (e) => got.push(e.text), { follow: true });
    const until = async (n: number) => {
      for (let i = 0; i < 200 && got.length < n; i++) await new Promise((r) => setTimeout(r, 10));
    };
    await until(1);
    nodeLogs.append('n1', [line('live 1'), line('live 2')]);
    await until(3);
    expect(got).toEqual(['before', 'live 1', 'live 2']);
    registry.remove('n1');
    nodeLogs.drop('n1'); // what the orchestrator does on node.removed
    const { lastEventId } = await streamed;
    expect(lastEventId).toBe(first!.id + 2);
  });

  it('answers 404 for an unknown node and 400 for a bad Last-Event-ID, as JSON errors', async () => {
    const { app, registry } = await start();
    const missing = await app.inject({ method: 'GET', url: '/api/v1/nodes/nope/logs', headers: auth });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
    registry.register(reg('n1'));
    const bad = await app.inject({
      method: 'GET',
      url: '/api/v1/nodes/n1/logs',
      headers: { ...auth, 'last-event-id': 'x' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('bad_request');
    const unauth = await app.inject({ method: 'GET', url: '/api/v1/nodes/n1/logs' });
    expect(unauth.statusCode).toBe(401);
  });
});

describe('the container engine capability in the registry', () => {
  it('is merged from capability updates and persisted', () => {
    const db = openDatabase(':memory:');
    const registry = new NodeRegistry(new SqliteNodeStore(db), systemClock, () => {});
    registry.register(reg('n1'));
    const engine = {
      available: true,
      version: '20.10.24',
      apiVersion: '1.41',
      endpoint: 'unix:///d.sock',
      error: '',
    };
    registry.updateCapabilities('n1', { containerEngine: engine } as never);
    expect(registry.get('n1')!.capabilities.containerEngine).toEqual(engine);
    registry.updateCapabilities('n1', {
      memory: { totalBytes: 1, freeBytes: 1, availableBytes: 1 },
    } as never);
    expect(registry.get('n1')!.capabilities.containerEngine).toEqual(engine);
    const reloaded = new NodeRegistry(new SqliteNodeStore(db), systemClock, () => {});
    expect(reloaded.get('n1')!.capabilities.containerEngine).toEqual(engine);
  });
});

describe('NodeLogPrinter', () => {
  const progress = (completed: number, done = false, status = 'Downloading'): NodeLogEntry => ({
    id: 1,
    time: '2026-01-01T10:00:00.000Z',
    level: 'info',
    source: 'pull:box',
    text: 'pulling',
    progress: { subject: 'reg/img:1', status, completed, total: 1000, done },
  });

  it('without a TTY: one line per new whole percent, one when done, log lines as they are', () => {
    let out = '';
    const p = new NodeLogPrinter({ tty: false, write: (t) => (out += t) });
    p.print({
      ...progress(0),
      progress: undefined,
      text: 'Docker Engine 20.10 at /d.sock',
      source: 'docker',
    });
    for (const c of [0, 1, 2, 500, 501, 1000]) p.print(progress(c));
    p.print(progress(1000, true, 'Status: Downloaded newer image for reg/img:1'));
    p.print({ ...progress(0), progress: undefined, level: 'warn', text: 'careful', source: 'docker' });
    expect(out.split('\n')).toEqual([
      '10:00:00 [docker] Docker Engine 20.10 at /d.sock',
      '10:00:00 pull reg/img:1: 0% 0 B / 1000 B Downloading',
      '10:00:00 pull reg/img:1: 50% 500 B / 1000 B Downloading',
      '10:00:00 pull reg/img:1: 100% 1000 B / 1000 B Downloading',
      '10:00:00 pull reg/img:1: 100% 1000 B / 1000 B Status: Downloaded newer image for reg/img:1',
      '10:00:00 [docker] WARN careful',
      '',
    ]);
  });

  it('on a TTY: one bar redrawn in place, ended by the done report or the next log line', () => {
    let out = '';
    const p = new NodeLogPrinter({ tty: true, columns: 60, write: (t) => (out += t) });
    p.print(progress(250));
    p.print(progress(500));
    p.print({ ...progress(0), progress: undefined, text: 'a line' });
    p.print(progress(1000, true, 'done'));
    const frames = out.split('\r\x1b[2K').filter(Boolean);
    expect(frames[0]).toMatch(/^reg\/img:1 \[#+\.+\] {2}25% 250 B \/ 1000 B$/);
    expect(frames[1]).toMatch(
      /^reg\/img:1 \[#+\.+\] {2}50% 500 B \/ 1000 B\n10:00:00 \[pull:box\] a line\n$/,
    );
    expect(frames[2]).toMatch(/^reg\/img:1 \[#+\] 100% 1000 B \/ 1000 B done\n$/);
  });
});
