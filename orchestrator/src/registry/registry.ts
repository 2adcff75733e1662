// The node registry: the state machine of nodes (ready, stale, offline), free of transport and SQL.
// Session adapters call register/heartbeat/updateCapabilities/markOffline; a timer calls sweep().
import type { NodeState } from '@orchion/api';
import { SortedIds } from './sorted-ids';
import type {
  CapabilityChange,
  Clock,
  NodeRecord,
  Registration,
  RegistryChange,
  RegistryStore,
} from './types';

export interface RegistryOptions {
  /** A node is stale after this many missed heartbeat intervals. */
  staleAfterIntervals: number;
  /** Offline nodes are removed after this long (ms); 0 keeps them forever. */
  pruneOfflineAfterMs: number;
  /**
   * After a restart, how long a node that was up may take to reconnect before it is marked offline (and its
   * running tasks are given up). Covers the agents' reconnect backoff.
   */
  reconnectGraceMs: number;
}

export const DEFAULT_REGISTRY_OPTIONS: RegistryOptions = {
  staleAfterIntervals: 3,
  pruneOfflineAfterMs: 7 * 24 * 3600_000,
  reconnectGraceMs: 45_000,
};

export interface ListQuery {
  state?: NodeState;
  limit: number;
  cursor?: string;
}

export interface NodePage {
  nodes: NodeRecord[];
  nextCursor: string | null;
  total: number;
}

export class NodeRegistry {
  private readonly nodes = new Map<string, NodeRecord>();
  private readonly order = new SortedIds();
  /** Nodes with a live session. Not persisted: after a restart every node must reconnect. */
  private readonly connected = new Set<string>();
  private pendingBeats = new Map<string, number>();
  private readonly counts: Record<NodeState, number> = { ready: 0, stale: 0, offline: 0 };
  private readonly options: RegistryOptions;

  constructor(
    private readonly store: RegistryStore,
    private readonly clock: Clock,
    private readonly onChange: (change: RegistryChange) => void,
    options: Partial<RegistryOptions> = {},
  ) {
    this.options = { ...DEFAULT_REGISTRY_OPTIONS, ...options };
    this.startedAt = clock.now();
    for (const node of store.loadNodes()) {
      // No node has a session yet: the ones that were up are stale until they reconnect (their task leases
      // are kept meanwhile), and offline if they don't within the reconnect grace.
      if (node.state !== 'offline') {
        node.state = 'stale';
        node.stateReason = 'awaiting reconnection after an orchestrator restart';
        node.stateChangedAt = this.startedAt;
        store.saveNode(node);
      }
      this.insert(node);
    }
  }

  private readonly startedAt: number;

  get(id: string): NodeRecord | undefined {
    return this.nodes.get(id);
  }

  isConnected(id: string): boolean {
    return this.connected.has(id);
  }

  countByState(): Readonly<Record<NodeState, number>> {
    return this.counts;
  }

  get size(): number {
    return this.nodes.size;
  }

  /** Nodes ordered by id, a page at a time. */
  list(query: ListQuery): NodePage {
    const nodes: NodeRecord[] = [];
    let last: string | undefined;
    let more = false;
    for (const id of this.order.after(query.cursor)) {
      const node = this.nodes.get(id)!;
      if (query.state && node.state !== query.state) continue;
      if (nodes.length === query.limit) {
        more = true;
        break;
      }
      nodes.push(node);
      last = id;
    }
    const total = query.state ? this.counts[query.state] : this.nodes.size;
    return { nodes, nextCursor: more && last !== undefined ? last : null, total };
  }

  /** A new session registered the node; returns whether the node was known before. */
  register(reg: Registration): { node: NodeRecord; known: boolean } {
    const now = this.clock.now();
    const previous = this.nodes.get(reg.id);
    const node: NodeRecord = {
      id: reg.id,
      hostname: reg.hostname,
      labels: reg.labels,
      agentVersion: reg.agentVersion,
      capabilities: reg.capabilities,
      models: reg.models,
      runtimes: reg.runtimes,
      slots: reg.slots,
      heartbeatIntervalMs: reg.heartbeatIntervalMs,
      address: reg.address,
      ...(reg.dataPlaneUrl ? { dataPlaneUrl: reg.dataPlaneUrl } : {}),
      state: 'ready',
      stateReason: 'registered',
      firstRegisteredAt: previous?.firstRegisteredAt ?? now,
      registeredAt: now,
      registrations: (previous?.registrations ?? 0) + 1,
      lastHeartbeatAt: now,
      stateChangedAt: now,
    };
    if (previous) this.counts[previous.state]--;
    else this.order.add(node.id);
    this.nodes.set(node.id, node);
    this.counts.ready++;
    this.connected.add(node.id);
    this.pendingBeats.delete(node.id);
    this.store.saveNode(node);
    this.onChange({ type: 'node.registered', node });
    return { node, known: previous !== undefined };
  }

  /** Records a heartbeat; false when the node is unknown (it must register again). */
  heartbeat(id: string): boolean {
    const node = this.nodes.get(id);
    if (!node) return false;
    const now = this.clock.now();
    node.lastHeartbeatAt = now;
    if (node.state !== 'ready') this.transition(node, 'ready', 'heartbeat resumed', now);
    else this.pendingBeats.set(id, now);
    return true;
  }

  /** Applies the sections an agent reported as changed. */
  updateCapabilities(id: string, change: CapabilityChange): NodeRecord | undefined {
    const node = this.nodes.get(id);
    if (!node) return undefined;
    const caps = { ...node.capabilities };
    if (change.cpu) caps.cpu = change.cpu;
    if (change.memory) caps.memory = change.memory;
    if (change.os) caps.os = change.os;
    if (change.gpus) caps.gpus = change.gpus.gpus;
    if (change.containerEngine) caps.containerEngine = change.containerEngine;
    node.capabilities = caps;
    if (change.models) node.models = change.models.models;
    if (change.runtimes) node.runtimes = change.runtimes.names;
    this.store.saveNode(node);
    this.onChange({ type: 'node.updated', node });
    return node;
  }

  /** The node's session ended (stream closed, or the agent said goodbye). */
  markOffline(id: string, reason: string): void {
    this.connected.delete(id);
    const node = this.nodes.get(id);
    if (!node || node.state === 'offline') return;
    this.transition(node, 'offline', reason, this.clock.now());
  }

  remove(id: string): NodeRecord | undefined {
    const node = this.nodes.get(id);
    if (!node) return undefined;
    this.nodes.delete(id);
    this.order.delete(id);
    this.connected.delete(id);
    this.pendingBeats.delete(id);
    this.counts[node.state]--;
    this.store.deleteNode(id);
    this.onChange({ type: 'node.removed', node });
    return node;
  }

  /**
   * Marks silent nodes stale (or offline, when they have had no session since the orchestrator started)
   * and prunes nodes offline for longer than the retention. Call it periodically.
   */
  sweep(): void {
    const now = this.clock.now();
    const prune = this.options.pruneOfflineAfterMs;
    for (const node of [...this.nodes.values()]) {
      if (node.state === 'offline') {
        if (prune > 0 && now - node.stateChangedAt > prune) this.remove(node.id);
        continue;
      }
      const staleAfter = this.options.staleAfterIntervals * node.heartbeatIntervalMs;
      if (!this.connected.has(node.id)) {
        const since = Math.max(node.lastHeartbeatAt ?? node.registeredAt, this.startedAt);
        if (now - since > Math.max(staleAfter, this.options.reconnectGraceMs)) {
          this.transition(node, 'offline', 'did not reconnect after the orchestrator restarted', now);
        }
        continue;
      }
      const silentFor = now - (node.lastHeartbeatAt ?? node.registeredAt);
      if (silentFor <= staleAfter) continue;
      if (node.state === 'ready') {
        this.transition(node, 'stale', `no heartbeat for ${Math.round(silentFor / 1000)}s`, now);
      }
    }
  }

  /** Persists the heartbeat times gathered since the last flush (one write per node, batched). */
  flushHeartbeats(): void {
    if (this.pendingBeats.size === 0) return;
    const beats = [...this.pendingBeats].map(([id, at]) => ({ id, at }));
    this.pendingBeats = new Map();
    this.store.saveHeartbeats(beats);
  }

  private insert(node: NodeRecord): void {
    this.nodes.set(node.id, node);
    this.order.add(node.id);
    this.counts[node.state]++;
  }

  private transition(node: NodeRecord, state: NodeState, reason: string, now: number): void {
    this.counts[node.state]--;
    this.counts[state]++;
    node.state = state;
    node.stateReason = reason;
    node.stateChangedAt = now;
    this.pendingBeats.delete(node.id);
    this.store.saveNode(node);
    this.onChange({ type: `node.${state}`, node });
  }
}
