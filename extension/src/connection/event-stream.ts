// One shared stream of the orchestrator's events (`/api/v1/events`) for the whole extension (pure: no vscode).
// It reconnects with exponential backoff and jitter and resumes from the last event id, so listeners see every
// event once; when the server no longer has that history it sends `reset` and listeners reload their state.
import type { OrchionEvent } from '@orchion/api';

/** What the stream reads from: `OrchionClient.streamEvents`. */
export interface EventSource {
  streamEvents(
    onEvent: (event: OrchionEvent) => void,
    options: { lastEventId?: number; signal?: AbortSignal; onOpen?: () => void },
  ): Promise<number | undefined>;
}

export type StreamState = 'stopped' | 'connecting' | 'open' | 'retrying';

export interface EventStreamOptions {
  /** First retry delay (ms); doubles per failure up to `maxDelayMs`. */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** A stream that lived this long (or was answered, or delivered an event) resets the backoff. */
  healthyAfterMs?: number;
  random?: () => number;
  log?: (level: 'debug' | 'info' | 'warn', message: string) => void;
  /** Waits `ms` unless `signal` aborts first (injectable for tests). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export type EventListener = (event: OrchionEvent) => void;
export type StateListener = (state: StreamState, error?: string) => void;

/** The delay before retry number `failures` (1-based): exponential, capped, with ±25 % jitter. */
export function backoffDelay(failures: number, min: number, max: number, random: () => number): number {
  const base = Math.min(max, min * 2 ** Math.max(0, failures - 1));
  return Math.round(base * (0.75 + random() * 0.5));
}

const defaultSleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });

export class EventStream {
  private readonly listeners = new Set<EventListener>();
  private readonly stateListeners = new Set<StateListener>();
  private controller: AbortController | undefined;
  private running: Promise<void> | undefined;
  private _state: StreamState = 'stopped';
  /** The id to resume from. */
  lastEventId: number | undefined;
  private readonly opts: Required<Omit<EventStreamOptions, 'log'>> & Pick<EventStreamOptions, 'log'>;

  constructor(options: EventStreamOptions = {}) {
    this.opts = {
      minDelayMs: options.minDelayMs ?? 500,
      maxDelayMs: options.maxDelayMs ?? 15_000,
      healthyAfterMs: options.healthyAfterMs ?? 10_000,
      random: options.random ?? Math.random,
      sleep: options.sleep ?? defaultSleep,
      log: options.log,
    };
  }

  get state(): StreamState {
    return this._state;
  }

  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onState(listener: StateListener): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Starts reading from `source` (stopping any previous source first). Resumes only within one source. */
  start(source: EventSource): void {
    this.stop();
    this.lastEventId = undefined;
    const controller = new AbortController();
    this.controller = controller;
    this.running = this.loop(source, controller.signal);
  }

  /** Stops reading; resolves once the current request has ended. */
  async stop(): Promise<void> {
    const running = this.running;
    this.controller?.abort();
    this.controller = undefined;
    this.running = undefined;
    this.setState('stopped');
    await running;
  }

  private async loop(source: EventSource, signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      const started = Date.now();
      let delivered = false;
      let opened = false;
      let error: string | undefined;
      this.setState(this.lastEventId === undefined && failures === 0 ? 'connecting' : 'retrying');
      try {
        const last = await source.streamEvents(
          (event) => {
            if (signal.aborted) return;
            delivered = true;
            if (this._state !== 'open') this.setState('open');
            if (Number.isFinite(event.id)) this.lastEventId = event.id;
            this.emit(event);
          },
          {
            lastEventId: this.lastEventId,
            signal,
            onOpen: () => {
              opened = true;
              if (!signal.aborted) this.setState('open');
            },
          },
        );
        if (last !== undefined) this.lastEventId = last;
        if (signal.aborted) return;
        error = 'the server ended the event stream';
      } catch (err) {
        if (signal.aborted) return;
        error = (err as Error).message;
      }
      failures = delivered || opened || Date.now() - started >= this.opts.healthyAfterMs ? 1 : failures + 1;
      const delay = backoffDelay(failures, this.opts.minDelayMs, this.opts.maxDelayMs, this.opts.random);
      this.opts.log?.(failures > 3 ? 'warn' : 'debug', `event stream: ${error}; reconnecting in ${delay} ms`);
      this.setState('retrying', error);
      await this.opts.sleep(delay, signal);
    }
  }

  private emit(event: OrchionEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch (err) {
        this.opts.log?.('warn', `event listener failed on ${event.type}: ${(err as Error).message}`);
      }
    }
  }

  private setState(state: StreamState, error?: string): void {
    if (state === this._state && error === undefined) return;
    this._state = state;
    for (const l of [...this.stateListeners]) l(state, error);
  }
}
