// Leases the scheduler did not make. After a restart, attempts that were running keep their node, but the new
// scheduler never placed them and would count their slots as free: it would give the node more work than it
// has slots for (and the agent would refuse it). So the scheduler is shown such a node with as many fewer slots
// as it holds adopted attempts, until they end. All node changes go through here for that.
import type { SchedNode } from '../scheduler/types';
import type { SchedulerPort } from './ports';

export class AdoptedLeases {
  /** The last view of every node that is not offline. */
  private readonly nodes = new Map<string, SchedNode>();
  /** Adopted attempt ids, by node. */
  private readonly held = new Map<string, Set<string>>();

  constructor(private readonly scheduler: Pick<SchedulerPort, 'upsertNode' | 'removeNode'>) {}

  /** Whether the node is known and not offline. */
  has(nodeId: string): boolean {
    return this.nodes.has(nodeId);
  }

  nodeChanged(node: SchedNode): void {
    if (node.state === 'offline') {
      this.nodes.delete(node.id);
      this.scheduler.removeNode(node.id);
      return;
    }
    this.nodes.set(node.id, node);
    this.scheduler.upsertNode(this.view(node));
  }

  /** A running attempt the scheduler does not know holds a slot of its node. */
  adopt(nodeId: string, attemptId: string): void {
    let set = this.held.get(nodeId);
    if (!set) this.held.set(nodeId, (set = new Set()));
    set.add(attemptId);
    this.refresh(nodeId);
  }

  /** The attempt ended (however): if it was adopted, its slot is free again. */
  release(nodeId: string, attemptId: string): void {
    const set = this.held.get(nodeId);
    if (!set?.delete(attemptId)) return;
    if (set.size === 0) this.held.delete(nodeId);
    this.refresh(nodeId);
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
