// bench:control-plane — N simulated agents (real gRPC session streams from a load process) heartbeat against
// a real orchestrator process. Reports orchestrator CPU per 1,000 heartbeats, RSS, and GET /api/v1/nodes
// latency, each beside a baseline measured in the same run:
//   - CPU: a bare grpc-js server that only decodes the same session messages (the transport's floor);
//   - latency: GET /healthz on the same orchestrator (the HTTP stack's floor).
// Usage: npm run bench:control-plane -- [--sizes 1000,10000] [--window 20] [--heartbeat 5000]
import * as grpc from '@grpc/grpc-js';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  loadOrchionProto,
  PROTOCOL_VERSION,
  type AgentMessage,
  type OrchestratorMessage__Output,
} from '@orchion/proto';

import { cpuMs, flagReader, freePort, rssMiB, sleep } from './lib/process';

const args = process.argv.slice(2);
const flag = flagReader(args);
const self = fileURLToPath(import.meta.url);
const root = join(self, '../../..');
const CLI = join(root, 'orchestrator/dist/cli.js');
const STREAMS_PER_CHANNEL = 100;

// ---------------------------------------------------------------------------------------------- load process
async function runLoad(
  address: string,
  token: string,
  count: number,
  offset: number,
  heartbeatMs: number,
): Promise<void> {
  const { AgentService } = loadOrchionProto().orchion.v1;
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${token}`);
  const clients = Array.from(
    { length: Math.ceil(count / STREAMS_PER_CHANNEL) },
    () =>
      new AgentService(address, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }),
  );
  let welcomed = 0;
  let failed = 0;
  const calls: grpc.ClientDuplexStream<AgentMessage, OrchestratorMessage__Output>[] = [];
  for (let i = 0; i < count; i++) {
    const call = clients[Math.floor(i / STREAMS_PER_CHANNEL)]!.Session(md);
    call.on('data', (m: OrchestratorMessage__Output) => {
      if (m.welcome && ++welcomed === count) process.send!({ type: 'registered', count });
    });
    call.on('error', () => {});
    call.on('status', (s) => {
      if (s.code !== grpc.status.OK && s.code !== grpc.status.CANCELLED) failed++;
    });
    const id = `sim-${String(offset + i).padStart(6, '0')}`;
    call.write({
      hello: {
        nodeId: id,
        hostname: id,
        labels: { sim: 'true', rack: String(i % 16) },
        agentVersion: 'bench',
        heartbeatIntervalMs: heartbeatMs,
        protocolVersion: PROTOCOL_VERSION,
        capabilities: {
          cpu: { manufacturer: 'AMD', brand: 'EPYC 7B13', cores: 64, physicalCores: 32, speedGhz: 2.45 },
          memory: { totalBytes: 256 * 2 ** 30, freeBytes: 200 * 2 ** 30, availableBytes: 220 * 2 ** 30 },
          os: { platform: 'linux', distro: 'Ubuntu', release: '24.04', kernel: '6.8.0', arch: 'x64' },
          gpus: [
            {
              index: 0,
              vendor: 'NVIDIA',
              model: 'L40S',
              vramTotalBytes: 48 * 2 ** 30,
              vramUsedBytes: 2 ** 30,
              bus: '0',
            },
          ],
        },
      },
    });
    calls.push(call);
    if (i % 200 === 199) await new Promise((r) => setTimeout(r, 5));
  }
  // Heartbeats spread evenly over the interval, like independent agents.
  let seq = 0;
  const tickMs = 50;
  const perTick = count / (heartbeatMs / tickMs);
  let carry = 0;
  let next = 0;
  setInterval(() => {
    carry += perTick;
    const n = Math.floor(carry);
    carry -= n;
    for (let k = 0; k < n; k++) {
      calls[next]!.write({ heartbeat: { seq: ++seq, sentAtMs: Date.now() } });
      next = (next + 1) % count;
    }
  }, tickMs);
  setInterval(() => process.send!({ type: 'stats', sent: seq, failed }), 1000);
}

// ----------------------------------------------------------------------------------------- baseline server
function runBaselineServer(): void {
  const { AgentService } = loadOrchionProto().orchion.v1;
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 1024 * 1024 });
  let heartbeats = 0;
  server.addService(AgentService.service, {
    Session: (call: grpc.ServerDuplexStream<{ payload?: string; hello?: { nodeId: string } }, unknown>) => {
      call.on('data', (m) => {
        if (m.payload === 'hello')
          call.write({ welcome: { nodeId: m.hello!.nodeId, orchestratorVersion: 'baseline' } });
        else if (m.payload === 'heartbeat') heartbeats++;
      });
      call.on('end', () => call.end());
      call.on('error', () => {});
    },
  });
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) throw err;
    process.send!({ type: 'listening', port });
  });
  process.on('message', (m: { type: string }) => {
    if (m.type === 'count') process.send!({ type: 'count', heartbeats });
  });
}

// ------------------------------------------------------------------------------------------------ measuring
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function heartbeatsFromMetrics(url: string, token: string): Promise<number> {
  const text = await (
    await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } })
  ).text();
  return Number(/^orchion_heartbeats_total (\d+)/m.exec(text)?.[1] ?? 0);
}

async function latencies(url: string, token: string, path: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const res = await fetch(url + path, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    out.push(performance.now() - t);
    await sleep(5);
  }
  return out;
}

interface LoadHandle {
  procs: ChildProcess[];
  sent(): number;
  failed(): number;
}

async function startLoad(
  address: string,
  token: string,
  n: number,
  heartbeatMs: number,
): Promise<LoadHandle> {
  const parts = n >= 2000 ? 2 : 1;
  const stats = new Map<number, { sent: number; failed: number }>();
  const procs: ChildProcess[] = [];
  const registered: Promise<void>[] = [];
  for (let p = 0; p < parts; p++) {
    const count = Math.floor(n / parts) + (p === 0 ? n % parts : 0);
    const offset = p === 0 ? 0 : n - count * (parts - p);
    const child = fork(self, ['--load', address, token, String(count), String(offset), String(heartbeatMs)], {
      execArgv: ['--max-old-space-size=4096'],
    });
    procs.push(child);
    registered.push(
      new Promise((res) =>
        child.on('message', (m: { type: string; sent: number; failed: number }) => {
          if (m.type === 'registered') res();
          if (m.type === 'stats') stats.set(p, m);
        }),
      ),
    );
  }
  await Promise.all(registered);
  const sum = (k: 'sent' | 'failed') => [...stats.values()].reduce((a, s) => a + s[k], 0);
  return { procs, sent: () => sum('sent'), failed: () => sum('failed') };
}

async function measureBaseline(n: number, heartbeatMs: number, windowS: number) {
  const server = fork(self, ['--baseline']);
  const port = await new Promise<number>((res) =>
    server.on('message', (m: { type: string; port: number }) => m.type === 'listening' && res(m.port)),
  );
  const load = await startLoad(`127.0.0.1:${port}`, 'unused', n, heartbeatMs);
  const count = () =>
    new Promise<number>((res) => {
      const on = (m: { type: string; heartbeats: number }) => {
        if (m.type === 'count') {
          server.off('message', on);
          res(m.heartbeats);
        }
      };
      server.on('message', on);
      server.send({ type: 'count' });
    });
  await sleep(heartbeatMs);
  const [c0, h0] = [cpuMs(server.pid!), await count()];
  await sleep(windowS * 1000);
  const [c1, h1] = [cpuMs(server.pid!), await count()];
  const result = {
    cpuPer1000: ((c1 - c0) / (h1 - h0)) * 1000,
    cores: (c1 - c0) / (windowS * 1000),
    rss: rssMiB(server.pid!),
  };
  for (const p of load.procs) p.kill('SIGKILL');
  server.kill('SIGKILL');
  return result;
}

async function measureOrchestrator(n: number, heartbeatMs: number, windowS: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'orchion-bench-'));
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  const orch = spawn(
    process.execPath,
    [
      CLI,
      'orchestrator',
      '--data-dir',
      dataDir,
      '--http-addr',
      `127.0.0.1:${httpPort}`,
      '--grpc-addr',
      `127.0.0.1:${grpcPort}`,
      '--log-level',
      'warn',
      '--log-format',
      'json',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const url = `http://127.0.0.1:${httpPort}`;
  for (let i = 0; i < 200; i++) {
    if (
      await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await sleep(50);
  }
  const token = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
  const join_ = readFileSync(join(dataDir, 'join.token'), 'utf8').trim();
  const t0 = performance.now();
  const load = await startLoad(`127.0.0.1:${grpcPort}`, join_, n, heartbeatMs);
  const registerS = (performance.now() - t0) / 1000;
  await sleep(heartbeatMs); // one full heartbeat cycle before measuring
  const [c0, h0] = [cpuMs(orch.pid!), await heartbeatsFromMetrics(url, token)];
  await sleep(windowS * 1000);
  const [c1, h1] = [cpuMs(orch.pid!), await heartbeatsFromMetrics(url, token)];
  const heartbeats = h1 - h0;
  const cpuPer1000 = ((c1 - c0) / heartbeats) * 1000;
  const cores = (c1 - c0) / (windowS * 1000);
  const rss = rssMiB(orch.pid!);
  // API latency under the same heartbeat load: the default page (100 nodes), a full page (1,000), health.
  await latencies(url, token, '/api/v1/nodes', 20);
  const page = await latencies(url, token, '/api/v1/nodes', 300);
  const health = await latencies(url, token, '/healthz', 300);
  const big = await latencies(url, token, '/api/v1/nodes?limit=1000', 50);
  const allStart = performance.now();
  let cursor: string | null = '';
  let listed = 0;
  while (cursor !== null) {
    const body = (await (
      await fetch(`${url}/api/v1/nodes?limit=1000${cursor ? `&cursor=${cursor}` : ''}`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as { nodes: unknown[]; nextCursor: string | null };
    listed += body.nodes.length;
    cursor = body.nextCursor;
  }
  const allMs = performance.now() - allStart;
  const ready = (
    (await (
      await fetch(`${url}/api/v1/nodes?state=ready&limit=1`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as { total: number }
  ).total;
  for (const p of load.procs) p.kill('SIGKILL');
  orch.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
  return {
    registerS,
    heartbeats,
    cpuPer1000,
    cores,
    rss,
    page,
    health,
    big,
    allMs,
    listed,
    ready,
    failed: load.failed(),
  };
}

async function main(): Promise<void> {
  const sizes = flag('sizes', '1000,10000').split(',').map(Number);
  const windowS = Number(flag('window', '20'));
  const heartbeatMs = Number(flag('heartbeat', '5000'));
  console.log(
    `bench:control-plane  heartbeat every ${heartbeatMs} ms, ${windowS} s windows, ${STREAMS_PER_CHANNEL} streams per gRPC channel`,
  );
  for (const n of sizes) {
    const base = await measureBaseline(n, heartbeatMs, windowS);
    const o = await measureOrchestrator(n, heartbeatMs, windowS);
    const f = (x: number, d = 2) => x.toFixed(d);
    console.log(
      `\nN = ${n} agents (registered in ${f(o.registerS, 1)} s; ${o.ready} ready, ${o.failed} failed sessions)`,
    );
    console.log(`  heartbeats in window        ${o.heartbeats} (${f(o.heartbeats / windowS, 0)}/s)`);
    console.log(
      `  CPU per 1,000 heartbeats    ${f(o.cpuPer1000)} ms   baseline grpc-js ${f(base.cpuPer1000)} ms   ratio ${f(o.cpuPer1000 / base.cpuPer1000)}x`,
    );
    console.log(
      `  CPU cores used              ${f(o.cores, 3)}   baseline ${f(base.cores, 3)}   (target <= 0.5)`,
    );
    console.log(`  RSS                         ${f(o.rss, 0)} MiB   baseline ${f(base.rss, 0)} MiB`);
    console.log(
      `  GET /api/v1/nodes (100)     p50 ${f(pct(o.page, 50))} ms  p99 ${f(pct(o.page, 99))} ms   (target p99 <= 20 ms)`,
    );
    console.log(
      `  GET /healthz (floor)        p50 ${f(pct(o.health, 50))} ms  p99 ${f(pct(o.health, 99))} ms   p99 ratio ${f(pct(o.page, 99) / pct(o.health, 99))}x`,
    );
    console.log(`  GET /api/v1/nodes?limit=1000 p50 ${f(pct(o.big, 50))} ms  p99 ${f(pct(o.big, 99))} ms`);
    console.log(`  all ${o.listed} nodes, 1,000 a page  ${f(o.allMs, 0)} ms`);
  }
  process.exit(0);
}

if (args[0] === '--load') void runLoad(args[1]!, args[2]!, Number(args[3]), Number(args[4]), Number(args[5]));
else if (args[0] === '--baseline') runBaselineServer();
else void main();
