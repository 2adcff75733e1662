// bench:placement — the scheduler core in process: 1,000 simulated nodes (40 models with skewed popularity,
// 3 runtimes, GPUs, labels, 1–8 slots, a few stale/offline nodes) and a stream of tasks with mixed requirements,
// driven as enqueue + schedule + release cycles, with a node capability update (a model loaded or unloaded)
// every 16 tasks. Reports placements/s of the indexed `Scheduler` (median of 5 runs) beside the naive
// `ReferenceScheduler` (every pass scans every node for every waiting task, same filter and score) on the very
// same operations, checks that both made identical placements, and prints the ratio.
// Usage: npm run bench:placement -- [--nodes 1000] [--rounds 2000] [--batch 1,64] [--churn 16] [--seed 1]
// (--rounds counts rounds of 16 tasks: every batch size gets the same number of tasks; --churn 0: no updates.)
import { performance } from 'node:perf_hooks';
import {
  ReferenceScheduler,
  Scheduler,
  requirementOf,
  staticFit,
  type Placement,
  type SchedNode,
  type TaskRequest,
} from '../orchestrator/src/scheduler';

import { flagReader } from './lib/process';
import { mulberry32 as prng } from '../test-support/seeded-random';

const args = process.argv.slice(2);
const flag = flagReader(args);
const NODES = Number(flag('nodes', '1000'));
const ROUNDS = Number(flag('rounds', '2000'));
const BATCHES = flag('batch', '1,64').split(',').map(Number);
const SEED = Number(flag('seed', '1'));
/** One node capability update (a model loaded or unloaded) per this many tasks; 0: none. */
const CHURN = Number(flag('churn', '16'));
/** Running tasks are kept near this share of the ready nodes' slots: a busy but not saturated cluster. */
const UTILISATION = 0.8;
/** A task still waiting after this many newer tasks arrived is cancelled (as a job timeout would). */
const MAX_WAIT_TASKS = 2_000;

// ------------------------------------------------------------------------------------------------- workload
const MODELS = Array.from({ length: 40 }, (_, i) => `model-${String(i).padStart(2, '0')}`);
const RUNTIMES = ['embedded', 'ollama', 'vllm'];
const ZONES = ['eu-1', 'eu-2', 'us-1', 'ap-1'];
const GB = 1e9;

function makeWorkload(seed: number) {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  // Zipf-like popularity: model i is chosen with weight 1/(i+1).
  const weights = MODELS.map((_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const popularModel = () => {
    let r = rnd() * total;
    for (let i = 0; i < MODELS.length; i++) if ((r -= weights[i]!) <= 0) return MODELS[i]!;
    return MODELS[MODELS.length - 1]!;
  };

  const nodes: SchedNode[] = [];
  for (let i = 0; i < NODES; i++) {
    const runtimes = RUNTIMES.filter((_, j) => rnd() < [0.8, 0.4, 0.2][j]!);
    if (runtimes.length === 0) runtimes.push('embedded');
    const names = new Set<string>();
    const count = 2 + int(5);
    while (names.size < count) names.add(popularModel());
    const hasGpu = rnd() < 0.5;
    const vram = pick([16, 24, 48, 80]) * GB;
    nodes.push({
      id: `node-${String(i).padStart(4, '0')}`,
      state: rnd() < 0.95 ? 'ready' : pick(['stale', 'offline'] as const),
      labels: { zone: pick(ZONES), tier: hasGpu ? 'gpu' : 'cpu', rack: `r${int(40)}` },
      slots: 1 + int(8),
      runtimes,
      models: [...names].map((name) => ({
        name,
        runtime: pick(runtimes),
        loaded: rnd() < 0.4,
        ...(rnd() < 0.03 ? { error: 'failed to load' } : {}),
      })),
      gpus: hasGpu ? Array.from({ length: 1 + int(8) }, () => ({ vramTotalBytes: vram })) : [],
    });
  }

  // Task templates: mixed requirements, each satisfiable by at least one ready node.
  const templates: Omit<TaskRequest, 'key' | 'enqueuedAt'>[] = [];
  while (templates.length < 5_000) {
    const t: Omit<TaskRequest, 'key' | 'enqueuedAt'> = {
      jobId: `job-${int(500)}`,
      stepId: 'step',
      model: popularModel(),
    };
    if (rnd() < 0.2) t.runtime = pick(RUNTIMES);
    const r = rnd();
    if (r < 0.3) t.resources = { gpu: true };
    else if (r < 0.35) t.resources = { gpu: 2, minVramGb: 40 };
    else if (r < 0.45) t.resources = { minVramGb: pick([16, 24, 40]) };
    if (rnd() < 0.3) t.resources = { ...t.resources, labels: { zone: pick(ZONES) } };
    if (rnd() < 0.05) t.notBefore = 1; // a retry: its backoff is set relative to the clock when enqueued
    const req = requirementOf({ ...t, key: '', enqueuedAt: 0 });
    if (nodes.some((n) => n.state === 'ready' && n.slots > 0 && staticFit(n, req).ok)) templates.push(t);
  }
  const readySlots = nodes.filter((n) => n.state === 'ready').reduce((a, n) => a + n.slots, 0);
  return { nodes, templates, readySlots };
}

// ---------------------------------------------------------------------------------------------------- driver
interface Impl {
  upsertNode(node: SchedNode): void;
  enqueue(task: TaskRequest): void;
  dequeue(key: string): boolean;
  release(key: string): boolean;
  schedule(): Placement[];
}

interface RunResult {
  placements: number;
  ms: number;
  checksum: number;
  passP50: number;
  passP99: number;
  cancelled: number;
  waitingAtEnd: number;
}

function run(make: (clock: { now(): number }) => Impl, batch: number, rounds: number): RunResult {
  const { nodes, templates, readySlots } = makeWorkload(SEED);
  const nodeIndex = new Map(nodes.map((n, i) => [n.id, i]));
  const start = 1_000_000;
  const rndUpdates = prng(SEED + 2);
  // Tasks are built before the clock starts: the loop measures the scheduler, not object spreading.
  const tasks: TaskRequest[] = [];
  for (let round = 0; round < rounds; round++) {
    const at = start + (round + 1) * 10;
    for (let i = 0; i < batch; i++) {
      const n = tasks.length;
      const tpl = templates[n % templates.length]!;
      const task: TaskRequest = { ...tpl, key: `t${n}`, enqueuedAt: at };
      if (tpl.notBefore !== undefined) task.notBefore = at + 50;
      tasks.push(task);
    }
  }
  // Capability updates: a node reports a model loaded or unloaded (nodes keep their state, slots and fit).
  const updates = Array.from({ length: 1_000 }, () => {
    const n = nodes[Math.floor(rndUpdates() * nodes.length)]!;
    const m = Math.floor(rndUpdates() * n.models.length);
    return { ...n, models: n.models.map((x, j) => (j === m ? { ...x, loaded: !x.loaded } : x)) };
  });
  let now = start;
  const sched = make({ now: () => now });
  for (const n of nodes) sched.upsertNode(n);
  const rnd = prng(SEED + 1);
  const target = Math.floor(readySlots * UTILISATION);
  const running: string[] = [];
  const placedFlags = new Uint8Array(tasks.length);
  let oldest = 0; // tasks before this index were placed or cancelled
  let next = 0;
  let placements = 0;
  let checksum = 0;
  let cancelled = 0;
  const passMs = new Float64Array(rounds);

  const t0 = performance.now();
  for (let round = 0; round < rounds; round++) {
    now += 10;
    for (let i = 0; i < batch; i++) {
      sched.enqueue(tasks[next++]!);
      if (CHURN > 0 && next % CHURN === 0) sched.upsertNode(updates[(next / CHURN) % updates.length]!);
    }
    const p0 = performance.now();
    const placed = sched.schedule();
    passMs[round] = performance.now() - p0;
    for (const p of placed) {
      running.push(p.key);
      placedFlags[Number(p.key.slice(1))] = 1;
      checksum = (Math.imul(checksum, 31) + nodeIndex.get(p.nodeId)!) | 0;
    }
    placements += placed.length;
    // Attempts end in random order, keeping the cluster near its target load.
    while (running.length > target - batch) {
      const i = Math.floor(rnd() * running.length);
      const key = running[i]!;
      running[i] = running[running.length - 1]!;
      running.pop();
      sched.release(key);
    }
    for (; next - oldest > MAX_WAIT_TASKS; oldest++) {
      if (!placedFlags[oldest] && sched.dequeue(tasks[oldest]!.key)) cancelled++;
    }
  }
  const ms = performance.now() - t0;
  passMs.sort();
  const pct = (p: number) => passMs[Math.min(passMs.length - 1, Math.floor((passMs.length * p) / 100))]!;
  const waitingAtEnd = tasks.length - placements - cancelled;
  return { placements, ms, checksum, passP50: pct(50), passP99: pct(99), cancelled, waitingAtEnd };
}

// ------------------------------------------------------------------------------------------------------ main
const indexed = (clock: { now(): number }): Impl => new Scheduler({ clock });
const naive = (clock: { now(): number }): Impl => new ReferenceScheduler(clock);
const fmt = (n: number, d = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const { nodes, templates, readySlots } = makeWorkload(SEED);
const ready = nodes.filter((n) => n.state === 'ready').length;
console.log(
  `placement benchmark: ${fmt(NODES)} nodes (${ready} ready, ${fmt(readySlots)} slots), ${MODELS.length} models, ` +
    `${templates.length} task shapes, target load ${UTILISATION * 100}% of slots, node ${process.version}`,
);
// Warm both up (JIT) on a short run first.
run(indexed, 16, 300);
run(naive, 16, 30);
for (const batch of BATCHES) {
  // The same number of tasks per scenario whatever the batch size.
  const rounds = Math.max(1, Math.round((ROUNDS * 16) / batch));
  // The indexed run is short: take the median of five. The naive one runs once.
  const runs = Array.from({ length: 5 }, () => run(indexed, batch, rounds)).sort((a, b) => a.ms - b.ms);
  const fast = runs[2]!;
  const slow = run(naive, batch, rounds);
  const rate = (r: RunResult) => (r.placements / r.ms) * 1000;
  console.log(`\nbatch ${batch} (enqueue ${batch} → schedule() → release), ${fmt(rounds)} rounds`);
  for (const [name, r] of [
    ['indexed Scheduler ', fast],
    ['naive linear scan ', slow],
  ] as const) {
    console.log(
      `  ${name} ${fmt(rate(r)).padStart(9)} placements/s  (${fmt(r.placements)} in ${fmt(r.ms)} ms; ` +
        `schedule() p50 ${fmt(r.passP50 * 1000)} µs, p99 ${fmt(r.passP99 * 1000)} µs; ` +
        `${fmt(r.cancelled)} cancelled, ${fmt(r.waitingAtEnd)} waiting at the end)`,
    );
  }
  const same = runs.every((r) => r.placements === slow.placements && r.checksum === slow.checksum);
  console.log(`  ratio ${fmt(rate(fast) / rate(slow), 1)}×; identical placements: ${same ? 'yes' : 'NO'}`);
  if (!same) process.exitCode = 1;
}
