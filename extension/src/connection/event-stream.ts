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
  /** The current connection attempt. */
  private attempt: AbortController | undefined;
  /** While set, the stream does not reconnect (see pause). */
  private gate: Promise<void> | undefined;
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

  /**
   * Drops the current connection and holds off reconnecting until the returned function is called (what a
   * network outage does; the in-host tests use it to check that the stream resumes without losing events).
   */
  pause(): () => void {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    this.gate = gate;
    this.attempt?.abort();
    return () => {
      if (this.gate === gate) this.gate = undefined;
      open();
    };
  }

  private async loop(source: EventSource, signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      if (this.gate) {
        this.setState('retrying', 'paused');
        const stopped = new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => resolve(), { once: true }),
        );
        await Promise.race([this.gate, stopped]);
        if (signal.aborted) return;
      }
      const started = Date.now();
      let delivered = false;
      let opened = false;
      let error: string | undefined;
      // One controller per attempt, so that an attempt can be dropped without stopping the stream.
      const attempt = new AbortController();
      const forward = (): void => attempt.abort();
      signal.addEventListener('abort', forward, { once: true });
      this.attempt = attempt;
      this.setState(this.lastEventId === undefined && failures === 0 ? 'connecting' : 'retrying');
      try {
        const last = await source.streamEvents(
          (event) => {
            if (attempt.signal.aborted) return;
            delivered = true;
            if (this._state !== 'open') this.setState('open');
            if (Number.isFinite(event.id)) this.lastEventId = event.id;
            this.emit(event);
          },
          {
            lastEventId: this.lastEventId,
            signal: attempt.signal,
            onOpen: () => {
              opened = true;
              if (!attempt.signal.aborted) this.setState('open');
            },
          },
        );
        if (last !== undefined && !attempt.signal.aborted) this.lastEventId = last;
        error = 'the server ended the event stream';
      } catch (err) {
        error = (err as Error).message;
      } finally {
        signal.removeEventListener('abort', forward);
        this.attempt = undefined;
      }
      if (signal.aborted) return;
      if (attempt.signal.aborted) continue; // paused: the gate decides when to reconnect
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
