// The HTTP app in-process (fastify inject) over a real in-memory SQLite store: CORS, auth and error shapes.
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { EventBus } from '../../src/events/event-bus';
import { buildHttpApp } from '../../src/http/app';
import { JobEngine } from '../../src/jobs/engine';
import { LogHub } from '../../src/jobs/log-hub';
import { Metrics } from '../../src/metrics';
import { NodeRegistry } from '../../src/registry/registry';
import { systemClock } from '../../src/registry/types';
import { Scheduler } from '../../src/scheduler';
import { openDatabase } from '../../src/store/database';
import { SqliteEventStore } from '../../src/store/event-store';
import { SqliteJobStore } from '../../src/store/job-store';
import { SqliteNodeStore } from '../../src/store/node-store';

const TOKEN = 'orch_test';
const logger = pino({ level: 'silent' });

async function app(corsOrigins: string[] = []): Promise<FastifyInstance> {
  const db = openDatabase(':memory:');
  const bus = new EventBus(new SqliteEventStore(db), systemClock);
  const registry = new NodeRegistry(new SqliteNodeStore(db), systemClock, () => {});
  const store = new SqliteJobStore(db);
  const engine = new JobEngine({
    store,
    scheduler: new Scheduler(),
    // Test double for the gRPC session layer: no agent is connected in these tests.
    dispatcher: { assign: () => false, cancel: () => {} },
    sinks: { jobChanged: () => {}, stepChanged: () => {}, logs: () => {}, jobFinished: () => {} },
    clock: systemClock,
    logger,
  });
  return buildHttpApp({
    registry,
    bus,
    metrics: new Metrics(() => registry.countByState()),
    logger,
    adminToken: TOKEN,
    version: 'test',
    corsOrigins,
    onNodeRemoved: () => {},
    jobs: { engine, store, hub: new LogHub() },
  });
}

describe('HTTP app', () => {
  let a: FastifyInstance | undefined;
  afterEach(async () => a?.close());
  const auth = { authorization: `Bearer ${TOKEN}` };

  it('answers CORS preflights only for configured origins', async () => {
    a = await app(['https://dash.example']);
    const ok = await a.inject({
      method: 'OPTIONS',
      url: '/api/v1/nodes',
      headers: { origin: 'https://dash.example', 'access-control-request-method': 'GET' },
    });
    expect(ok.headers['access-control-allow-origin']).toBe('https://dash.example');
    const other = await a.inject({
      method: 'GET',
      url: '/api/v1/nodes',
      headers: { origin: 'https://evil.example', ...auth },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    await a.close();
    a = await app();
    const none = await a.inject({
      method: 'GET',
      url: '/api/v1/nodes',
      headers: { origin: 'https://dash.example', ...auth },
    });
    expect(none.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('accepts YAML and JSON submissions and answers 422 with diagnostics', async () => {
    a = await app();
    const yaml = `apiVersion: orchion/v1\nkind: Pipeline\nmetadata: { name: t }\nsteps:\n  - id: a\n    model: echo\n    prompt: hi\n`;
    const created = await a.inject({
      method: 'POST',
      url: '/api/v1/jobs',
      headers: { ...auth, 'content-type': 'application/yaml' },
      payload: yaml,
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().stepDetails[0].waitingFor).toMatch(/no node serves model "echo"/);
    const json = await a.inject({
      method: 'POST',
      url: '/api/v1/jobs',
      headers: auth,
      payload: { pipeline: yaml.replace('prompt', 'promt') },
    });
    expect(json.statusCode).toBe(422);
    expect(json.json().error.details.diagnostics.map((d: { code: string }) => d.code)).toContain(
      'schema-additional-property',
    );
    const bad = await a.inject({ method: 'POST', url: '/api/v1/jobs', headers: auth, payload: { nope: 1 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('bad_request');
    const broken = await a.inject({
      method: 'POST',
      url: '/api/v1/jobs',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{not json',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error).toBeDefined();
    // An alias inside the node it refers to (infinite data) once ran the process out of memory.
    const recursive = await a.inject({
      method: 'POST',
      url: '/api/v1/jobs',
      headers: { ...auth, 'content-type': 'application/yaml' },
      payload: yaml.replace('    prompt: hi\n', '    prompt: hi\n    options: &o { again: *o }\n'),
    });
    expect(recursive.statusCode).toBe(422);
    expect(recursive.json().error.details.diagnostics[0]).toMatchObject({
      code: 'yaml-alias-limit',
      range: { start: { line: 7, character: 25 } }, // at `*o`
    });
    expect((await a.inject({ method: 'GET', url: '/api/v1/jobs', headers: auth })).statusCode).toBe(200);
  });

  it('lists jobs newest first with a cursor, and refuses to cancel a finished job', async () => {
    a = await app();
    const yaml = (n: string) =>
      `apiVersion: orchion/v1\nkind: Pipeline\nmetadata: { name: ${n} }\nsteps:\n  - id: a\n    model: echo\n    prompt: hi\n`;
    for (const n of ['one', 'two', 'three']) {
      await a.inject({
        method: 'POST',
        url: '/api/v1/jobs',
        headers: { ...auth, 'content-type': 'text/yaml' },
        payload: yaml(n),
      });
    }
    const p1 = (await a.inject({ method: 'GET', url: '/api/v1/jobs?limit=2', headers: auth })).json();
    expect(p1.jobs.map((j: { name: string }) => j.name)).toEqual(['three', 'two']);
    const p2 = (
      await a.inject({ method: 'GET', url: `/api/v1/jobs?limit=2&cursor=${p1.nextCursor}`, headers: auth })
    ).json();
    expect(p2.jobs.map((j: { name: string }) => j.name)).toEqual(['one']);
    expect(p2.nextCursor).toBeNull();
    const id = p2.jobs[0].id;
    expect(
      (await a.inject({ method: 'POST', url: `/api/v1/jobs/${id}/cancel`, headers: auth })).json().state,
    ).toBe('cancelled');
    const again = await a.inject({ method: 'POST', url: `/api/v1/jobs/${id}/cancel`, headers: auth });
    expect(again.statusCode).toBe(409);
    expect((await a.inject({ method: 'GET', url: '/api/v1/jobs/nope', headers: auth })).statusCode).toBe(404);
    expect(
      (await a.inject({ method: 'GET', url: '/api/v1/jobs?state=weird', headers: auth })).statusCode,
    ).toBe(400);
  });
});
