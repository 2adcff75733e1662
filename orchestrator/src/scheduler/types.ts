// The scheduler's view of nodes and tasks: plain data, fed by the orchestrator as the registry and jobs change.

export type SchedNodeState = 'ready' | 'stale' | 'offline';

export interface SchedModel {
  name: string;
  runtime: string;
  loaded: boolean;
  /** Set when the agent cannot serve the model (failed load, missing file…): such an entry does not count. */
  error?: string;
}

export interface SchedGpu {
  vramTotalBytes: number;
  vramUsedBytes?: number;
}

export interface SchedNode {
  id: string;
  state: SchedNodeState;
  labels: Record<string, string>;
  /** Concurrent tasks the agent accepts. */
  slots: number;
  runtimes: string[];
  models: SchedModel[];
  gpus: SchedGpu[];
}

export interface TaskResources {
  /** `true`: at least one GPU; a number: at least that many; `false`/0: no requirement. */
  gpu?: boolean | number;
  /** Compared with the largest GPU's total VRAM, in decimal gigabytes (10^9 bytes). */
  minVramGb?: number;
  /** Every label must be present on the node with this exact value. */
  labels?: Record<string, string>;
}

export interface TaskRequest {
  /** The attempt id: unique among the tasks the scheduler holds. */
  key: string;
  jobId: string;
  stepId: string;
  model: string;
  runtime?: string;
  resources?: TaskResources;
  /** Epoch ms; queues are FIFO by this time (then by enqueue order). */
  enqueuedAt: number;
  /** Retry backoff: the task is not placeable before this epoch ms. */
  notBefore?: number;
}

/** One assignment made by `schedule()`: the task now holds one of the node's slots until `release(key)`. */
export interface Placement {
  key: string;
  nodeId: string;
  task: TaskRequest;
  /** The node had the model loaded already. */
  modelLoaded: boolean;
}

export type TaskPhase = 'delayed' | 'queued' | 'running';

export type ExplanationCode =
  'running' | 'backoff' | 'pending' | 'busy' | 'no-model' | 'not-ready' | 'no-fit';

/** Why a task is where it is, for the UI and the CLI. */
export interface Explanation {
  code: ExplanationCode;
  message: string;
}

/** A one-shot timer; Node's global `setTimeout`/`clearTimeout` fit, tests pass a fake one. */
export interface Timer {
  setTimeout(fire: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}
