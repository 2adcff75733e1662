// The nodes the scheduler knows, each with its live load, indexed by the names of the models it lists.
import type { NodeLoad } from './score';
import type { SchedNode } from './types';

export class NodeEntry implements NodeLoad {
  running = 0;
  lastAssigned = 0;
  slots: number;
  /** Distinct model names the node lists (any runtime, errors included). */
  modelNames: string[];
  /** Removed from the table while tasks still ran on it; kept until they are released. */
  removed = false;

  constructor(
    readonly id: string,
    public node: SchedNode,
  ) {
    this.slots = node.slots;
    this.modelNames = distinctModelNames(node);
  }
}

/** What an upsert or removal changed, for the scheduler to refresh the affected queues. */
export interface NodeChange {
  entry: NodeEntry;
  /** Model names whose set of fitting nodes may have changed (empty when only the slot count changed). */
  models: string[];
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

  values(): IterableIterator<NodeEntry> {
    return this.live.values();
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
        entry.modelNames = distinctModelNames(node);
      } else {
        entry = new NodeEntry(id, node);
      }
      this.live.set(id, entry);
      this.index(entry);
      return { entry, models: entry.modelNames, moreCapacity: true };
    }
    const before = entry.node;
    const slotsUp = node.slots > entry.slots;
    entry.node = node;
    entry.slots = node.slots;
    if (sameFit(before, node)) return { entry, models: [], moreCapacity: slotsUp };
    const oldNames = entry.modelNames;
    this.unindex(entry);
    entry.modelNames = distinctModelNames(node);
    this.index(entry);
    const models = [...new Set([...oldNames, ...entry.modelNames])];
    return { entry, models, moreCapacity: node.state === 'ready' };
  }

  remove(id: string): NodeChange | undefined {
    const entry = this.live.get(id);
    if (!entry) return undefined;
    this.live.delete(id);
    this.unindex(entry);
    entry.removed = true;
    if (entry.running > 0) this.retired.set(id, entry);
    return { entry, models: entry.modelNames, moreCapacity: false };
  }

  /** A task on `entry` ended. */
  release(entry: NodeEntry): void {
    entry.running--;
    if (entry.removed && entry.running === 0) this.retired.delete(entry.id);
  }

  private index(entry: NodeEntry): void {
    for (const name of entry.modelNames) {
      let set = this.byModel.get(name);
      if (!set) this.byModel.set(name, (set = new Set()));
      set.add(entry);
    }
  }

  private unindex(entry: NodeEntry): void {
    for (const name of entry.modelNames) {
      const set = this.byModel.get(name);
      if (!set) continue;
      set.delete(entry);
      if (set.size === 0) this.byModel.delete(name);
    }
  }
}

function distinctModelNames(node: SchedNode): string[] {
  return [...new Set(node.models.map((m) => m.name))];
}

/** Whether two versions of a node fit the same tasks equally well (slots and VRAM in use aside). */
function sameFit(a: SchedNode, b: SchedNode): boolean {
  if (a.state !== b.state) return false;
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
    if (x.name !== y.name || x.runtime !== y.runtime || x.loaded !== y.loaded || x.error !== y.error)
      return false;
  }
  const ka = Object.keys(a.labels);
  if (ka.length !== Object.keys(b.labels).length) return false;
  return ka.every((k) => Object.hasOwn(b.labels, k) && a.labels[k] === b.labels[k]);
}
