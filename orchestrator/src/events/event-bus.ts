// Durable fan-out of orchestrator events: each event is stored (for SSE resume) and then handed to the
// live subscribers as a ready-to-send SSE frame, serialised once however many clients listen.
import type { EventType } from '@orchion/api';
import type { Clock } from '../registry/types';
import type { SqliteEventStore, StoredEvent } from '../store/event-store';

export interface BusEvent {
  id: number;
  type: EventType;
  /** The complete SSE frame: id, event and data lines. */
  frame: string;
}

export type Subscriber = (event: BusEvent) => void;

export class EventBus {
  private readonly subscribers = new Set<Subscriber>();
  private batching = 0;
  private pending: { type: EventType; time: number; data: string }[] = [];

  constructor(
    private readonly store: SqliteEventStore,
    private readonly clock: Clock,
  ) {}

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Stores an event and hands it to the subscribers (at the end of the batch, inside `batch`). */
  publish(type: EventType, data: unknown): void {
    const time = this.clock.now();
    const payload = JSON.stringify(data);
    if (this.batching > 0) {
      this.pending.push({ type, time, data: payload });
      return;
    }
    const id = this.store.append(type, time, payload);
    if (this.subscribers.size > 0)
      this.deliver({ id, type, frame: toFrame({ id, type, time, data: payload }) });
  }

  /**
   * Runs `fn`; the events it publishes are stored together (multi-row INSERTs) and handed to the subscribers, in
   * order, when the outermost batch ends. Call it inside the transaction that makes the changes they announce.
   */
  batch<T>(fn: () => T): T {
    this.batching++;
    try {
      return fn();
    } finally {
      if (--this.batching === 0 && this.pending.length > 0) {
        const events = this.pending;
        this.pending = [];
        const ids = this.store.appendMany(events);
        // Frames are built only for someone to hand them to (stored events are framed again on replay).
        if (this.subscribers.size > 0) {
          events.forEach((e, i) => {
            const id = ids[i]!;
            this.deliver({
              id,
              type: e.type,
              frame: toFrame({ id, type: e.type, time: e.time, data: e.data }),
            });
          });
        }
      }
    }
  }

  private deliver(event: BusEvent): void {
    for (const fn of this.subscribers) fn(event);
  }

  subscribe(fn: Subscriber): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  /**
   * True when a client resuming from `afterId` cannot be brought up to date by replay: events after it were
   * pruned, or the id is from another database (newer than anything stored).
   */
  lostAfter(afterId: number): boolean {
    const { min, max } = this.store.bounds();
    return (min !== null && afterId < min - 1) || afterId > (max ?? 0);
  }

  /** Up to `limit` retained events after `afterId`, in order. */
  batchAfter(afterId: number, limit: number): BusEvent[] {
    return this.store
      .after(afterId, limit)
      .map((row) => ({ id: row.id, type: row.type as EventType, frame: toFrame(row) }));
  }

  /** The newest stored event id (0 when none). */
  lastId(): number {
    return this.store.bounds().max ?? 0;
  }

  prune(keep: number): number {
    return this.store.prune(keep);
  }
}

function toFrame(e: StoredEvent): string {
  return `id: ${e.id}\nevent: ${e.type}\ndata: {"time":"${new Date(e.time).toISOString()}","data":${e.data}}\n\n`;
}
