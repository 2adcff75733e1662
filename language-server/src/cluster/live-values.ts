/**
 * Models and runtimes from the orchestrator (GET /api/v1/nodes), cached for a TTL. Reads never wait: they return
 * the cached snapshot and start a refresh when it is stale; `onChange` tells when a refresh changed something.
 */
import { OrchionClient, type NodeView } from '@orchion/api';
import { clusterFromNodes, unknownCluster, type ClusterInfo } from '../service/cluster-info.js';

export interface LiveValuesOptions {
  url: string | undefined;
  token?: string | undefined;
  ttlMs?: number;
  /** How nodes are listed (default: the typed API client). */
  listNodes?: () => Promise<NodeView[]>;
  now?: () => number;
}

export class LiveValues {
  private snapshotValue: ClusterInfo;
  private fetchedAt = -Infinity;
  private inFlight: Promise<ClusterInfo> | undefined;
  private readonly listeners: ((info: ClusterInfo) => void)[] = [];
  private readonly ttlMs: number;
  private readonly listNodes: (() => Promise<NodeView[]>) | undefined;
  private readonly now: () => number;

  constructor(options: LiveValuesOptions) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.now = options.now ?? Date.now;
    if (options.listNodes) this.listNodes = options.listNodes;
    else if (options.url) {
      const client = new OrchionClient({ url: options.url, token: options.token, timeoutMs: 5_000 });
      this.listNodes = () => client.listAllNodes();
    }
    this.snapshotValue = unknownCluster(this.listNodes ? 'pending' : 'unconfigured');
  }

  /** The cached snapshot; starts a background refresh when it is older than the TTL. */
  snapshot(): ClusterInfo {
    if (this.listNodes && this.now() - this.fetchedAt > this.ttlMs) void this.refresh();
    return this.snapshotValue;
  }

  /** Fetches now (one request at a time). Never rejects: failures give an `offline` snapshot. */
  refresh(): Promise<ClusterInfo> {
    if (!this.listNodes) return Promise.resolve(this.snapshotValue);
    this.inFlight ??= this.listNodes()
      .then(
        (nodes) => clusterFromNodes(nodes),
        (e: unknown) => unknownCluster('offline', e instanceof Error ? e.message : String(e)),
      )
      .then((info) => {
        const changed = !sameCluster(info, this.snapshotValue);
        this.snapshotValue = info;
        this.fetchedAt = this.now();
        this.inFlight = undefined;
        if (changed) for (const l of this.listeners) l(info);
        return info;
      });
    return this.inFlight;
  }

  onChange(listener: (info: ClusterInfo) => void): void {
    this.listeners.push(listener);
  }
}

function sameCluster(a: ClusterInfo, b: ClusterInfo): boolean {
  if (a.status !== b.status || a.error !== b.error) return false;
  if (a.models.size !== b.models.size || a.runtimes.size !== b.runtimes.size) return false;
  for (const r of a.runtimes) if (!b.runtimes.has(r)) return false;
  for (const [name, m] of a.models)
    if (JSON.stringify(m) !== JSON.stringify(b.models.get(name))) return false;
  return true;
}
