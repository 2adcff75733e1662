// The reconnect rules of live streams and the controller's event handling, over an in-memory Transport (a test
// double of the network boundary; the real transports are exercised by the browser integration test).
import { describe, expect, it } from 'vitest';
import type { HttpMethod } from '../../src/protocol';
import { DashboardController, parseEvent } from '../../src/controller';
import { DashboardStore } from '../../src/data/store';
import { openLiveStream, withLastEventId } from '../../src/transport/live-stream';
import type { ApiResponse, StreamHandlers, Transport } from '../../src/transport/transport';
import { job, node } from './fixtures';

class MemoryTransport implements Transport {
  readonly kind = 'browser';
  subs: { path: string; h: StreamHandlers; open: boolean }[] = [];
  requests: string[] = [];
  responses = new Map<string, ApiResponse>();
  request(method: HttpMethod, path: string): Promise<ApiResponse> {
    this.requests.push(`${method} ${path}`);
    return Promise.resolve(
      this.responses.get(`${method} ${path}`) ?? {
        status: 404,
        body: { error: { code: 'not_found', message: 'nope' } },
      },
    );
  }
  subscribe(path: string, h: StreamHandlers): () => void {
    const sub = { path, h, open: true };
    this.subs.push(sub);
    return () => (sub.open = false);
  }
  command(): void {}
  onConnection(): () => void {
    return () => undefined;
  }
  last() {
    return this.subs[this.subs.length - 1]!;
  }
}

class ManualTimer {
  due: { fn: () => void; ms: number }[] = [];
  set = (fn: () => void, ms: number) => {
    const item = { fn, ms };
    this.due.push(item);
    return item;
  };
  clear = (h: unknown) => {
    this.due = this.due.filter((d) => d !== h);
  };
  fire() {
    const d = this.due.shift()!;
    d.fn();
    return d.ms;
  }
}

describe('live streams', () => {
  it('adds lastEventId to a path keeping its query', () => {
    expect(withLastEventId('/api/v1/events', undefined)).toBe('/api/v1/events');
    expect(withLastEventId('/api/v1/events', '7')).toBe('/api/v1/events?lastEventId=7');
    expect(withLastEventId('/api/v1/jobs/x/logs?follow=1', '42')).toBe(
      '/api/v1/jobs/x/logs?follow=1&lastEventId=42',
    );
  });

  it('resubscribes after a drop with backoff, resuming after the last id; a frame resets the backoff', () => {
    const t = new MemoryTransport();
    const timer = new ManualTimer();
    const frames: string[] = [];
    const states: string[] = [];
    const s = openLiveStream(t, '/api/v1/events', {
      onFrame: (f) => frames.push(f.data),
      onState: (st) => states.push(st),
      timer,
      minDelayMs: 100,
      maxDelayMs: 350,
    });
    expect(t.last().path).toBe('/api/v1/events');
    t.last().h.opened?.();
    t.last().h.frame({ event: 'node.updated', data: 'a', lastEventId: '5' });
    t.last().h.closed('network');
    expect(timer.fire()).toBe(100);
    expect(t.last().path).toBe('/api/v1/events?lastEventId=5');
    t.last().h.closed('again');
    expect(timer.fire()).toBe(200);
    t.last().h.closed('again');
    expect(timer.fire()).toBe(350);
    t.last().h.frame({ event: 'node.updated', data: 'b', lastEventId: '6' });
    t.last().h.closed('later');
    expect(timer.fire()).toBe(100);
    expect(t.last().path).toBe('/api/v1/events?lastEventId=6');
    expect(frames).toEqual(['a', 'b']);
    expect(states.slice(0, 4)).toEqual(['connecting', 'open', 'retrying', 'connecting']);
    s.close();
    expect(t.last().open).toBe(false);
    expect(timer.due).toHaveLength(0);
  });

  it('stops at a final frame (a job log end) and after close', () => {
    const t = new MemoryTransport();
    const timer = new ManualTimer();
    const s = openLiveStream(t, '/api/v1/jobs/j/logs?follow=1', {
      onFrame: () => undefined,
      isFinal: (f) => f.event === 'end',
      timer,
    });
    t.last().h.frame({ event: 'end', data: '{"state":"succeeded"}' });
    expect(s.state).toBe('ended');
    expect(t.last().open).toBe(false);
    t.last().h.closed('server closed');
    expect(timer.due).toHaveLength(0);
    expect(t.subs).toHaveLength(1);
  });
});

describe('controller', () => {
  it('parses event frames', () => {
    expect(parseEvent('node.updated', '{"time":"2026-01-01T00:00:00.000Z","data":{"id":"n"}}', '3')).toEqual({
      id: 3,
      type: 'node.updated',
      time: '2026-01-01T00:00:00.000Z',
      data: { id: 'n' },
    });
    expect(parseEvent('reset', '{"reason":"gone"}', undefined)?.type).toBe('reset');
    expect(parseEvent('node.updated', 'not json', '1')).toBeUndefined();
  });

  it('subscribes before loading; events that arrive during the load apply after the snapshot', async () => {
    const t = new MemoryTransport();
    const store = new DashboardStore();
    t.responses.set('GET /api/v1/nodes?limit=1000', {
      status: 200,
      body: { nodes: [node('n1')], nextCursor: null, total: 1 },
    });
    t.responses.set('GET /api/v1/jobs?limit=100', {
      status: 200,
      body: { jobs: [job('j1', { state: 'succeeded' })], nextCursor: null },
    });
    const c = new DashboardController(t, store);
    const started = c.start();
    expect(t.subs[0]!.path).toBe('/api/v1/events');
    // Arrives while the listing is in flight.
    t.subs[0]!.h.frame({
      event: 'job.created',
      data: JSON.stringify({ time: '2026-01-01T00:00:01.000Z', data: job('j2') }),
      lastEventId: '9',
    });
    expect(store.job('j2')).toBeUndefined();
    await started;
    expect(
      store
        .jobs()
        .map((j) => j.id)
        .sort(),
    ).toEqual(['j1', 'j2']);
    expect(store.nodes().map((n) => n.id)).toEqual(['n1']);
    // The unfinished job's detail was requested (its steps feed the node's slots).
    expect(t.requests).toContain('GET /api/v1/jobs/j2');
    c.stop();
  });

  it('reports a failed load once, with the API error message', async () => {
    const t = new MemoryTransport();
    const errors: string[] = [];
    const c = new DashboardController(t, new DashboardStore(), { error: (m) => errors.push(m) });
    await expect(c.start()).rejects.toThrow('nope');
    expect(errors).toEqual(['Could not load the cluster: nope']);
    c.stop();
  });
});
