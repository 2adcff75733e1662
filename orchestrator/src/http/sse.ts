// One Server-Sent Events connection: headers, keep-alives, in-order replay of history with backpressure, then
// live frames with a bound on what a slow client may leave unread (past it the client is disconnected and
// resumes with Last-Event-ID). Shared by /api/v1/events and /api/v1/jobs/:id/logs.
import { once } from 'node:events';
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface Frame {
  id: number;
  frame: string;
}

export class SseConnection {
  private open = true;
  private replaying = false;
  private waiting: Frame[] = [];
  private lastId: number;
  private readonly keepAlive: NodeJS.Timeout;
  private readonly closers: (() => void)[] = [];

  constructor(
    private readonly req: FastifyRequest,
    reply: FastifyReply,
    opts: { afterId?: number; maxBufferedBytes?: number; keepAliveMs?: number } = {},
  ) {
    this.lastId = opts.afterId ?? 0;
    this.maxBuffered = opts.maxBufferedBytes ?? 4 * 1024 * 1024;
    reply.hijack();
    this.res = reply.raw;
    this.res.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    this.res.write('retry: 2000\n: connected\n\n');
    this.keepAlive = setInterval(() => this.res.write(': keep-alive\n\n'), opts.keepAliveMs ?? 15_000);
    this.res.on('close', () => this.closed());
  }

  private readonly res: FastifyReply['raw'];
  private readonly maxBuffered: number;

  get isOpen(): boolean {
    return this.open;
  }

  onClose(fn: () => void): void {
    this.closers.push(fn);
  }

  /** A frame without an id (e.g. `reset`, `end`). */
  control(text: string): void {
    if (this.open) this.res.write(text);
  }

  /** A live frame. Waits behind a running replay; skipped when already sent. */
  live(f: Frame): void {
    if (!this.open || f.id <= this.lastId) return;
    if (this.replaying) {
      this.waiting.push(f);
      return;
    }
    if (this.res.writableLength > this.maxBuffered) {
      this.req.log.warn(
        { buffered: this.res.writableLength },
        'SSE client too slow; disconnecting it (it can resume)',
      );
      this.end(true);
      return;
    }
    this.lastId = f.id;
    this.res.write(f.frame);
  }

  /**
   * Sends stored frames after the last id, batch by batch, waiting for the socket to drain (history can be far
   * larger than the live-frame bound), then the live frames that arrived meanwhile.
   */
  async replay(next: (afterId: number) => Frame[]): Promise<void> {
    this.replaying = true;
    try {
      for (;;) {
        const batch = next(this.lastId);
        if (batch.length === 0 || !this.open) break;
        let text = '';
        for (const f of batch) text += f.frame;
        this.lastId = batch[batch.length - 1]!.id;
        if (!this.res.write(text)) await Promise.race([once(this.res, 'drain'), once(this.res, 'close')]);
      }
    } finally {
      this.replaying = false;
    }
    const waiting = this.waiting;
    this.waiting = [];
    for (const f of waiting) this.live(f);
  }

  end(destroy = false): void {
    if (!this.open) return;
    this.closed();
    if (destroy) this.res.destroy();
    else this.res.end();
  }

  private closed(): void {
    if (!this.open) return;
    this.open = false;
    clearInterval(this.keepAlive);
    for (const fn of this.closers) fn();
  }
}
