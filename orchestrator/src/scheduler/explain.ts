// Human reasons why a task is not running yet, for the UI and the CLI. Computed on demand from the nodes that
// list the task's model, so the hot path keeps no bookkeeping for it.
import { staticFit, type Misfit } from './fit';
import type { NodeEntry } from './node-table';
import { BYTES_PER_GB, formatLabels, type Requirement } from './requirement';
import type { Explanation, SchedNodeState } from './types';

/** The order the filter checks in: reasons with equal counts are listed in it. */
const MISFIT_ORDER: readonly Misfit[] = ['runtime', 'model-runtime', 'model-error', 'gpu', 'vram', 'labels'];

export function explainBackoff(notBefore: number, now: number): Explanation {
  const left = notBefore - now;
  if (left <= 0)
    return { code: 'pending', message: 'retry backoff is over; waiting for the next placement pass' };
  return { code: 'backoff', message: `waiting for retry backoff (${seconds(left)})` };
}

/**
 * Why a queued task (backoff over) has not been placed; `ahead` counts earlier tasks in its queue, up to
 * `counted` (when it reaches that, there may be more).
 */
export function explainQueued(
  req: Requirement,
  serving: Iterable<NodeEntry> | undefined,
  ahead: number,
  counted = Infinity,
): Explanation {
  const model = `model "${req.model}"`;
  const notReady: Record<Exclude<SchedNodeState, 'ready'>, number> = { stale: 0, offline: 0 };
  const misfits = new Map<Misfit, { count: number; error?: string }>();
  let listed = 0;
  let ready = 0;
  let fitting = 0;
  let running = 0;
  let slots = 0;
  for (const n of serving ?? []) {
    listed++;
    if (n.node.state !== 'ready') {
      notReady[n.node.state]++;
      continue;
    }
    ready++;
    const fit = staticFit(n.node, req);
    if (fit.ok) {
      fitting++;
      running += Math.min(n.running, Math.max(n.slots, 0));
      slots += Math.max(n.slots, 0);
      continue;
    }
    const m = misfits.get(fit.misfit) ?? { count: 0 };
    m.count++;
    if (fit.error !== undefined) m.error ??= fit.error;
    misfits.set(fit.misfit, m);
  }

  if (listed === 0) return { code: 'no-model', message: `no node serves ${model}` };
  const down = listed - ready;
  if (ready === 0) {
    return {
      code: 'not-ready',
      message: `no ready node serves ${model} (${describeNotReady(down, notReady)})`,
    };
  }
  if (fitting === 0) {
    const reasons = [...misfits]
      .sort(([a, ma], [b, mb]) => mb.count - ma.count || MISFIT_ORDER.indexOf(a) - MISFIT_ORDER.indexOf(b))
      .map(([misfit, m]) => describeMisfit(misfit, m.count, req, m.error));
    const also = down > 0 ? `; ${describeNotReady(down, notReady)}` : '';
    return {
      code: 'no-fit',
      message: `no ready node that serves ${model} fits: ${reasons.join(', ')}${also}`,
    };
  }
  const earlier =
    ahead >= counted ? `at least ${plural(ahead, 'earlier task')}` : plural(ahead, 'earlier task');
  const queue = ahead > 0 ? `; ${earlier} with the same requirements ahead of it` : '';
  if (running >= slots) {
    const who = fitting === 1 ? 'the only node that fits is busy' : `all ${fitting} nodes that fit are busy`;
    return { code: 'busy', message: `${who} (${running}/${slots} slots)${queue}` };
  }
  return {
    code: 'pending',
    message: `${plural(slots - running, 'free slot')} on ${plural(fitting, 'node')} that fit; waiting for the next placement pass${queue}`,
  };
}

function describeNotReady(down: number, counts: Record<'stale' | 'offline', number>): string {
  const serve = `${plural(down, 'node')} ${down === 1 ? 'serves' : 'serve'} it but`;
  const be = down === 1 ? 'is' : 'are';
  if (counts.offline === 0) return `${serve} ${be} stale`;
  if (counts.stale === 0) return `${serve} ${be} offline`;
  return `${serve} ${be} not ready: ${counts.stale} stale, ${counts.offline} offline`;
}

function describeMisfit(misfit: Misfit, n: number, req: Requirement, error: string | undefined): string {
  const one = n === 1;
  switch (misfit) {
    case 'runtime':
      return `${n} ${one ? 'lacks' : 'lack'} runtime "${req.runtime}"`;
    case 'model-runtime':
      return `${n} ${one ? 'serves' : 'serve'} it only with another runtime than "${req.runtime}"`;
    case 'model-error':
      return `${n} ${one ? 'reports' : 'report'} an error for it (${JSON.stringify(error ?? '')})`;
    case 'gpu':
      return req.gpus === 1
        ? `${n} ${one ? 'has' : 'have'} no GPU`
        : `${n} ${one ? 'has' : 'have'} fewer than ${req.gpus} GPUs`;
    case 'vram':
      return `${n} ${one ? 'has' : 'have'} less than ${req.minVramBytes / BYTES_PER_GB} GB of VRAM on one GPU`;
    case 'labels':
      return `${n} ${one ? 'does' : 'do'} not match labels ${formatLabels(req.labels)}`;
  }
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** `2.1s`, `45s`, `3m 5s`. */
function seconds(ms: number): string {
  const s = ms / 1000;
  if (s < 10) return `${(Math.ceil(s * 10) / 10).toFixed(1)}s`;
  if (s < 60) return `${Math.ceil(s)}s`;
  const whole = Math.ceil(s);
  return `${Math.floor(whole / 60)}m ${whole % 60}s`;
}
