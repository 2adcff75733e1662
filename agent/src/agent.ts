// Composition root of an agent: identity, capabilities and the session link to the orchestrator.
import { hostname as osHostname } from 'node:os';
import { PROTOCOL_VERSION, type Welcome__Output } from '@orchion/proto';
import type { Logger } from 'pino';
import { collectCapabilities } from './capabilities/collect';
import { loadOrCreateNodeId } from './identity';
import { OrchestratorLink } from './session/orchestrator-link';
import { AGENT_VERSION } from './version';

export interface AgentConfig {
  /** host:port of the orchestrator's gRPC endpoint. */
  orchestrator: string;
  joinToken: string;
  dataDir: string;
  labels?: Record<string, string>;
  hostname?: string;
  heartbeatIntervalMs?: number;
  capabilityIntervalMs?: number;
  reconnect?: { initialMs: number; maxMs: number };
  logger: Logger;
}

export interface Agent {
  nodeId: string;
  link: OrchestratorLink;
  /** Resolves at the first welcome; rejects if the orchestrator refuses the agent for good. */
  registered: Promise<Welcome__Output>;
  stop(reason?: string): Promise<void>;
}

export const DEFAULT_HEARTBEAT_MS = 5_000;
export const DEFAULT_CAPABILITY_MS = 10_000;

export function startAgent(config: AgentConfig): Agent {
  const { logger } = config;
  const nodeId = loadOrCreateNodeId(config.dataDir);
  const link = new OrchestratorLink({
    address: config.orchestrator,
    joinToken: config.joinToken,
    hello: {
      nodeId,
      hostname: config.hostname ?? osHostname(),
      labels: config.labels ?? {},
      agentVersion: AGENT_VERSION,
      heartbeatIntervalMs: config.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_MS,
      protocolVersion: PROTOCOL_VERSION,
    },
    collect: collectCapabilities,
    heartbeatIntervalMs: config.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_MS,
    capabilityIntervalMs: config.capabilityIntervalMs ?? DEFAULT_CAPABILITY_MS,
    reconnect: config.reconnect ?? { initialMs: 500, maxMs: 30_000 },
    logger,
  });
  const registered = new Promise<Welcome__Output>((resolve, reject) => {
    link.once('registered', resolve);
    link.once('fatal', reject);
  });
  registered.catch(() => {});
  link.on('registered', (w) =>
    logger.info(
      { nodeId, orchestrator: config.orchestrator, registrations: w.registrations },
      'registered with the orchestrator',
    ),
  );
  link.on('fatal', (err) => logger.error({ err: err.message }, 'the orchestrator refused this agent'));
  link.start();
  return { nodeId, link, registered, stop: (reason) => link.stop(reason) };
}
