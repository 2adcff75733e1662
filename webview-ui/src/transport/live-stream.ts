// An SSE subscription that stays open: when the stream drops it subscribes again after a backoff, resuming after
// the last event id it saw (`lastEventId=N` in the query, which the API reads like the Last-Event-ID header).
// Transport-agnostic and timer-injected, so the reconnect rules are unit-tested without a network.
import type { StreamFrame, Transport } from './transport';

export type LiveState = 'connecting' | 'open' | 'retrying' | 'ended';

export interface LiveStreamOptions {
  /** Frames to deliver. */
  onFrame(frame: StreamFrame): void;
  onState?(state: LiveState, detail?: string): void;
  /** A frame after which the stream is complete (e.g. the logs' `end`): no reconnect. */
  isFinal?(frame: StreamFrame): boolean;
  /** Resume after this id on the first subscription. */
  lastEventId?: string;
  /** Backoff bounds in ms (doubles per failed try, back to the minimum once a frame arrives). */
  minDelayMs?: number;
  maxDelayMs?: number;
  timer?: { set(fn: () => void, ms: number): unknown; clear(handle: unknown): void };
}

export interface LiveStream {
  /** The id of the last frame delivered (to resume from). */
  readonly lastEventId: string | undefined;
  readonly state: LiveState;
  close(): void;
  /** Reconnects now (e.g. the user pressed Retry). */
  retryNow(): void;
}

export function withLastEventId(path: string, id: string | undefined): string {
  if (id === undefined) return path;
  const [base, query = ''] = path.split('?', 2) as [string, string?];
  const params = new URLSearchParams(query);
  params.set('lastEventId', id);
  return `${base}?${params.toString()}`;
}

export function openLiveStream(transport: Transport, path: string, opts: LiveStreamOptions): LiveStream {
  const min = opts.minDelayMs ?? 1000;
  const max = opts.maxDelayMs ?? 15_000;
  const timer = opts.timer ?? {
    set: (fn: () => void, ms: number) => setTimeout(fn, ms),
    clear: (h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>),
  };
  let lastEventId = opts.lastEventId;
  let delay = min;
  let state: LiveState = 'connecting';
  let unsubscribe: (() => void) | undefined;
  let pending: unknown;
  let closed = false;

  const setState = (s: LiveState, detail?: string): void => {
    state = s;
    opts.onState?.(s, detail);
  };

  const connect = (): void => {
    pending = undefined;
    if (closed) return;
    setState('connecting');
    let done = false;
    unsubscribe = transport.subscribe(withLastEventId(path, lastEventId), {
      opened: () => {
        if (!done && !closed) setState('open');
      },
      frame: (f) => {
        if (done || closed) return;
        if (state !== 'open') setState('open');
        delay = min;
        if (f.lastEventId !== undefined && f.lastEventId !== '') lastEventId = f.lastEventId;
        opts.onFrame(f);
        if (opts.isFinal?.(f)) {
          done = true;
          closed = true;
          unsubscribe?.();
          setState('ended');
        }
      },
      closed: (message) => {
        if (done || closed) return;
        done = true;
        unsubscribe = undefined;
        setState('retrying', message);
        pending = timer.set(connect, delay);
        delay = Math.min(max, delay * 2);
      },
    });
  };
  connect();

  return {
    get lastEventId() {
      return lastEventId;
    },
    get state() {
      return state;
    },
    close() {
      if (closed) return;
      closed = true;
      if (pending !== undefined) timer.clear(pending);
      unsubscribe?.();
      unsubscribe = undefined;
    },
    retryNow() {
      if (closed || state !== 'retrying') return;
      if (pending !== undefined) timer.clear(pending);
      delay = min;
      connect();
    },
  };
}
