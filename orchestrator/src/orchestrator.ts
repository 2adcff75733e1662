// Composition root of the orchestrator: opens the store, builds the registry, starts gRPC and HTTP.
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ensureTokens, type Tokens } from './auth/tokens';
import { lockDataDir, removeRuntimeInfo, writeRuntimeInfo } from './data-dir';
import { EventBus } from './events/event-bus';
import { buildHttpApp } from './http/app';
import { toNodeView } from './http/views';
import { Metrics } from './metrics';
import { NodeRegistry } from './registry/registry';
import { systemClock } from './registry/types';
import { AgentSessions } from './session/agent-sessions';
import { startGrpcServer } from './session/grpc-server';
import { openDatabase } from './store/database';
import { SqliteEventStore } from './store/event-store';
import { SqliteNodeStore } from './store/node-store';
import { VERSION } from './version';

export interface OrchestratorConfig {
  dataDir: string;
  /** host:port for the HTTP API (port 0 picks a free one). */
  httpAddr: string;
  /** host:port for agents' gRPC sessions. */
  grpcAddr: string;
  adminToken?: string;
  joinToken?: string;
  corsOrigins?: string[];
  logger: Logger;
  /** How often silent nodes are checked (ms). */
  sweepIntervalMs?: number;
  /** Offline nodes are removed after this long (ms); 0 keeps them. */
  pruneOfflineAfterMs?: number;
  /** How many events are kept for SSE resume. */
  eventRetention?: number;
}

export interface Orchestrator {
  httpUrl: string;
  grpcAddress: string;
  tokens: Tokens;
  registry: NodeRegistry;
  stop(): Promise<void>;
}

export async function startOrchestrator(config: OrchestratorConfig): Promise<Orchestrator> {
  const { logger, dataDir } = config;
  const unlock = lockDataDir(dataDir);
  const tokens = ensureTokens(dataDir, { admin: config.adminToken, join: config.joinToken });
  const db = openDatabase(join(dataDir, 'orchion.db'));
  const bus = new EventBus(new SqliteEventStore(db), systemClock);
  const registry = new NodeRegistry(
    new SqliteNodeStore(db),
    systemClock,
    (change) => bus.publish(change.type, toNodeView(change.node)),
    { pruneOfflineAfterMs: config.pruneOfflineAfterMs },
  );
  const metrics = new Metrics(() => registry.countByState());
  const sessions = new AgentSessions({ registry, joinToken: tokens.join, logger, metrics, version: VERSION });

  const grpc = await startGrpcServer(config.grpcAddr, sessions);
  const app = await buildHttpApp({
    registry,
    bus,
    metrics,
    logger,
    adminToken: tokens.admin,
    version: VERSION,
    corsOrigins: config.corsOrigins ?? [],
    onNodeRemoved: (id) => sessions.forget(id),
  });
  const [host, port] = splitHostPort(config.httpAddr);
  await app.listen({ host, port });
  const addr = app.server.address();
  const httpUrl = `http://${formatHost(host)}:${typeof addr === 'object' && addr ? addr.port : port}`;

  const sweepTimer = setInterval(() => registry.sweep(), config.sweepIntervalMs ?? 1000);
  const flushTimer = setInterval(() => registry.flushHeartbeats(), 5000);
  const pruneTimer = setInterval(() => bus.prune(config.eventRetention ?? 50_000), 60_000);
  registry.sweep();

  writeRuntimeInfo(dataDir, {
    pid: process.pid,
    version: VERSION,
    httpUrl,
    grpcAddress: grpc.address,
    startedAt: new Date().toISOString(),
  });
  logger.info({ httpUrl, grpcAddress: grpc.address, dataDir, nodes: registry.size }, 'orchestrator started');

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      clearInterval(sweepTimer);
      clearInterval(flushTimer);
      clearInterval(pruneTimer);
      sessions.closeAll();
      await Promise.all([grpc.close(), app.close()]);
      registry.flushHeartbeats();
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
      removeRuntimeInfo(dataDir);
      unlock();
      logger.info('orchestrator stopped');
    })());

  return { httpUrl, grpcAddress: grpc.address, tokens, registry, stop };
}

export function splitHostPort(addr: string): [string, number] {
  const i = addr.lastIndexOf(':');
  if (i < 0) throw new Error(`address "${addr}" must be host:port`);
  const host = addr.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  const port = Number(addr.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`address "${addr}" has an invalid port`);
  return [host || '0.0.0.0', port];
}

function formatHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
