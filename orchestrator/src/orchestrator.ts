// Composition root of the orchestrator: opens the store, builds the registry, starts gRPC and HTTP.
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ensureTokens, type Tokens } from './auth/tokens';
import { lockDataDir, removeRuntimeInfo, writeRuntimeInfo } from './data-dir';
import { EventBus } from './events/event-bus';
import { engineEventSinks } from './events/engine-events';
import { Gateway } from './gateway/gateway';
import { buildHttpApp } from './http/app';
import { toNodeView } from './http/views';
import { Metrics } from './metrics';
import { NodeLogRing } from './nodes/node-log-ring';
import { NodeRegistry } from './registry/registry';
import { systemClock } from './registry/types';
import { JobEngine } from './jobs/engine';
import { LogHub } from './jobs/log-hub';
import { schedNode } from './jobs/sched-node';
import { warmUpParser } from './jobs/submit';
import { Scheduler } from './scheduler';
import { AgentSessions } from './session/agent-sessions';
import { startCheckpoints } from './store/checkpointer';
import { GroupCommit } from './store/group-commit';
import { SqliteJobStore } from './store/job-store';
import { SqliteKeyStore } from './store/key-store';
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
  /** After a restart, how long nodes may take to reconnect before their tasks are given up (ms). */
  reconnectGraceMs?: number;
  /** How many events are kept for SSE resume. */
  eventRetention?: number;
  /** Logs of jobs finished longer ago than this are deleted (ms). */
  logRetentionMs?: number;
  /** Gateway: requests waiting per model before 429 (default 64), how long one may wait (ms, default 30 s). */
  gatewayQueueDepth?: number;
  gatewayQueueTimeoutMs?: number;
  /** Gateway: how long a node may take to its first token (stream) or answer before the request moves on (ms). */
  gatewayFirstTokenTimeoutMs?: number;
}

export interface Orchestrator {
  httpUrl: string;
  grpcAddress: string;
  tokens: Tokens;
  registry: NodeRegistry;
  jobs: JobEngine;
  stop(): Promise<void>;
}

export async function startOrchestrator(config: OrchestratorConfig): Promise<Orchestrator> {
  const { logger, dataDir } = config;
  const unlock = lockDataDir(dataDir);
  const tokens = ensureTokens(dataDir, { admin: config.adminToken, join: config.joinToken });
  const db = openDatabase(join(dataDir, 'orchion.db'));
  // WAL checkpoints run in a worker thread, not inside this thread's commits.
  const checkpoints = startCheckpoints(db, {
    onError: (message) => logger.warn({ message }, 'WAL checkpoint failed'),
  });
  const bus = new EventBus(new SqliteEventStore(db), systemClock);
  const jobStore = new SqliteJobStore(db);
  const group = new GroupCommit(db);
  const hub = new LogHub();
  const nodeLogs = new NodeLogRing();
  // The pieces refer to each other through closures; none is called before all exist.
  const registry = new NodeRegistry(
    new SqliteNodeStore(db),
    systemClock,
    (change) => {
      bus.publish(change.type, toNodeView(change.node));
      if (change.type === 'node.removed') gateway.nodeRemoved(change.node.id);
      else gateway.nodeChanged(change.node, registry.isConnected(change.node.id));
      if (change.type === 'node.removed') {
        jobs.nodeRemoved(change.node.id);
        nodeLogs.drop(change.node.id);
      } else jobs.nodeChanged(schedNode(change.node));
    },
    { pruneOfflineAfterMs: config.pruneOfflineAfterMs, reconnectGraceMs: config.reconnectGraceMs },
  );
  const metrics = new Metrics(() => registry.countByState());
  const gateway = new Gateway({
    joinToken: tokens.join,
    adminToken: tokens.admin,
    keyStore: new SqliteKeyStore(db),
    metricsRegistry: metrics.registry,
    logger,
    maxQueue: config.gatewayQueueDepth,
    queueTimeoutMs: config.gatewayQueueTimeoutMs,
    firstTokenTimeoutMs: config.gatewayFirstTokenTimeoutMs,
    corsOrigins: config.corsOrigins,
  });
  const scheduler = new Scheduler({
    clock: systemClock,
    timer: { setTimeout, clearTimeout },
    onWake: () => jobs.pump(),
  });
  const sessions: AgentSessions = new AgentSessions({
    registry,
    joinToken: tokens.join,
    logger,
    metrics,
    version: VERSION,
    batch: (fn) => group.run(fn),
    nodeLogs: (nodeId, lines) => nodeLogs.append(nodeId, lines),
    tasks: {
      registered: (nodeId, running) => jobs.nodeReconnected(nodeId, running),
      update: (nodeId, u) => jobs.taskUpdate(nodeId, u),
      output: (nodeId, o) => jobs.taskOutput(nodeId, o),
    },
  });
  const jobs: JobEngine = new JobEngine({
    store: jobStore,
    group,
    scheduler,
    dispatcher: {
      assign: (nodeId, task) => sessions.send(nodeId, { assign: task }),
      cancel: (nodeId, attemptId, reason) => void sessions.send(nodeId, { cancel: { attemptId, reason } }),
    },
    sinks: {
      ...engineEventSinks(bus, (attemptId) => jobs.waitingReason(attemptId)),
      logs: (jobId, entries) => hub.publish(jobId, entries),
      followed: (jobId) => hub.followed(jobId),
      jobFinished: (job) => hub.end(job.id),
    },
    clock: systemClock,
    logger: logger.child({ component: 'jobs' }),
  });
  // What the engine buffered during a turn (agents' output) is written inside the turn's transaction.
  group.beforeCommit(() => {
    try {
      jobs.flush();
    } catch (err) {
      // A bug must not take the orchestrator down (this runs outside any request or session handler).
      logger.error({ err }, 'writing buffered job changes failed');
    }
  });
  // Nodes known from before a restart are offered to the scheduler; jobs resume where they were.
  for (const node of registry.list({ limit: Number.MAX_SAFE_INTEGER }).nodes)
    jobs.nodeChanged(schedNode(node));
  jobs.recover();

  warmUpParser();
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
    gateway,
    jobs: { engine: jobs, store: jobStore, hub },
    nodeLogs,
  });
  const [host, port] = splitHostPort(config.httpAddr);
  await app.listen({ host, port });
  const addr = app.server.address();
  const httpUrl = `http://${formatHost(host)}:${typeof addr === 'object' && addr ? addr.port : port}`;

  const sweepTimer = setInterval(() => {
    registry.sweep();
    jobs.sweep();
  }, config.sweepIntervalMs ?? 1000);
  const flushTimer = setInterval(() => registry.flushHeartbeats(), 5000);
  const pruneTimer = setInterval(() => {
    bus.prune(config.eventRetention ?? 50_000);
    jobStore.pruneLogsBefore(Date.now() - (config.logRetentionMs ?? 7 * 86_400_000));
  }, 60_000);
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
      gateway.stop();
      await Promise.all([grpc.close(), app.close()]);
      registry.flushHeartbeats();
      group.flush();
      await checkpoints.stop();
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
      removeRuntimeInfo(dataDir);
      unlock();
      logger.info('orchestrator stopped');
    })());

  return { httpUrl, grpcAddress: grpc.address, tokens, registry, jobs, stop };
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
