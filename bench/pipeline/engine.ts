// Part 3 of bench:pipeline (`--part engine`): the orchestrator's job engine, store and event bus in this process,
// wired as orchestrator.ts wires them (a real SQLite file in WAL mode, the turn's group commit, the real
// scheduler), without gRPC or HTTP. A simulated echo agent answers each assignment on the next turn with the
// three messages a real agent sends (STARTED, one output batch, SUCCEEDED), handled in one group like the
// session layer handles them. Submits run what the POST route runs (prepareJob, submitDurably in the turn's
// group commit, the 201 view once committed).
// It reports the CPU this process spent per task: the share of the orchestrator's cost that its engine and store
// make, measured without the noise of four processes on a shared machine (see docs/benchmarks.md).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AssignTask, TaskUpdate__Output } from '@orchion/proto';
import { pino } from 'pino';
import { EventBus } from '../../orchestrator/src/events/event-bus';
import { JobEngine } from '../../orchestrator/src/jobs/engine';
import { prepareJob } from '../../orchestrator/src/jobs/submit';
import { engineEventSinks } from '../../orchestrator/src/events/engine-events';
import { jobViewFromRecord } from '../../orchestrator/src/jobs/views';
import { systemClock } from '../../orchestrator/src/registry/types';
import { Scheduler } from '../../orchestrator/src/scheduler';
import { startCheckpoints } from '../../orchestrator/src/store/checkpointer';
import { openDatabase } from '../../orchestrator/src/store/database';
import { SqliteEventStore } from '../../orchestrator/src/store/event-store';
import { GroupCommit } from '../../orchestrator/src/store/group-commit';
import { SqliteJobStore } from '../../orchestrator/src/store/job-store';
import { f } from '../lib/format';
import { AGENTS, args, CHAIN_LENGTH, CHAINS, ECHO_PROMPT, JOBS, load, median, SLOTS, STEPS } from './options';
import { SqlStats } from './sql-stats';
import { chainPipeline, fanOutPipeline } from './workloads';

/** `--sql-stats`: print statements, rows and WAL pages per task for each workload's first run. */
const SQL_STATS = args.includes('--sql-stats');
/** `--checkpoints`: run the checkpoint worker as the orchestrator does (its thread's CPU counts then). */
const CHECKPOINTS = args.includes('--checkpoints');

const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

interface Run {
  tasks: number;
  cpuMs: number;
  wallMs: number;
}

/** One workload on a fresh database: `jobs` jobs of `pipeline`, 4 submits in flight like part 1. */
async function runOnce(pipeline: string, jobs: number, tasksPerJob: number, stats = false): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'orchion-bench-engine-'));
  const file = join(dir, 'orchion.db');
  const db = openDatabase(file);
  // As in production, minus the checkpoint worker (its thread's CPU is not the engine's): no checkpoint stalls.
  // With --checkpoints, with the worker (its thread's CPU is counted: process.cpuUsage covers every thread).
  db.pragma('wal_autocheckpoint = 10000');
  const checkpoints = CHECKPOINTS && !stats ? startCheckpoints(db) : undefined;
  const sql = stats ? new SqlStats(db, file) : undefined;
  const bus = new EventBus(new SqliteEventStore(db), systemClock);
  const store = new SqliteJobStore(db);
  const group = new GroupCommit(db);
  const scheduler = new Scheduler({
    clock: systemClock,
    timer: { setTimeout, clearTimeout },
    onWake: () => engine.pump(),
  });
  let finished = 0;
  let allDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allDone = resolve));
  const agent = (nodeId: string, task: AssignTask): void => {
    // The next turn, as the agent's three messages arrive together; handled in one group.
    setImmediate(() =>
      group.run(() => {
        const attemptId = task.attemptId!;
        const update = (u: Partial<TaskUpdate__Output>): void =>
          engine.taskUpdate(nodeId, {
            attemptId,
            state: 'TASK_STATE_STARTED',
            result: null,
            error: null,
            ...u,
          });
        update({});
        const text = task.prompt ?? ECHO_PROMPT;
        engine.taskOutput(nodeId, {
          attemptId,
          chunks: [
            { kind: 'TOKEN', text, level: '', timeMs: Date.now() },
            { kind: 'LOG', text: 'generated 4 tokens in 0 ms', level: 'info', timeMs: Date.now() },
          ],
        });
        update({
          state: 'TASK_STATE_SUCCEEDED',
          result: {
            text,
            json: '',
            embeddings: [],
            dimensions: 0,
            stopReason: 'eogToken',
            promptTokens: 4,
            completionTokens: 4,
            durationMs: 0,
          },
        });
      }),
    );
  };
  const engine: JobEngine = new JobEngine({
    store,
    group,
    scheduler,
    dispatcher: { assign: (nodeId, task) => (agent(nodeId, task), true), cancel: () => undefined },
    sinks: {
      ...engineEventSinks(bus, (attemptId) => engine.waitingReason(attemptId)),
      logs: () => undefined,
      followed: () => false,
      jobFinished: () => {
        if (++finished === jobs) allDone();
      },
    },
    clock: systemClock,
    logger: pino({ enabled: false }),
  });
  group.beforeCommit(() => engine.flush());
  for (let i = 0; i < AGENTS; i++) {
    engine.nodeChanged({
      id: `node-${i}`,
      state: 'ready',
      labels: {},
      slots: SLOTS,
      runtimes: ['echo'],
      models: [{ name: 'echo', runtime: 'echo', loaded: true }],
      gpus: [],
    });
  }
  sql?.start();
  const cpu0 = cpuNow();
  const t0 = performance.now();
  let next = 0;
  let sink = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < jobs) {
        next++;
        const prepared = prepareJob(pipeline, {});
        if (!prepared.ok) throw new Error('the bench pipeline is invalid');
        const job = await engine.submitDurably(pipeline, prepared.pipeline, prepared.inputs);
        // The POST route's 201 body.
        sink += JSON.stringify(jobViewFromRecord(job, (id) => engine.waitingReason(id))).length;
        // The next request arrives on a later turn.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }),
  );
  await done;
  const run = { tasks: jobs * tasksPerJob, cpuMs: cpuNow() - cpu0, wallMs: performance.now() - t0 };
  group.flush();
  if (checkpoints) {
    // The worker is unref'd (it never keeps the orchestrator up): keep this process up until it has stopped.
    const keepAlive = setInterval(() => undefined, 1000);
    await checkpoints.stop();
    clearInterval(keepAlive);
  }
  sql?.report(run.tasks);
  db.close();
  rmSync(dir, { recursive: true, force: true });
  if (sink === 0) throw new Error('no views were built');
  return run;
}

export async function enginePart(rounds = 5): Promise<void> {
  console.log(
    `\n== Part 3: the job engine and store in process (${AGENTS} simulated echo agents x ${SLOTS} slots; ${load()})`,
  );
  const workloads = [
    ...(JOBS > 0
      ? [{ label: `fan-out ${JOBS} x ${STEPS}`, text: fanOutPipeline(STEPS), jobs: JOBS, per: STEPS }]
      : []),
    ...(CHAINS > 0
      ? [
          {
            label: `chains ${CHAINS} x ${CHAIN_LENGTH}`,
            text: chainPipeline(CHAIN_LENGTH),
            jobs: CHAINS,
            per: CHAIN_LENGTH,
          },
        ]
      : []),
  ];
  await runOnce(chainPipeline(10), 20, 10); // warm-up
  for (const w of workloads) {
    const runs: Run[] = [];
    if (SQL_STATS) {
      console.log(`${w.label}, one run with --sql-stats (not timed):`);
      await runOnce(w.text, w.jobs, w.per, true);
    }
    for (let i = 0; i < rounds; i++) runs.push(await runOnce(w.text, w.jobs, w.per));
    const perTask = runs.map((r) => (r.cpuMs / r.tasks) * 1000);
    console.log(
      `${w.label.padEnd(18)} CPU ${f(median(perTask))} µs/task (median of ${rounds}; ${perTask.map((x) => f(x)).join(', ')})` +
        `   ${f(median(runs.map((r) => r.tasks / (r.wallMs / 1000))))} tasks/s in process   (${load()})`,
    );
  }
}
