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
  return {
    model: task.model,
    runtime: task.runtime || undefined,
    gpus: gpuCount(res),
    minVramBytes: minVramBytes(res),
    labels: res?.labels ? Object.entries(res.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : [],
  };
}

/**
 * `requirementKey(requirementOf(task))` without building the requirement: the scheduler computes it for
 * every task it receives. Strings are JSON-quoted, so the concatenation cannot be ambiguous.
 */
export function requirementKeyOf(task: TaskRequest): string {
  const res = task.resources;
  let key = JSON.stringify(task.model) + (task.runtime ? JSON.stringify(task.runtime) : '-');
  if (!res) return key;
  const gpus = gpuCount(res);
  const vram = minVramBytes(res);
  const labels = res.labels;
  const names = labels ? Object.keys(labels) : [];
  if (gpus === 0 && vram === 0 && names.length === 0) return key;
  key += `${gpus},${vram}`;
  if (names.length > 1) names.sort();
  for (const k of names) key += JSON.stringify(k) + JSON.stringify(labels![k]);
  return key;
}

/** A string that is equal for two requirements exactly when they are equal. */
export function requirementKey(req: Requirement): string {
  let key = JSON.stringify(req.model) + (req.runtime ? JSON.stringify(req.runtime) : '-');
  if (req.gpus === 0 && req.minVramBytes === 0 && req.labels.length === 0) return key;
  key += `${req.gpus},${req.minVramBytes}`;
  for (const [k, v] of req.labels) key += JSON.stringify(k) + JSON.stringify(v);
  return key;
}

function gpuCount(res: TaskRequest['resources']): number {
  const gpu = res?.gpu;
  return gpu === true ? 1 : typeof gpu === 'number' && gpu > 0 ? Math.ceil(gpu) : 0;
}

function minVramBytes(res: TaskRequest['resources']): number {
  const gb = res?.minVramGb;
  return typeof gb === 'number' && gb > 0 ? gb * BYTES_PER_GB : 0;
}

/** `zone=eu,tier=gpu`, for messages. */
export function formatLabels(labels: Requirement['labels']): string {
  return labels.map(([k, v]) => `${k}=${v}`).join(',');
}
