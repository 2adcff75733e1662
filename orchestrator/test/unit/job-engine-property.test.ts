// Randomized: simulated agents (with slots, and aborts that take a while) succeed, fail (retryable or not), get
// killed, freeze, reconnect, send stray reports; jobs are submitted and cancelled; the orchestrator restarts and
// times attempts out. Whatever happens, every job ends terminal once the fleet is healthy again, a step never
// has two open attempts nor two successes, attempt numbers are consecutive and within the retries, job states
// agree with their steps, no agent is ever asked to run more than its slots, and no scheduler entry leaks.
import { describe, expect, it } from 'vitest';
import type { AssignTask } from '@orchion/proto';
import { Harness, node, pipeline, tick } from './job-engine-harness';
import { mulberry32 } from '../../../test-support/seeded-random';

const NODES = ['n1', 'n2', 'n3'];
const SLOTS = 2;

type NodeMode = 'up' | 'stale' | 'down';

interface Agent {
  mode: NodeMode;
  /** What the agent process runs, by attempt id (it knows nothing of the engine's view). */
  running: Map<string, AssignTask>;
  /** Running attempts it was asked to cancel, still ending. */
  aborting: Set<string>;
}

class Simulation {
  h = new Harness({ engine: { backoffMs: 100, maxBackoffMs: 1000, reconnectGraceMs: 500 } });
  readonly agents = new Map<string, Agent>(
    NODES.map((id) => [id, { mode: 'up', running: new Map(), aborting: new Set() }]),
  );
  readonly jobs: string[] = [];
  /** Assignments an agent refused for lack of a free slot. */
  refusals = 0;
  readonly trace: string[] = [];
  private firstRefusal = '';
  private seen = 0;

  constructor(private readonly rand: () => number) {
    for (const id of NODES) this.h.addNode(id, { slots: SLOTS });
  }

  int(n: number): number {
    return Math.floor(this.rand() * n);
  }

  pick<T>(list: T[]): T | undefined {
    return list.length ? list[this.int(list.length)] : undefined;
  }

  submit(): void {
    const n = 1 + this.int(5);
    const steps: string[] = [];
    for (let i = 0; i < n; i++) {
      const needs = Array.from({ length: i }, (_, j) => `s${j}`).filter(() => this.rand() < 0.4);
      const refs = needs.map((id) => `\${{ steps.${id}.output }}`).join(' ');
      steps.push(
        `  - id: s${i}\n    prompt: 'step ${i} ${refs}'\n    retries: ${this.int(3)}\n` +
          (needs.length ? `    needs: [${needs.join(', ')}]\n` : ''),
      );
    }
    this.jobs.push(this.h.submit(pipeline(steps.join(''))).id);
  }

  /** Delivers what the engine sent since the last call to the simulated agents, in order. */
  sync(): void {
    const sent = this.h.dispatcher.sent;
    for (; this.seen < sent.length; this.seen++) {
      const msg = sent[this.seen]!;
      const agent = this.agents.get(msg.nodeId)!;
      if (agent.mode === 'down') {
        // No session: what was sent is lost. The engine must not assign to a node it knows is offline.
        if ('assign' in msg) {
          throw new Error(`assigned to ${msg.nodeId} while it is down; lately: ${this.trace.join(' | ')}`);
        }
        continue;
      }
      if ('cancel' in msg) {
        // Aborting takes a while: the slot stays taken until the run has ended (see `endAborted`).
        if (agent.running.has(msg.cancel)) agent.aborting.add(msg.cancel);
        this.note(`${msg.nodeId} <- cancel ${msg.cancel.slice(0, 4)}`);
      } else if (agent.running.size >= SLOTS) {
        // A real agent refuses work beyond its slots (the engine should never ask it to).
        this.refusals++;
        this.note(`REFUSED on ${msg.nodeId}: ${msg.assign.attemptId!.slice(0, 4)}`);
        if (this.refusals === 1) this.firstRefusal = this.trace.join(' | ');
        this.h.update(msg.nodeId, msg.assign.attemptId!, 'TASK_STATE_FAILED', {
          error: { code: 'no-slot', message: 'all slots busy', retryable: true },
        });
      } else {
        agent.running.set(msg.assign.attemptId!, msg.assign);
        this.note(`${msg.nodeId} <- assign ${msg.assign.attemptId!.slice(0, 4)}`);
      }
    }
  }

  /** Aborted runs end: each agent reports them cancelled and frees their slots. */
  endAborted(): void {
    for (const [nodeId, agent] of this.agents) {
      for (const id of agent.aborting) {
        agent.running.delete(id);
        this.h.update(nodeId, id, 'TASK_STATE_CANCELLED', {
          error: { code: 'cancelled', message: 'cancelled', retryable: false },
        });
      }
      agent.aborting.clear();
    }
  }

  finish(nodeId: string, attemptId: string, outcome: 'ok' | 'retryable' | 'fatal'): void {
    const agent = this.agents.get(nodeId)!;
    const task = agent.running.get(attemptId)!;
    agent.running.delete(attemptId);
    agent.aborting.delete(attemptId);
    if (outcome === 'ok') {
      this.h.output({ nodeId, task }, [{ text: 'tok' }, { text: 'en' }]);
      this.h.succeed({ nodeId, task }, { text: `out-${task.stepId}` });
    } else this.h.fail({ nodeId, task }, { retryable: outcome === 'retryable', message: outcome });
  }

  step(): void {
    // What was sent before this event has reached its agent (a killed agent got it before it died).
    this.endAborted();
    this.sync();
    const r = this.rand();
    const upAgents = NODES.filter((id) => this.agents.get(id)!.mode !== 'down');
    const busy = upAgents.flatMap((id) =>
      [...this.agents.get(id)!.running.keys()].map((a) => [id, a] as const),
    );
    const short = (id: string) => id.slice(0, 4);
    if (r < 0.35) {
      const target = this.pick(busy);
      if (target) {
        const x = this.rand();
        const outcome = x < 0.7 ? 'ok' : x < 0.9 ? 'retryable' : 'fatal';
        this.note(`${target[0]} ends ${short(target[1])} ${outcome}`);
        this.finish(target[0], target[1], outcome);
      }
    } else if (r < 0.5) {
      const ms = this.int(1500);
      this.note(`advance ${ms}`);
      this.h.time.advance(ms);
    } else if (r < 0.58) {
      this.submit();
      this.note(`submit ${short(this.jobs.at(-1)!)}`);
    } else if (r < 0.63) {
      const id = this.pick(NODES)!;
      const agent = this.agents.get(id)!;
      if (agent.mode === 'down') {
        this.note(`${id} back`);
        agent.mode = 'up';
        this.h.engine.nodeChanged(node(id, { slots: SLOTS }));
        this.h.engine.nodeReconnected(id, []);
      } else {
        // Killed: the process and what it ran are gone.
        this.note(`${id} killed`);
        agent.mode = 'down';
        agent.running.clear();
        agent.aborting.clear();
        this.h.engine.nodeChanged(node(id, { state: 'offline', slots: SLOTS }));
      }
    } else if (r < 0.68) {
      const id = this.pick(upAgents);
      if (id) {
        const agent = this.agents.get(id)!;
        agent.mode = agent.mode === 'up' ? 'stale' : 'up';
        this.note(`${id} ${agent.mode}`);
        this.h.engine.nodeChanged(node(id, { state: agent.mode === 'up' ? 'ready' : 'stale', slots: SLOTS }));
      }
    } else if (r < 0.72) {
      // A stream blip: the agent registers again with what it still runs.
      const id = this.pick(upAgents.filter((n) => this.agents.get(n)!.mode === 'up'));
      if (id) {
        this.note(`${id} reconnects`);
        this.h.engine.nodeReconnected(id, [...this.agents.get(id)!.running.keys()]);
      }
    } else if (r < 0.76) {
      // A report the engine must ignore: a superseded attempt, or the wrong node.
      const target = this.pick(busy);
      const other = this.pick(NODES);
      if (target && other && other !== target[0]) {
        this.note(`${other} stray ${short(target[1])}`);
        this.h.update(other, target[1], 'TASK_STATE_SUCCEEDED', { result: null });
      }
    } else if (r < 0.78) {
      const job = this.pick(this.jobs);
      if (job) {
        this.note(`cancel ${short(job)}`);
        this.h.engine.cancel(job);
      }
    } else if (r < 0.8) {
      this.note('sweep');
      this.h.time.advance(700_000);
      this.h.engine.sweep();
    } else if (r < 0.82) {
      this.note('restart');
      this.restart();
    } else {
      this.h.engine.pump();
    }
    this.sync();
    this.checkOpenAttempts();
  }

  /** The recent history, for failure messages. */
  note(text: string): void {
    this.trace.push(text);
    if (this.trace.length > 40) this.trace.shift();
  }

  restart(): void {
    this.h = this.h.restart();
    this.seen = 0;
    for (const id of NODES) this.h.engine.nodeChanged(node(id, { state: 'stale', slots: SLOTS }));
    this.h.engine.recover();
    for (const id of NODES) {
      const agent = this.agents.get(id)!;
      if (agent.mode === 'down') continue;
      agent.mode = 'up';
      this.h.engine.nodeChanged(node(id, { slots: SLOTS }));
      this.h.engine.nodeReconnected(id, [...agent.running.keys()]);
    }
    this.h.engine.pump();
  }

  /** Brings every node back and lets every attempt succeed until nothing is left to run. */
  async drain(): Promise<void> {
    for (const id of NODES) {
      const agent = this.agents.get(id)!;
      if (agent.mode === 'up') continue;
      if (agent.mode === 'down') this.h.engine.nodeReconnected(id, []);
      agent.mode = 'up';
      this.h.engine.nodeChanged(node(id, { slots: SLOTS }));
    }
    for (let round = 0; round < 500 && this.h.engine.activeJobs > 0; round++) {
      await tick();
      this.endAborted();
      this.h.engine.pump();
      this.sync();
      for (const id of NODES)
        for (const a of [...this.agents.get(id)!.running.keys()]) this.finish(id, a, 'ok');
      this.h.time.advance(1000);
      this.sync();
    }
  }

  checkOpenAttempts(): void {
    const doubled = this.h.db
      .prepare(
        `SELECT job_id, step_id, count(*) AS n FROM attempts WHERE state IN ('queued', 'running')
         GROUP BY job_id, step_id HAVING n > 1`,
      )
      .all();
    if (doubled.length > 0) throw new Error(`several open attempts: ${JSON.stringify(doubled)}`);
  }

  /** Every invariant of the end state; returns the problems found (empty when all hold). */
  problems(): string[] {
    const { h } = this;
    const out: string[] = [];
    const check = (ok: boolean, what: string) => void (ok || out.push(what));
    check(h.engine.activeJobs === 0, `${h.engine.activeJobs} jobs still active`);
    check(
      this.refusals === 0,
      `${this.refusals} assignments beyond a node's slots; first: ${this.firstRefusal}`,
    );
    const stats = h.scheduler.stats();
    check(stats.queued + stats.delayed + stats.running === 0, `scheduler leaks ${JSON.stringify(stats)}`);
    for (const jobId of this.jobs) {
      const view = h.view(jobId);
      check(TERMINAL.includes(view.state), `job ${jobId} ${view.state}`);
      for (const step of view.stepDetails) {
        const label = `${jobId}/${step.id}`;
        const numbers = step.attempts.map((a) => a.attempt);
        const succeeded = step.attempts.filter((a) => a.state === 'succeeded').length;
        const retries = Number(/retries: (\d)/.exec(view.pipeline.split(`id: ${step.id}\n`)[1]!)![1]);
        check(TERMINAL.includes(step.state), `${label} ${step.state}`);
        check(
          numbers.every((n, i) => n === i + 1),
          `${label} attempt numbers ${numbers.join(',')}`,
        );
        check(
          step.attempts.length <= retries + 1,
          `${label}: ${step.attempts.length} attempts, ${retries} retries`,
        );
        check(
          succeeded === (step.state === 'succeeded' ? 1 : 0),
          `${label} ${step.state}: ${succeeded} successes`,
        );
        check(
          step.attempts.every((a) => a.state !== 'queued' && a.state !== 'running'),
          `${label} ${step.state} with an open attempt`,
        );
        if (step.state === 'succeeded')
          check(step.output === `out-${step.id}`, `${label} output ${step.output}`);
      }
      const states = view.stepDetails.map((s) => s.state);
      if (view.state === 'succeeded')
        check(
          states.every((s) => s === 'succeeded'),
          `${jobId} succeeded: ${states}`,
        );
      if (view.state === 'failed') check(states.includes('failed'), `${jobId} failed: ${states}`);
      if (view.state === 'cancelled') check(states.includes('cancelled'), `${jobId} cancelled: ${states}`);
    }
    return out;
  }
}

const TERMINAL: string[] = ['succeeded', 'failed', 'cancelled'];

describe('job engine: randomized runs', () => {
  for (let seed = 1; seed <= 30; seed++) {
    it(`seed ${seed}: every job ends terminal, one success per step at most, consecutive attempts`, async () => {
      const sim = new Simulation(mulberry32(seed));
      for (let i = 0; i < 4; i++) sim.submit();
      sim.h.engine.pump();
      sim.sync();
      for (let i = 0; i < 200; i++) {
        sim.step();
        // Deferred work (pumps after node changes, cancels after a reconnect) runs between events.
        await tick();
        sim.sync();
      }
      await sim.drain();
      expect(sim.problems()).toEqual([]);
    });
  }
});
