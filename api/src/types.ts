// The orchestrator's HTTP API shapes, typed once for every client (CLI, extension, language server, dashboard).
import type { Capabilities__Output, ModelInfo__Output } from '@orchion/proto';

export type NodeState = 'ready' | 'stale' | 'offline';
export const NODE_STATES: readonly NodeState[] = ['ready', 'stale', 'offline'];

/** A node's capabilities as the agent last reported them (the wire type of the gRPC contract). */
export type NodeCapabilities = Capabilities__Output;

/** A model one of the node's runtimes serves (error set when the model is unusable, e.g. a malformed file). */
export type NodeModel = ModelInfo__Output;

/**
 * The container engine (Docker) the node's agent runs managed runtimes with: available with its version, API
 * version and endpoint, or why not (`error`). In `capabilities.containerEngine`; null when the agent manages no
 * containers.
 */
export type NodeContainerEngine = NonNullable<Capabilities__Output['containerEngine']>;

export interface NodeView {
  id: string;
  hostname: string;
  labels: Record<string, string>;
  agentVersion: string;
  state: NodeState;
  /** Why the node is in its state, e.g. "stream closed", "deregistered", "no heartbeat for 15s". */
  stateReason: string;
  /** CPU, memory, OS, GPUs and the container engine (NodeContainerEngine), as last reported. */
  capabilities: NodeCapabilities;
  models: NodeModel[];
  runtimes: string[];
  /** Tasks the node runs at once. */
  slots: number;
  heartbeatIntervalMs: number;
  /** Remote address of the agent's current or last session. */
  address: string;
  /** First registration ever (kept across restarts). */
  firstRegisteredAt: string;
  /** Latest registration (a new session). */
  registeredAt: string;
  registrations: number;
  lastHeartbeatAt: string | null;
  stateChangedAt: string;
}

export interface ListNodesResponse {
  nodes: NodeView[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
  total: number;
}

export type NodeEventType =
  'node.registered' | 'node.updated' | 'node.ready' | 'node.stale' | 'node.offline' | 'node.removed';
/** Job events carry a JobSummary; step events a StepView with its job id (`{ jobId, step }`). */
export type JobEventType = 'job.created' | 'job.updated' | 'step.updated';
/** Sent when a client resumes from an id older than the retained history: refetch state. */
export type ControlEventType = 'reset';
export type EventType = NodeEventType | JobEventType | ControlEventType;

export interface OrchionEvent<T = unknown> {
  id: number;
  type: EventType;
  time: string;
  data: T;
}

export interface NodeEvent extends OrchionEvent<NodeView> {
  type: NodeEventType;
}

export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export interface HealthResponse {
  status: 'ok';
  version: string;
  uptimeSeconds: number;
}
