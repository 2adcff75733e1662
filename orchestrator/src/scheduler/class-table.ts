// The requirement classes the scheduler holds, found by key and by model, with the queue bookkeeping that lets a
// freed slot wake only the classes that have tasks waiting for one of the node's models.
import { requirementKeyOf, requirementOf } from './requirement';
import { RequirementClass, type TaskEntry } from './requirement-class';
import type { TaskRequest } from './types';

/** Idle classes are collected only past this many classes (each keeps its candidate list while it lives). */
const MIN_COLLECT = 4096;

export class ClassTable {
  private readonly byKey = new Map<string, RequirementClass>();
  private readonly byModel = new Map<string, Set<RequirementClass>>();
  /** Classes with queued tasks, by model. */
  private readonly queuedByModel = new Map<string, Set<RequirementClass>>();
  private collectAt = MIN_COLLECT;
  /** Use stamp at the last collection: idle classes not used since are dropped at the next one. */
  private lastCollect = 0;
  private clock = 0;

  get size(): number {
    return this.byKey.size;
  }

  /** The task's class, created on first use. */
  classFor(task: TaskRequest): RequirementClass {
    const key = requirementKeyOf(task);
    let cls = this.byKey.get(key);
    if (!cls) {
      cls = new RequirementClass(key, requirementOf(task));
      this.byKey.set(key, cls);
      addTo(this.byModel, cls.req.model, cls);
    }
    cls.usedAt = ++this.clock;
    return cls;
  }

  /** Every class of a model, idle ones included (their cached candidates must follow node changes). */
  ofModel(model: string): ReadonlySet<RequirementClass> | undefined {
    return this.byModel.get(model);
  }

  /** The classes of a model with queued tasks. */
  queuedOfModel(model: string): ReadonlySet<RequirementClass> | undefined {
    return this.queuedByModel.get(model);
  }

  enqueue(entry: TaskEntry): void {
    const cls = entry.cls;
    cls.queue.push(entry);
    if (cls.queue.size === 1) addTo(this.queuedByModel, cls.req.model, cls);
  }

  /** Takes a task out of its class's queue (placed or cancelled). */
  unqueue(entry: TaskEntry): void {
    const cls = entry.cls;
    cls.queue.remove(entry);
    if (cls.queue.size === 0) deleteFrom(this.queuedByModel, cls.req.model, cls);
  }

  /**
   * Drops idle classes (no queued or delayed task) that were not used since the previous collection, once
   * the table has grown past twice its size after that collection. Amortised O(1) per class created.
   */
  maybeCollect(): void {
    if (this.byKey.size <= this.collectAt) return;
    for (const [key, cls] of this.byKey) {
      if (!cls.idle || cls.usedAt > this.lastCollect) continue;
      this.byKey.delete(key);
      deleteFrom(this.byModel, cls.req.model, cls);
    }
    this.lastCollect = this.clock;
    this.collectAt = Math.max(MIN_COLLECT, 2 * this.byKey.size);
  }
}

function addTo<T>(map: Map<string, Set<T>>, key: string, value: T): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

function deleteFrom<T>(map: Map<string, Set<T>>, key: string, value: T): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}
