/**
 * One managed runtime container as the manager tracks it, and the read-only view (`ManagedRuntime`) handed to the
 * runtime clients that talk HTTP to it.
 */
import type Docker from 'dockerode';
import { ContainerError } from './errors.js';
import type { LogCursor, LogFollower } from './logs.js';
import { KIND_DEFAULTS, type ContainerPlan } from './plan.js';

/**
 * starting → ready ⇄ idle (stopped when unused, started again by acquire())
 *            ready → crashed → ready (restarted with backoff) | failed (gave up)
 *            any → stopped (stop(), or removed)
 */
export type RuntimeState = 'starting' | 'ready' | 'crashed' | 'idle' | 'stopped' | 'failed';

export interface ManagedRuntime {
  /** The runtime instance's name, unique on the node. */
  readonly name: string;
  readonly kind: 'ollama' | 'vllm';
  readonly model: string;
  readonly image: string;
  readonly containerId: string;
  readonly port: number;
  /** http://127.0.0.1:PORT — the server's API (the container shares the host network). */
  readonly baseUrl: string;
  readonly state: RuntimeState;
  /** Found running after an agent restart rather than started by this manager. */
  readonly adopted: boolean;
  /** Restarts after crashes so far. */
  readonly restarts: number;
  /**
   * Aborted when this run of the container ends (crash, stop, idle stop), with a ContainerError as the reason:
   * in-flight requests bound to it fail at once as 'runtime-crashed' instead of waiting for a socket error.
   */
  readonly signal: AbortSignal;
}

export interface ManagedContainerInit {
  container: Docker.Container;
  name: string;
  kind: 'ollama' | 'vllm';
  model: string;
  image: string;
  port: number;
  hash: string;
  plan?: ContainerPlan;
  adopted: boolean;
  cursor: LogCursor;
}

export class ManagedContainer implements ManagedRuntime {
  container: Docker.Container;
  readonly name: string;
  readonly kind: 'ollama' | 'vllm';
  readonly model: string;
  readonly image: string;
  readonly port: number;
  readonly hash: string;
  readonly adopted: boolean;
  readonly cursor: LogCursor;
  /** Known when started (or re-claimed) from a spec; an adopted container has none until then. */
  plan: ContainerPlan | undefined;
  state: RuntimeState = 'starting';
  restarts = 0;
  /** Consecutive restart attempts since the container was last stable. */
  attempts = 0;
  healthySince = 0;
  lastUsed = Date.now();
  inFlight = 0;
  follower: LogFollower | undefined;
  recoverTimer: NodeJS.Timeout | undefined;
  private run = new AbortController();
  /** Aborted by stop/remove/shutdown: ends health waits and pending restarts. */
  private lifecycle = new AbortController();

  constructor(init: ManagedContainerInit) {
    this.container = init.container;
    this.name = init.name;
    this.kind = init.kind;
    this.model = init.model;
    this.image = init.image;
    this.port = init.port;
    this.hash = init.hash;
    this.plan = init.plan;
    this.adopted = init.adopted;
    this.cursor = init.cursor;
  }

  get containerId(): string {
    return this.container.id;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get signal(): AbortSignal {
    return this.run.signal;
  }

  get halted(): AbortSignal {
    return this.lifecycle.signal;
  }

  get healthUrl(): string {
    return this.baseUrl + (this.plan?.healthPath ?? KIND_DEFAULTS[this.kind].healthPath);
  }

  get healthTimeoutMs(): number {
    return this.plan?.healthTimeoutMs ?? KIND_DEFAULTS[this.kind].healthTimeoutMs;
  }

  markReady(): void {
    if (this.run.signal.aborted) this.run = new AbortController();
    this.state = 'ready';
    this.healthySince = Date.now();
    this.lastUsed = Date.now();
  }

  /** Ends this run: requests bound to `signal` fail with `reason`. */
  endRun(state: RuntimeState, reason: string): void {
    this.state = state;
    if (!this.run.signal.aborted) this.run.abort(new ContainerError('exited', `${this.name}: ${reason}`));
  }

  /** Stops everything in progress for this container (health waits, restarts, log following). */
  halt(): void {
    this.lifecycle.abort();
    clearTimeout(this.recoverTimer);
    this.recoverTimer = undefined;
    this.follower?.stop();
    this.follower = undefined;
  }

  /** After a halt, before the container is started again (idle wake-up). */
  resume(): void {
    if (this.lifecycle.signal.aborted) this.lifecycle = new AbortController();
  }
}
