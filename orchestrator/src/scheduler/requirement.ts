// A task's placement requirements in normal form, and the key of its requirement class: tasks with the same
// key fit exactly the same nodes, so they share one queue and one cached candidate list.
import type { TaskRequest } from './types';

/** `minVramGb` counts decimal gigabytes: a "24 GB" card reporting 23.99 GiB still has 24 GB. */
export const BYTES_PER_GB = 1e9;

export interface Requirement {
  model: string;
  runtime: string | undefined;
  /** Minimum number of GPUs (0: none needed). */
  gpus: number;
  /** Minimum total VRAM of the node's largest GPU (0: none needed). */
  minVramBytes: number;
  /** Required labels, sorted by name. */
  labels: ReadonlyArray<readonly [string, string]>;
}

export function requirementOf(task: TaskRequest): Requirement {
  const res = task.resources;
  const gpu = res?.gpu;
  const gpus = gpu === true ? 1 : typeof gpu === 'number' && gpu > 0 ? Math.ceil(gpu) : 0;
  const minVramGb = res?.minVramGb;
  const labels = res?.labels
    ? Object.entries(res.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    : [];
  return {
    model: task.model,
    runtime: task.runtime || undefined,
    gpus,
    minVramBytes: typeof minVramGb === 'number' && minVramGb > 0 ? minVramGb * BYTES_PER_GB : 0,
    labels,
  };
}

/** A string that is equal for two requirements exactly when they are equal. */
export function requirementKey(req: Requirement): string {
  return JSON.stringify([req.model, req.runtime ?? null, req.gpus, req.minVramBytes, req.labels]);
}

/** `zone=eu,tier=gpu`, for messages. */
export function formatLabels(labels: Requirement['labels']): string {
  return labels.map(([k, v]) => `${k}=${v}`).join(',');
}
