/**
 * Runs the agent's Ollama and vLLM servers as Docker containers (dockerode, no other transport): makes their
 * images available, creates labelled containers on the host network bound to a loopback port, waits until their
 * API answers (container-runner.ts), streams their logs, adopts the ones still running after an agent restart
 * (adoption.ts), notices deaths from the engine's events (container-watch.ts) and restarts crashed ones with
 * exponential backoff (crash-recovery.ts), stops idle ones (idle-sweep.ts), and stops everything at shutdown
 * unless told to keep them. This class holds the runtimes and their transitions; the Docker calls themselves are
 * in container-ops.ts.
 */
import type Docker from 'dockerode';
import pino, { type Logger } from 'pino';
import { adoptionDecision } from './adoption.js';
import { connectDocker } from './connect.js';
import { ContainerOps } from './container-ops.js';
import { ContainerRunner } from './container-runner.js';
import { ContainerWatch } from './container-watch.js';
import { planHash } from './create-options.js';
import { CrashRecovery } from './crash-recovery.js';
import { engineInfo, type EngineInfo } from './engine-info.js';
import { ContainerError } from './errors.js';
import { detectNvidiaGpus, gpuDeviceRequests } from './gpus.js';
import { IdleSweep } from './idle-sweep.js';
import { ensureImage, type PullProgressSink } from './image.js';
import { KeyedSerial } from './keyed-serial.js';
import { LABEL, nodeFilter } from './labels.js';
import { LogCursor } from './logs.js';
import { ManagedContainer, type ManagedRuntime } from './managed-container.js';
import {
  DEFAULT_RESTART_POLICY,
  type DockerRuntimeManagerOptions,
  type RuntimeLease,
  type StartOptions,
} from './manager-types.js';
import { pullOllamaModels } from './ollama-pull.js';
import { planFor } from './plan-for.js';
import type { ContainerPlan } from './plan.js';
import { freeLoopbackPort, loopbackPortFree } from './ports.js';
import type { ContainerSpec } from './specs.js';

export type {
  ContainerLogLine,
  CrashReport,
  DockerRuntimeManagerOptions,
  RestartPolicy,
  RuntimeLease,
  StartOptions,
} from './manager-types.js';

const LOG_TAIL = 20;

const describeState = (state: string): string =>
  state === 'crashed'
    ? 'restarting after a crash'
    : state === 'failed'
      ? 'down: it kept crashing and the agent gave up restarting it'
      : state;

export class DockerRuntimeManager {
  readonly docker: Docker;
  readonly endpoint: string;
  private readonly entries = new Map<string, ManagedContainer>();
  private readonly serial = new KeyedSerial();
  private readonly log: Logger;
  private readonly ops: ContainerOps;
  private readonly runner: ContainerRunner;
  private readonly recovery: CrashRecovery;
  private readonly idle: IdleSweep;
  private readonly watch: ContainerWatch;
  private gpus: Promise<number> | undefined;
  private closed = false;

  constructor(private readonly o: DockerRuntimeManagerOptions) {
    const conn = o.docker
      ? { docker: o.docker, endpoint: o.dockerHost ?? 'docker' }
      : connectDocker(o.dockerHost);
    this.docker = conn.docker;
    this.endpoint = conn.endpoint;
    this.log = (o.logger ?? pino({ level: 'silent' })).child({ part: 'docker' });
    this.ops = new ContainerOps(this.docker, {
      nodeId: o.nodeId,
      restartRetries: o.restartPolicyRetries ?? 3,
      stopTimeoutSeconds: o.stopTimeoutSeconds ?? 10,
    });
    this.runner = new ContainerRunner({
      ops: this.ops,
      log: this.log,
      onLog: o.onLog,
      healthIntervalMs: o.healthIntervalMs,
      logTail: LOG_TAIL,
    });
    this.recovery = new CrashRecovery({
      ops: this.ops,
      policy: { ...DEFAULT_RESTART_POLICY, ...o.restart },
      serial: this.serial,
      log: this.log,
      onCrash: o.onCrash,
      emit: (e) => this.emit(e),
      start: (e) => this.runner.start(e),
      ready: (e) => this.ready(e),
      deviceRequests: (plan) => this.deviceRequests(plan),
      isClosed: () => this.closed,
      logTail: LOG_TAIL,
    });
    this.watch = new ContainerWatch({
      docker: this.docker,
      nodeId: o.nodeId,
      ops: this.ops,
      log: this.log,
      entries: () => this.entries.values(),
      started: (e) => this.runner.followLogs(e),
      died: (e, exitCode) => void this.recovery.crashed(e, exitCode),
    });
    this.idle = new IdleSweep({
      everyMs: o.idleCheckMs ?? 15_000,
      entries: () => this.entries.values(),
      serial: this.serial,
      stopIdle: (e, why) => this.stopContainer(e, 'idle', why),
      log: this.log,
    });
  }

  /** Whether the engine answers, its version, or why not. Never throws. */
  engineInfo(): Promise<EngineInfo> {
    return engineInfo(this.docker, this.endpoint);
  }

  /** Uses the local image, else pulls it with progress. */
  ensureImage(ref: string, onProgress?: PullProgressSink): Promise<{ pulled: boolean }> {
    return ensureImage(this.docker, ref, onProgress);
  }

  list(): ManagedRuntime[] {
    return [...this.entries.values()];
  }

  get(name: string): ManagedRuntime | undefined {
    return this.entries.get(name);
  }

  /**
   * Starts a runtime and resolves once its API answers (and an Ollama spec's models are pulled). A running
   * container of the same name and configuration (started earlier, or adopted) is reused; one with another
   * configuration is replaced.
   */
  startRuntime(spec: ContainerSpec, so: StartOptions = {}): Promise<ManagedRuntime> {
    const plan = planFor(spec);
    return this.serial.run(plan.name, async () => {
      this.assertOpen();
      const hash = planHash(plan);
      const existing = this.entries.get(plan.name);
      if (existing && existing.hash === hash && existing.state !== 'failed') {
        existing.plan = plan;
        if (existing.state === 'idle' || existing.state === 'stopped') await this.wake(existing);
        return existing;
      }
      if (existing) await this.discardEntry(existing, 'its configuration changed');
      return this.create(plan, hash, so);
    });
  }

  /**
   * Finds this node's managed containers after an agent restart: running ones are taken over (logs followed,
   * health checked, crashes watched) instead of starting duplicates; exited or unhealthy ones are removed.
   * Without an engine there is nothing to adopt: resolves with none.
   */
  async adopt(): Promise<ManagedRuntime[]> {
    this.assertOpen();
    const info = await this.engineInfo();
    if (!info.available) {
      this.log.warn({ reason: info.reason }, 'no Docker Engine: no managed containers to adopt');
      return [];
    }
    await this.watchEvents();
    const found = await this.docker.listContainers({ all: true, filters: nodeFilter(this.o.nodeId) });
    const results = await Promise.all(
      found.map((c) => this.serial.run(c.Labels[LABEL.runtime] ?? '', () => this.adoptOne(c))),
    );
    return results.filter((r): r is ManagedContainer => r !== undefined);
  }

  /** A runtime for one request: starts it again if it was stopped for idleness. Call release() when done. */
  async acquire(name: string): Promise<RuntimeLease> {
    const entry = this.entry(name);
    if (entry.state === 'idle' || entry.state === 'stopped') {
      await this.serial.run(name, async () => {
        if (entry.state === 'idle' || entry.state === 'stopped') await this.wake(entry);
      });
    }
    if (entry.state !== 'ready') {
      throw new ContainerError('unavailable', `${name} is ${describeState(entry.state)}`);
    }
    entry.inFlight++;
    entry.lastUsed = Date.now();
    let released = false;
    return {
      runtime: entry,
      release: () => {
        if (released) return;
        released = true;
        entry.inFlight--;
        entry.lastUsed = Date.now();
      },
    };
  }

  /** Stops the container (kept, so start or acquire runs it again quickly). */
  stop(name: string): Promise<void> {
    const entry = this.entry(name);
    entry.halt();
    return this.serial.run(name, () => this.stopContainer(entry, 'stopped', 'stopped'));
  }

  /** Stops and removes the container. */
  remove(name: string): Promise<void> {
    const entry = this.entry(name);
    entry.halt();
    return this.serial.run(name, () => this.discardEntry(entry, 'removed'));
  }

  /** Agent shutdown: stops following, and stops and removes the containers unless `keepOnShutdown`. */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.idle.stop();
    this.watch.close();
    const entries = [...this.entries.values()];
    for (const e of entries) e.halt();
    if (!this.o.keepOnShutdown) {
      await Promise.allSettled(entries.map((e) => this.discardEntry(e, 'agent shutting down')));
    } else {
      for (const e of entries) e.endRun(e.state, 'agent shutting down');
      this.log.info({ runtimes: entries.map((e) => e.name) }, 'leaving managed containers running');
    }
    this.entries.clear();
  }

  // ------------------------------------------------------------------------------------------------- starting

  private async create(plan: ContainerPlan, hash: string, so: StartOptions): Promise<ManagedContainer> {
    // GPUs first: a request this node cannot serve fails here, before Docker is asked anything.
    const deviceRequests = await this.deviceRequests(plan);
    await this.requireEngine();
    await this.watchEvents();
    if (plan.port !== undefined && !(await loopbackPortFree(plan.port))) {
      // Another server there would answer our health check: refuse rather than adopt a stranger.
      throw new ContainerError(
        'start-failed',
        `${plan.name}: port ${plan.port} on 127.0.0.1 is already in use`,
      );
    }
    const port = plan.port ?? (await freeLoopbackPort());
    await ensureImage(this.docker, plan.image, so.onImageProgress);
    const container = await this.ops.create(plan, port, deviceRequests);
    if (this.closed) {
      await this.ops.remove(container);
      throw new ContainerError('closed', 'the Docker runtime manager shut down during the start');
    }
    const entry = new ManagedContainer({
      container,
      name: plan.name,
      kind: plan.kind,
      model: plan.model,
      image: plan.image,
      port,
      hash,
      plan,
      adopted: false,
      cursor: new LogCursor(),
    });
    this.entries.set(plan.name, entry);
    try {
      await this.runner.start(entry);
      await pullOllamaModels(entry.baseUrl, plan.pullModels, so.onModelProgress, entry.halted);
    } catch (err) {
      this.entries.delete(plan.name);
      entry.halt();
      await this.ops.remove(entry.container);
      throw err;
    }
    this.ready(entry);
    this.log.info(
      { runtime: plan.name, container: entry.containerId.slice(0, 12), port },
      'runtime container ready',
    );
    return entry;
  }

  private async wake(entry: ManagedContainer): Promise<void> {
    entry.resume();
    entry.state = 'starting';
    this.emit(entry);
    await this.runner.start(entry);
    this.ready(entry);
    this.log.info({ runtime: entry.name }, 'runtime container started again');
  }

  private ready(entry: ManagedContainer): void {
    entry.markReady();
    this.emit(entry);
  }

  // ------------------------------------------------------------------------------------------------- adopting

  private async adoptOne(c: Docker.ContainerInfo): Promise<ManagedContainer | undefined> {
    const name = c.Labels[LABEL.runtime];
    const container = this.docker.getContainer(c.Id);
    const decision = adoptionDecision(c, name ? this.entries.get(name)?.containerId : undefined);
    if (decision.action === 'skip') return undefined;
    if (decision.action === 'remove') {
      await this.ops.remove(container);
      this.log[decision.level]({ container: c.Id.slice(0, 12), runtime: name, state: c.State }, decision.why);
      return undefined;
    }
    const entry = new ManagedContainer({
      ...decision,
      container,
      adopted: true,
      // Lines written before this agent started were already logged by the previous one.
      cursor: new LogCursor(Date.now() / 1000),
    });
    this.entries.set(entry.name, entry);
    this.runner.followLogs(entry);
    try {
      await this.runner.waitHealthy(entry);
    } catch (err) {
      this.entries.delete(entry.name);
      entry.halt();
      await this.ops.remove(container);
      this.log.warn(
        { runtime: entry.name, err: (err as Error).message },
        'removed an unhealthy managed container',
      );
      return undefined;
    }
    this.ready(entry);
    this.log.info(
      { runtime: entry.name, container: c.Id.slice(0, 12), port: entry.port },
      'adopted a running runtime container',
    );
    return entry;
  }

  /** Watches the engine's events (once) and starts the idle sweep with it. */
  private async watchEvents(): Promise<void> {
    await this.watch.start();
    this.idle.start();
  }

  // ---------------------------------------------------------------------------------------- stopping, helpers

  private async stopContainer(
    entry: ManagedContainer,
    state: 'stopped' | 'idle',
    why: string,
  ): Promise<void> {
    entry.endRun(state, why);
    entry.halt();
    await this.ops.stop(entry.container);
    this.emit(entry);
  }

  private async discardEntry(entry: ManagedContainer, why: string): Promise<void> {
    entry.endRun('stopped', why);
    entry.halt();
    await this.ops.discard(entry.container);
    if (this.entries.get(entry.name) === entry) this.entries.delete(entry.name);
    this.emit(entry);
  }

  private async requireEngine(): Promise<void> {
    const info = await this.engineInfo();
    if (!info.available) throw new ContainerError('engine-unavailable', info.reason);
  }

  private async deviceRequests(plan: ContainerPlan): Promise<Docker.DeviceRequest[] | undefined> {
    this.gpus ??= (this.o.detectGpus ?? detectNvidiaGpus)();
    return gpuDeviceRequests(plan.name, plan.gpus, await this.gpus);
  }

  private entry(name: string): ManagedContainer {
    const entry = this.entries.get(name);
    if (!entry) throw new ContainerError('not-found', `no managed runtime named ${JSON.stringify(name)}`);
    return entry;
  }

  private assertOpen(): void {
    if (this.closed) throw new ContainerError('closed', 'the Docker runtime manager is shut down');
  }

  private emit(entry: ManagedContainer): void {
    this.o.onStateChange?.(entry);
  }
}
