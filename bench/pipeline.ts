// bench:pipeline — the whole stack (HTTP submit → orchestrator engine, scheduler and SQLite → gRPC → agent
// executor → runtime → back) on real orchestrator and agent processes over loopback. Three parts, the first two beside a
// baseline measured in the same run:
//   1. echo: completed tasks/s from the first submit to the last job's finish (the orchestrator's finishedAt),
//      with agents running the echo runtime without delay; jobs of many independent short steps, then chains.
//      Baseline: the same number of echo generations called directly on an EchoRuntime in this process. The CPU
//      time each process spent per task shows where the time goes; `--cpu-prof [DIR]` profiles the orchestrator
//      and the first agent and prints their top functions (`--jobs 0` or `--chains 0` leaves a workload out).
//   2. tokens: the embedded runtime (llama.cpp with the generated tiny model, 1 thread, temperature 0) through the
//      stack vs node-llama-cpp called directly in this process, in interleaved rounds: medians, ratios paired by
//      round, and where a job's wall time goes (the orchestrator's timestamps, the worker's logged timing).
//   3. engine: the orchestrator's job engine, store and event bus in this process with simulated echo agents (no
//      gRPC, no HTTP): its CPU per task, the part of the orchestrator's cost that its own code makes.
// Usage: npm run bench:pipeline -- [--part all|echo|tokens|engine] [--jobs 20] [--steps 500] [--chains 200]
//   [--chain-length 10] [--agents 2] [--slots 64] [--rounds 21] [--max-tokens 200] [--cpu-prof [DIR]]
//   [--cli PATH]  (the orchion CLI bundle to run; default orchestrator/dist/cli.js)
//   [--client http|fetch]  (how jobs are submitted: node:http keep-alive, the default, or fetch as before)
//   [--sql-stats]  (part 3: statements, rows, commits and WAL pages per task, by statement and by b-tree)
//   [--checkpoints]  (part 3: with the checkpoint worker thread, whose CPU then counts)
//   [--timeline]  (part 1: CPU per finished task, jobs submitted and attempts queued and running, per 500 ms)
// Parts: bench/pipeline/echo.ts, tokens.ts and engine.ts; processes in cluster.ts, job watching in watch.ts.
import { existsSync, mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { echoPart } from './pipeline/echo';
import { enginePart } from './pipeline/engine';
import { CLI, CPU_PROF, PART } from './pipeline/options';
import { tokensPart } from './pipeline/tokens';

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run node scripts/build.mjs first`);
  if (CPU_PROF) mkdirSync(CPU_PROF, { recursive: true });
  console.log(
    `bench:pipeline  ${new Date().toISOString()}  node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'})`,
  );
  if (PART === 'all' || PART === 'echo') await echoPart();
  if (PART === 'all' || PART === 'tokens') await tokensPart();
  if (PART === 'all' || PART === 'engine') await enginePart();
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
