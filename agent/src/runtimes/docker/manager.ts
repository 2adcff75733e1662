/**
 * Runs the agent's Ollama and vLLM servers as Docker containers (dockerode, no other transport): makes their
 * images available, creates labelled containers on the host network bound to a loopback port, waits until their
 * API answers, streams their logs, adopts the ones still running after an agent restart, restarts crashed ones
 * with exponential backoff (reporting each crash so in-flight tasks fail as 'runtime-crashed' and are retried),
 * stops idle ones, and stops everything at shutdown unless told to keep them.
 */
import type Docker from 'dockerode';
import pino, { type Logger } from 'pino';
import { connectDocker } from './connect.js';
import { createOptions, planHash } from './create-options.js';
import { engineInfo, type EngineInfo } from './engine-info.js';
import { ContainerError, dockerMessage, statusCode } from './errors.js';
import { EventWatcher, type ContainerEvent } from './events.js';
import { detectNvidiaGpus, gpuDeviceRequests } from './gpus.js';
import { waitForHealth, type ContainerRunState } from './health.js';
import { ensureImage, type PullProgressSink } from './image.js';
import { LABEL, nodeFilter } from './labels.js';
import { followLogs, LogCursor, readLogTail, type LogStream } from './logs.js';
import { ManagedContainer, type ManagedRuntime } from './managed-container.js';
import { pullOllamaModels, type ModelPullProgress } from './ollama-pull.js';
import { planFor } from './plan-for.js';
import type { ContainerPlan } from './plan.js';
import { freeLoopbackPort, loopbackPortFree } from './ports.js';
import type { ContainerSpec } from './specs.js';

export interface ContainerLogLine {
  runtime: string;
  containerId: string;
  stream: LogStream;
  text: string;
}

export interface CrashReport {
  runtime: string;
  containerId: string;
  exitCode: number | undefined;
  oomKilled: boolean;
  /** Restarts after earlier crashes. */
  restarts: number;
  /** False when the manager gave up (too many consecutive failures): the runtime is 'failed'. */
  willRestart: boolean;
  lastLogs: string[];
}

export interface DockerRuntimeManagerOptions {
  nodeId: string;
  /** A dockerode client; default from `dockerHost`, else DOCKER_HOST, else the default socket. */
  docker?: Docker;
  dockerHost?: string;
  /** NVIDIA GPUs on this node; default: systeminformation (read once). */
  detectGpus?: () => Promise<number>;
  /** Every container log line (node logs); default: the logger at info. */
  onLog?: (line: ContainerLogLine) => void;
  /** A ready container died (the runtime's in-flight requests fail; see ManagedRuntime.signal). */
  onCrash?: (report: CrashReport) => void;
  onStateChange?: (runtime: ManagedRuntime) => void;
  /** Leave containers running at shutdown (the next agent adopts them). Default false: stop and remove them. */
  keepOnShutdown?: boolean;
  /** Docker's own restarts of a server that exits non-zero (`on-failure` restart policy limit). Default 3. */
  restartPolicyRetries?: number;
  /** The manager's restarts after a crash: delay initialMs·2^n up to maxMs, at most maxAttempts in a row. */
  restart?: { initialMs?: number; maxMs?: number; maxAttempts?: number; stableMs?: number };
  /** Seconds `docker stop` waits before SIGKILL. Default 10. */
  stopTimeoutSeconds?: number;
  /** How often idle runtimes are looked for. Default 15 s. */
  idleCheckMs?: number;
  /** Health poll interval. Default 100 ms. */
  healthIntervalMs?: number;
  logger?: Logger;
}

export interface StartOptions {
  onImageProgress?: PullProgressSink;
  onModelProgress?: (p: ModelPullProgress) => void;
}

export interface RuntimeLease {
  runtime: ManagedRuntime;
  /** Marks the end of the request (idle time counts from here). Idempotent. */
  release(): void;
}

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
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly log: Logger;
  private readonly restart: Required<NonNullable<DockerRuntimeManagerOptions['restart']>>;
  private events: EventWatcher | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private gpus: Promise<number> | undefined;
  private closed = false;

  constructor(private readonly o: DockerRuntimeManagerOptions) {
    const conn = o.docker
      ? { docker: o.docker, endpoint: o.dockerHost ?? 'docker' }
      : connectDocker(o.dockerHost);
    this.docker = conn.docker;
    this.endpoint = conn.endpoint;
    this.log = (o.logger ?? pino({ level: 'silent' })).child({ part: 'docker' });
    this.restart = {
      initialMs: o.restart?.initialMs ?? 1_000,
      maxMs: o.restart?.maxMs ?? 60_000,
      maxAttempts: o.restart?.maxAttempts ?? 8,
      stableMs: o.restart?.stableMs ?? 60_000,
    };
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
    return this.serial(plan.name, async () => {
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
      found.map((c) => {
        const name = c.Labels[LABEL.runtime] ?? '';
        return this.serial(name, () => this.adoptOne(c));
      }),
    );
    return results.filter((r): r is ManagedContainer => r !== undefined);
  }

  /** A runtime for one request: starts it again if it was stopped for idleness. Call release() when done. */
  async acquire(name: string): Promise<RuntimeLease> {
    const entry = this.entry(name);
    if (entry.state === 'idle' || entry.state === 'stopped') {
      await this.serial(name, async () => {
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
    return this.serial(name, () => this.stopContainer(entry, 'stopped', 'stopped'));
  }

  /** Stops and removes the container. */
  remove(name: string): Promise<void> {
    const entry = this.entry(name);
    entry.halt();
    return this.serial(name, () => this.discardEntry(entry, 'removed'));
  }

  /** Agent shutdown: stops following, and stops and removes the containers unless `keepOnShutdown`. */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.idleTimer);
    this.events?.close();
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
    const deviceRequests = gpuDeviceRequests(plan.name, plan.gpus, await this.detectedGpus());
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
    const options = createOptions(plan, {
      nodeId: this.o.nodeId,
      port,
      deviceRequests,
      restartRetries: this.o.restartPolicyRetries ?? 3,
    });
    const container = await this.createContainer(options);
    if (this.closed) {
      await this.removeContainer(container);
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
      await this.startContainer(entry);
      await pullOllamaModels(entry.baseUrl, plan.pullModels, so.onModelProgress, entry.halted);
    } catch (err) {
      this.entries.delete(plan.name);
      entry.halt();
      await this.removeContainer(entry.container);
      throw err;
    }
    this.ready(entry);
    this.log.info(
      { runtime: plan.name, container: entry.containerId.slice(0, 12), port },
      'runtime container ready',
    );
    return entry;
  }

  private async createContainer(options: Docker.ContainerCreateOptions): Promise<Docker.Container> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.docker.createContainer(options);
      } catch (err) {
        // A leftover of this node with the same name (e.g. not adopted): replace it once.
        if (statusCode(err) === 409 && attempt === 0 && options.name && (await this.isOurs(options.name))) {
          await this.removeContainer(this.docker.getContainer(options.name));
          continue;
        }
        throw new ContainerError('start-failed', `cannot create ${options.name}: ${dockerMessage(err)}`, {
          cause: err,
        });
      }
    }
  }

  /** Starts the container (already running is fine), follows its logs and waits until its API answers. */
  private async startContainer(entry: ManagedContainer): Promise<void> {
    try {
      await entry.container.start();
    } catch (err) {
      if (statusCode(err) !== 304) {
        throw new ContainerError(
          'start-failed',
          `${entry.name}: Docker could not start the container: ${dockerMessage(err)}`,
          {
            cause: err,
          },
        );
      }
    }
    this.followLogs(entry);
    await this.waitHealthy(entry, entry.healthTimeoutMs);
  }

  private waitHealthy(entry: ManagedContainer, timeoutMs: number): Promise<void> {
    return waitForHealth({
      name: entry.name,
      url: entry.healthUrl,
      timeoutMs,
      intervalMs: this.o.healthIntervalMs,
      state: () => this.runState(entry.container),
      lastLogs: () => readLogTail(entry.container, LOG_TAIL),
      signal: entry.halted,
    });
  }

  private async wake(entry: ManagedContainer): Promise<void> {
    entry.resume();
    entry.state = 'starting';
    this.emit(entry);
    await this.startContainer(entry);
    this.ready(entry);
    this.log.info({ runtime: entry.name }, 'runtime container started again');
  }

  private ready(entry: ManagedContainer): void {
    entry.markReady();
    this.emit(entry);
  }

  // ------------------------------------------------------------------------------------------------- adopting

  private async adoptOne(c: Docker.ContainerInfo): Promise<ManagedContainer | undefined> {
    const labels = c.Labels;
    const name = labels[LABEL.runtime];
    const kind = labels[LABEL.kind];
    const port = Number(labels[LABEL.port]);
    const container = this.docker.getContainer(c.Id);
    const known = name ? this.entries.get(name) : undefined;
    if (known && known.containerId === c.Id) return undefined;
    if (!name || (kind !== 'ollama' && kind !== 'vllm') || !(port > 0) || known) {
      await this.removeContainer(container);
      this.log.warn(
        { container: c.Id.slice(0, 12), name },
        'removed a managed container that cannot be adopted',
      );
      return undefined;
    }
    if (c.State !== 'running' && c.State !== 'restarting') {
      await this.removeContainer(container);
      this.log.info({ runtime: name, state: c.State }, 'removed a stopped managed container');
      return undefined;
    }
    const entry = new ManagedContainer({
      container,
      name,
      kind,
      model: labels[LABEL.model] ?? '',
      image: c.Image,
      port,
      hash: labels[LABEL.spec] ?? '',
      adopted: true,
      // Lines written before this agent started were already logged by the previous one.
      cursor: new LogCursor(Date.now() / 1000),
    });
    this.entries.set(name, entry);
    this.followLogs(entry);
    try {
      await this.waitHealthy(entry, entry.healthTimeoutMs);
    } catch (err) {
      this.entries.delete(name);
      entry.halt();
      await this.removeContainer(container);
      this.log.warn({ runtime: name, err: (err as Error).message }, 'removed an unhealthy managed container');
      return undefined;
    }
    this.ready(entry);
    this.log.info(
      { runtime: name, container: c.Id.slice(0, 12), port },
      'adopted a running runtime container',
    );
    return entry;
  }

  // ------------------------------------------------------------------------------------------ crashes, restarts

  private async watchEvents(): Promise<void> {
    if (!this.events) {
      this.events = new EventWatcher({
        docker: this.docker,
        labels: nodeFilter(this.o.nodeId).label,
        onEvent: (e) => this.onEvent(e),
        onReconnect: () => void this.reconcile(),
        onError: (err) =>
          this.log.warn({ err: dockerMessage(err) }, 'Docker event stream broke; reconnecting'),
      });
      this.startIdleSweep();
    }
    try {
      await this.events.start();
    } catch (err) {
      this.events = undefined;
      throw new ContainerError('engine-unavailable', `cannot watch Docker events: ${dockerMessage(err)}`, {
        cause: err,
      });
    }
  }

  private onEvent(e: ContainerEvent): void {
    const entry = [...this.entries.values()].find((x) => x.containerId === e.id);
    if (!entry) return;
    if (
      e.action === 'start' &&
      (entry.state === 'ready' || entry.state === 'crashed' || entry.state === 'starting')
    ) {
      this.followLogs(entry);
    } else if (e.action === 'die' && entry.state === 'ready') {
      void this.crashed(entry, e.exitCode);
    }
  }

  /** After the event stream reconnects: anything that died meanwhile is a crash. */
  private async reconcile(): Promise<void> {
    for (const entry of this.entries.values()) {
      if (entry.state !== 'ready') continue;
      const state = await this.runState(entry.container);
      if (!state.running && entry.state === 'ready') void this.crashed(entry, state.exitCode);
    }
  }

  private async crashed(entry: ManagedContainer, exitCode: number | undefined): Promise<void> {
    entry.endRun('crashed', `the container exited${exitCode === undefined ? '' : ` with code ${exitCode}`}`);
    this.emit(entry);
    if (entry.healthySince && Date.now() - entry.healthySince >= this.restart.stableMs) entry.attempts = 0;
    const state = await this.runState(entry.container);
    const report: CrashReport = {
      runtime: entry.name,
      containerId: entry.containerId,
      exitCode: exitCode ?? (state.running ? undefined : state.exitCode),
      oomKilled: !state.running && state.oomKilled,
      restarts: entry.restarts,
      willRestart: entry.attempts < this.restart.maxAttempts,
      lastLogs: await readLogTail(entry.container, LOG_TAIL),
    };
    this.log.warn(
      {
        runtime: entry.name,
        exitCode: report.exitCode,
        oomKilled: report.oomKilled,
        lastLogs: report.lastLogs,
      },
      'runtime container crashed',
    );
    this.o.onCrash?.(report);
    this.scheduleRecovery(entry);
  }

  private scheduleRecovery(entry: ManagedContainer): void {
    if (this.closed || entry.state !== 'crashed' || entry.halted.aborted) return;
    if (entry.attempts >= this.restart.maxAttempts) {
      entry.state = 'failed';
      this.emit(entry);
      this.log.error(
        { runtime: entry.name, attempts: entry.attempts },
        'runtime container keeps failing; gave up',
      );
      return;
    }
    const delay = Math.min(this.restart.maxMs, this.restart.initialMs * 2 ** entry.attempts);
    entry.attempts++;
    entry.recoverTimer = setTimeout(() => void this.serial(entry.name, () => this.recover(entry)), delay);
  }

  private async recover(entry: ManagedContainer): Promise<void> {
    entry.recoverTimer = undefined;
    if (this.closed || entry.state !== 'crashed' || entry.halted.aborted) return;
    try {
      try {
        await entry.container.inspect();
      } catch (err) {
        // Removed behind our back: create it again when the spec is known.
        if (statusCode(err) !== 404 || !entry.plan) throw err;
        entry.container = await this.createContainer(
          createOptions(entry.plan, {
            nodeId: this.o.nodeId,
            port: entry.port,
            deviceRequests: gpuDeviceRequests(entry.name, entry.plan.gpus, await this.detectedGpus()),
            restartRetries: this.o.restartPolicyRetries ?? 3,
          }),
        );
      }
      await this.startContainer(entry);
      if (entry.state !== 'crashed' || entry.halted.aborted) return;
      entry.restarts++;
      this.ready(entry);
      this.log.info(
        { runtime: entry.name, restarts: entry.restarts },
        'runtime container restarted after a crash',
      );
    } catch (err) {
      this.log.warn({ runtime: entry.name, err: dockerMessage(err) }, 'restart after a crash failed');
      this.scheduleRecovery(entry);
    }
  }

  // ------------------------------------------------------------------------------------------------ idleness

  private startIdleSweep(): void {
    if (this.idleTimer) return;
    this.idleTimer = setInterval(() => {
      const now = Date.now();
      for (const entry of this.entries.values()) {
        const idleMs = entry.plan?.idleStopMs;
        if (!idleMs || entry.state !== 'ready' || entry.inFlight > 0 || now - entry.lastUsed < idleMs)
          continue;
        void this.serial(entry.name, async () => {
          if (entry.state !== 'ready' || entry.inFlight > 0 || Date.now() - entry.lastUsed < idleMs) return;
          this.log.info({ runtime: entry.name, idleMs }, 'stopping an idle runtime container');
          await this.stopContainer(entry, 'idle', `idle for ${Math.round(idleMs / 1000)} s`);
        }).catch((err) =>
          this.log.warn({ runtime: entry.name, err: dockerMessage(err) }, 'idle stop failed'),
        );
      }
    }, this.o.idleCheckMs ?? 15_000);
    this.idleTimer.unref();
  }

  // ---------------------------------------------------------------------------------------- stopping, helpers

  private async stopContainer(
    entry: ManagedContainer,
    state: 'stopped' | 'idle',
    why: string,
  ): Promise<void> {
    entry.endRun(state, why);
    entry.halt();
    try {
      await entry.container.stop({ t: this.o.stopTimeoutSeconds ?? 10 });
    } catch (err) {
      if (statusCode(err) !== 304 && statusCode(err) !== 404) throw err;
    }
    this.emit(entry);
  }

  private async discardEntry(entry: ManagedContainer, why: string): Promise<void> {
    entry.endRun('stopped', why);
    entry.halt();
    try {
      await entry.container.stop({ t: this.o.stopTimeoutSeconds ?? 10 });
    } catch {
      // Already stopped or gone: removal below settles it.
    }
    await this.removeContainer(entry.container);
    if (this.entries.get(entry.name) === entry) this.entries.delete(entry.name);
    this.emit(entry);
  }

  private async removeContainer(container: Docker.Container): Promise<void> {
    try {
      await container.remove({ force: true });
    } catch (err) {
      if (statusCode(err) !== 404 && statusCode(err) !== 409) throw err; // 409: removal already in progress
    }
  }

  private followLogs(entry: ManagedContainer): void {
    if (entry.follower) return;
    const follower = followLogs(entry.container, {
      since: entry.cursor.since,
      cursor: entry.cursor,
      onLine: (stream, text) => {
        const line = { runtime: entry.name, containerId: entry.containerId, stream, text };
        if (this.o.onLog) this.o.onLog(line);
        else this.log.info({ runtime: entry.name, stream }, text);
      },
    });
    entry.follower = follower;
    void follower.ended.then(() => {
      if (entry.follower === follower) entry.follower = undefined;
    });
  }

  private async runState(container: Docker.Container): Promise<ContainerRunState> {
    try {
      const { State } = await container.inspect();
      if (State.Running && !State.Restarting) return { running: true };
      return {
        running: false,
        restarting: State.Restarting,
        exitCode: State.ExitCode,
        oomKilled: State.OOMKilled,
      };
    } catch {
      return { running: false, restarting: false, exitCode: -1, oomKilled: false };
    }
  }

  private async isOurs(name: string): Promise<boolean> {
    try {
      const info = await this.docker.getContainer(name).inspect();
      const labels = info.Config.Labels ?? {};
      return labels[LABEL.managed] === 'true' && labels[LABEL.node] === this.o.nodeId;
    } catch {
      return false;
    }
  }

  private async requireEngine(): Promise<void> {
    const info = await this.engineInfo();
    if (!info.available) throw new ContainerError('engine-unavailable', info.reason);
  }

  private detectedGpus(): Promise<number> {
    this.gpus ??= (this.o.detectGpus ?? detectNvidiaGpus)();
    return this.gpus;
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

  /** Runs operations on one runtime one at a time. */
  private serial<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(name) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.locks.set(name, settled);
    void settled.then(() => {
      if (this.locks.get(name) === settled) this.locks.delete(name);
    });
    return next;
  }
}
