/**
 * Node log lines on their way to the orchestrator (AgentMessage.node_log): gathered for a short interval and sent
 * in batches, only when the session takes writes (never queued behind a backpressured stream, never blocking the
 * caller). What waits is bounded: past `maxPending` the oldest lines are dropped and a line says how many. A
 * progress report replaces the still-unsent one of the same subject, so a fast pull sends a few reports a second
 * rather than every event. Pure apart from its timer: the transport is the `send`/`canSend` pair.
 */
import type { AgentMessage } from '@orchion/proto';

export type NodeLogLine = NonNullable<NonNullable<AgentMessage['nodeLog']>['lines']>[number];
export type NodeLogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface NodeLogBatcherOptions {
  /** Writes one batch; false when the stream is now backpressured (the batch was still queued by gRPC). */
  send(lines: NodeLogLine[]): boolean;
  /** Whether a session is up and takes writes now. */
  canSend(): boolean;
  /** Gathering interval. Default 250 ms. */
  flushMs?: number;
  /** Lines per message. Default 200. */
  maxBatch?: number;
  /** Lines kept while they cannot be sent. Default 2000. */
  maxPending?: number;
  /** Longer texts are cut (UTF-16 units). Default 4096. */
  maxText?: number;
}

export class NodeLogBatcher {
  private pending: NodeLogLine[] = [];
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private readonly maxPending: number;
  private readonly maxText: number;

  constructor(private readonly o: NodeLogBatcherOptions) {
    this.flushMs = o.flushMs ?? 250;
    this.maxBatch = o.maxBatch ?? 200;
    this.maxPending = o.maxPending ?? 2000;
    this.maxText = o.maxText ?? 4096;
  }

  /** Lines waiting to be sent (tests, metrics). */
  get size(): number {
    return this.pending.length;
  }

  push(line: NodeLogLine): void {
    if (this.closed) return;
    const text = line.text ?? '';
    const l: NodeLogLine = {
      ...line,
      text: text.length > this.maxText ? `${text.slice(0, this.maxText)}… (cut)` : text,
      timeMs: line.timeMs ?? Date.now(),
    };
    const subject = l.progress?.subject;
    if (subject !== undefined) {
      const i = this.pending.findIndex((p) => p.progress?.subject === subject && !p.progress.done);
      if (i >= 0) {
        this.pending[i] = l;
        return this.schedule();
      }
    }
    this.pending.push(l);
    if (this.pending.length > this.maxPending) {
      const over = this.pending.length - this.maxPending;
      this.pending.splice(0, over);
      this.dropped += over;
    }
    this.schedule();
  }

  /** Sends what waits, as far as the session takes it. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.pending.length > 0 && this.o.canSend()) {
      const batch = this.pending.splice(0, this.maxBatch);
      if (this.dropped > 0) {
        batch.unshift({
          level: 'warn',
          source: 'agent',
          text: `${this.dropped} node log line(s) dropped while the orchestrator link was busy or down`,
          timeMs: Date.now(),
        });
        this.dropped = 0;
      }
      if (!this.o.send(batch)) break;
    }
    if (this.pending.length > 0) this.schedule();
  }

  /** Stops the timer; what waits is dropped. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.pending = [];
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => this.flush(), this.flushMs);
    this.timer.unref();
  }
}
