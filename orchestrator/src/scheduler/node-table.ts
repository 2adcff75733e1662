// The nodes the scheduler knows, each with its live load, indexed by the names of the models it lists.
// What changes often (state, slots, which models are loaded) is updated in place, where placement reads it
// live; only a change of what a node can run at all (runtimes, models, errors, GPUs, labels) invalidates the
// cached candidate lists of the requirement classes of its models.
import type { NodeLoad } from './score';
import type { SchedNode } from './types';

/** Whether a node has a model loaded, read live by placement (mutated in place on upserts). */
export interface LoadedState {
  /** Loaded under some runtime (without error). */
  any: boolean;
  /** The runtimes it is loaded under (without error). */
  runtimes: string[];
}

export class NodeEntry implements NodeLoad {
  running = 0;
  lastAssigned = 0;
  slots: number;
  /** The slots it takes new work into: `slots` while ready, 0 otherwise. */
  limit: number;
  /** By model name: every model the node lists (any runtime, errors included). */
  models: Map<string, LoadedState>;
  /** Removed from the table while tasks still ran on it; kept until they are released. */
  removed = false;

  constructor(
    readonly id: string,
    public node: SchedNode,
  ) {
    this.slots = node.slots;
    this.limit = limitOf(node);
    this.models = loadedStates(node);
  }
}

/** What an upsert or removal changed, for the scheduler to refresh the affected queues. */
export interface NodeChange {
  entry: NodeEntry;
  /** Model names whose set of fitting nodes may have changed (empty for an in-place update). */
  models: Iterable<string>;
  /** The node may take work it could not take before (new, ready again, more slots, new models…). */
  moreCapacity: boolean;
}

export class NodeTable {
  private readonly live = new Map<string, NodeEntry>();
  /** Removed nodes that still had running tasks, so a release finds them and a re-upsert keeps the count. */
  private readonly retired = new Map<string, NodeEntry>();
  private readonly byModel = new Map<string, Set<NodeEntry>>();

  get size(): number {
    return this.live.size;
  }

  get(id: string): NodeEntry | undefined {
    return this.live.get(id);
  }

  /** Nodes (any state) that list a model of this name. */
  serving(model: string): ReadonlySet<NodeEntry> | undefined {
    return this.byModel.get(model);
  }

  upsert(node: SchedNode): NodeChange {
    const id = node.id;
    let entry = this.live.get(id);
    if (!entry) {
      entry = this.retired.get(id);
      if (entry) {
        this.retired.delete(id);
        entry.removed = false;
        entry.node = node;
        entry.slots = node.slots;
        entry.limit = limitOf(node);
        entry.models = loadedStates(node);
      } else {
        entry = new NodeEntry(id, node);
      }
      this.live.set(id, entry);
      this.index(entry);
      return { entry, models: entry.models.keys(), moreCapacity: entry.limit > 0 };
    }
    const before = entry.node;
    const limitBefore = entry.limit;
    entry.node = node;
    entry.slots = node.slots;
    entry.limit = limitOf(node);
    if (sameShape(before, node)) {
      updateLoaded(entry.models, node);
      return { entry, models: [], moreCapacity: entry.limit > limitBefore };
    }
    this.unindex(entry);
    const models = new Set(entry.models.keys());
    entry.models = loadedStates(node);
    for (const name of entry.models.keys()) models.add(name);
    this.index(entry);
    return { entry, models, moreCapacity: entry.limit > 0 };
  }

  remove(id: string): NodeChange | undefined {
    const entry = this.live.get(id);
    if (!entry) return undefined;
    this.live.delete(id);
    this.unindex(entry);
    entry.removed = true;
    entry.limit = 0;
    if (entry.running > 0) this.retired.set(id, entry);
    return { entry, models: entry.models.keys(), moreCapacity: false };
  }

  /** A task on `entry` ended. */
  release(entry: NodeEntry): void {
    entry.running--;
    if (entry.removed && entry.running === 0) this.retired.delete(entry.id);
  }

  private index(entry: NodeEntry): void {
    for (const name of entry.models.keys()) {
      let set = this.byModel.get(name);
      if (!set) this.byModel.set(name, (set = new Set()));
      set.add(entry);
    }
  }

  private unindex(entry: NodeEntry): void {
    for (const name of entry.models.keys()) {
      const set = this.byModel.get(name);
      if (!set) continue;
      set.delete(entry);
      if (set.size === 0) this.byModel.delete(name);
    }
  }
}

function limitOf(node: SchedNode): number {
  return node.state === 'ready' ? node.slots : 0;
}

function loadedStates(node: SchedNode): Map<string, LoadedState> {
  const states = new Map<string, LoadedState>();
  for (const m of node.models) if (!states.has(m.name)) states.set(m.name, { any: false, runtimes: [] });
  updateLoaded(states, node);
  return states;
}

/** Recomputes the loaded flags in place (the node lists the same model names as when `states` was built). */
function updateLoaded(states: Map<string, LoadedState>, node: SchedNode): void {
  for (const s of states.values()) {
    s.any = false;
    s.runtimes.length = 0;
  }
  for (const m of node.models) {
    if (!m.loaded || m.error) continue;
    const s = states.get(m.name)!;
    s.any = true;
    s.runtimes.push(m.runtime);
  }
}

/** Whether two versions of a node fit the same tasks (state, slots, loaded flags and VRAM in use aside). */
function sameShape(a: SchedNode, b: SchedNode): boolean {
  if (a.runtimes.length !== b.runtimes.length || a.runtimes.some((r, i) => r !== b.runtimes[i])) return false;
  if (
    a.gpus.length !== b.gpus.length ||
    a.gpus.some((g, i) => g.vramTotalBytes !== b.gpus[i]!.vramTotalBytes)
  ) {
    return false;
  }
  if (a.models.length !== b.models.length) return false;
  for (let i = 0; i < a.models.length; i++) {
    const x = a.models[i]!;
    const y = b.models[i]!;
    if (x.name !== y.name || x.runtime !== y.runtime || x.error !== y.error) return false;
  }
  const ka = Object.keys(a.labels);
  if (ka.length !== Object.keys(b.labels).length) return false;
  return ka.every((k) => Object.hasOwn(b.labels, k) && a.labels[k] === b.labels[k]);
}
