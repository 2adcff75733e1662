// One requirement class: the tasks that need exactly the same kind of node, in one FIFO queue, and the cached
// list of nodes that statically fit them (runtime, model, GPUs, labels). Placement scans only that list and
// reads each node's live state, load and loaded models, so it never touches nodes that cannot serve the model.
import { staticFit } from './fit';
import { IndexedHeap, type HeapItem } from './heap';
import type { LoadedState, NodeEntry, NodeTable } from './node-table';
import type { Requirement } from './requirement';
import { isBetter } from './score';
import type { TaskPhase, TaskRequest } from './types';

export interface TaskEntry extends HeapItem {
  readonly task: TaskRequest;
  readonly cls: RequirementClass;
  /** Enqueue order: the FIFO tie-break between equal `enqueuedAt`. */
  readonly seq: number;
  phase: TaskPhase;
  /** Set while running. */
  node: NodeEntry | undefined;
}

/** FIFO: earlier `enqueuedAt` first, then enqueue order. */
export function enqueuedBefore(a: TaskEntry, b: TaskEntry): boolean {
  const ta = a.task.enqueuedAt;
  const tb = b.task.enqueuedAt;
  return ta < tb || (ta === tb && a.seq < b.seq);
}

export class RequirementClass implements HeapItem {
  /** Placeable tasks (their backoff, if any, is over), FIFO. */
  readonly queue = new IndexedHeap<TaskEntry>(enqueuedBefore);
  /** Tasks of this class still in backoff. */
  delayed = 0;
  /** Something happened that may let the head of the queue be placed: try it in the next pass. */
  dirty = false;
  /** Position in the placement pass's heap of classes. */
  heapIndex = -1;
  /** When a task last used the class (a counter of the class table). */
  usedAt = 0;
  private candidates: NodeEntry[] | null = null;
  private loaded: LoadedState[] = [];

  constructor(
    readonly key: string,
    readonly req: Requirement,
  ) {}

  get idle(): boolean {
    return this.queue.size === 0 && this.delayed === 0;
  }

  /** The set of nodes that fit may have changed. */
  invalidate(): void {
    this.candidates = null;
  }

  /** The index of the best candidate with a free slot, or -1. */
  pick(table: NodeTable): number {
    const nodes = this.candidates ?? this.refresh(table.serving(this.req.model));
    const loaded = this.loaded;
    const runtime = this.req.runtime;
    let best = -1;
    let bestNode: NodeEntry | undefined;
    let bestLoaded = false;
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i]!;
      if (n.running >= n.limit) continue;
      const state = loaded[i]!;
      const l = runtime === undefined ? state.any : state.runtimes.includes(runtime);
      if (bestNode === undefined || isBetter(l, n, bestLoaded, bestNode)) {
        best = i;
        bestNode = n;
        bestLoaded = l;
      }
    }
    return best;
  }

  candidate(i: number): NodeEntry {
    return this.candidates![i]!;
  }

  /** Whether candidate `i` has the class's model loaded (live). */
  candidateLoaded(i: number): boolean {
    const state = this.loaded[i]!;
    const runtime = this.req.runtime;
    return runtime === undefined ? state.any : state.runtimes.includes(runtime);
  }

  /** Nodes listing the model that fit statically, whatever their state (placement checks `limit` live). */
  private refresh(serving: Iterable<NodeEntry> | undefined): NodeEntry[] {
    const nodes: NodeEntry[] = [];
    const loaded: LoadedState[] = [];
    for (const n of serving ?? []) {
      if (!staticFit(n.node, this.req).ok) continue;
      nodes.push(n);
      loaded.push(n.models.get(this.req.model)!);
    }
    this.candidates = nodes;
    this.loaded = loaded;
    return nodes;
  }
}
