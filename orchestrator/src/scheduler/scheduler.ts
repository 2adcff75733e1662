// The scheduler core: which queued task runs on which node, decided in memory and without I/O. The caller
// feeds it nodes (upsertNode/removeNode) and tasks (enqueue/dequeue/release) and calls schedule() after each
// change; schedule() returns the assignments made now. Backoffs are woken through an injected timer (or the
// caller reads nextWakeAt()); nothing polls.
//
// Tasks are grouped into requirement classes (same model, runtime, GPUs, VRAM, labels), each with a FIFO queue
// and a cached list of the nodes that fit it. A pass tries only the classes that something happened to since
// their last failed try (a task arrived, a slot freed on a node serving their model, a node changed), in
// global FIFO order of their heads; a class whose head does not fit is skipped for the rest of the pass, since
// capacity only shrinks within a pass. So a task waiting for a busy or missing model never holds up others.
import { systemClock, type Clock } from '../registry/types';
import { ClassTable } from './class-table';
import { explainBackoff, explainQueued } from './explain';
import { IndexedHeap } from './heap';
import { NodeTable, type NodeChange } from './node-table';
import { enqueuedBefore, type RequirementClass, type TaskEntry } from './requirement-class';
import type { Explanation, Placement, SchedNode, TaskPhase, TaskRequest, Timer } from './types';

export interface SchedulerOptions {
  clock?: Clock;
  /** With `onWake`: armed for the earliest backoff expiry. */
  timer?: Timer;
  /** Called (through `timer`) when a backoff expired: the caller runs `schedule()`. */
  onWake?: () => void;
}

export interface SchedulerStats {
  nodes: number;
  queued: number;
  delayed: number;
  running: number;
  requirementClasses: number;
}

/** Earlier tasks an explanation counts at most (it then says "at least"): counting costs O(this), not O(queue). */
export const AHEAD_COUNTED = 100;

/**
 * How many tasks of a FIFO heap are ahead of `entry`, counting at most `cap`. A heap node that is not ahead has
 * no descendant that is, so only the ahead nodes and their direct children are visited.
 */
function countAhead(heap: readonly TaskEntry[], entry: TaskEntry, cap: number): number {
  let count = 0;
  const stack = [0];
  while (stack.length > 0) {
    const i = stack.pop()!;
    const other = heap[i];
    if (!other || !enqueuedBefore(other, entry)) continue;
    if (++count >= cap) return cap;
    stack.push(2 * i + 1, 2 * i + 2);
  }
  return count;
}

/** Longest delay Node's setTimeout takes; a later wake-up is re-armed when this one fires. */
const MAX_TIMER_DELAY = 2 ** 31 - 1;

const backoffBefore = (a: TaskEntry, b: TaskEntry): boolean => {
  const ta = a.task.notBefore!;
  const tb = b.task.notBefore!;
  return ta < tb || (ta === tb && a.seq < b.seq);
};
const headBefore = (a: RequirementClass, b: RequirementClass): boolean =>
  enqueuedBefore(a.queue.peek()!, b.queue.peek()!);

export class Scheduler {
  private readonly nodes = new NodeTable();
  private readonly tasks = new Map<string, TaskEntry>();
  private readonly classes = new ClassTable();
  private readonly delayed = new IndexedHeap<TaskEntry>(backoffBefore);
  private readonly dirty: RequirementClass[] = [];
  /** The classes a placement pass works through, by their oldest task (empty between passes). */
  private readonly pass = new IndexedHeap<RequirementClass>(headBefore);
  private readonly clock: Clock;
  private readonly timer: Timer | undefined;
  private readonly onWake: (() => void) | undefined;
  private armedAt: number | undefined;
  private armed: unknown;
  private seq = 0;
  private assignSeq = 0;
  private queued = 0;
  private running = 0;

  constructor(options: SchedulerOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.timer = options.timer;
    this.onWake = options.onWake;
  }

  // ------------------------------------------------------------------------------------------------ nodes

  /** Adds or replaces a node. A node that is not `ready` keeps its running tasks but gets no new ones. */
  upsertNode(node: SchedNode): void {
    this.applyNodeChange(this.nodes.upsert(node));
  }

  /** Forgets a node; its running tasks still hold their slot until released. False when unknown. */
  removeNode(id: string): boolean {
    const change = this.nodes.remove(id);
    if (!change) return false;
    this.applyNodeChange(change);
    return true;
  }

  /** The node's running task count and slots, or undefined when unknown. */
  nodeLoad(id: string): { running: number; slots: number } | undefined {
    const n = this.nodes.get(id);
    return n && { running: n.running, slots: n.slots };
  }

  // ------------------------------------------------------------------------------------------------ tasks

  /** Queues a task (in backoff until `notBefore`, if that is later than now). Throws on a known key. */
  enqueue(task: TaskRequest): void {
    if (this.tasks.has(task.key)) throw new Error(`task "${task.key}" is already in the scheduler`);
    const cls = this.classes.classFor(task);
    const entry: TaskEntry = { task, cls, seq: ++this.seq, phase: 'queued', node: undefined, heapIndex: -1 };
    this.tasks.set(task.key, entry);
    if (task.notBefore !== undefined && task.notBefore > this.clock.now()) {
      entry.phase = 'delayed';
      cls.delayed++;
      this.delayed.push(entry);
      this.rearm();
    } else {
      this.queued++;
      this.classes.enqueue(entry);
      this.markDirty(cls);
    }
  }

  /** Cancels a task that is still waiting (queued or in backoff). False when unknown or running. */
  dequeue(key: string): boolean {
    const entry = this.tasks.get(key);
    if (!entry || entry.phase === 'running') return false;
    this.tasks.delete(key);
    if (entry.phase === 'delayed') {
      entry.cls.delayed--;
      this.delayed.remove(entry);
      this.rearm();
    } else {
      this.queued--;
      this.classes.unqueue(entry);
    }
    return true;
  }

  /** An attempt ended, for any reason: frees its slot (or cancels it if it was still waiting). */
  release(key: string): boolean {
    const entry = this.tasks.get(key);
    if (!entry) return false;
    if (entry.phase !== 'running') return this.dequeue(key);
    this.tasks.delete(key);
    this.running--;
    const node = entry.node!;
    this.nodes.release(node);
    if (node.running < node.limit) for (const model of node.models.keys()) this.markModelDirty(model);
    return true;
  }

  phase(key: string): TaskPhase | undefined {
    return this.tasks.get(key)?.phase;
  }

  // -------------------------------------------------------------------------------------------- placement

  /** Places every task that can run now, oldest first; each placement takes one slot until `release`. */
  schedule(): Placement[] {
    const now = this.clock.now();
    let top: TaskEntry | undefined;
    let promoted = false;
    while ((top = this.delayed.peek()) && top.task.notBefore! <= now) {
      this.delayed.pop();
      top.cls.delayed--;
      top.phase = 'queued';
      this.queued++;
      this.classes.enqueue(top);
      this.markDirty(top.cls);
      promoted = true;
    }
    if (promoted) this.rearm();

    const placements: Placement[] = [];
    if (this.dirty.length === 0) return placements;
    const pass = this.pass;
    for (const cls of this.dirty) {
      cls.dirty = false;
      if (cls.queue.size > 0) pass.push(cls);
    }
    this.dirty.length = 0;
    let cls: RequirementClass | undefined;
    while ((cls = pass.peek())) {
      const i = cls.pick(this.nodes);
      if (i < 0) {
        pass.pop();
        continue;
      }
      const entry = cls.queue.peek()!;
      this.classes.unqueue(entry);
      const node = cls.candidate(i);
      node.running++;
      node.lastAssigned = ++this.assignSeq;
      entry.phase = 'running';
      entry.node = node;
      this.queued--;
      this.running++;
      placements.push({
        key: entry.task.key,
        nodeId: node.id,
        task: entry.task,
        modelLoaded: cls.candidateLoaded(i),
      });
      if (cls.queue.size === 0) pass.pop();
      else pass.update(cls);
    }
    this.classes.maybeCollect();
    return placements;
  }

  /** Epoch ms of the earliest backoff expiry (run `schedule()` then), or undefined when no task waits for one. */
  nextWakeAt(): number | undefined {
    return this.delayed.peek()?.task.notBefore;
  }

  // ------------------------------------------------------------------------------------------ observation

  /** Why a task is not running (or where it runs); undefined for an unknown key. */
  explain(key: string): Explanation | undefined {
    const entry = this.tasks.get(key);
    if (!entry) return undefined;
    if (entry.phase === 'running') return { code: 'running', message: `running on node "${entry.node!.id}"` };
    if (entry.phase === 'delayed') return explainBackoff(entry.task.notBefore!, this.clock.now());
    const ahead = countAhead(entry.cls.queue.values(), entry, AHEAD_COUNTED);
    return explainQueued(entry.cls.req, this.nodes.serving(entry.task.model), ahead, AHEAD_COUNTED);
  }

  stats(): SchedulerStats {
    return {
      nodes: this.nodes.size,
      queued: this.queued,
      delayed: this.delayed.size,
      running: this.running,
      requirementClasses: this.classes.size,
    };
  }

  // ------------------------------------------------------------------------------------------------ inner

  private applyNodeChange(change: NodeChange): void {
    for (const model of change.models) {
      const set = this.classes.ofModel(model);
      if (set) for (const cls of set) cls.invalidate();
    }
    if (change.moreCapacity) for (const model of change.entry.models.keys()) this.markModelDirty(model);
  }

  private markModelDirty(model: string): void {
    const set = this.classes.queuedOfModel(model);
    if (set) for (const cls of set) this.markDirty(cls);
  }

  private markDirty(cls: RequirementClass): void {
    if (cls.dirty) return;
    cls.dirty = true;
    this.dirty.push(cls);
  }

  private rearm(): void {
    if (!this.timer || !this.onWake) return;
    const at = this.nextWakeAt();
    if (at === this.armedAt) return;
    if (this.armedAt !== undefined) this.timer.clearTimeout(this.armed);
    this.armedAt = at;
    this.armed = undefined;
    if (at === undefined) return;
    const delay = Math.min(MAX_TIMER_DELAY, Math.max(0, at - this.clock.now()));
    this.armed = this.timer.setTimeout(() => this.fire(), delay);
  }

  private fire(): void {
    this.armedAt = undefined;
    this.armed = undefined;
    const at = this.nextWakeAt();
    if (at === undefined) return;
    if (at > this.clock.now()) this.rearm();
    else this.onWake!();
  }
}
