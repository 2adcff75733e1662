import type { Capabilities__Output, CapabilityUpdate__Output, ModelInfo__Output } from '@orchion/proto';
import type { NodeEventType, NodeState } from '@orchion/api';

/** The registry's record of a node; times are epoch milliseconds. */
export interface NodeRecord {
  id: string;
  hostname: string;
  labels: Record<string, string>;
  agentVersion: string;
  state: NodeState;
  stateReason: string;
  capabilities: Capabilities__Output;
  /** Models the node's runtimes serve. */
  models: ModelInfo__Output[];
  runtimes: string[];
  /** Tasks the node runs at once. */
  slots: number;
  heartbeatIntervalMs: number;
  address: string;
  /** The agent's data plane (gateway inference), from its hello; not persisted (agents reconnect). */
  dataPlaneUrl?: string;
  firstRegisteredAt: number;
  registeredAt: number;
  registrations: number;
  lastHeartbeatAt: number | null;
  stateChangedAt: number;
}

/** What an agent states about itself when it registers (validated before it reaches the registry). */
export interface Registration {
  id: string;
  hostname: string;
  labels: Record<string, string>;
  agentVersion: string;
  capabilities: Capabilities__Output;
  models: ModelInfo__Output[];
  runtimes: string[];
  slots: number;
  heartbeatIntervalMs: number;
  address: string;
  /** Empty or absent when the agent serves no data plane. */
  dataPlaneUrl?: string;
}

export type CapabilityChange = CapabilityUpdate__Output;

export interface RegistryChange {
  type: NodeEventType;
  node: NodeRecord;
}

/** Persistence the registry needs; the SQLite store implements it. */
export interface RegistryStore {
  loadNodes(): NodeRecord[];
  saveNode(node: NodeRecord): void;
  deleteNode(id: string): void;
  saveHeartbeats(beats: ReadonlyArray<{ id: string; at: number }>): void;
}

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
