// The filter: whether a node can run a task. `staticFit` covers what changes only when the node is upserted
// (runtimes, models, GPUs, labels); `fits` adds the live part (state ready, a free slot).
import type { Requirement } from './requirement';
import type { SchedNode } from './types';

/** Why a node that lists the task's model cannot run it, in the order the checks run. */
export type Misfit = 'runtime' | 'model-runtime' | 'model-error' | 'gpu' | 'vram' | 'labels';

export type FitResult = { ok: true; loaded: boolean } | { ok: false; misfit: Misfit; error?: string };

const LOADED: FitResult = { ok: true, loaded: true };
const NOT_LOADED: FitResult = { ok: true, loaded: false };

/** Checks everything but the node's state and free slots. */
export function staticFit(node: SchedNode, req: Requirement): FitResult {
  if (req.runtime !== undefined && !node.runtimes.includes(req.runtime))
    return { ok: false, misfit: 'runtime' };
  let listed = false;
  let usable = false;
  let loaded = false;
  let error: string | undefined;
  for (const m of node.models) {
    if (m.name !== req.model || (req.runtime !== undefined && m.runtime !== req.runtime)) continue;
    listed = true;
    if (m.error) {
      error ??= m.error;
      continue;
    }
    usable = true;
    if (m.loaded) loaded = true;
  }
  if (!usable)
    return listed ? { ok: false, misfit: 'model-error', error } : { ok: false, misfit: 'model-runtime' };
  if (node.gpus.length < req.gpus) return { ok: false, misfit: 'gpu' };
  if (req.minVramBytes > 0 && largestVram(node) < req.minVramBytes) return { ok: false, misfit: 'vram' };
  for (const [k, v] of req.labels) {
    if (!Object.hasOwn(node.labels, k) || node.labels[k] !== v) return { ok: false, misfit: 'labels' };
  }
  return loaded ? LOADED : NOT_LOADED;
}

/** The full filter: ready, a free slot, and `staticFit`. */
export function fits(node: SchedNode, running: number, req: Requirement): boolean {
  return node.state === 'ready' && running < node.slots && staticFit(node, req).ok;
}

export function largestVram(node: SchedNode): number {
  let max = 0;
  for (const g of node.gpus) if (g.vramTotalBytes > max) max = g.vramTotalBytes;
  return max;
}
