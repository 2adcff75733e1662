// bench:gateway — what the gateway adds on top of a node. A real orchestrator process and a real agent process
// serving the ECHO runtime (no model: the answer is the prompt, at once) are started; the same chat request is
// sent, interleaved in short rounds, straight to the agent's data plane (the baseline) and through the gateway
// (POST /v1/chat/completions, OpenAI shape, admin token), open loop at rising rates:
//   - non-streaming: latency p50/p99 of each path, and the difference (the gateway's added latency);
//   - streaming: time to the first token chunk (TTFT) of each path;
//   - closed loop (fixed concurrency): completed requests/s of each path, and the ratio gateway/direct.
// The load generator runs in this process, on the same machine: with few cores the three processes compete, so
// the figures are an upper bound on the gateway's cost; the machine's cores and load average are printed.
// Usage: npm run bench:gateway -- [--rates 100,250,500,1000,2000] [--round 1000] [--rounds 3] [--concurrency 32]
//   [--cpu-prof DIR]: profile the orchestrator and print where its time went.
//   [--transport mux|http]: how the gateway reaches the node (default mux: one multiplexed connection; http: an
//   HTTP request per call, the gateway's data plane before the multiplexed one), to compare both in one session.
//   --socket-micro [--round MS] [--rounds N] [--concurrency N] [--micro-rate N]: instead of the above, the mux
//   framing alone over loopback TCP vs a Unix domain socket (bench/gateway/socket-micro.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dataPlaneToken } from '@orchion/proto';
import { printProfile } from './lib/cpu-profile';
import { f } from './lib/format';
import { runSocketMicro, serveSocketMicro } from './gateway/socket-micro';
import { cpuMs, flagReader, freePort, sleep } from './lib/process';

const flag = flagReader(process.argv.slice(2));
const RATES = flag('rates', '100,250,500,1000,2000').split(',').map(Number);
const ROUND_MS = Number(flag('round', '1000'));
const ROUNDS = Number(flag('rounds', '3'));
const CONCURRENCY = Number(flag('concurrency', '32'));
const root = join(fileURLToPath(import.meta.url), '../../..');
const CLI = join(root, 'orchestrator/dist/cli.js');
const CPU_PROF = flag('cpu-prof', '');
const TRANSPORT = flag('transport', 'mux');
if (TRANSPORT !== 'mux' && TRANSPORT !== 'http') throw new Error('--transport is mux or http');

const MESSAGES = [{ role: 'user', content: 'hello from the gateway benchmark, eight words' }];

interface Target {
  name: 'direct' | 'gateway';
  path: string;
  port: number;
  headers: Record<string, string>;
  body(stream: boolean): string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 1024, maxFreeSockets: 1024, scheduling: 'lifo' });

/** One request: resolves with [time to the first body byte, total] in ms, or rejects. */
function once(t: Target, payload: string): Promise<[number, number]> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    let first = 0;
    const req = request(
      {
        host: '127.0.0.1',
        port: t.port,
        path: t.path,
        method: 'POST',
        agent,
        headers: {
          ...t.headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        res.on('data', () => {
          if (first === 0) first = performance.now() - start;
        });
        res.on('end', () =>
          res.statusCode === 200
            ? resolve([first, performance.now() - start])
            : reject(new Error(`HTTP ${res.statusCode}`)),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

interface RoundResult {
  firstByte: number[];
  total: number[];
  errors: number;
  sent: number;
  elapsedMs: number;
}

/** Open loop: `rate` requests/s for `ms`, whatever the answers' pace. */
async function openLoop(t: Target, stream: boolean, rate: number, ms: number): Promise<RoundResult> {
  const payload = t.body(stream);
  const out: RoundResult = { firstByte: [], total: [], errors: 0, sent: 0, elapsedMs: 0 };
  const pending: Promise<void>[] = [];
  const start = performance.now();
  while (performance.now() - start < ms) {
    const due = Math.floor(((performance.now() - start) / 1000) * rate);
    while (out.sent < due) {
      out.sent++;
      pending.push(
        once(t, payload).then(
          ([fb, total]) => {
            out.firstByte.push(fb);
            out.total.push(total);
          },
          () => void out.errors++,
        ),
      );
    }
    await sleep(1);
  }
  await Promise.all(pending);
  out.elapsedMs = performance.now() - start;
  return out;
}

/** Closed loop: `concurrency` requests always in flight for `ms`; completed requests per second. */
async function closedLoop(
  t: Target,
  ms: number,
  concurrency: number,
): Promise<{ rps: number; errors: number }> {
  const payload = t.body(false);
  let done = 0;
  let errors = 0;
  const end = performance.now() + ms;
  const worker = async () => {
    while (performance.now() < end) {
      try {
        await once(t, payload);
        done++;
      } catch {
        errors++;
      }
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { rps: done / ((performance.now() - start) / 1000), errors };
}

/** stime of a process, in ms (the kernel's share of cpuMs). */
const sysMs = (pid: number): number =>
  (Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[12]) * 1000) / 100;

const quantile = (xs: number[], q: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

function spawnCli(args: string[], nodeArgs: string[] = []): ChildProcess & { out: () => string } {
  const child = spawn(process.execPath, [...nodeArgs, CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ORCHION_LOG_LEVEL: 'warn', ORCHION_GATEWAY_DATA_PLANE: TRANSPORT },
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return Object.assign(child, { out: () => out });
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'orchion-bench-gw-'));
  const [httpPort, grpcPort, dpPort] = [await freePort(), await freePort(), await freePort()];
  const orch = spawnCli(
    [
      'orchestrator',
      ...['--data-dir', join(dir, 'orch'), '--http-addr', `127.0.0.1:${httpPort}`],
      ...['--grpc-addr', `127.0.0.1:${grpcPort}`, '--log-format', 'json', '--gateway-queue-depth', '100000'],
    ],
    CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', CPU_PROF] : [],
  );
  let agentProc: (ChildProcess & { out: () => string }) | undefined;
  try {
    const base = `http://127.0.0.1:${httpPort}`;
    await waitFor('the orchestrator', async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined));
    const admin = readFileSync(join(dir, 'orch/admin.token'), 'utf8').trim();
    const join_ = readFileSync(join(dir, 'orch/join.token'), 'utf8').trim();
    agentProc = spawnCli([
      'agent',
      ...['--orchestrator', `127.0.0.1:${grpcPort}`, '--join-token', join_, '--data-dir', join(dir, 'agent')],
      ...[
        '--runtime',
        'echo',
        '--slots',
        '4096',
        '--data-plane-addr',
        `127.0.0.1:${dpPort}`,
        '--log-format',
        'json',
      ],
    ]);
    const nodeId = await waitFor('the agent', async () => /Node (\S+) joined/.exec(agentProc!.out())?.[1]);
    await waitFor('echo in the gateway', async () => {
      const r = await fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${admin}` } });
      return ((await r.json()) as { data: { id: string }[] }).data.some((m) => m.id === 'echo')
        ? true
        : undefined;
    });

    const direct: Target = {
      name: 'direct',
      path: '/v1/generate',
      port: dpPort,
      headers: { authorization: `Bearer ${dataPlaneToken(join_, nodeId)}` },
      body: (stream) => JSON.stringify({ kind: 'chat', model: 'echo', messages: MESSAGES, stream }),
    };
    const gateway: Target = {
      name: 'gateway',
      path: '/v1/chat/completions',
      port: httpPort,
      headers: { authorization: `Bearer ${admin}` },
      body: (stream) => JSON.stringify({ model: 'echo', messages: MESSAGES, stream }),
    };

    console.log(
      `bench:gateway — echo runtime (no inference: the gateway's own cost), ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
    console.log(`gateway → node transport: ${TRANSPORT}`);
    console.log(`rounds of ${ROUND_MS} ms, ${ROUNDS} per path and rate, direct and gateway interleaved\n`);
    // Warm-up: connections, JIT.
    for (const t of [direct, gateway, direct, gateway]) await openLoop(t, false, 500, 500);

    const rows: string[][] = [];
    const cpuRows: string[][] = [];
    const cpuNow = () => ({
      orch: cpuMs(orch.pid!),
      agent: cpuMs(agentProc!.pid!),
      orchSys: sysMs(orch.pid!),
      agentSys: sysMs(agentProc!.pid!),
      client: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
    });
    for (const rate of RATES) {
      const fresh = () => ({
        nb: [] as number[],
        st: [] as number[],
        errors: 0,
        sent: 0,
        ms: 0,
        cpu: { orch: 0, agent: 0, client: 0, orchSys: 0, agentSys: 0 },
      });
      const acc = { direct: fresh(), gateway: fresh() };
      for (let round = 0; round < ROUNDS; round++) {
        for (const stream of [false, true]) {
          for (const t of round % 2 === 0 ? [direct, gateway] : [gateway, direct]) {
            const cpu0 = cpuNow();
            const r = await openLoop(t, stream, rate, ROUND_MS);
            const a = acc[t.name];
            const cpu1 = cpuNow();
            a.cpu.orch += cpu1.orch - cpu0.orch;
            a.cpu.agent += cpu1.agent - cpu0.agent;
            a.cpu.client += cpu1.client - cpu0.client;
            a.cpu.orchSys += cpu1.orchSys - cpu0.orchSys;
            a.cpu.agentSys += cpu1.agentSys - cpu0.agentSys;
            if (stream) a.st.push(...r.firstByte);
            else a.nb.push(...r.total);
            a.errors += r.errors;
            a.sent += r.sent;
            a.ms += r.elapsedMs;
          }
        }
      }
      const d = acc.direct;
      const g = acc.gateway;
      const p = (xs: number[], q: number) => quantile(xs, q);
      rows.push([
        f(rate),
        `${f(p(d.nb, 0.5), 3)} / ${f(p(d.nb, 0.99), 3)}`,
        `${f(p(g.nb, 0.5), 3)} / ${f(p(g.nb, 0.99), 3)}`,
        `${f(p(g.nb, 0.5) - p(d.nb, 0.5), 3)} / ${f(p(g.nb, 0.99) - p(d.nb, 0.99), 3)}`,
        `${f(p(d.st, 0.5), 3)} / ${f(p(d.st, 0.99), 3)}`,
        `${f(p(g.st, 0.5), 3)} / ${f(p(g.st, 0.99), 3)}`,
        `${f(p(g.st, 0.5) - p(d.st, 0.5), 3)} / ${f(p(g.st, 0.99) - p(d.st, 0.99), 3)}`,
        `${d.errors + g.errors}`,
      ]);
      const us = (ms: number, n: number) => f((ms * 1000) / n, 0);
      cpuRows.push([
        f(rate),
        us(d.cpu.agent, d.sent),
        us(d.cpu.orch, d.sent),
        `${us(g.cpu.agent, g.sent)} (${us(g.cpu.agentSys, g.sent)})`,
        `${us(g.cpu.orch, g.sent)} (${us(g.cpu.orchSys, g.sent)})`,
        us(d.cpu.client, d.sent),
        us(g.cpu.client, g.sent),
      ]);
      console.log(`rate ${rate}/s done (${d.sent + g.sent} requests)`);
    }
    console.log(
      '\nOpen loop, latency in ms, p50 / p99 (non-streaming: whole answer; streaming: first token chunk)\n',
    );
    console.log('| req/s | direct | gateway | added | direct TTFT | gateway TTFT | added TTFT | errors |');
    console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
    console.log(
      '\nCPU per request in µs (/proc utime+stime over the rounds of each path; the orchestrator column of direct rounds is its idle background; in brackets: of which kernel time)\n',
    );
    console.log(
      '| req/s | direct: agent | direct: orchestrator | gateway: agent | gateway: orchestrator | direct: load client | gateway: load client |',
    );
    console.log('|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of cpuRows) console.log(`| ${r.join(' | ')} |`);

    const tput = { direct: [] as number[], gateway: [] as number[] };
    let tErrors = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of round % 2 === 0 ? [direct, gateway] : [gateway, direct]) {
        const r = await closedLoop(t, ROUND_MS * 2, CONCURRENCY);
        tput[t.name].push(r.rps);
        tErrors += r.errors;
      }
    }
    const med = (xs: number[]) => quantile(xs, 0.5);
    console.log(
      `\nClosed loop, ${CONCURRENCY} in flight, median of ${ROUNDS} rounds: direct ${f(med(tput.direct))} req/s, gateway ${f(med(tput.gateway))} req/s, ratio ${f((100 * med(tput.gateway)) / med(tput.direct), 1)} % (errors ${tErrors})`,
    );
  } finally {
    // The profile's "busy" time is sampled by the wall clock (a thread descheduled inside a syscall counts as
    // busy there); the process's CPU time is printed beside it to compare.
    const orchCpu = orch.exitCode === null ? cpuMs(orch.pid!) : NaN;
    agentProc?.kill('SIGTERM');
    orch.kill('SIGTERM');
    await new Promise((r) => orch.once('exit', r));
    if (CPU_PROF) {
      console.log(`\norchestrator CPU time (/proc utime+stime) over its whole run: ${f(orchCpu)} ms`);
      const file = readdirSync(CPU_PROF)
        .filter((x) => x.endsWith('.cpuprofile'))
        .sort()
        .pop();
      if (file) printProfile('orchestrator', join(CPU_PROF, file), readFileSync(CLI, 'utf8'), 'cli.js');
    }
    agent.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

const argv = process.argv.slice(2);
if (argv[0] === '--socket-micro-server') await serveSocketMicro(argv[1]!);
else if (argv.includes('--socket-micro')) {
  await runSocketMicro(fileURLToPath(import.meta.url), {
    roundMs: ROUND_MS,
    rounds: ROUNDS,
    inFlight: CONCURRENCY,
    rate: Number(flag('micro-rate', '2000')),
  });
} else await main();
