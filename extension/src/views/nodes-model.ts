// The Nodes view's model (pure): nodes by id, kept current from `node.*` events, and the rows that show them.
import type { NodeState, NodeView, OrchionEvent } from '@orchion/api';
import { formatBytes, percent } from './format';
import { errorRow, type Row, type RowIcon } from './rows';

const STATE_ICONS: Record<NodeState, RowIcon> = {
  ready: { id: 'vm-running', color: 'testing.iconPassed' },
  stale: { id: 'vm-outline', color: 'list.warningForeground' },
  offline: { id: 'vm', color: 'disabledForeground' },
};
const STATE_ORDER: Record<NodeState, number> = { ready: 0, stale: 1, offline: 2 };

export interface NodeCounts {
  ready: number;
  stale: number;
  offline: number;
  total: number;
}

export class NodesModel {
  private readonly nodes = new Map<string, NodeView>();
  /** Whether a full list has been loaded since the last connect. */
  loaded = false;
  /** Why the last full load failed (shown as an error row). */
  error: string | undefined;

  /** Replaces every node with a freshly listed set. */
  reset(nodes: readonly NodeView[]): void {
    this.nodes.clear();
    for (const n of nodes) this.nodes.set(n.id, n);
    this.loaded = true;
    this.error = undefined;
  }

  fail(message: string): void {
    this.error = message;
  }

  clear(): void {
    this.nodes.clear();
    this.loaded = false;
    this.error = undefined;
  }

  /** Applies one event; returns whether the model changed. Events of other kinds are ignored. */
  apply(event: OrchionEvent): boolean {
    if (!event.type.startsWith('node.')) return false;
    const node = event.data as NodeView | undefined;
    if (!node || typeof node.id !== 'string') return false;
    if (event.type === 'node.removed') return this.nodes.delete(node.id);
    this.nodes.set(node.id, node);
    return true;
  }

  get(id: string): NodeView | undefined {
    return this.nodes.get(id);
  }

  /** Ready nodes first, then stale, then offline; by hostname within a state. */
  list(): NodeView[] {
    return [...this.nodes.values()].sort(
      (a, b) =>
        STATE_ORDER[a.state] - STATE_ORDER[b.state] ||
        a.hostname.localeCompare(b.hostname) ||
        a.id.localeCompare(b.id),
    );
  }

  counts(): NodeCounts {
    const counts: NodeCounts = { ready: 0, stale: 0, offline: 0, total: 0 };
    for (const n of this.nodes.values()) {
      counts[n.state]++;
      counts.total++;
    }
    return counts;
  }

  /** The hostname of a node, or its short id when unknown. */
  hostname(id: string): string {
    return this.nodes.get(id)?.hostname ?? id.slice(0, 8);
  }

  rows(): Row[] {
    const rows = this.list().map(nodeRow);
    // A failed reload keeps what is known, under an error row that says so (with a retry).
    if (this.error !== undefined)
      rows.unshift(errorRow('nodes-error', `Could not load nodes: ${this.error}`));
    return rows;
  }
}

export function nodeRow(node: NodeView): Row {
  const labels = Object.entries(node.labels ?? {}).map(([k, v]) => `${k}=${v}`);
  const tooltip = [
    `${node.hostname} (${node.id})`,
    `State: ${node.state}${node.stateReason ? ` — ${node.stateReason}` : ''}`,
    `Agent ${node.agentVersion} at ${node.address}`,
    `Slots: ${node.slots}`,
    labels.length ? `Labels: ${labels.join(', ')}` : undefined,
    node.lastHeartbeatAt ? `Last heartbeat: ${node.lastHeartbeatAt}` : undefined,
  ]
    .filter(Boolean)
    .join('\n');
  return {
    id: `node:${node.id}`,
    kind: 'node',
    nodeId: node.id,
    label: node.hostname || node.id,
    description: node.state === 'ready' ? summary(node) : `${node.state} — ${node.stateReason}`,
    tooltip,
    icon: STATE_ICONS[node.state] ?? STATE_ICONS.offline,
    contextValue: `node.${node.state}`,
    collapsible: 'collapsed',
    children: nodeDetailRows(node),
  };
}

function summary(node: NodeView): string {
  const caps = node.capabilities;
  const parts = [`${caps?.cpu?.cores ?? '?'} CPU`];
  if (caps?.memory?.totalBytes) parts.push(formatBytes(caps.memory.totalBytes));
  if (caps?.gpus?.length) parts.push(`${caps.gpus.length} GPU`);
  parts.push(`${node.models?.length ?? 0} models`);
  return parts.join(' · ');
}

/** CPU, RAM, one row per GPU with VRAM use, runtimes, and models (each model a child). */
export function nodeDetailRows(node: NodeView): Row[] {
  const caps = node.capabilities;
  const base = `node:${node.id}`;
  const detail = (key: string, label: string, description: string, icon: string, tooltip?: string): Row => ({
    id: `${base}:${key}`,
    kind: 'detail',
    nodeId: node.id,
    label,
    description,
    tooltip,
    icon: { id: icon },
    contextValue: `node-detail.${key.split(':')[0]}`,
    collapsible: 'none',
  });
  const rows: Row[] = [];
  const cpu = caps?.cpu;
  rows.push(
    detail(
      'cpu',
      'CPU',
      cpu ? `${cpu.cores} cores${cpu.brand ? ` · ${cpu.brand}` : ''}` : 'unknown',
      'chip',
      cpu
        ? `${cpu.manufacturer} ${cpu.brand}, ${cpu.physicalCores} physical cores, ${cpu.speedGhz} GHz`
        : undefined,
    ),
  );
  const mem = caps?.memory;
  if (mem) {
    const used = mem.totalBytes - mem.availableBytes;
    rows.push(
      detail(
        'memory',
        'RAM',
        `${formatBytes(used)} / ${formatBytes(mem.totalBytes)} used (${percent(used, mem.totalBytes)})`,
        'server',
      ),
    );
  }
  for (const gpu of caps?.gpus ?? []) {
    const used = gpu.vramUsedBytes;
    const vram =
      used !== undefined
        ? `VRAM ${formatBytes(used)} / ${formatBytes(gpu.vramTotalBytes)} (${percent(used, gpu.vramTotalBytes)})`
        : `VRAM ${formatBytes(gpu.vramTotalBytes)}`;
    const util = gpu.utilizationPercent !== undefined ? ` · ${Math.round(gpu.utilizationPercent)}% busy` : '';
    rows.push(
      detail(
        `gpu:${gpu.index}`,
        `GPU ${gpu.index}: ${gpu.model || gpu.vendor}`,
        vram + util,
        'circuit-board',
      ),
    );
  }
  rows.push(
    detail('runtimes', 'Runtimes', node.runtimes?.length ? node.runtimes.join(', ') : 'none', 'gear'),
  );
  const models = node.models ?? [];
  rows.push({
    id: `${base}:models`,
    kind: 'detail',
    nodeId: node.id,
    label: 'Models',
    description: String(models.length),
    icon: { id: 'library' },
    contextValue: 'node-detail.models',
    collapsible: models.length ? 'collapsed' : 'none',
    children: models.map((m) => ({
      id: `${base}:model:${m.runtime}:${m.name}`,
      kind: 'detail' as const,
      nodeId: node.id,
      label: m.name,
      description: [m.runtime, m.sizeBytes ? formatBytes(m.sizeBytes) : '', m.loaded ? 'loaded' : '', m.error]
        .filter(Boolean)
        .join(' · '),
      tooltip: m.error
        ? `${m.name}: ${m.error}`
        : `${m.name} (${m.runtime}) ${m.architecture} context ${m.contextLength}`,
      icon: m.error ? { id: 'warning', color: 'list.warningForeground' } : { id: 'symbol-misc' },
      contextValue: m.error ? 'model.error' : m.loaded ? 'model.loaded' : 'model',
      collapsible: 'none' as const,
    })),
  });
  return rows;
}
