// The naive scheduler: every pass walks all waiting tasks oldest first and, for each, scans every node with the
// full filter and the score. Slow by design; it states the placement rules in the plainest form. Tests check
// that `Scheduler` makes exactly the same placements, and the placement benchmark uses it as the baseline.
import { systemClock, type Clock } from '../registry/types';
import { staticFit } from './fit';
import { requirementOf, type Requirement } from './requirement';
import { isBetter, type NodeLoad } from './score';
import type { Placement, SchedNode, TaskRequest } from './types';

interface RefNode extends NodeLoad {
  node: SchedNode;
  running: number;
  slots: number;
  lastAssigned: number;
}

interface RefTask {
  task: TaskRequest;
  req: Requirement;
  seq: number;
  node?: RefNode;
}

export class ReferenceScheduler {
  private readonly nodes = new Map<string, RefNode>();
  /** Removed nodes with running tasks (same rule as `Scheduler`: their load and history survive a re-add). */
  private readonly retired = new Map<string, RefNode>();
  private readonly tasks = new Map<string, RefTask>();
  /** Waiting tasks, oldest first. */
  private waiting: RefTask[] = [];
  private seq = 0;
  private assignSeq = 0;

  constructor(private readonly clock: Clock = systemClock) {}

  upsertNode(node: SchedNode): void {
    const known = this.nodes.get(node.id) ?? this.retired.get(node.id);
    this.retired.delete(node.id);
    if (known) {
      known.node = node;
      known.slots = node.slots;
      this.nodes.set(node.id, known);
    } else {
      this.nodes.set(node.id, { id: node.id, node, running: 0, slots: node.slots, lastAssigned: 0 });
    }
  }

  removeNode(id: string): boolean {
    const n = this.nodes.get(id);
    if (!n) return false;
    this.nodes.delete(id);
    if (n.running > 0) this.retired.set(id, n);
    return true;
  }

  enqueue(task: TaskRequest): void {
    if (this.tasks.has(task.key)) throw new Error(`task "${task.key}" is already in the scheduler`);
    const t: RefTask = { task, req: requirementOf(task), seq: ++this.seq };
    this.tasks.set(task.key, t);
    let i = this.waiting.length;
    while (i > 0 && before(t, this.waiting[i - 1]!)) i--;
    this.waiting.splice(i, 0, t);
  }

  dequeue(key: string): boolean {
    const t = this.tasks.get(key);
    if (!t || t.node) return false;
    this.tasks.delete(key);
    this.waiting.splice(this.waiting.indexOf(t), 1);
    return true;
  }

  release(key: string): boolean {
    const t = this.tasks.get(key);
    if (!t) return false;
    if (!t.node) return this.dequeue(key);
    this.tasks.delete(key);
    const n = t.node;
    n.running--;
    if (n.running === 0 && this.retired.get(n.id) === n) this.retired.delete(n.id);
    return true;
  }

  schedule(): Placement[] {
    const now = this.clock.now();
    const placements: Placement[] = [];
    for (const t of this.waiting) {
      if (t.task.notBefore !== undefined && t.task.notBefore > now) continue;
      let best: RefNode | undefined;
      let bestLoaded = false;
      for (const n of this.nodes.values()) {
        if (n.node.state !== 'ready' || n.running >= n.slots) continue;
        const fit = staticFit(n.node, t.req);
        if (!fit.ok) continue;
        if (!best || isBetter(fit.loaded, n, bestLoaded, best)) {
          best = n;
          bestLoaded = fit.loaded;
        }
      }
      if (!best) continue;
      best.running++;
      best.lastAssigned = ++this.assignSeq;
      t.node = best;
      placements.push({ key: t.task.key, nodeId: best.id, task: t.task, modelLoaded: bestLoaded });
    }
    if (placements.length > 0) this.waiting = this.waiting.filter((t) => !t.node);
    return placements;
  }
}

function before(a: RefTask, b: RefTask): boolean {
  const ta = a.task.enqueuedAt;
  const tb = b.task.enqueuedAt;
  return ta < tb || (ta === tb && a.seq < b.seq);
}
