// Slots that attempts hold on a node without the scheduler knowing: attempts recovered after a restart (the
// new scheduler never placed them), and attempts being cancelled (the agent frees the slot only once the
// aborted run has ended, while the scheduler released it at once). Left uncounted, the scheduler would give the
// node more work than it has slots for, and the agent would refuse it ('no-slot', which costs a retry). So the
// scheduler is shown such a node with as many fewer slots as it holds, until they are released. All node
// changes go through here for that.
import type { SchedNode } from '../scheduler/types';
import type { SchedulerPort } from './ports';

export class HeldSlots {
  /** The last view of every node that is not offline. */
  private readonly nodes = new Map<string, SchedNode>();
  /** Attempt ids holding a slot, by node. */
  private readonly held = new Map<string, Set<string>>();

  constructor(private readonly scheduler: Pick<SchedulerPort, 'upsertNode' | 'removeNode'>) {}

  /** Whether the node is known and not offline. */
  has(nodeId: string): boolean {
    return this.nodes.has(nodeId);
  }

  nodeChanged(node: SchedNode): void {
    if (node.state === 'offline') {
      // Its agent is gone, and what it ran with it (a reconnecting agent reports what it still runs).
      this.nodes.delete(node.id);
      this.held.delete(node.id);
      this.scheduler.removeNode(node.id);
      return;
    }
    this.nodes.set(node.id, node);
    this.scheduler.upsertNode(this.view(node));
  }

  /** The attempts holding a slot of the node. */
  heldOn(nodeId: string): string[] {
    return [...(this.held.get(nodeId) ?? [])];
  }

  hold(nodeId: string, attemptId: string): void {
    let set = this.held.get(nodeId);
    if (!set) this.held.set(nodeId, (set = new Set()));
    if (set.has(attemptId)) return;
    set.add(attemptId);
    this.refresh(nodeId);
  }

  /** The attempt ended on its node: its slot is free again. False when it held none. */
  release(nodeId: string, attemptId: string): boolean {
    const set = this.held.get(nodeId);
    if (!set?.delete(attemptId)) return false;
    if (set.size === 0) this.held.delete(nodeId);
    this.refresh(nodeId);
    return true;
  }

  private refresh(nodeId: string): void {
    const node = this.nodes.get(nodeId);
    if (node) this.scheduler.upsertNode(this.view(node));
  }

  private view(node: SchedNode): SchedNode {
    const held = this.held.get(node.id)?.size ?? 0;
    return held === 0 ? node : { ...node, slots: Math.max(0, node.slots - held) };
  }
}
