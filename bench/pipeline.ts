// bench:pipeline — the whole stack (HTTP submit → orchestrator engine, scheduler and SQLite → gRPC → agent
// executor → runtime → back) on real orchestrator and agent processes over loopback. Two parts, each beside a
// baseline measured in the same run:
//   1. echo: completed tasks/s from the first submit to the last job's finish (the orchestrator's finishedAt),
//      with agents running the echo runtime without delay; jobs of many independent short steps, then chains.
//      Baseline: the same number of echo generations called directly on an EchoRuntime in this process. The CPU
//      time each process spent per task shows where the time goes; `--cpu-prof [DIR]` profiles the orchestrator
//      and the first agent and prints their top functions (`--jobs 0` or `--chains 0` leaves a workload out).
//   2. tokens: the embedded runtime (llama.cpp with the generated tiny model, 1 thread, temperature 0) through the
//      stack vs node-llama-cpp called directly in this process, in interleaved rounds: medians, ratios paired by
//      round, and where a job's wall time goes (the orchestrator's timestamps, the worker's logged timing).
// Usage: npm run bench:pipeline -- [--part all|echo|tokens] [--jobs 20] [--steps 500] [--chains 200]
//   [--chain-length 10] [--agents 2] [--slots 64] [--rounds 21] [--max-tokens 200] [--cpu-prof [DIR]]
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OrchionClient, type JobState, type JobSummary, type JobView } from '@orchion/api';
import { EchoRuntime } from '../agent/src/runtimes/echo';
import { TINY_MODEL_FILE, TINY_MODEL_NAME, writeTinyModel } from '../agent/src/models/tiny-model';
import { printProfile } from './lib/cpu-profile';
import { f, pct } from './lib/format';
import { cpuMs, flagReader, freePort, sleep } from './lib/process';

const args = process.argv.slice(2);
const flag = flagReader(args);
const self = fileURLToPath(import.meta.url);
const root = join(self, '../../..');

const PART = flag('part', 'all');
const JOBS = Number(flag('jobs', '20'));
const STEPS = Number(flag('steps', '500'));
const CHAINS = Number(flag('chains', '200'));
const CHAIN_LENGTH = Number(flag('chain-length', '10'));
const AGENTS = Number(flag('agents', '2'));
const SLOTS = Number(flag('slots', '64'));
const ROUNDS = Number(flag('rounds', '21'));
const MAX_TOKENS = Number(flag('max-tokens', '200'));
/** `--cli PATH`: the orchion CLI bundle to run (e.g. a private build, so that a rebuild mid-run changes nothing). */
const CLI = flag('cli', join(root, 'orchestrator/dist/cli.js'));
/** `--cpu-prof [DIR]`: profile the echo part's orchestrator and first agent (default dir: artifacts/cpu-prof). */
const CPU_PROF = args.includes('--cpu-prof')
  ? flag('cpu-prof', '').startsWith('--') || flag('cpu-prof', '') === ''
    ? join(root, 'artifacts/cpu-prof')
    : flag('cpu-prof', '')
  : undefined;
/** Submissions in flight at once. */
const SUBMIT_CONCURRENCY = 4;
/** An echo step's prompt: 4 word tokens out. */
const ECHO_PROMPT = 'alpha beta gamma delta';
const TERMINAL: ReadonlySet<JobState> = new Set(['succeeded', 'failed', 'cancelled']);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
/** Other work on the machine skews every figure: print the load average beside them. */
const load = () => `load average ${loadavg()[0]!.toFixed(2)}`;

// -------------------------------------------------------------------------------------------- processes
interface Proc {
  name: string;
  child: ChildProcess;
  exited: Promise<void>;
  /** The tail of its stdout and stderr (logs at level warn and above). */
  output(): string;
}

const live = new Set<ChildProcess>();
const tempDirs: string[] = [];
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(d);
  return d;
}

function spawnCli(name: string, cliArgs: string[], nodeArgs: string[] = []): Proc {
  const child = spawn(process.execPath, [...nodeArgs, CLI, ...cliArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let out = '';
  const keep = (d: Buffer) => (out = (out + d.toString()).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((res) =>
    child.on('exit', () => {
      live.delete(child);
      res();
    }),
  );
  return { name, child, exited, output: () => out };
}

/** SIGTERM (a graceful stop, which also writes a --cpu-prof profile), SIGKILL if it lingers. */
async function stop(p: Proc, graceMs = 10_000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(timer);
}

const selfCpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

// ----------------------------------------------------------------------------------------------- cluster
interface Cluster {
  url: string;
  token: string;
  client: OrchionClient;
  orch: Proc;
  agents: Proc[];
  /** Throws when a process of the cluster has died. */
  check(): void;
  /** Follows /api/v1/events, when asked for. */
  watcher?: JobWatcher;
}

async function startCluster(
  agentArgs: string[][],
  opts: { profileDir?: string; watch?: boolean } = {},
): Promise<Cluster> {
  const { profileDir } = opts;
  const dataDir = tempDir('orchion-bench-orch-');
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  const prof = (name: string) => (profileDir ? ['--cpu-prof', '--cpu-prof-dir', join(profileDir, name)] : []);
  const orch = spawnCli(
    'orchestrator',
    [
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
    prof('orchestrator'),
  );
  const url = `http://127.0.0.1:${httpPort}`;
  for (let i = 0; ; i++) {
    if (orch.child.exitCode !== null) throw new Error(`the orchestrator exited: ${orch.output()}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 400) throw new Error('the orchestrator did not come up in 20 s');
    await sleep(50);
  }
  const token = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
  const joinToken = readFileSync(join(dataDir, 'join.token'), 'utf8').trim();
  const client = new OrchionClient({ url, token, timeoutMs: 120_000 });
  const agents = agentArgs.map((extra, i) =>
    spawnCli(
      `agent ${i + 1}`,
      [
        'agent',
        '--orchestrator',
        `127.0.0.1:${grpcPort}`,
        '--join-token',
        joinToken,
        '--data-dir',
        tempDir('orchion-bench-agent-'),
        '--log-level',
        'warn',
        '--log-format',
        'json',
        ...extra,
      ],
      i === 0 ? prof('agent') : [],
    ),
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    for (const a of agents) {
      if (a.child.exitCode !== null) throw new Error(`${a.name} exited: ${a.output()}`);
    }
    const { nodes } = await client.listNodes({ state: 'ready' });
    if (nodes.length === agents.length && nodes.every((n) => n.models.length > 0)) break;
    if (Date.now() > deadline) throw new Error(`agents not ready after 60 s (${nodes.length} ready)`);
    await sleep(100);
  }
  const check = (): void => {
    for (const p of [orch, ...agents]) {
      if (p.child.exitCode !== null || p.child.signalCode !== null) {
        throw new Error(`${p.name} exited (${p.child.exitCode ?? p.child.signalCode}): ${p.output()}`);
      }
    }
  };
  const watcher = opts.watch ? new JobWatcher(url, token, check) : undefined;
  await watcher?.connected;
  return { url, token, client, orch, agents, check, watcher };
}

async function stopCluster(c: Cluster): Promise<void> {
  c.watcher?.close();
  await Promise.all(c.agents.map((a) => stop(a)));
  await stop(c.orch);
}

// ------------------------------------------------------------------------------------------ job watching
/**
 * Waits until the orchestrator has no queued or running job (polling two one-job pages, which costs it little),
 * then returns the summaries of `ids`. Part 1 watches this way rather than on /api/v1/events: an SSE client is
 * cut off under this load and cannot resume (see docs/benchmarks.md).
 */
async function waitIdle(c: Cluster, ids: string[], timeoutMs: number): Promise<JobSummary[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [queued, running] = await Promise.all([
      c.client.listJobs({ state: 'queued', limit: 1 }),
      c.client.listJobs({ state: 'running', limit: 1 }),
    ]);
    if (queued.jobs.length === 0 && running.jobs.length === 0) break;
    c.check();
    if (Date.now() > deadline) throw new Error(`jobs still unfinished after ${timeoutMs / 1000} s`);
    await sleep(50);
  }
  const all = new Map<string, JobSummary>();
  let cursor: string | undefined;
  do {
    const page = await c.client.listJobs({ limit: 500, cursor });
    for (const j of page.jobs) all.set(j.id, j);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return ids.map((id) => all.get(id)!);
}

/**
 * Follows /api/v1/events and records when each job is seen finished (resuming with Last-Event-ID if the stream
 * drops). Only `job.updated` frames are parsed; the `step.updated` ones are skipped unread.
 */
class JobWatcher {
  /** When each job was seen finished: `at` on the performance clock, `date` on the wall clock. */
  readonly finished = new Map<string, { at: number; date: number; summary: JobSummary }>();
  readonly connected: Promise<void>;
  private readonly ac = new AbortController();
  private lastId: string | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly url: string,
    private readonly token: string,
    /** Throws when a process of the cluster has died. */
    private readonly check: () => void,
  ) {
    let ready!: () => void;
    this.connected = new Promise((r) => (ready = r));
    void this.loop(ready);
  }

  close(): void {
    this.ac.abort();
  }

  /** Resolves with the time the last of `ids` was seen finished. */
  async waitAll(ids: string[], timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const missing = ids.filter((id) => !this.finished.has(id));
      if (missing.length === 0) return Math.max(...ids.map((id) => this.finished.get(id)!.at));
      this.check();
      if (Date.now() > deadline) throw new Error(`${missing.length} of ${ids.length} jobs did not finish`);
      await new Promise<void>((r) => {
        this.wake = r;
        setTimeout(r, 1000);
      });
    }
  }

  private async loop(ready: () => void): Promise<void> {
    while (!this.ac.signal.aborted) {
      try {
        const headers: Record<string, string> = {
          authorization: `Bearer ${this.token}`,
          accept: 'text/event-stream',
        };
        if (this.lastId) headers['last-event-id'] = this.lastId;
        const res = await fetch(`${this.url}/api/v1/events`, { headers, signal: this.ac.signal });
        if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
        ready();
        const decoder = new TextDecoder();
        let buf = '';
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buf += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = buf.indexOf('\n\n')) >= 0) {
            this.frame(buf.slice(0, end));
            buf = buf.slice(end + 2);
          }
        }
      } catch (err) {
        if (this.ac.signal.aborted) return;
        console.error(
          `  (events stream dropped: ${(err as Error).message} ${String((err as Error).cause ?? '')}; resuming)`,
        );
      }
      await sleep(100);
    }
  }

  private frame(text: string): void {
    let event = '';
    let data = '';
    for (const line of text.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('id: ')) this.lastId = line.slice(4);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    if (event !== 'job.updated') return;
    const summary = (JSON.parse(data) as { data: JobSummary }).data;
    if (!TERMINAL.has(summary.state) || this.finished.has(summary.id)) return;
    this.finished.set(summary.id, { at: performance.now(), date: Date.now(), summary });
    this.wake?.();
  }
}

async function submit(c: Cluster, pipeline: string): Promise<JobView> {
  const res = await fetch(`${c.url}/api/v1/jobs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ pipeline }),
  });
  if (res.status !== 201) throw new Error(`submit: HTTP ${res.status}: ${await res.text()}`);
  return (await res.json()) as JobView;
}

// ------------------------------------------------------------------------------------------- part 1: echo
const header = (name: string) =>
  `apiVersion: orchion/v1\nkind: Pipeline\nmetadata: { name: ${name} }\n` +
  `defaults: { model: echo, runtime: echo, options: { max_tokens: 16 } }\nsteps:\n`;

/** `steps` independent steps. */
const fanOutPipeline = (steps: number): string =>
  header('fan-out') +
  Array.from({ length: steps }, (_, i) => `  - { id: s${i}, prompt: "${ECHO_PROMPT}" }\n`).join('');

/** A chain: each step echoes the output of the one before it. */
const chainPipeline = (length: number): string =>
  header('chain') +
  Array.from({ length }, (_, i) =>
    i === 0
      ? `  - { id: s0, prompt: "${ECHO_PROMPT}" }\n`
      : `  - { id: s${i}, needs: [s${i - 1}], prompt: "\${{ steps.s${i - 1}.output }}" }\n`,
  ).join('');

interface EchoFigures {
  label: string;
  jobs: number;
  tasks: number;
  seconds: number;
  submitSeconds: number;
  cpu: { name: string; ms: number }[];
  /** The load average when it ended. */
  load: string;
}

async function runEchoWorkload(
  c: Cluster,
  label: string,
  pipeline: string,
  jobs: number,
  tasksPerJob: number,
): Promise<EchoFigures> {
  const procs = [c.orch, ...c.agents];
  const cpu0 = procs.map((p) => cpuMs(p.child.pid!));
  const self0 = selfCpuMs();
  const ids: string[] = [];
  const t0 = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(SUBMIT_CONCURRENCY, jobs) }, async () => {
      while (next < jobs) {
        next++;
        ids.push((await submit(c, pipeline)).id);
      }
    }),
  );
  const submitted = Date.now();
  const summaries = await waitIdle(c, ids, 600_000);
  const cpu = procs.map((p, i) => ({ name: p.name, ms: cpuMs(p.child.pid!) - cpu0[i]! }));
  cpu.push({ name: 'bench (client)', ms: selfCpuMs() - self0 });
  for (const s of summaries) {
    if (s.state !== 'succeeded' || s.steps.succeeded !== tasksPerJob) {
      throw new Error(`job ${s.id} ended ${s.state} with ${JSON.stringify(s.steps)}: ${s.error}`);
    }
  }
  // The orchestrator's own finish times (same machine, same clock): the polling interval does not count.
  const end = Math.max(...summaries.map((s) => Date.parse(s.finishedAt!)));
  return {
    label,
    jobs,
    tasks: jobs * tasksPerJob,
    seconds: (end - t0) / 1000,
    submitSeconds: (submitted - t0) / 1000,
    cpu,
    load: load(),
  };
}

/** The same number of echo generations, called one after another on an EchoRuntime in this process. */
async function echoBaseline(tasks: number): Promise<number> {
  const rt = new EchoRuntime();
  let sink = 0;
  const once = async () => {
    const r = await rt.complete({
      model: 'echo',
      prompt: ECHO_PROMPT,
      options: { maxTokens: 16 },
      onToken: (t) => (sink += t.length),
    });
    sink += r.completionTokens;
  };
  for (let i = 0; i < 2000; i++) await once(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < tasks; i++) await once();
  const seconds = (performance.now() - t0) / 1000;
  if (sink === 0) throw new Error('the echo runtime produced nothing');
  return seconds;
}

function printEcho(r: EchoFigures, baselineSeconds: number): void {
  const perSec = r.tasks / r.seconds;
  const basePerSec = r.tasks / baselineSeconds;
  console.log(`\n${r.label}: ${f(r.jobs)} jobs, ${f(r.tasks)} tasks (${r.load} at the end)`);
  console.log(
    `  end to end                  ${f(perSec)} tasks/s   (${f(r.seconds, 2)} s; submits took ${f(r.submitSeconds, 2)} s)   target >= 2,000`,
  );
  console.log(
    `  in-process EchoRuntime      ${f(basePerSec)} tasks/s   (${f(baselineSeconds * 1000, 1)} ms)   ratio ${pct(perSec / basePerSec)}`,
  );
  console.log(
    `  per task                    ${f((r.seconds / r.tasks) * 1e6, 1)} µs wall   vs ${f((baselineSeconds / r.tasks) * 1e6, 2)} µs in process`,
  );
  const total = r.cpu.reduce((a, p) => a + p.ms, 0);
  console.log(
    `  CPU (${cpus().length} cores; ${f(total / 1000 / r.seconds, 2)} cores busy)  ` +
      r.cpu.map((p) => `${p.name} ${f((p.ms / r.tasks) * 1000)} µs/task`).join(', '),
  );
}

async function echoPart(): Promise<void> {
  const agentArgs = Array.from({ length: AGENTS }, () => ['--runtime', 'echo', '--slots', String(SLOTS)]);
  const profileDir = CPU_PROF;
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  console.log(
    `\n== Part 1: echo tasks/s end to end (${AGENTS} agents, --runtime echo --slots ${SLOTS}, no token delay` +
      `${profileDir ? `; PROFILED with --cpu-prof into ${profileDir}` : ''}; ${load()})`,
  );
  // The profiles point into the bundle as it is now (a rebuild during the run must not skew the mapping).
  const bundleText = profileDir ? readFileSync(CLI, 'utf8') : '';
  const c = await startCluster(agentArgs, { profileDir });
  const results: EchoFigures[] = [];
  try {
    // Warm-up: JIT, SQLite pages, gRPC channels.
    await runEchoWorkload(c, 'warm-up', fanOutPipeline(100), 2, 100);
    await runEchoWorkload(c, 'warm-up', chainPipeline(10), 20, 10);
    // --jobs 0 or --chains 0 leaves a workload out (e.g. to profile the other alone).
    if (JOBS > 0) {
      results.push(
        await runEchoWorkload(
          c,
          `Fan-out (${STEPS} independent steps a job)`,
          fanOutPipeline(STEPS),
          JOBS,
          STEPS,
        ),
      );
    }
    if (CHAINS > 0) {
      results.push(
        await runEchoWorkload(
          c,
          `Chains (${CHAIN_LENGTH} steps a job, each needing the one before)`,
          chainPipeline(CHAIN_LENGTH),
          CHAINS,
          CHAIN_LENGTH,
        ),
      );
    }
  } finally {
    await stopCluster(c);
  }
  // The baseline runs with the cluster stopped, so it has the machine to itself.
  for (const r of results) printEcho(r, await echoBaseline(r.tasks));
  if (profileDir) {
    for (const name of ['orchestrator', 'agent']) {
      const dir = join(profileDir, name);
      const file = existsSync(dir) ? readdirSync(dir).find((n) => n.endsWith('.cpuprofile')) : undefined;
      if (file) printProfile(`${name} (${join(dir, file)})`, join(dir, file), bundleText, basename(CLI));
      else console.log(`\n(no ${name} profile was written)`);
    }
  }
}

// ----------------------------------------------------------------------------------------- CPU profiles
// ----------------------------------------------------------------------------------------- part 2: tokens
const CANDIDATE_PROMPTS = [
  'Once upon a time, in a cluster far away,',
  'The orchestrator placed the task on',
  'Write about fleets of machines:',
  'alpha beta gamma delta',
  'Hello',
  'The',
];

interface Generation {
  text: string;
  tokens: number;
  ms: number;
  stopReason: string;
}

async function tokensPart(): Promise<void> {
  console.log(
    `\n== Part 2: tokens/s, embedded runtime through the stack vs node-llama-cpp directly ` +
      `(${TINY_MODEL_NAME}, 1 thread, temperature 0, max_tokens ${MAX_TOKENS}, ${ROUNDS} rounds; ${load()})`,
  );
  const modelsDir = tempDir('orchion-bench-models-');
  const modelPath = join(modelsDir, TINY_MODEL_FILE);
  await writeTinyModel(modelPath);

  // (a) direct: node-llama-cpp in this process, set up as the embedded runtime's worker does.
  const { getLlama, LlamaCompletion, LlamaLogLevel } = await import('node-llama-cpp');
  const llama = await getLlama({ gpu: false, build: 'never', maxThreads: 1, logLevel: LlamaLogLevel.warn });
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({
    contextSize: Math.min(model.trainContextSize, 4096),
    threads: 1,
    sequences: 1,
  });
  const sequence = context.getSequence();
  const direct = async (prompt: string): Promise<Generation> => {
    const completion = new LlamaCompletion({ contextSequence: sequence });
    let tokens = 0;
    let streamed = '';
    try {
      const t0 = performance.now();
      const r = await completion.generateCompletionWithMeta(prompt, {
        temperature: 0,
        maxTokens: MAX_TOKENS,
        onTextChunk: (t) => (streamed += t),
        onToken: (t) => (tokens += t.length),
      });
      const ms = performance.now() - t0;
      if (streamed !== r.response) throw new Error('streamed text differs from the response');
      return { text: r.response, tokens, ms, stopReason: r.metadata.stopReason };
    } finally {
      completion.dispose();
    }
  };
  // A random model may stop early on EOS: take the first prompt that runs to max_tokens (else the longest).
  let prompt = CANDIDATE_PROMPTS[0]!;
  let best = -1;
  for (const candidate of CANDIDATE_PROMPTS) {
    const g = await direct(candidate);
    if (g.tokens > best) [prompt, best] = [candidate, g.tokens];
    if (g.tokens >= MAX_TOKENS) break;
  }
  console.log(`  prompt ${JSON.stringify(prompt)} (${best} tokens generated of max ${MAX_TOKENS})`);

  // (b) through the stack: one orchestrator, one agent with the embedded runtime on the same model.
  const c = await startCluster([['--runtime', 'embedded', '--models-dir', modelsDir, '--threads', '1']], {
    watch: true,
  });
  const pipeline =
    `apiVersion: orchion/v1\nkind: Pipeline\nmetadata: { name: tokens }\nsteps:\n` +
    `  - id: gen\n    model: ${TINY_MODEL_NAME}\n    runtime: embedded\n    prompt: ${JSON.stringify(prompt)}\n` +
    `    options: { temperature: 0, max_tokens: ${MAX_TOKENS} }\n`;
  type StackRun = Generation & { wallMs: number; workerMs: number; phases: Record<string, number> };
  const stack = async (): Promise<StackRun> => {
    const t0Date = Date.now();
    const t0 = performance.now();
    const job = await submit(c, pipeline);
    const end = await c.watcher!.waitAll([job.id], 120_000);
    const view = await c.client.getJob(job.id);
    const step = view.stepDetails[0]!;
    if (view.state !== 'succeeded') throw new Error(`the job ${view.state}: ${step.error ?? view.error}`);
    const r = step.result as { completionTokens: number; durationMs: number; stopReason: string };
    // Where the wall time went, from the orchestrator's timestamps (ms resolution, same machine clock).
    const a = step.attempts[step.attempts.length - 1]!;
    const ms = (iso: string | null) => Date.parse(iso!);
    // The llama.cpp worker's own timing of the generation, from the attempt's log line (ms resolution).
    let workerMs = NaN;
    await c.client.streamJobLogs(job.id, (e) => {
      const m = /^generated \d+ tokens? in (\d+) ms/.exec(e.text);
      if (m) workerMs = Number(m[1]);
    });
    const phases = {
      'submit → job created': ms(view.createdAt) - t0Date,
      'created → placed on the agent': ms(a.startedAt) - ms(view.createdAt),
      'placed → result settled': ms(a.finishedAt) - ms(a.startedAt),
      "  of which the agent's durationMs": r.durationMs,
      '    of which in the llama worker': workerMs,
      'settled → job finished': ms(view.finishedAt) - ms(a.finishedAt),
      'job finished → seen on SSE': c.watcher!.finished.get(job.id)!.date - ms(view.finishedAt),
    };
    return {
      text: String(step.output),
      tokens: r.completionTokens,
      ms: r.durationMs,
      stopReason: r.stopReason,
      wallMs: end - t0,
      workerMs,
      phases,
    };
  };
  try {
    // Warm-up: the agent's worker loads the model on first use; both paths' first rounds run slower.
    for (let i = 0; i < 3; i++) {
      await stack();
      await direct(prompt);
    }
    const d: Generation[] = [];
    const s: StackRun[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      if (i % 2 === 0) {
        d.push(await direct(prompt));
        s.push(await stack());
      } else {
        s.push(await stack());
        d.push(await direct(prompt));
      }
    }
    const rate = (g: Generation, ms = g.ms) => (g.tokens / ms) * 1000;
    const dRate = median(d.map((g) => rate(g)));
    const sRate = median(s.map((g) => rate(g)));
    const wRate = median(s.map((g) => rate(g, g.wallMs)));
    // Each round's stack figure over the direct one of the same round: robust to drifting machine load.
    const paired = median(s.map((g, i) => rate(g) / rate(d[i]!)));
    const pairedWall = median(s.map((g, i) => rate(g, g.wallMs) / rate(d[i]!)));
    const wkRate = median(s.map((g) => rate(g, g.workerMs)));
    const pairedWorker = median(s.map((g, i) => rate(g, g.workerMs) / rate(d[i]!)));
    const same = s.every((g, i) => g.text === d[i]!.text);
    const toks = (gs: Generation[]) =>
      [...new Set(gs.map((g) => `${g.tokens} (${g.stopReason})`))].join(', ');
    console.log(
      `  tokens generated            direct ${toks(d)}; stack ${toks(s)}; same text: ${same ? 'yes' : 'NO'}`,
    );
    console.log(
      `  direct node-llama-cpp       ${f(dRate)} tok/s   (median of ${ROUNDS}; ${f(median(d.map((g) => g.ms)), 1)} ms)`,
    );
    console.log(
      `  through the stack           ${f(sRate)} tok/s   (the step's completion_tokens / durationMs)   ratio ${pct(sRate / dRate)}, paired by round ${pct(paired)}   target >= 90 %`,
    );
    console.log(
      `  in the agent's llama worker ${f(wkRate)} tok/s   (its own timing, logged)   ratio ${pct(wkRate / dRate)}, paired by round ${pct(pairedWorker)}`,
    );
    console.log(
      `  wall clock, submit→finished ${f(wRate)} tok/s   (${f(median(s.map((g) => g.wallMs)), 1)} ms a job)   ratio ${pct(wRate / dRate)}, paired by round ${pct(pairedWall)}`,
    );
    console.log(
      `  rounds (tok/s)              direct ${d.map((g) => f(rate(g))).join(' ')}\n` +
        `                              stack  ${s.map((g) => f(rate(g))).join(' ')}\n` +
        `                              wall   ${s.map((g) => f(rate(g, g.wallMs))).join(' ')}`,
    );
    console.log(`  a job's wall time, medians (ms): direct generation ${f(median(d.map((g) => g.ms)), 1)};`);
    for (const k of Object.keys(s[0]!.phases)) {
      console.log(`    ${k.padEnd(34)} ${f(median(s.map((g) => g.phases[k]!)), 1)}`);
    }
  } finally {
    await stopCluster(c);
    await context.dispose();
    await model.dispose();
    await llama.dispose();
  }
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run node scripts/build.mjs first`);
  if (CPU_PROF) mkdirSync(CPU_PROF, { recursive: true });
  console.log(
    `bench:pipeline  ${new Date().toISOString()}  node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'})`,
  );
  if (PART === 'all' || PART === 'echo') await echoPart();
  if (PART === 'all' || PART === 'tokens') await tokensPart();
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
