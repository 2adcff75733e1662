/**
 * The Docker glue of managed runtimes (`setup.managed`): each spec becomes a `ContainerRuntime` at once (so the
 * executor and model listing know it from the start; it lists no models until its container answers), and
 * `start()` then connects to the engine, adopts this node's running containers and starts every spec. An absent
 * engine is one warning line: the agent runs with its other runtimes. Nothing here throws or blocks
 * registration: a container that cannot start is logged, and its runtime stays without models.
 */
import type { Logger } from 'pino';
import { ContainerRuntime } from '../runtimes/docker/container-runtime.js';
import type { EngineInfo } from '../runtimes/docker/engine-info.js';
import type { PullProgress } from '../runtimes/docker/image.js';
import type { ManagedRuntime } from '../runtimes/docker/managed-container.js';
import { DockerRuntimeManager } from '../runtimes/docker/manager.js';
import type { DockerSettings, ManagedRuntimeSpec } from './managed.js';

export interface ManagedContainersOptions {
  nodeId: string;
  specs: readonly ManagedRuntimeSpec[];
  docker: DockerSettings;
  logger: Logger;
  /** A managed runtime became ready (its models can be announced now). */
  onReady?: (runtime: ManagedRuntime) => void;
  /** Manager tuning (tests). */
  manager?: Partial<ConstructorParameters<typeof DockerRuntimeManager>[0]>;
}

export interface ManagedContainers {
  /** One per spec, in order: register them with the executor and the model listing. */
  runtimes: ContainerRuntime[];
  /** Probes the engine (at most a few seconds); resolves with what it found. Never throws. */
  probe(): Promise<EngineInfo | undefined>;
  /** Adopts this node's running containers, then starts every spec. Never throws. */
  start(): Promise<void>;
  /** Closes the runtimes and stops the containers (unless `keepContainersOnExit`). */
  close(): Promise<void>;
}

/** How often image pull progress is logged per layer at most. */
const PROGRESS_LOG_MS = 2_000;

export function managedContainers(o: ManagedContainersOptions): ManagedContainers {
  const log = o.logger.child({ part: 'docker' });
  if (o.specs.length === 0) {
    return { runtimes: [], probe: async () => undefined, start: async () => {}, close: async () => {} };
  }
  const manager = new DockerRuntimeManager({
    nodeId: o.nodeId,
    ...(o.docker.host !== undefined ? { dockerHost: o.docker.host } : {}),
    keepOnShutdown: o.docker.keepContainersOnExit,
    onLog: (l) => log.info({ runtime: l.runtime, stream: l.stream }, l.text),
    onCrash: (r) =>
      log.warn(
        {
          runtime: r.runtime,
          containerId: r.containerId.slice(0, 12),
          exitCode: r.exitCode,
          oom: r.oomKilled,
        },
        r.willRestart
          ? `managed runtime ${r.runtime} crashed; its running tasks fail as runtime-crashed and it is restarted`
          : `managed runtime ${r.runtime} crashed again; the agent gave up restarting it`,
      ),
    onStateChange: (rt) => {
      if (rt.state === 'ready') {
        log.info({ runtime: rt.name, containerId: rt.containerId.slice(0, 12) }, `${rt.name} is ready`);
        o.onReady?.(rt);
      }
    },
    logger: o.logger,
    ...o.manager,
  });
  const runtimes = o.specs.map(
    (s) =>
      new ContainerRuntime({
        manager,
        runtime: s.name,
        ...(s.keepAlive !== undefined ? { keepAlive: s.keepAlive } : {}),
      }),
  );
  let probed: Promise<EngineInfo> | undefined;
  const probe = (): Promise<EngineInfo> =>
    (probed ??= manager.engineInfo().then((info) => {
      if (info.available) {
        log.info(
          {
            endpoint: info.endpoint,
            version: info.version,
            apiVersion: info.apiVersion,
            runtimes: info.runtimes,
          },
          `Docker Engine ${info.version} at ${info.endpoint}`,
        );
      } else {
        log.warn(
          { endpoint: info.endpoint, managed: o.specs.map((s) => s.name) },
          `Docker is unavailable: ${info.reason}; managed runtimes ${o.specs.map((s) => s.name).join(', ')} ` +
            'are not started, the agent runs with its other runtimes',
        );
      }
      return info;
    }));
  let closed = false;

  const startOne = async (spec: ManagedRuntimeSpec): Promise<void> => {
    const lastLogged = new Map<string, number>();
    const onImageProgress = (p: PullProgress) => {
      const key = p.layer ?? '';
      const now = Date.now();
      const done = p.current !== undefined && p.total !== undefined && p.current >= p.total;
      if (p.current !== undefined && !done && now - (lastLogged.get(key) ?? 0) < PROGRESS_LOG_MS) return;
      lastLogged.set(key, now);
      log.info(
        { runtime: spec.name, image: spec.container.image, ...p },
        `pulling ${spec.container.image ?? spec.type}: ${p.status}`,
      );
    };
    const started = Date.now();
    try {
      const rt = await manager.startRuntime(spec.container, {
        onImageProgress,
        onModelProgress: (p) => log.info({ runtime: spec.name, ...p }, `${spec.name}: pulling ${p.model}`),
      });
      log.info(
        {
          runtime: rt.name,
          image: rt.image,
          baseUrl: rt.baseUrl,
          adopted: rt.adopted,
          ms: Date.now() - started,
        },
        `managed runtime ${rt.name} started`,
      );
      o.onReady?.(rt);
    } catch (err) {
      if (closed) return;
      log.error(
        { runtime: spec.name, err: err instanceof Error ? err.message : String(err) },
        `managed runtime ${spec.name} could not start; it lists no models`,
      );
    }
  };

  return {
    runtimes,
    probe,
    async start() {
      const info = await probe();
      if (!info.available || closed) return;
      try {
        const adopted = await manager.adopt();
        if (adopted.length > 0) {
          log.info(
            { runtimes: adopted.map((a) => a.name) },
            `adopted ${adopted.length} running managed container(s)`,
          );
        }
        const wanted = new Set(o.specs.map((s) => s.name));
        for (const a of adopted.filter((r) => !wanted.has(r.name))) {
          log.info({ runtime: a.name }, `removing managed container ${a.name}: no longer configured`);
          await manager.remove(a.name).catch(() => {});
        }
      } catch (err) {
        if (closed) return;
        log.error({ err: err instanceof Error ? err.message : String(err) }, 'could not adopt containers');
      }
      if (closed) return;
      await Promise.all(o.specs.map(startOne));
    },
    async close() {
      closed = true;
      await Promise.allSettled(runtimes.map((r) => r.close()));
      await manager.shutdown();
    },
  };
}
