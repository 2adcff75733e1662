// The scheduler's view of a registry node.
import type { SchedNode } from '../scheduler/types';
import type { NodeRecord } from '../registry/types';

export function schedNode(n: NodeRecord): SchedNode {
  return {
    id: n.id,
    state: n.state,
    labels: n.labels,
    slots: n.slots,
    runtimes: n.runtimes,
    models: n.models.map((m) => ({
      name: m.name,
      runtime: m.runtime,
      loaded: m.loaded,
      ...(m.error ? { error: m.error } : {}),
    })),
    gpus: (n.capabilities.gpus ?? []).map((g) => ({
      vramTotalBytes: Number(g.vramTotalBytes),
      ...(g.vramUsedBytes !== undefined ? { vramUsedBytes: Number(g.vramUsedBytes) } : {}),
    })),
  };
}
