/**
 * The gateway's routing core, pure (no HTTP, no clock but the injected timer): which node serves a request for a
 * model, and admission control.
 *
 * - Candidates: ready nodes with a data plane that list the model (without an error), minus the ones a request
 *   already failed on. Among those with a free slot (in-flight < the node's concurrency), a healthy node beats a
 *   degraded one (connected but stale: heartbeats late, e.g. an overloaded machine), then a node with the model
 *   loaded wins, then the fewest requests in flight, then round-robin.
 * - No free slot: the request waits in the model's FIFO queue (bounded: `maxQueue` per model; beyond it →
 *   `queue_full`); a slot freed on a node that serves the model goes to the oldest waiter that may use it. A waiter
 *   gives up after `queueTimeoutMs` (`queue_timeout`).
 * - No candidate at all: `unknown_model` when no node serves the model, `no_node` when the only ones that do were
 *   excluded (failed already) or are not ready.
 *
 * The index model → nodes is rebuilt when a node changes (rare), so choosing is a scan of that model's nodes.
 */

export interface RouterNodeInput {
  id: string;
  /** Data-plane base URL. */
  url: string;
  /** Requests run at once on the node. */
  concurrency: number;
  ready: boolean;
  /** Usable but late with its heartbeats (stale): chosen only when no healthy node has a free slot. */
  degraded?: boolean;
  models: ReadonlyArray<{ name: string; loaded: boolean; error?: string }>;
}

export interface RouterNode {
  readonly id: string;
  readonly url: string;
  concurrency: number;
  ready: boolean;
  degraded: boolean;
  /** Model name → loaded. */
  models: Map<string, boolean>;
  inFlight: number;
  /** In-flight requests by model (metrics). */
  inFlightByModel: Map<string, number>;
}

export type RejectReason = 'unknown_model' | 'no_node' | 'queue_full' | 'queue_timeout';

export class RouteRejected extends Error {
  constructor(
    readonly reason: RejectReason,
    message: string,
    /** Seconds a client should wait before trying again (queue_full, queue_timeout). */
    readonly retryAfterS?: number,
  ) {
    super(message);
  }
}

export interface Lease {
  readonly node: RouterNode;
  readonly model: string;
  /** Frees the slot (idempotent). */
  release(): void;
}

export interface RouterOptions {
  /** Waiting requests per model before `queue_full` (default 64). */
  maxQueue?: number;
  /** How long a request may wait for a slot (default 30 s). */
  queueTimeoutMs?: number;
  /** Retry-After given with queue_full (default 1 s). */
  retryAfterS?: number;
  timer?: {
    setTimeout(fn: () => void, ms: number): unknown;
    clearTimeout(handle: unknown): void;
  };
}

interface Waiter {
  model: string;
  exclude: ReadonlySet<string> | undefined;
  resolve(lease: Lease): void;
  reject(err: RouteRejected): void;
  timer: unknown;
}

export class Router {
  private readonly nodes = new Map<string, RouterNode>();
  /** model → nodes listing it (any state): rebuilt on node changes. */
  private index = new Map<string, RouterNode[]>();
  private readonly queues = new Map<string, Waiter[]>();
  private readonly maxQueue: number;
  private readonly queueTimeoutMs: number;
  private readonly retryAfterS: number;
  private readonly timer: NonNullable<RouterOptions['timer']>;
  private turn = 0;

  constructor(options: RouterOptions = {}) {
    this.maxQueue = options.maxQueue ?? 64;
    this.queueTimeoutMs = options.queueTimeoutMs ?? 30_000;
    this.retryAfterS = options.retryAfterS ?? 1;
    this.timer = options.timer ?? {
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
    };
  }

  /** Adds or updates a node (its in-flight count is kept); waiters get its free slots. */
  upsert(input: RouterNodeInput): void {
    let node = this.nodes.get(input.id);
    const models = new Map<string, boolean>();
    for (const m of input.models) if (!m.error) models.set(m.name, m.loaded || models.get(m.name) === true);
    if (!node || node.url !== input.url) {
      node = {
        id: input.id,
        url: input.url,
        concurrency: input.concurrency,
        ready: input.ready,
        degraded: input.degraded === true,
        models,
        inFlight: node?.inFlight ?? 0,
        inFlightByModel: node?.inFlightByModel ?? new Map(),
      };
      this.nodes.set(input.id, node);
    } else {
      node.concurrency = input.concurrency;
      node.ready = input.ready;
      node.degraded = input.degraded === true;
      node.models = models;
    }
    this.reindex();
    this.drain(node);
  }

  remove(id: string): void {
    if (this.nodes.delete(id)) this.reindex();
  }

  get(id: string): RouterNode | undefined {
    return this.nodes.get(id);
  }

  /** Every node, for listings and metrics. */
  list(): IterableIterator<RouterNode> {
    return this.nodes.values();
  }

  /** Models served by a ready node, with the nodes serving each. */
  models(): Map<string, RouterNode[]> {
    const out = new Map<string, RouterNode[]>();
    for (const [model, nodes] of this.index) {
      const ready = nodes.filter((n) => n.ready);
      if (ready.length > 0) out.set(model, ready);
    }
    return out;
  }

  /** Whether a ready node serves the model. */
  serves(model: string): boolean {
    return this.index.get(model)?.some((n) => n.ready) ?? false;
  }

  queued(model: string): number {
    return this.queues.get(model)?.length ?? 0;
  }

  /** Waiting requests by model (metrics). */
  queueDepths(): Map<string, number> {
    return new Map([...this.queues].map(([model, q]) => [model, q.length]));
  }

  /**
   * A slot on the best node for `model`, at once when one is free (a Lease, not a promise: the hot path
   * allocates no promise), else a promise settled when a slot frees up or the wait is refused.
   * Throws RouteRejected when the request cannot be admitted now.
   */
  acquire(model: string, exclude?: ReadonlySet<string>): Lease | Promise<Lease> {
    const nodes = this.index.get(model);
    if (!nodes) {
      throw new RouteRejected('unknown_model', `no node serves model ${JSON.stringify(model)}`);
    }
    let best: RouterNode | undefined;
    let bestScore = Infinity;
    let candidates = 0;
    const n = nodes.length;
    const start = this.turn++ % n;
    for (let k = 0; k < n; k++) {
      const node = nodes[(start + k) % n]!;
      if (!node.ready || exclude?.has(node.id)) continue;
      candidates++;
      if (node.inFlight >= node.concurrency) continue;
      // Healthy first, then loaded (large penalties otherwise), then the fewest in flight.
      const score =
        (node.degraded ? 1_000_000_000 : 0) + (node.models.get(model) ? 0 : 1_000_000) + node.inFlight;
      if (score < bestScore) {
        best = node;
        bestScore = score;
      }
    }
    if (best) return this.lease(best, model);
    if (candidates === 0) {
      const why = nodes.some((x) => x.ready) ? 'every node serving it failed this request' : 'none is ready';
      throw new RouteRejected('no_node', `no node can serve model ${JSON.stringify(model)} now: ${why}`);
    }
    let queue = this.queues.get(model);
    if (!queue) this.queues.set(model, (queue = []));
    if (queue.length >= this.maxQueue) {
      throw new RouteRejected(
        'queue_full',
        `model ${JSON.stringify(model)} is busy: ${queue.length} requests are already waiting (the limit); retry later`,
        this.retryAfterS,
      );
    }
    return new Promise<Lease>((resolve, reject) => {
      const waiter: Waiter = { model, exclude, resolve, reject, timer: undefined };
      waiter.timer = this.timer.setTimeout(() => {
        const q = this.queues.get(model);
        const i = q?.indexOf(waiter) ?? -1;
        if (i >= 0) q!.splice(i, 1);
        reject(
          new RouteRejected(
            'queue_timeout',
            `no node of model ${JSON.stringify(model)} had a free slot within ${this.queueTimeoutMs} ms`,
            this.retryAfterS,
          ),
        );
      }, this.queueTimeoutMs);
      queue.push(waiter);
    });
  }

  private lease(node: RouterNode, model: string): Lease {
    node.inFlight++;
    node.inFlightByModel.set(model, (node.inFlightByModel.get(model) ?? 0) + 1);
    let released = false;
    return {
      node,
      model,
      release: () => {
        if (released) return;
        released = true;
        node.inFlight--;
        node.inFlightByModel.set(model, (node.inFlightByModel.get(model) ?? 1) - 1);
        if (this.queues.size > 0) this.drain(node);
      },
    };
  }

  /** Gives the node's free slots to the oldest waiters of the models it serves. */
  private drain(node: RouterNode): void {
    if (this.nodes.get(node.id) !== node) return;
    while (node.ready && node.inFlight < node.concurrency) {
      let chosen: { queue: Waiter[]; index: number } | undefined;
      for (const model of node.models.keys()) {
        const queue = this.queues.get(model);
        if (!queue) continue;
        const index = queue.findIndex((w) => !w.exclude?.has(node.id));
        if (index < 0) continue;
        chosen = { queue, index };
        break;
      }
      if (!chosen) return;
      const [waiter] = chosen.queue.splice(chosen.index, 1);
      if (chosen.queue.length === 0) this.queues.delete(waiter!.model);
      this.timer.clearTimeout(waiter!.timer);
      waiter!.resolve(this.lease(node, waiter!.model));
    }
  }

  private reindex(): void {
    const index = new Map<string, RouterNode[]>();
    for (const node of this.nodes.values()) {
      for (const model of node.models.keys()) {
        let list = index.get(model);
        if (!list) index.set(model, (list = []));
        list.push(node);
      }
    }
    this.index = index;
  }
}
