/**
 * Composition of the gateway: the router fed from the node registry (nodes with a data plane), the data-plane
 * client, the dispatcher (retries, failover), API keys and metrics, and the HTTP adapter the orchestrator's HTTP
 * server hands the gateway's paths to.
 */
import { dataPlaneToken } from '@orchion/proto';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { NodeRecord } from '../registry/types';
import type { SqliteKeyStore } from '../store/key-store';
import { Dispatcher } from './dispatch';
import { GatewayHttp } from './http';
import { KeyRing } from './keys';
import { GatewayMetrics } from './metrics';
import { NodeClient, type DataPlaneTransport } from './node-client';
import { Router } from './router';

/** How long a node may stay stale before the requests it runs are cut and fail over (at least 2 heartbeats). */
const STALE_GRACE_MS = 2_000;

export interface GatewayOptions {
  joinToken: string;
  adminToken: string;
  keyStore: SqliteKeyStore;
  metricsRegistry: Registry;
  logger: Logger;
  /** Waiting requests per model before 429 (default 64). */
  maxQueue?: number;
  /** How long a request may wait for a free node (default 30 s). */
  queueTimeoutMs?: number;
  /** How long a node may take to its first token (non-streaming: its answer) before it is cut (default 5 min). */
  firstTokenTimeoutMs?: number;
  /** Requests run at once per node; default: the node's slots. */
  nodeConcurrency?: number;
  /** Browser origins allowed on the gateway's routes (as on the API: `--cors-origin`). */
  corsOrigins?: string[];
  /**
   * How the gateway reaches nodes: 'mux' (default: one multiplexed connection per node) or 'http' (a request per
   * call; the environment variable ORCHION_GATEWAY_DATA_PLANE=http picks it too: debugging, benchmarks).
   */
  dataPlaneTransport?: DataPlaneTransport;
}

export class Gateway {
  readonly router: Router;
  readonly keys: KeyRing;
  readonly http: GatewayHttp;
  private readonly client: NodeClient;
  private readonly auth = new Map<string, string>();
  private readonly urls = new Map<string, string>();
  private readonly flushTimer: NodeJS.Timeout;
  private readonly dispatcher: Dispatcher;
  private readonly staleTimers = new Map<string, NodeJS.Timeout>();
  private readonly logger: Logger;
  /** Nodes already warned about (an unusable data plane address). */
  private readonly warned = new Set<string>();

  constructor(private readonly opts: GatewayOptions) {
    this.client = new NodeClient(
      opts.dataPlaneTransport ?? (process.env.ORCHION_GATEWAY_DATA_PLANE === 'http' ? 'http' : 'mux'),
    );
    this.router = new Router({ maxQueue: opts.maxQueue, queueTimeoutMs: opts.queueTimeoutMs });
    this.keys = new KeyRing(opts.keyStore, opts.adminToken);
    const metrics = new GatewayMetrics(opts.metricsRegistry, this.router);
    const logger = opts.logger.child({ component: 'gateway' });
    this.logger = logger;
    const dispatcher = new Dispatcher({
      router: this.router,
      client: this.client,
      authorization: (id) => this.authorization(id),
      onReject: (reason) => metrics.rejections.inc({ reason }),
      onFailover: (_node, midStream) => metrics.failovers.inc({ mid_stream: String(midStream) }),
      firstTokenTimeoutMs: opts.firstTokenTimeoutMs,
      logger,
    });
    this.dispatcher = dispatcher;
    this.http = new GatewayHttp({
      router: this.router,
      dispatcher,
      keys: this.keys,
      metrics,
      logger,
      corsOrigins: opts.corsOrigins,
    });
    this.flushTimer = setInterval(() => this.keys.flush(), 5_000);
    this.flushTimer.unref();
  }

  /** A registry change: the node's data plane, readiness, slots and models. */
  nodeChanged(node: NodeRecord, connected: boolean): void {
    const url = node.dataPlaneUrl;
    const previous = this.urls.get(node.id);
    if (previous && previous !== url) this.client.drop(previous);
    if (!url) {
      this.urls.delete(node.id);
      this.router.remove(node.id);
      this.dispatcher.nodeLost(node.id);
      return;
    }
    if (unreachableLoopback(url, node.address)) {
      if (!this.warned.has(node.id)) {
        this.warned.add(node.id);
        this.logger.warn(
          { nodeId: node.id, dataPlaneUrl: url, peer: node.address },
          'the node announces a loopback data plane but connects from another machine: the gateway does not route to it (start its agent with --data-plane-addr HOST:PORT)',
        );
      }
      this.urls.delete(node.id);
      this.router.remove(node.id);
      return;
    }
    this.urls.set(node.id, url);
    // A stale node (connected, heartbeats late) stays usable, last in line; its running requests are cut only if
    // it stays stale past a grace (a frozen process), not on a blip of an overloaded machine.
    const ready = connected && node.state !== 'offline';
    const stale = ready && node.state === 'stale';
    this.router.upsert({
      id: node.id,
      url,
      concurrency: this.opts.nodeConcurrency ?? Math.max(1, node.slots),
      ready,
      degraded: stale,
      models: node.models,
    });
    if (!ready) {
      this.clearStaleTimer(node.id);
      this.dispatcher.nodeLost(node.id);
    } else if (!stale) this.clearStaleTimer(node.id);
    else if (!this.staleTimers.has(node.id)) {
      const grace = Math.max(STALE_GRACE_MS, 2 * node.heartbeatIntervalMs);
      const timer = setTimeout(() => {
        this.staleTimers.delete(node.id);
        if (this.router.get(node.id)?.degraded) {
          this.logger.warn(
            { nodeId: node.id, graceMs: grace },
            'gateway: node stale past the grace; its requests fail over',
          );
          this.dispatcher.nodeLost(node.id);
        }
      }, grace);
      timer.unref();
      this.staleTimers.set(node.id, timer);
    }
  }

  private clearStaleTimer(id: string): void {
    clearTimeout(this.staleTimers.get(id));
    this.staleTimers.delete(id);
  }

  nodeRemoved(id: string): void {
    this.clearStaleTimer(id);
    this.dispatcher.nodeLost(id);
    const url = this.urls.get(id);
    if (url) this.client.drop(url);
    this.urls.delete(id);
    this.router.remove(id);
  }

  stop(): void {
    clearInterval(this.flushTimer);
    for (const t of this.staleTimers.values()) clearTimeout(t);
    this.keys.flush();
    this.client.close();
  }

  private authorization(nodeId: string): string {
    let a = this.auth.get(nodeId);
    if (!a) this.auth.set(nodeId, (a = `Bearer ${dataPlaneToken(this.opts.joinToken, nodeId)}`));
    return a;
  }
}

const LOOPBACK_HOST = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]|::1)$/;

/**
 * Whether a data plane URL on loopback belongs to an agent on another machine (its session's peer address, as
 * gRPC gives it: "ipv4:10.0.0.5:51234", "ipv6:[::1]:51234"): the orchestrator cannot reach that agent there.
 */
export function unreachableLoopback(url: string, peer: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return true;
  }
  if (!LOOPBACK_HOST.test(host)) return false;
  const m = /^(?:ipv4:|ipv6:)?\[?([^\]]*?)\]?:\d+$/.exec(peer);
  if (!m) return false;
  return !LOOPBACK_HOST.test(m[1]!) && !m[1]!.startsWith('::ffff:127.');
}
