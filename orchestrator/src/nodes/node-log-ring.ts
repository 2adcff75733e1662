// The node logs agents send (AgentMessage.node_log), kept in memory: a bounded ring per node, read by id (SSE
// replay and resume) and followed live. Nothing is persisted: an orchestrator restart starts empty, with ids that
// still increase (they start from the clock), so a client resuming from before the restart misses nothing new.
// Free of transport: the session adapter appends, the HTTP route reads and follows.
import type { NodeLogEntry } from '@orchion/api';
import type { AgentMessage__Output } from '@orchion/proto';

export type NodeLogLineInput = NonNullable<AgentMessage__Output['nodeLog']>['lines'][number];

export interface NodeLogFollower {
  entries(entries: NodeLogEntry[]): void;
  /** The node was removed: no more entries will come. */
  end(): void;
}

export interface NodeLogRingOptions {
  /** Entries kept per node. Default 2000. */
  perNode?: number;
  /**
   * Entries kept over all nodes, about: a node's ring made when the others already hold their share gets
   * maxTotal / nodes entries (at least `minPerNode`). Default 1,000,000.
   */
  maxTotal?: number;
  /** Default 200. */
  minPerNode?: number;
  /** Longer texts are cut. Default 8192 characters. */
  maxText?: number;
  now?: () => number;
}

const LEVELS = new Set(['debug', 'info', 'warn', 'error']);

class Ring {
  readonly buf: NodeLogEntry[] = [];
  /** Index in `buf` of the oldest entry once the ring is full. */
  head = 0;

  constructor(
    readonly cap: number,
    public nextId: number,
  ) {}

  push(e: NodeLogEntry): void {
    if (this.buf.length < this.cap) this.buf.push(e);
    else {
      this.buf[this.head] = e;
      this.head = (this.head + 1) % this.cap;
    }
  }

  at(i: number): NodeLogEntry {
    return this.buf[(this.head + i) % this.buf.length]!;
  }

  /** Up to `limit` entries with id > afterId, oldest first (ids are consecutive within a ring). */
  after(afterId: number, limit: number): NodeLogEntry[] {
    const n = this.buf.length;
    if (n === 0) return [];
    const first = this.at(0).id;
    const start = Math.max(0, Math.min(n, afterId - first + 1));
    const out: NodeLogEntry[] = [];
    for (let i = start; i < n && out.length < limit; i++) out.push(this.at(i));
    return out;
  }
}

export class NodeLogRing {
  private readonly rings = new Map<string, Ring>();
  private readonly followers = new Map<string, Set<NodeLogFollower>>();
  private readonly perNode: number;
  private readonly maxTotal: number;
  private readonly minPerNode: number;
  private readonly maxText: number;
  private readonly now: () => number;

  constructor(o: NodeLogRingOptions = {}) {
    this.perNode = o.perNode ?? 2000;
    this.maxTotal = o.maxTotal ?? 1_000_000;
    this.minPerNode = Math.min(o.minPerNode ?? 200, this.perNode);
    this.maxText = o.maxText ?? 8192;
    this.now = o.now ?? Date.now;
  }

  /** Stores an agent's lines (normalised: known levels, bounded texts) and hands them to followers. */
  append(nodeId: string, lines: readonly NodeLogLineInput[]): NodeLogEntry[] {
    if (lines.length === 0) return [];
    let ring = this.rings.get(nodeId);
    if (!ring) {
      const share = Math.floor(this.maxTotal / (this.rings.size + 1));
      const cap = Math.max(this.minPerNode, Math.min(this.perNode, share));
      this.rings.set(nodeId, (ring = new Ring(cap, this.now() * 1000)));
    }
    const received = this.now();
    const entries = lines.map((l) => {
      const t = Number(l.timeMs);
      const text = l.text ?? '';
      const e: NodeLogEntry = {
        id: ring.nextId++,
        time: new Date(t > 0 ? t : received).toISOString(),
        level: LEVELS.has(l.level) ? l.level : 'info',
        source: (l.source ?? '').slice(0, 200),
        text: text.length > this.maxText ? `${text.slice(0, this.maxText)}… (cut)` : text,
      };
      if (l.progress) {
        e.progress = {
          subject: l.progress.subject,
          status: l.progress.status,
          completed: Number(l.progress.completed) || 0,
          total: Number(l.progress.total) || 0,
          done: l.progress.done,
        };
      }
      ring.push(e);
      return e;
    });
    for (const f of this.followers.get(nodeId) ?? []) f.entries(entries);
    return entries;
  }

  /** Up to `limit` retained entries after `afterId`, oldest first. */
  after(nodeId: string, afterId: number, limit = 1000): NodeLogEntry[] {
    return this.rings.get(nodeId)?.after(afterId, limit) ?? [];
  }

  follow(nodeId: string, f: NodeLogFollower): () => void {
    let set = this.followers.get(nodeId);
    if (!set) this.followers.set(nodeId, (set = new Set()));
    set.add(f);
    return () => {
      set.delete(f);
      if (set.size === 0 && this.followers.get(nodeId) === set) this.followers.delete(nodeId);
    };
  }

  /** Forgets a removed node's log and ends its followers. */
  drop(nodeId: string): void {
    this.rings.delete(nodeId);
    const set = this.followers.get(nodeId);
    this.followers.delete(nodeId);
    for (const f of [...(set ?? [])]) f.end();
  }
}
