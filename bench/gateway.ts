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
//   [--reference nginx|haproxy|nginx,haproxy]: a C reverse proxy (from the distribution's packages, started here on a
//   free loopback port) in front of the agent endpoint that direct calls, measured in the same interleaved rounds:
//   the floor for any extra HTTP hop on this machine (bench/gateway/reference.ts; skipped when not installed).
//   [--orch-node-args "ARGS"]: extra node options for the orchestrator (e.g. V8 flags); [--orch-log FILE]: its output.
//   [--warmup MS]: closed-loop warm-up per path, twice (default 1500: V8 tiers the request path up).
//   [--cli PATH]: the orchion CLI bundle to run (default orchestrator/dist/cli.js), e.g. a private copy.
//   [--rates none]: no open loop, only the closed loop.
//   --js-micro [--iterations N]: instead of the above, the gateway's own JavaScript per request, in process
//   (bench/gateway/js-micro.ts).
//   --socket-micro [--round MS] [--rounds N] [--concurrency N] [--micro-rate N]: instead of the above, the mux
//   framing alone over loopback TCP vs a Unix domain socket (bench/gateway/socket-micro.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dataPlaneToken } from '@orchion/proto';
import { printProfile } from './lib/cpu-profile';
import { f } from './lib/format';
import { agent, closedLoop, openLoop, quantile, rotate, type Target } from './gateway/load';
import {
  findReference,
  REFERENCE_NAMES,
  startReference,
  type ReferenceName,
  type ReferenceProxy,
} from './gateway/reference';
import { runJsMicro } from './gateway/js-micro';
import { runSocketMicro, serveSocketMicro } from './gateway/socket-micro';
import { cpuMs, flagReader, freePort, sleep } from './lib/process';

const flag = flagReader(process.argv.slice(2));
const RATES_FLAG = flag('rates', '100,250,500,1000,2000');
const RATES = RATES_FLAG === 'none' ? [] : RATES_FLAG.split(',').map(Number);
const ROUND_MS = Number(flag('round', '1000'));
const ROUNDS = Number(flag('rounds', '3'));
const CONCURRENCY = Number(flag('concurrency', '32'));
const root = join(fileURLToPath(import.meta.url), '../../..');
const CLI = flag('cli', join(root, 'orchestrator/dist/cli.js'));
const CPU_PROF = flag('cpu-prof', '');
const WARMUP_MS = Number(flag('warmup', '1500'));
const ORCH_NODE_ARGS = flag('orch-node-args', '').split(' ').filter(Boolean);
const ORCH_LOG = flag('orch-log', '');
const TRANSPORT = flag('transport', 'mux');
if (TRANSPORT !== 'mux' && TRANSPORT !== 'http') throw new Error('--transport is mux or http');
const REFERENCES = flag('reference', '')
  .split(',')
  .filter(Boolean)
  .map((name) => {
    if (!REFERENCE_NAMES.includes(name as ReferenceName)) {
      throw new Error(`--reference is one or more of ${REFERENCE_NAMES.join(', ')} (comma-separated)`);
    }
    return name as ReferenceName;
  });

const MESSAGES = [{ role: 'user', content: 'hello from the gateway benchmark, eight words' }];

/** stime of a process, in ms (the kernel's share of cpuMs). */
const sysMs = (pid: number): number =>
  (Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[12]) * 1000) / 100;

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

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

interface Cpu {
  orch: number;
  agent: number;
  orchSys: number;
  agentSys: number;
  proxy: number;
  proxySys: number;
  client: number;
  /** Voluntary context switches of the main thread: its wake-ups (blocked in epoll_wait, then woken). */
  agentWake: number;
  hopWake: number;
}
const zeroCpu = (): Cpu => ({
  orch: 0,
  agent: 0,
  orchSys: 0,
  agentSys: 0,
  proxy: 0,
  proxySys: 0,
  client: 0,
  agentWake: 0,
  hopWake: 0,
});

/** Voluntary context switches of a process's main thread. */
const wakeUps = (pid: number): number =>
  Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run node scripts/build.mjs first`);
  const dir = mkdtempSync(join(tmpdir(), 'orchion-bench-gw-'));
  const [httpPort, grpcPort, dpPort] = [await freePort(), await freePort(), await freePort()];
  const orch = spawnCli(
    [
      'orchestrator',
      ...['--data-dir', join(dir, 'orch'), '--http-addr', `127.0.0.1:${httpPort}`],
      ...['--grpc-addr', `127.0.0.1:${grpcPort}`, '--log-format', 'json', '--gateway-queue-depth', '100000'],
    ],
    [...(CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', CPU_PROF] : []), ...ORCH_NODE_ARGS],
  );
  let agentProc: (ChildProcess & { out: () => string }) | undefined;
  const proxies: ReferenceProxy[] = [];
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

    const nodeAuth = { authorization: `Bearer ${dataPlaneToken(join_, nodeId)}` };
    const nodeBody = (stream: boolean) =>
      JSON.stringify({ kind: 'chat', model: 'echo', messages: MESSAGES, stream });
    const direct: Target = {
      name: 'direct',
      path: '/v1/generate',
      port: dpPort,
      headers: nodeAuth,
      body: nodeBody,
    };
    const gateway: Target = {
      name: 'gateway',
      path: '/v1/chat/completions',
      port: httpPort,
      headers: { authorization: `Bearer ${admin}` },
      body: (stream) => JSON.stringify({ model: 'echo', messages: MESSAGES, stream }),
    };
    // A reference proxy forwards the direct path's own request (same path, body and token) to the agent.
    const references: Target[] = [];
    for (const name of REFERENCES) {
      const bin = findReference(name);
      if (!bin) {
        console.log(
          `--reference ${name}: skipped, ${name} is not installed (Debian: apt-get install ${name === 'nginx' ? 'nginx-light' : 'haproxy'})`,
        );
        continue;
      }
      const proxy = await startReference(name, bin, dir, dpPort, async (port) => {
        const r = await fetch(`http://127.0.0.1:${port}/v1/status`, { headers: nodeAuth });
        await r.arrayBuffer();
        return r.ok;
      });
      proxies.push(proxy);
      references.push({ ...direct, name, port: proxy.port });
      console.log(`reference proxy: ${proxy.version} (${bin}), pid ${proxy.pid}, 127.0.0.1:${proxy.port}`);
    }
    const targets = [direct, ...references, gateway];
    const proxyOf = (t: Target) => proxies.find((x) => x.name === t.name);

    console.log(
      `bench:gateway — echo runtime (no inference: the gateway's own cost), ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), load average ${load()}`,
    );
    console.log(`gateway → node transport: ${TRANSPORT}; orchestrator ${CLI}`);
    console.log(
      `rounds of ${ROUND_MS} ms, ${ROUNDS} per path and rate, paths interleaved: ${targets.map((t) => t.name).join(', ')}; warm-up 2 × ${WARMUP_MS} ms closed loop per path\n`,
    );
    // Warm-up: connections, and the JIT: V8 optimizes a process's request path only after thousands of requests
    // (a few hundred left the first, low-rate rounds measuring the orchestrator's and the agent's unoptimized
    // code), so each path first runs closed loops, streaming and not.
    for (let i = 0; i < 2; i++) {
      for (const t of targets) {
        await closedLoop(t, WARMUP_MS, CONCURRENCY);
        await openLoop(t, true, 500, 250);
      }
    }

    const cpuNow = (t: Target): Cpu => {
      const px = proxyOf(t);
      const c = process.cpuUsage();
      return {
        orch: cpuMs(orch.pid!),
        agent: cpuMs(agentProc!.pid!),
        orchSys: sysMs(orch.pid!),
        agentSys: sysMs(agentProc!.pid!),
        proxy: px ? cpuMs(px.pid) : 0,
        proxySys: px ? sysMs(px.pid) : 0,
        client: (c.user + c.system) / 1000,
        agentWake: wakeUps(agentProc!.pid!),
        hopWake: wakeUps(px ? px.pid : orch.pid!),
      };
    };
    const addCpu = (into: Cpu, a: Cpu, b: Cpu) => {
      for (const k of Object.keys(into) as (keyof Cpu)[]) into[k] += b[k] - a[k];
    };
    const latencyRows = new Map<string, string[][]>(targets.slice(1).map((t) => [t.name, []]));
    const cpuRows: string[][] = [];
    const us = (ms: number, n: number) => f((ms * 1000) / n, 0);
    const cpuCells = (t: Target, c: Cpu, n: number) => [
      t.name,
      `${us(c.agent, n)} (${us(c.agentSys, n)})`,
      t.name === 'gateway' ? `${us(c.orch, n)} (${us(c.orchSys, n)})` : `(idle: ${us(c.orch, n)})`,
      proxyOf(t) ? `${us(c.proxy, n)} (${us(c.proxySys, n)})` : '–',
      us(c.client, n),
      `${f(c.agentWake / n, 1)} / ${t.name === 'direct' ? '–' : f(c.hopWake / n, 1)}`,
    ];
    for (const rate of RATES) {
      const acc = new Map(
        targets.map((t) => [
          t.name,
          { nb: [] as number[], st: [] as number[], errors: 0, sent: 0, cpu: zeroCpu() },
        ]),
      );
      for (let round = 0; round < ROUNDS; round++) {
        for (const stream of [false, true]) {
          for (const t of rotate(targets, round)) {
            const cpu0 = cpuNow(t);
            const r = await openLoop(t, stream, rate, ROUND_MS);
            const a = acc.get(t.name)!;
            addCpu(a.cpu, cpu0, cpuNow(t));
            if (stream) a.st.push(...r.firstByte);
            else a.nb.push(...r.total);
            a.errors += r.errors;
            a.sent += r.sent;
          }
        }
      }
      const d = acc.get('direct')!;
      const p = quantile;
      for (const t of targets.slice(1)) {
        const g = acc.get(t.name)!;
        latencyRows
          .get(t.name)!
          .push([
            f(rate),
            `${f(p(d.nb, 0.5), 3)} / ${f(p(d.nb, 0.99), 3)}`,
            `${f(p(g.nb, 0.5), 3)} / ${f(p(g.nb, 0.99), 3)}`,
            `${f(p(g.nb, 0.5) - p(d.nb, 0.5), 3)} / ${f(p(g.nb, 0.99) - p(d.nb, 0.99), 3)}`,
            `${f(p(d.st, 0.5), 3)} / ${f(p(d.st, 0.99), 3)}`,
            `${f(p(g.st, 0.5), 3)} / ${f(p(g.st, 0.99), 3)}`,
            `${f(p(g.st, 0.5) - p(d.st, 0.5), 3)} / ${f(p(g.st, 0.99) - p(d.st, 0.99), 3)}`,
            `${d.errors + g.errors}`,
          ]);
      }
      for (const t of targets)
        cpuRows.push([f(rate), ...cpuCells(t, acc.get(t.name)!.cpu, acc.get(t.name)!.sent)]);
      console.log(
        `rate ${rate}/s done (${[...acc.values()].reduce((n, a) => n + a.sent, 0)} requests), load ${load()}`,
      );
    }
    for (const [name, rows] of RATES.length > 0 ? latencyRows : []) {
      console.log(
        `\nOpen loop, direct vs ${name}, latency in ms, p50 / p99 (non-streaming: whole answer; streaming: first body byte)\n`,
      );
      console.log(`| req/s | direct | ${name} | added | direct TTFT | ${name} TTFT | added TTFT | errors |`);
      console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
      for (const r of rows) console.log(`| ${r.join(' | ')} |`);
    }
    if (cpuRows.length > 0) {
      console.log(
        "\nCPU per request in µs (/proc utime+stime over the rounds of each path; in brackets: of which kernel time; the orchestrator's idle background is shown for the other paths; wake-ups: voluntary context switches per request of the agent's and of the hop's main thread, the orchestrator's or the proxy's)\n",
      );
      console.log('| req/s | path | agent | orchestrator | proxy | load client | wake-ups: agent / hop |');
      console.log('|---:|---|---:|---:|---:|---:|---:|');
      for (const r of cpuRows) console.log(`| ${r.join(' | ')} |`);
    }

    console.log(`\nClosed loop, ${CONCURRENCY} in flight, rounds of ${ROUND_MS * 2} ms, load ${load()}`);
    const tput = new Map(targets.map((t) => [t.name, { rps: [] as number[], cpu: zeroCpu(), done: 0 }]));
    let tErrors = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of rotate(targets, round)) {
        const cpu0 = cpuNow(t);
        const r = await closedLoop(t, ROUND_MS * 2, CONCURRENCY);
        const a = tput.get(t.name)!;
        addCpu(a.cpu, cpu0, cpuNow(t));
        a.rps.push(r.rps);
        a.done += r.done;
        tErrors += r.errors;
      }
    }
    const med = (xs: number[]) => quantile(xs, 0.5);
    const directRps = med(tput.get('direct')!.rps);
    console.log(
      '\n| path | req/s (median) | of direct | rounds (req/s) | agent | orchestrator | proxy | load client | wake-ups: agent / hop |',
    );
    console.log('|---|---:|---:|---|---:|---:|---:|---:|---:|');
    for (const t of targets) {
      const a = tput.get(t.name)!;
      const [, ...cells] = cpuCells(t, a.cpu, a.done);
      console.log(
        `| ${t.name} | ${f(med(a.rps))} | ${f((100 * med(a.rps)) / directRps, 1)} % | ${a.rps.map((x) => f(x)).join(', ')} | ${cells.join(' | ')} |`,
      );
    }
    console.log(
      `(CPU in µs per request over the closed-loop rounds; errors ${tErrors}; load average at the end ${load()})`,
    );
    console.log(
      `\nClosed loop, ${CONCURRENCY} in flight, median of ${ROUNDS} rounds: direct ${f(directRps)} req/s, ${targets
        .slice(1)
        .map(
          (t) =>
            `${t.name} ${f(med(tput.get(t.name)!.rps))} req/s (${f((100 * med(tput.get(t.name)!.rps)) / directRps, 1)} %)`,
        )
        .join(', ')} (errors ${tErrors})`,
    );
  } finally {
    // The profile's "busy" time is sampled by the wall clock (a thread descheduled inside a syscall counts as
    // busy there); the process's CPU time is printed beside it to compare.
    const orchCpu = orch.exitCode === null ? cpuMs(orch.pid!) : NaN;
    for (const px of proxies) await px.stop();
    agentProc?.kill('SIGTERM');
    orch.kill('SIGTERM');
    await new Promise((r) => orch.once('exit', r));
    if (ORCH_LOG) writeFileSync(ORCH_LOG, orch.out());
    if (CPU_PROF) {
      console.log(`\norchestrator CPU time (/proc utime+stime) over its whole run: ${f(orchCpu)} ms`);
      // The main thread's profile: the largest (the orchestrator's worker threads write their own, smaller ones).
      const file = readdirSync(CPU_PROF)
        .filter((x) => x.endsWith('.cpuprofile'))
        .map((x) => ({ x, size: statSync(join(CPU_PROF, x)).size }))
        .sort((a, b) => a.size - b.size)
        .pop()?.x;
      if (file) printProfile('orchestrator', join(CPU_PROF, file), readFileSync(CLI, 'utf8'), basename(CLI));
    }
    agent.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

const argv = process.argv.slice(2);
if (argv[0] === '--socket-micro-server') await serveSocketMicro(argv[1]!);
else if (argv.includes('--js-micro')) runJsMicro(Number(flag('iterations', '500000')));
else if (argv.includes('--socket-micro')) {
  await runSocketMicro(fileURLToPath(import.meta.url), {
    roundMs: ROUND_MS,
    rounds: ROUNDS,
    inFlight: CONCURRENCY,
    rate: Number(flag('micro-rate', '2000')),
  });
} else await main();
