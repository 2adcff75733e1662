// Part 1 of bench:pipeline: echo tasks/s end to end (fan-out and chains) vs the same generations on an
// EchoRuntime in this process, with each process's CPU per task and optional --cpu-prof profiles.
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, join } from 'node:path';
import { EchoRuntime } from '../../agent/src/runtimes/echo';
import { printProfile } from '../lib/cpu-profile';
import { f, pct } from '../lib/format';
import { cpuMs } from '../lib/process';
import { selfCpuMs, startCluster, stopCluster, submit, type Cluster } from './cluster';
import {
  AGENTS,
  CHAIN_LENGTH,
  CHAINS,
  CLI,
  CLIENT,
  CPU_PROF,
  ECHO_PROMPT,
  JOBS,
  load,
  SLOTS,
  STEPS,
  SUBMIT_CONCURRENCY,
  TIMELINE,
} from './options';
import { Timeline } from './timeline';
import { waitIdle } from './watch';
import { chainPipeline, fanOutPipeline } from './workloads';

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
  const timeline =
    TIMELINE && !label.startsWith('warm-up') ? new Timeline(procs, () => ids.length) : undefined;
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
  if (timeline) {
    console.log(`\n${label}:`);
    timeline.report(c.dataDir);
  }
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

export async function echoPart(): Promise<void> {
  const agentArgs = Array.from({ length: AGENTS }, () => ['--runtime', 'echo', '--slots', String(SLOTS)]);
  const profileDir = CPU_PROF;
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  console.log(
    `\n== Part 1: echo tasks/s end to end (${AGENTS} agents, --runtime echo --slots ${SLOTS}, no token delay; ` +
      `submits over ${CLIENT === 'fetch' ? 'fetch' : 'node:http keep-alive'}, ${SUBMIT_CONCURRENCY} in flight` +
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
