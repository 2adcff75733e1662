/**
 * The Docker glue of managed runtimes (`setup.managed`): each spec becomes a `ContainerRuntime` at once (so the
 * executor and model listing know it from the start; it lists no models until its container answers), and
 * `start()` then connects to the engine, adopts this node's running containers and starts every spec. An absent
 * engine is one warning line: the agent runs with its other runtimes and probes the engine again with backoff
 * (quietly: one line when it goes, one when it is back); when it answers, the setup runs as at start (also after
 * the engine went away while running; crashed containers are crash-recovery's). Nothing here throws or blocks
 * registration: a container that cannot start is logged, and its runtime stays without models. Setup lines,
 * container output and image/model pull progress also go to the node log (`nodeLog`), which the orchestrator
 * serves at /api/v1/nodes/:id/logs.
 */
import type { Logger } from 'pino';
import type { NodeLogLevel, NodeLogLine } from '../node-logs/batcher';
import { ImagePullProgress } from '../node-logs/image-pull-progress';
import { ContainerRuntime } from '../runtimes/docker/container-runtime.js';
import type { EngineInfo } from '../runtimes/docker/engine-info.js';
import type { PullProgress } from '../runtimes/docker/image.js';
import type { ModelPullProgress } from '../runtimes/docker/ollama-pull.js';
import { planFor } from '../runtimes/docker/plan-for.js';
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
  /** Node log lines (setup, container output, pull progress); see node-logs/batcher.ts. */
  nodeLog?: (line: NodeLogLine) => void;
  /** Backoff of the engine re-checks while it is unavailable (default 1 s doubling to 30 s). */
  engineRetryMs?: { initial?: number; max?: number };
  /** Manager tuning (tests). */
  manager?: Partial<ConstructorParameters<typeof DockerRuntimeManager>[0]>;
}

export interface ManagedContainers {
  /** One per spec, in order: register them with the executor and the model listing. */
  runtimes: ContainerRuntime[];
  /** Probes the engine (at most a few seconds); resolves with what it found. Never throws. */
  probe(): Promise<EngineInfo | undefined>;
  /** The engine now (probed again; one probe at a time), for capabilities. Never throws. */
  engine(): Promise<EngineInfo | undefined>;
  /**
   * Adopts this node's running containers, then starts every spec; resolves when that is done. Without an engine
   * it resolves at once and keeps probing with backoff: the setup then runs when the engine answers (also after
   * the engine went away and came back). Never throws.
   */
  start(): Promise<void>;
  /** Closes the runtimes and stops the containers (unless `keepContainersOnExit`). */
  close(): Promise<void>;
}

/** How often image pull progress is logged per layer at most. */
const PROGRESS_LOG_MS = 2_000;

export function managedContainers(o: ManagedContainersOptions): ManagedContainers {
  const log = o.logger.child({ part: 'docker' });
  if (o.specs.length === 0) {
    const none = async () => undefined;
    return { runtimes: [], probe: none, engine: none, start: async () => {}, close: async () => {} };
  }
  /** Logs a setup line and sends it to the node log. */
  const say = (level: NodeLogLevel, fields: Record<string, unknown>, text: string): void => {
    log[level](fields, text);
    o.nodeLog?.({ level, text, source: 'docker' });
  };
  const manager = new DockerRuntimeManager({
    nodeId: o.nodeId,
    ...(o.docker.host !== undefined ? { dockerHost: o.docker.host } : {}),
    keepOnShutdown: o.docker.keepContainersOnExit,
    onLog: (l) => {
      log.info({ runtime: l.runtime, stream: l.stream }, l.text);
      o.nodeLog?.({ level: 'info', text: l.text, source: `container:${l.runtime}` });
    },
    onCrash: (r) =>
      say(
        'warn',
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
        say('info', { runtime: rt.name, containerId: rt.containerId.slice(0, 12) }, `${rt.name} is ready`);
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
  let probing: Promise<EngineInfo> | undefined;
  let lastAvailable: boolean | undefined;
  const engine = (): Promise<EngineInfo> =>
    (probing ??= manager.engineInfo().then((info) => {
      probing = undefined;
      if (info.available !== lastAvailable) describe(info);
      lastAvailable = info.available;
      onEngine(info);
      return info;
    }));
  const describe = (info: EngineInfo): void => {
    if (info.available) {
      say(
        'info',
        {
          endpoint: info.endpoint,
          version: info.version,
          apiVersion: info.apiVersion,
          runtimes: info.runtimes,
        },
        `Docker Engine ${info.version} at ${info.endpoint}`,
      );
    } else if (lastAvailable === undefined) {
      say(
        'warn',
        { endpoint: info.endpoint, managed: o.specs.map((s) => s.name) },
        `Docker is unavailable: ${info.reason}; managed runtimes ${o.specs.map((s) => s.name).join(', ')} ` +
          'start when it answers; the agent runs with its other runtimes meanwhile',
      );
    } else {
      say(
        'warn',
        { endpoint: info.endpoint },
        `Docker became unavailable: ${info.reason}; checking again with backoff`,
      );
    }
  };
  const probe = (): Promise<EngineInfo> => (probed ??= engine());
  let closed = false;

  const startOne = async (spec: ManagedRuntimeSpec): Promise<void> => {
    const lastLogged = new Map<string, number>();
    const image = planFor(spec.container).image;
    const onImageProgress = (p: PullProgress) => {
      const key = p.layer ?? '';
      const now = Date.now();
      const done = p.current !== undefined && p.total !== undefined && p.current >= p.total;
      if (p.current !== undefined && !done && now - (lastLogged.get(key) ?? 0) < PROGRESS_LOG_MS) return;
      lastLogged.set(key, now);
      log.info({ runtime: spec.name, image, ...p }, `pulling ${image}: ${p.status}`);
    };
    let pull: ImagePullProgress | undefined;
    const source = `pull:${spec.name}`;
    const onImageProgressLogged = (p: PullProgress) => {
      onImageProgress(p);
      pull ??= new ImagePullProgress(image);
      const progress = pull.update(p);
      o.nodeLog?.({ level: 'info', text: `pulling ${pull.image}: ${progress.status}`, source, progress });
    };
    const onModelProgress = (p: ModelPullProgress) => {
      log.info({ runtime: spec.name, ...p }, `${spec.name}: pulling ${p.model}`);
      const progress = {
        subject: `${spec.name}/${p.model}`,
        status: p.status,
        completed: p.completed ?? 0,
        total: p.total ?? 0,
        done: p.status === 'success',
      };
      o.nodeLog?.({ level: 'info', text: `${spec.name}: pulling ${p.model}: ${p.status}`, source, progress });
    };
    const started = Date.now();
    try {
      const rt = await manager.startRuntime(spec.container, {
        onImageProgress: onImageProgressLogged,
        onModelProgress,
      });
      say(
        'info',
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
      const why = err instanceof Error ? err.message : String(err);
      if (pull && !pull.done) {
        const progress = pull.failed(why);
        o.nodeLog?.({ level: 'error', text: `pulling ${pull.image}: ${progress.status}`, source, progress });
      }
      say(
        'error',
        { runtime: spec.name, err: why },
        `managed runtime ${spec.name} could not start; it lists no models: ${why}`,
      );
    }
  };

  /**
   * Adopts this node's running containers, then starts every spec that has no usable runtime yet (all of them
   * the first time; after the engine was away, those that are missing or gave up restarting).
   */
  const setUp = async (): Promise<void> => {
    try {
      const adopted = await manager.adopt();
      if (adopted.length > 0) {
        say(
          'info',
          { runtimes: adopted.map((a) => a.name) },
          `adopted ${adopted.length} running managed container(s)`,
        );
      }
      const wanted = new Set(o.specs.map((s) => s.name));
      for (const a of adopted.filter((r) => !wanted.has(r.name))) {
        say('info', { runtime: a.name }, `removing managed container ${a.name}: no longer configured`);
        await manager.remove(a.name).catch(() => {});
      }
    } catch (err) {
      if (closed) return;
      const why = err instanceof Error ? err.message : String(err);
      say('error', { err: why }, `could not adopt containers: ${why}`);
    }
    if (closed) return;
    const pending = o.specs.filter((s) => {
      const rt = manager.get(s.name);
      return !setUpOnce || rt === undefined || rt.state === 'failed';
    });
    setUpOnce = true;
    await Promise.all(pending.map(startOne));
  };

  // The engine watch: once started, an unavailable engine is probed again with backoff (one line when it goes,
  // one when it is back: `engine()` logs transitions only), and an engine that answers again is set up again.
  const retryMs = { initial: 1_000, max: 30_000, ...o.engineRetryMs };
  let watching = false;
  let setUpOnce = false;
  /** Whether the engine answered since it was last seen unavailable (and `setUp` ran for it). */
  let upToDate = false;
  let settingUp: Promise<void> | undefined;
  let retryDelay = retryMs.initial;
  let retryTimer: NodeJS.Timeout | undefined;
  const onEngine = (info: EngineInfo): void => {
    if (!watching || closed) return;
    if (info.available) {
      clearTimeout(retryTimer);
      retryTimer = undefined;
      retryDelay = retryMs.initial;
      if (upToDate) return;
      upToDate = true;
      // One setup at a time: a second one (the engine flapped) sees what the first started.
      const next: Promise<void> = (settingUp ?? Promise.resolve()).then(setUp).finally(() => {
        if (settingUp === next) settingUp = undefined;
      });
      settingUp = next;
      return;
    }
    upToDate = false;
    if (retryTimer) return;
    const wait = retryDelay;
    retryDelay = Math.min(retryDelay * 2, retryMs.max);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void engine();
    }, wait);
    retryTimer.unref();
  };

  return {
    runtimes,
    probe,
    engine,
    async start() {
      const info = await probe();
      if (closed) return;
      watching = true;
      onEngine(info);
      await settingUp;
    },
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      await Promise.allSettled(runtimes.map((r) => r.close()));
      await manager.shutdown();
    },
  };
}
