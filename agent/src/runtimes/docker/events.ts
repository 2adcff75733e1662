/**
 * The engine's container events for this node's managed containers (one long-lived stream). When the stream
 * breaks (engine restart), it reconnects with backoff and calls `onReconnect` so the owner can re-check states
 * it may have missed.
 */
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';

export interface ContainerEvent {
  /** 'die', 'start', 'oom', ... */
  action: string;
  id: string;
  exitCode?: number;
}

export interface EventWatcherOptions {
  docker: Docker;
  labels: string[];
  onEvent(event: ContainerEvent): void;
  onReconnect(): void;
  onError?(err: unknown): void;
  retryMs?: { initial: number; max: number };
}

interface RawEvent {
  Type?: string;
  Action?: string;
  status?: string;
  id?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

export class EventWatcher {
  private stream: Readable | undefined;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private delay: number;
  private connecting: Promise<void> | undefined;

  constructor(private readonly o: EventWatcherOptions) {
    this.delay = o.retryMs?.initial ?? 500;
  }

  /** Resolves once the stream is open (events after this are seen); rejects if the first connection fails. */
  start(): Promise<void> {
    this.connecting ??= this.connect();
    return this.connecting;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.stream?.destroy();
  }

  private async connect(): Promise<void> {
    const stream = (await this.o.docker.getEvents({
      filters: { type: ['container'], event: ['die', 'start', 'oom'], label: this.o.labels },
    })) as Readable;
    if (this.closed) return void stream.destroy();
    this.stream = stream;
    this.delay = this.o.retryMs?.initial ?? 500;
    let rest = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) this.dispatch(line);
    });
    let ended = false;
    const onEnd = (err?: unknown) => {
      if (ended) return;
      ended = true;
      if (err) this.o.onError?.(err);
      if (!this.closed) this.retry();
    };
    stream.once('end', () => onEnd());
    stream.once('close', () => onEnd());
    stream.once('error', onEnd);
  }

  private dispatch(line: string): void {
    let raw: RawEvent;
    try {
      raw = JSON.parse(line) as RawEvent;
    } catch {
      return;
    }
    const id = raw.Actor?.ID ?? raw.id;
    const action = raw.Action ?? raw.status;
    if (!id || !action) return;
    const code = raw.Actor?.Attributes?.exitCode;
    this.o.onEvent({ action, id, ...(code !== undefined ? { exitCode: Number(code) } : {}) });
  }

  private retry(): void {
    const wait = this.delay;
    this.delay = Math.min(this.delay * 2, this.o.retryMs?.max ?? 30_000);
    this.timer = setTimeout(() => {
      this.connect().then(
        () => this.o.onReconnect(),
        (err) => {
          this.o.onError?.(err);
          if (!this.closed) this.retry();
        },
      );
    }, wait);
    this.timer.unref();
  }
}
