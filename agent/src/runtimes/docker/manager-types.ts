/** What the Docker runtime manager is configured with, and what it reports: options, log lines, crash reports, leases. */
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import type { PullProgressSink } from './image.js';
import type { LogStream } from './logs.js';
import type { ManagedRuntime } from './managed-container.js';
import type { ModelPullProgress } from './ollama-pull.js';

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

/** The manager's restarts after a crash: delay initialMs·2^n up to maxMs, at most maxAttempts in a row. */
export interface RestartPolicy {
  initialMs: number;
  maxMs: number;
  maxAttempts: number;
  /** A container healthy for this long counts as stable again: its attempt counter starts over. */
  stableMs: number;
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
  restart?: Partial<RestartPolicy>;
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

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialMs: 1_000,
  maxMs: 60_000,
  maxAttempts: 8,
  stableMs: 60_000,
};
