// Converts registry records to the API's shapes.
import type { NodeView } from '@orchion/api';
import type { NodeRecord } from '../registry/types';

const iso = (ms: number): string => new Date(ms).toISOString();

export function toNodeView(n: NodeRecord): NodeView {
  return {
    id: n.id,
    hostname: n.hostname,
    labels: n.labels,
    agentVersion: n.agentVersion,
    state: n.state,
    stateReason: n.stateReason,
    capabilities: n.capabilities,
    models: n.models,
    runtimes: n.runtimes,
    slots: n.slots,
    heartbeatIntervalMs: n.heartbeatIntervalMs,
    address: n.address,
    firstRegisteredAt: iso(n.firstRegisteredAt),
    registeredAt: iso(n.registeredAt),
    registrations: n.registrations,
    lastHeartbeatAt: n.lastHeartbeatAt === null ? null : iso(n.lastHeartbeatAt),
    stateChangedAt: iso(n.stateChangedAt),
  };
}
