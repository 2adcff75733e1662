// Composition root of an agent: identity, capabilities, runtimes and their task executor, and the session link
// to the orchestrator.
import { hostname as osHostname } from 'node:os';
import { dataPlaneToken, PROTOCOL_VERSION, type Hello, type Welcome__Output } from '@orchion/proto';
import type { Logger } from 'pino';
import { collectCapabilities } from './capabilities/collect';
import { containerEngineCapability } from './capabilities/container-engine';
import { DataPlaneServer } from './dataplane/server';
import { TaskExecutor } from './executor/task-executor';
import { loadOrCreateNodeId } from './identity';
import { NodeLogBatcher } from './node-logs/batcher';
import type { WorkerConfig } from './runtimes/embedded/protocol';
import { OrchestratorLink } from './session/orchestrator-link';
import { managedContainers } from './setup/containers';
import type { DockerSettings } from './setup/managed';
import { ModelLister } from './setup/model-list';
import { setupRuntimes, type RuntimeEntry, type RuntimeSetup } from './setup/runtimes';
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
  /** GGUF models of the embedded runtime when its entry sets none (default `<dataDir>/models`). */
  modelsDir?: string;
  /**
   * Runtimes to run: built-in names ('embedded', 'echo') or config entries (agent config file, flags; see
   * setup/config.ts `resolveRuntimes`). Default ['embedded'].
   */
  runtimes?: RuntimeEntry[];
  /** Attempts run at once (default: 1 with the embedded runtime, else 32; see setup/runtimes.ts). */
  slots?: number;
  /** llama.cpp CPU threads (default: 1 on up to 2 cores, else half the logical cores). */
  threads?: number;
  /** The echo runtime's delay per token (tests and benchmarks). */
  echoTokenDelayMs?: number;
  /** GPU use of the embedded runtime (default 'auto'). */
  gpu?: WorkerConfig['gpu'];
  /** The Docker Engine of managed runtimes (agent config `docker`). */
  docker?: DockerSettings;
  /**
   * host:port of the data plane (the gateway's inference requests), default '127.0.0.1:0' (loopback, a free
   * port); false serves none (the gateway then never routes here).
   */
  dataPlaneAddr?: string | false;
  logger: Logger;
}

export interface Agent {
  nodeId: string;
  link: OrchestratorLink;
  executor: TaskExecutor;
  /** The runtimes (managed ones, `setup.managed`, run as containers by setup/containers.ts). */
  setup: RuntimeSetup;
  /** The data plane (undefined when disabled); its URL is known once `registered` resolves. */
  dataPlane?: DataPlaneServer;
  /** Resolves at the first welcome; rejects if the orchestrator refuses the agent for good. */
  registered: Promise<Welcome__Output>;
  /** Aborts running attempts (reporting them), says goodbye and closes the runtimes. */
  stop(reason?: string): Promise<void>;
}

export const DEFAULT_HEARTBEAT_MS = 5_000;
export const DEFAULT_CAPABILITY_MS = 10_000;

/** How long stopping waits for aborted attempts to report before saying goodbye. */
const STOP_GRACE_MS = 3_000;

export function startAgent(config: AgentConfig): Agent {
  const { logger } = config;
  const nodeId = loadOrCreateNodeId(config.dataDir);
  // Managed runtimes (containers) are known from the start and list their models once their container answers.
  const late: { link?: OrchestratorLink } = {};
  // Node logs (container setup, output, pull progress, the embedded runtime's backend) go out in batches whenever the session takes writes.
  const nodeLog = new NodeLogBatcher({
    send: (lines) => late.link?.send({ nodeLog: { lines } }) ?? false,
    canSend: () => late.link?.canSend() ?? false,
  });
  const setup = setupRuntimes({
    dataDir: config.dataDir,
    modelsDir: config.modelsDir,
    runtimes: config.runtimes,
    slots: config.slots,
    threads: config.threads,
    gpu: config.gpu,
    echoTokenDelayMs: config.echoTokenDelayMs,
    docker: config.docker,
    logger,
    nodeLog: (line) => nodeLog.push(line),
  });
  const containers = managedContainers({
    nodeId,
    specs: setup.managed,
    docker: setup.docker,
    logger,
    onReady: (rt) => {
      // A runtime that came up after the engine was late: its name goes out with the capability refresh below.
      if (!names.includes(rt.name)) names.push(rt.name);
      late.link?.refreshNow();
    },
    nodeLog: (line) => nodeLog.push(line),
  });
  const runtimes = [...setup.runtimes, ...containers.runtimes];
  // Announced names: managed runtimes are dropped before the first hello when there is no Docker Engine.
  const names = runtimes.map((r) => r.name);
  const models = new ModelLister(runtimes, logger);
  // The link needs the executor (running attempts for hello) and the executor the link (send): bind late.
  const executor = new TaskExecutor({
    runtimes,
    slots: setup.slots,
    send: (msg) => void late.link?.send(msg),
    canSend: () => late.link?.canSend() ?? false,
    isConnected: () => late.link?.isConnected ?? false,
    onModelMissing: () => late.link?.refreshNow(),
    logger: logger.child({ part: 'executor' }),
  });
  const dataPlane =
    config.dataPlaneAddr === false
      ? undefined
      : new DataPlaneServer({
          address: config.dataPlaneAddr ?? '127.0.0.1:0',
          nodeId,
          token: dataPlaneToken(config.joinToken, nodeId),
          runtimes,
          logger: logger.child({ part: 'data-plane' }),
        });
  // A data plane that cannot listen (address taken) leaves the agent serving pipelines only, with one line.
  const listenDataPlane = async (): Promise<string | undefined> =>
    dataPlane?.listen().catch((err: Error) => {
      logger.error({ err: err.message }, 'the data plane cannot listen; the gateway will not route here');
      return undefined;
    });
  const hello: Omit<Hello, 'capabilities'> = {
    nodeId,
    hostname: config.hostname ?? osHostname(),
    labels: config.labels ?? {},
    agentVersion: AGENT_VERSION,
    heartbeatIntervalMs: config.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_MS,
    protocolVersion: PROTOCOL_VERSION,
    runtimes: names,
    slots: setup.slots,
  };
  const link = new OrchestratorLink({
    address: config.orchestrator,
    joinToken: config.joinToken,
    hello,
    collect: () =>
      collectCapabilities({
        containerEngine: async () => {
          const info = await containers.engine();
          return info && containerEngineCapability(info);
        },
      }),
    models: () => models.list(),
    runningAttempts: () => [...executor.runningAttempts(), ...executor.finishedUnreported()],
    heartbeatIntervalMs: config.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_MS,
    capabilityIntervalMs: config.capabilityIntervalMs ?? DEFAULT_CAPABILITY_MS,
    reconnect: config.reconnect ?? { initialMs: 500, maxMs: 30_000 },
    logger,
  });
  late.link = link;
  const registered = new Promise<Welcome__Output>((resolve, reject) => {
    link.once('registered', resolve);
    link.once('fatal', reject);
  });
  registered.catch(() => {});
  link.on('registered', (w) => {
    logger.info(
      { nodeId, orchestrator: config.orchestrator, registrations: w.registrations },
      'registered with the orchestrator',
    );
    executor.resume();
  });
  link.on('drain', () => {
    executor.resume();
    nodeLog.flush();
  });
  link.on('assign', (task) => executor.assign(task));
  link.on('cancel', (c) => executor.cancel(c.attemptId, c.reason));
  link.on('fatal', (err) => logger.error({ err: err.message }, 'the orchestrator refused this agent'));
  logger.info(
    {
      runtimes: names,
      slots: setup.slots,
      threads: setup.threads,
      modelsDir: setup.modelsDir,
      ...(setup.managed.length > 0 ? { managed: setup.managed.map((m) => m.name) } : {}),
    },
    'runtimes configured',
  );
  // The engine probe is bounded (a few seconds) and never throws; containers start after registration begins.
  const started = Promise.all([setup.prepare(), containers.probe(), listenDataPlane()]).then(
    ([, engine, dataPlaneUrl]) => {
      if (dataPlaneUrl) {
        hello.dataPlaneUrl = dataPlaneUrl;
        logger.info({ url: dataPlaneUrl }, 'data plane listening');
      }
      if (engine && !engine.available) {
        const unavailable = new Set(setup.managed.map((m) => m.name));
        names.splice(0, names.length, ...names.filter((n) => !unavailable.has(n)));
      }
      link.start();
      void containers.start();
    },
  );

  let stopping: Promise<void> | undefined;
  const stop = (reason = 'agent shutting down'): Promise<void> => {
    stopping ??= (async () => {
      await started;
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([
        executor.abortAll(reason),
        new Promise<void>((resolve) => (grace = setTimeout(resolve, STOP_GRACE_MS))),
      ]);
      clearTimeout(grace);
      nodeLog.flush();
      await link.stop(reason);
      nodeLog.close();
      await Promise.all([setup.close(), containers.close(), dataPlane?.close()]);
    })();
    return stopping;
  };
  return { nodeId, link, executor, setup, dataPlane, registered, stop };
}
