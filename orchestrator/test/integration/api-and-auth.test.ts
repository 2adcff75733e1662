// Tokens, error shapes, malformed gRPC input and the CLI's error handling, against a real orchestrator process.
import type { ApiErrorBody } from '@orchion/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { loadOrchionProto, PROTOCOL_VERSION, type AgentMessage, type Hello } from '@orchion/proto';
import {
  cleanup,
  cli,
  freePort,
  startAgentProc,
  startOrchestratorProc,
  tempDir,
  waitFor,
  type OrchestratorProc,
  type Proc,
} from './harness';

const goodHello = (nodeId: string): Hello => ({
  nodeId,
  hostname: 'test-host',
  labels: {},
  agentVersion: 'test',
  heartbeatIntervalMs: 1000,
  protocolVersion: PROTOCOL_VERSION,
  capabilities: {
    cpu: { manufacturer: 'x', brand: 'y', cores: 1, physicalCores: 1, speedGhz: 1 },
    memory: { totalBytes: 1, freeBytes: 1, availableBytes: 1 },
    os: { platform: 'linux', distro: 'd', release: 'r', kernel: 'k', arch: 'x64' },
    gpus: [],
  },
});

/** Opens a session, sends the messages, and resolves with the final status (and whether a welcome came). */
function session(
  address: string,
  token: string | undefined,
  messages: AgentMessage[],
): Promise<{ code: grpc.status; details: string; welcomed: boolean }> {
  const { AgentService } = loadOrchionProto().orchion.v1;
  const client = new AgentService(address, grpc.credentials.createInsecure());
  const md = new grpc.Metadata();
  if (token) md.set('authorization', `Bearer ${token}`);
  const call = client.Session(md);
  let welcomed = false;
  return new Promise((resolve) => {
    call.on('data', (m) => {
      if (m.welcome) {
        welcomed = true;
        call.end();
      }
    });
    call.on('error', () => {});
    call.on('status', (s) => {
      client.close();
      resolve({ code: s.code, details: s.details, welcomed });
    });
    for (const m of messages) call.write(m);
  });
}

describe('API and agent authentication, bad input', () => {
  const dirs: string[] = [];
  const procs: Proc[] = [];
  let orch: OrchestratorProc;

  beforeAll(async () => {
    const dataDir = tempDir();
    dirs.push(dataDir);
    orch = await startOrchestratorProc({ dataDir, httpPort: await freePort(), grpcPort: await freePort() });
    procs.push(orch);
  });
  afterAll(() => cleanup(procs, dirs));

  it('stores generated tokens with mode 0600', () => {
    for (const f of ['admin.token', 'join.token']) {
      expect(statSync(join(orch.dataDir, f)).mode & 0o777).toBe(0o600);
    }
  });

  it('answers 401 without or with a wrong token, as JSON, and serves /healthz openly', async () => {
    const none = await fetch(`${orch.httpUrl}/api/v1/nodes`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as ApiErrorBody).error.code).toBe('unauthorized');
    const wrong = await fetch(`${orch.httpUrl}/api/v1/nodes`, {
      headers: { authorization: 'Bearer nope-secret-123' },
    });
    expect(wrong.status).toBe(401);
    const metrics = await fetch(`${orch.httpUrl}/metrics`);
    expect(metrics.status).toBe(401);
    expect((await fetch(`${orch.httpUrl}/healthz`)).status).toBe(200);
    // The presented token never reaches the logs.
    expect(orch.output()).not.toContain('nope-secret-123');
  });

  it('gives JSON errors with fitting statuses', async () => {
    const auth = { authorization: `Bearer ${orch.adminToken}` };
    const missing = await fetch(`${orch.httpUrl}/api/v1/nodes/does-not-exist`, { headers: auth });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: { code: 'not_found', message: 'node does-not-exist not found' },
    });
    const badLimit = await fetch(`${orch.httpUrl}/api/v1/nodes?limit=0`, { headers: auth });
    expect(badLimit.status).toBe(400);
    expect(((await badLimit.json()) as ApiErrorBody).error.code).toBe('bad_request');
    const badState = await fetch(`${orch.httpUrl}/api/v1/nodes?state=sleepy`, { headers: auth });
    expect(badState.status).toBe(400);
    const noRoute = await fetch(`${orch.httpUrl}/api/v1/nope`, { headers: auth });
    expect(noRoute.status).toBe(404);
    expect(((await noRoute.json()) as ApiErrorBody).error.code).toBe('not_found');
  });

  it('serves Prometheus metrics with a token', async () => {
    const res = await fetch(`${orch.httpUrl}/metrics`, {
      headers: { authorization: `Bearer ${orch.adminToken}` },
    });
    const text = await res.text();
    expect(text).toMatch(/^orchion_nodes\{state="ready"\} \d+$/m);
    expect(text).toContain('orchion_heartbeats_total');
    expect(text).toContain('orchion_http_request_duration_seconds_bucket');
  });

  it('rejects sessions without or with a wrong join token (UNAUTHENTICATED)', async () => {
    const hello = { hello: goodHello('n-unauth') };
    expect((await session(orch.grpcAddress, undefined, [hello])).code).toBe(grpc.status.UNAUTHENTICATED);
    expect((await session(orch.grpcAddress, 'join_wrong', [hello])).code).toBe(grpc.status.UNAUTHENTICATED);
  });

  it('makes an agent with a wrong join token exit with one clear line', async () => {
    const dir = tempDir('orchion-agent-');
    dirs.push(dir);
    const agent = startAgentProc({
      orchestrator: orch.grpcAddress,
      joinToken: 'join_badbadbad',
      dataDir: dir,
    });
    expect(await agent.exited).toBe(1);
    expect(agent.output()).toMatch(/orchion: the orchestrator refused this agent: UNAUTHENTICATED/);
    expect(orch.output()).not.toContain('join_badbadbad');
  });

  it('rejects malformed registrations with INVALID_ARGUMENT and keeps serving', async () => {
    const cases: AgentMessage[][] = [
      [{ hello: { ...goodHello('bad id with spaces') } }],
      [{ hello: { ...goodHello('ok-id'), hostname: '' } }],
      [{ hello: { ...goodHello('ok-id'), capabilities: undefined } }],
      [{ hello: { ...goodHello('ok-id'), heartbeatIntervalMs: 1 } }],
      [{ hello: { ...goodHello('ok-id'), protocolVersion: 99 } }],
      [{ hello: { ...goodHello('ok-id'), labels: { 'bad key!': 'x' } } }],
      [{ heartbeat: { seq: 1 } }],
      [{}],
    ];
    for (const messages of cases) {
      const s = await session(orch.grpcAddress, orch.joinToken, messages);
      expect(s.code, JSON.stringify(messages)).toBe(grpc.status.INVALID_ARGUMENT);
      expect(s.welcomed).toBe(false);
    }
    const ok = await session(orch.grpcAddress, orch.joinToken, [{ hello: goodHello('well-formed') }]);
    expect(ok.welcomed).toBe(true);
  });

  it('survives oversized and undecodable messages', async () => {
    const big = await session(orch.grpcAddress, orch.joinToken, [
      { hello: { ...goodHello('big'), labels: { big: 'x'.repeat(2 * 1024 * 1024) } } },
    ]);
    expect(big.code).toBe(grpc.status.RESOURCE_EXHAUSTED);

    // Raw bytes that are not a valid AgentMessage.
    const Raw = grpc.makeGenericClientConstructor(
      {
        Session: {
          path: '/orchion.v1.AgentService/Session',
          requestStream: true,
          responseStream: true,
          requestSerialize: (b: Buffer) => b,
          requestDeserialize: (b: Buffer) => b,
          responseSerialize: (b: Buffer) => b,
          responseDeserialize: (b: Buffer) => b,
        },
      },
      'AgentService',
    );
    const client = new Raw(orch.grpcAddress, grpc.credentials.createInsecure());
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${orch.joinToken}`);
    const call = (
      client as unknown as { Session(md: grpc.Metadata): grpc.ClientDuplexStream<Buffer, Buffer> }
    ).Session(md);
    const status = await new Promise<grpc.StatusObject>((resolve) => {
      call.on('error', () => {});
      call.on('data', () => {});
      call.on('status', resolve);
      call.write(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, ...randomBytes(32)]));
    });
    client.close();
    expect(status.code).not.toBe(grpc.status.OK);
    // Still serving, both sides.
    expect((await fetch(`${orch.httpUrl}/healthz`)).ok).toBe(true);
    expect(
      (await session(orch.grpcAddress, orch.joinToken, [{ hello: goodHello('after-garbage') }])).welcomed,
    ).toBe(true);
  });

  it('resumes the event stream from Last-Event-ID and says when history is gone', async () => {
    const all: number[] = [];
    const ac = new AbortController();
    const p = orch.client.streamEvents((e) => all.push(e.id), { lastEventId: 0, signal: ac.signal });
    await waitFor('history', () => all.length >= 2, 5_000);
    ac.abort();
    await p.catch(() => {});
    const from = all[0]!;
    const resumed: number[] = [];
    const ac2 = new AbortController();
    const p2 = orch.client.streamEvents((e) => resumed.push(e.id), { lastEventId: from, signal: ac2.signal });
    await waitFor('resumed', () => resumed.length >= all.length - 1, 5_000);
    ac2.abort();
    await p2.catch(() => {});
    expect(resumed.slice(0, all.length - 1)).toEqual(all.slice(1));

    const types: string[] = [];
    const ac3 = new AbortController();
    const p3 = orch.client.streamEvents((e) => types.push(e.type), {
      lastEventId: 10_000_000,
      signal: ac3.signal,
    });
    await waitFor('reset', () => types.includes('reset'), 5_000);
    ac3.abort();
    await p3.catch(() => {});
  });

  it('CLI: lists nodes as a table and as the API JSON', async () => {
    const env = { ORCHION_URL: orch.httpUrl, ORCHION_TOKEN: orch.adminToken };
    const table = await cli(['nodes'], env);
    expect(table.code).toBe(0);
    expect(table.output).toMatch(/^ID\s+HOSTNAME\s+STATE/m);
    expect(table.output).toContain('well-formed');
    const json = await cli(['nodes', '--json'], env);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.output);
    expect(parsed.nodes.length).toBe(parsed.total);
    const one = await cli(['node', 'well-f', '--json'], env);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.output).id).toBe('well-formed');
    const missing = await cli(['node', 'zzz'], env);
    expect(missing.code).toBe(1);
    expect(missing.output.trim()).toBe('orchion: no node with id "zzz"');
  });

  it('CLI: one clear line and a non-zero exit for unknown flags, bad tokens and unreachable orchestrators', async () => {
    const unknown = await cli(['nodes', '--frobnicate']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.output.trim().split('\n')).toHaveLength(1);
    expect(unknown.output).toContain("unknown option '--frobnicate'");

    const port = await freePort();
    const down = await cli(['nodes', '--url', `http://127.0.0.1:${port}`, '--token', 'x']);
    expect(down.code).toBe(1);
    expect(down.output.trim().split('\n')).toHaveLength(1);
    expect(down.output).toMatch(
      /^orchion: cannot reach the orchestrator at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
    );

    const unauth = await cli(['nodes', '--url', orch.httpUrl, '--token', 'wrong']);
    expect(unauth.code).toBe(1);
    expect(unauth.output.trim().split('\n')).toHaveLength(1);
    expect(unauth.output).toMatch(/refused the token/);

    const noJoin = await cli(['agent', '--orchestrator', orch.grpcAddress], { ORCHION_JOIN_TOKEN: '' });
    expect(noJoin.code).not.toBe(0);
    expect(noJoin.output).toContain('--join-token');
  });
});
