// The reconnect/resume loop of the shared event stream, driven by a scripted EventSource (a test double of the
// HTTP stream: each call plays one connection). The real stream is exercised by the in-host suites.
import type { OrchionEvent } from '@orchion/api';
import { describe, expect, it } from 'vitest';
import { EventStream, backoffDelay, type EventSource } from '../../src/connection/event-stream';

type Script = (
  emit: (e: OrchionEvent) => void,
  lastEventId: number | undefined,
) => Promise<number | undefined>;

function scriptedSource(scripts: Script[]): EventSource & { calls: (number | undefined)[] } {
  const calls: (number | undefined)[] = [];
  return {
    calls,
    streamEvents(onEvent, { lastEventId, signal }) {
      calls.push(lastEventId);
      const script = scripts.shift();
      if (!script)
        return new Promise((resolve) => signal?.addEventListener('abort', () => resolve(lastEventId)));
      return script(onEvent, lastEventId);
    },
  };
}

const ev = (id: number, type: OrchionEvent['type'] = 'node.updated'): OrchionEvent => ({
  id,
  type,
  time: '',
  data: { id: `n${id}` },
});

describe('EventStream', () => {
  it('reconnects after errors and resumes from the last event id', async () => {
    const delays: number[] = [];
    const source = scriptedSource([
      async (emit) => {
        emit(ev(1));
        emit(ev(2));
        throw new Error('socket hang up');
      },
      async () => {
        throw new Error('ECONNREFUSED');
      },
      async (emit) => {
        emit(ev(3));
        return 3;
      },
    ]);
    const stream = new EventStream({
      random: () => 0.5,
      sleep: async (ms) => void delays.push(ms),
    });
    const seen: number[] = [];
    stream.onEvent((e) => seen.push(e.id));
    stream.start(source);
    await new Promise((r) => setTimeout(r, 20));
    await stream.stop();
    expect(seen).toEqual([1, 2, 3]);
    expect(source.calls.slice(0, 4)).toEqual([undefined, 2, 2, 3]);
    // After a stream that delivered events the backoff starts over; consecutive failures double it.
    expect(delays.slice(0, 3)).toEqual([500, 1000, 500]);
    expect(stream.state).toBe('stopped');
  });

  it('isolates listener failures and reports state changes', async () => {
    const states: string[] = [];
    const source = scriptedSource([
      async (emit) => {
        emit(ev(7));
        return 7;
      },
    ]);
    const logs: string[] = [];
    const stream = new EventStream({ sleep: async () => undefined, log: (_l, m) => logs.push(m) });
    stream.onState((s) => states.push(s));
    const seen: number[] = [];
    stream.onEvent(() => {
      throw new Error('listener bug');
    });
    stream.onEvent((e) => seen.push(e.id));
    stream.start(source);
    await new Promise((r) => setTimeout(r, 20));
    await stream.stop();
    expect(seen).toEqual([7]);
    expect(logs.some((m) => m.includes('listener bug'))).toBe(true);
    expect(states.slice(0, 3)).toEqual(['connecting', 'open', 'retrying']);
    expect(states.at(-1)).toBe('stopped');
  });

  it('computes capped exponential backoff with jitter', () => {
    expect([1, 2, 3, 10].map((n) => backoffDelay(n, 500, 15_000, () => 0.5))).toEqual([
      500, 1000, 2000, 15_000,
    ]);
    expect(backoffDelay(1, 1000, 15_000, () => 0)).toBe(750);
    expect(backoffDelay(1, 1000, 15_000, () => 1)).toBe(1250);
  });
});

describe('EventStream open state', () => {
  it('is open as soon as the server answers, and an answered stream resets the backoff', async () => {
    const states: string[] = [];
    const delays: number[] = [];
    let calls = 0;
    const source: EventSource = {
      async streamEvents(_onEvent, { lastEventId, onOpen, signal }) {
        calls++;
        if (calls === 1 || calls === 2 || calls === 4) throw new Error('ECONNREFUSED');
        if (calls === 3) {
          onOpen?.();
          return lastEventId; // the server ended the stream after answering
        }
        // Then a connection that stays open until the stream stops.
        return new Promise((resolve) => signal?.addEventListener('abort', () => resolve(lastEventId)));
      },
    };
    const stream = new EventStream({ random: () => 0.5, sleep: async (ms) => void delays.push(ms) });
    stream.onState((s, e) => states.push(e ? `${s}: ${e}` : s));
    stream.start(source);
    await new Promise((r) => setTimeout(r, 20));
    await stream.stop();
    expect(states).toEqual([
      'connecting',
      'retrying: ECONNREFUSED',
      'retrying: ECONNREFUSED',
      'open',
      'retrying: the server ended the event stream',
      'retrying: ECONNREFUSED',
      'stopped',
    ]);
    expect(delays).toEqual([500, 1000, 500, 1000]);
  });
});

describe('EventStream pause', () => {
  it('drops the connection, holds off until resumed, then resumes from the last event id', async () => {
    let attempt = 0;
    const calls: (number | undefined)[] = [];
    let connected: () => void = () => undefined;
    const source: EventSource = {
      streamEvents(onEvent, { lastEventId, signal }) {
        calls.push(lastEventId);
        attempt++;
        if (attempt === 1) onEvent(ev(10));
        if (attempt === 2) onEvent(ev(11));
        connected();
        return new Promise((resolve) => signal?.addEventListener('abort', () => resolve(lastEventId)));
      },
    };
    const next = () => new Promise<void>((r) => (connected = r));
    const stream = new EventStream({ sleep: async () => undefined });
    const seen: number[] = [];
    stream.onEvent((e) => seen.push(e.id));
    let up = next();
    stream.start(source);
    await up;
    const resume = stream.pause();
    await new Promise((r) => setTimeout(r, 30));
    expect(calls).toEqual([undefined]); // no reconnect while paused
    up = next();
    resume();
    await up;
    await stream.stop();
    expect(calls).toEqual([undefined, 10]);
    expect(seen).toEqual([10, 11]);
  });
});
