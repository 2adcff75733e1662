// SQL for the node registry (implements the registry's RegistryStore).
import type { NodeState } from '@orchion/api';
import type { NodeRecord, RegistryStore } from '../registry/types';
import type { Db } from './database';

interface NodeRow {
  id: string;
  hostname: string;
  labels: string;
  agent_version: string;
  state: NodeState;
  state_reason: string;
  capabilities: string;
  heartbeat_interval_ms: number;
  address: string;
  first_registered_at: number;
  registered_at: number;
  registrations: number;
  last_heartbeat_at: number | null;
  state_changed_at: number;
  models: string;
  runtimes: string;
  slots: number;
}

export class SqliteNodeStore implements RegistryStore {
  private readonly upsert;
  private readonly del;
  private readonly beat;
  private readonly all;

  constructor(private readonly db: Db) {
    this.upsert = db.prepare(`INSERT INTO nodes (id, hostname, labels, agent_version, state, state_reason,
        capabilities, heartbeat_interval_ms, address, first_registered_at, registered_at, registrations,
        last_heartbeat_at, state_changed_at, models, runtimes, slots) VALUES (
        @id, @hostname, @labels, @agent_version, @state, @state_reason, @capabilities, @heartbeat_interval_ms,
        @address, @first_registered_at, @registered_at, @registrations, @last_heartbeat_at, @state_changed_at,
        @models, @runtimes, @slots)
      ON CONFLICT(id) DO UPDATE SET hostname = excluded.hostname, labels = excluded.labels,
        agent_version = excluded.agent_version, state = excluded.state, state_reason = excluded.state_reason,
        capabilities = excluded.capabilities, heartbeat_interval_ms = excluded.heartbeat_interval_ms,
        address = excluded.address, registered_at = excluded.registered_at, registrations = excluded.registrations,
        last_heartbeat_at = excluded.last_heartbeat_at, state_changed_at = excluded.state_changed_at,
        models = excluded.models, runtimes = excluded.runtimes, slots = excluded.slots`);
    this.del = db.prepare('DELETE FROM nodes WHERE id = ?');
    this.beat = db.prepare('UPDATE nodes SET last_heartbeat_at = ? WHERE id = ?');
    this.all = db.prepare('SELECT * FROM nodes');
  }

  loadNodes(): NodeRecord[] {
    return (this.all.all() as NodeRow[]).map(fromRow);
  }

  saveNode(n: NodeRecord): void {
    this.upsert.run({
      id: n.id,
      hostname: n.hostname,
      labels: JSON.stringify(n.labels),
      agent_version: n.agentVersion,
      state: n.state,
      state_reason: n.stateReason,
      capabilities: JSON.stringify(n.capabilities),
      heartbeat_interval_ms: n.heartbeatIntervalMs,
      address: n.address,
      first_registered_at: n.firstRegisteredAt,
      registered_at: n.registeredAt,
      registrations: n.registrations,
      last_heartbeat_at: n.lastHeartbeatAt,
      state_changed_at: n.stateChangedAt,
      models: JSON.stringify(n.models),
      runtimes: JSON.stringify(n.runtimes),
      slots: n.slots,
    });
  }

  deleteNode(id: string): void {
    this.del.run(id);
  }

  saveHeartbeats(beats: ReadonlyArray<{ id: string; at: number }>): void {
    this.db.transaction(() => {
      for (const b of beats) this.beat.run(b.at, b.id);
    })();
  }
}

function fromRow(r: NodeRow): NodeRecord {
  return {
    id: r.id,
    hostname: r.hostname,
    labels: JSON.parse(r.labels) as Record<string, string>,
    agentVersion: r.agent_version,
    state: r.state,
    stateReason: r.state_reason,
    capabilities: JSON.parse(r.capabilities) as NodeRecord['capabilities'],
    heartbeatIntervalMs: r.heartbeat_interval_ms,
    address: r.address,
    firstRegisteredAt: r.first_registered_at,
    registeredAt: r.registered_at,
    registrations: r.registrations,
    lastHeartbeatAt: r.last_heartbeat_at,
    stateChangedAt: r.state_changed_at,
    models: JSON.parse(r.models) as NodeRecord['models'],
    runtimes: JSON.parse(r.runtimes) as string[],
    slots: r.slots,
  };
}
