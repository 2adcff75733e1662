// The webview side of the host protocol: requests answered by id, stream frames and ends routed to their
// subscriber, the connection state, and unsubscribe/command messages, over an in-memory message channel.
import { describe, expect, it } from 'vitest';
import type { HostToWebview, WebviewToHost } from '../../src/protocol';
import { isHostMessage, isWebviewMessage } from '../../src/protocol';
import { VsCodeTransport } from '../../src/transport/vscode-transport';
import type { StreamFrame } from '../../src/transport/transport';

function channel() {
  const sent: WebviewToHost[] = [];
  let listener: ((e: { data: unknown }) => void) | undefined;
  const transport = new VsCodeTransport(
    { postMessage: (m) => sent.push(m) },
    { addEventListener: (_type, fn) => (listener = fn) },
    50,
  );
  const host = (m: HostToWebview | Record<string, unknown>) => listener!({ data: m });
  return { transport, sent, host };
}

describe('VsCodeTransport', () => {
  it('says ready, answers each request by its id, and times out without an answer', async () => {
    const { transport, sent, host } = channel();
    expect(sent[0]).toEqual({ type: 'ready' });
    const a = transport.request('GET', '/api/v1/nodes');
    const b = transport.request('POST', '/api/v1/jobs', { pipeline: 'x' });
    expect(sent.slice(1)).toEqual([
      { type: 'request', id: 1, method: 'GET', path: '/api/v1/nodes' },
      { type: 'request', id: 2, method: 'POST', path: '/api/v1/jobs', body: { pipeline: 'x' } },
    ]);
    host({ type: 'response', id: 2, status: 201, body: { id: 'j' } });
    host({ type: 'response', id: 1, status: 200, body: { nodes: [] } });
    expect(await a).toEqual({ status: 200, body: { nodes: [] } });
    expect(await b).toEqual({ status: 201, body: { id: 'j' } });
    const lost = await transport.request('GET', '/api/v1/jobs');
    expect(lost.status).toBe(0);
    expect(lost.body).toMatchObject({ error: { code: 'timeout' } });
  });

  it('routes stream frames and ends to their subscriber; unsubscribe tells the host once', () => {
    const { transport, sent, host } = channel();
    const frames: StreamFrame[] = [];
    const closed: string[] = [];
    const stop = transport.subscribe('/api/v1/events', {
      frame: (f) => frames.push(f),
      closed: (m) => closed.push(m),
    });
    const other = transport.subscribe('/api/v1/jobs/j/logs?follow=1', {
      frame: () => undefined,
      closed: () => undefined,
    });
    expect(sent.slice(1)).toEqual([
      { type: 'subscribe', id: 1, path: '/api/v1/events' },
      { type: 'subscribe', id: 2, path: '/api/v1/jobs/j/logs?follow=1' },
    ]);
    host({ type: 'event', id: 1, event: 'job.created', data: '{}', lastEventId: '7' });
    host({ type: 'event', id: 99, event: 'job.created', data: '{}' }); // unknown id: dropped
    host({ type: 'stream-error', id: 1, message: 'the connection changed' });
    host({ type: 'event', id: 1, event: 'job.updated', data: '{}' }); // after the end: dropped
    expect(frames).toEqual([{ event: 'job.created', data: '{}', lastEventId: '7' }]);
    expect(closed).toEqual(['the connection changed']);
    stop(); // already ended: nothing to tell
    other();
    other();
    expect(sent.filter((m) => m.type === 'unsubscribe')).toEqual([{ type: 'unsubscribe', id: 2 }]);
  });

  it('counts a quiet stream as open once the host answered a later request', () => {
    const { transport, host } = channel();
    const opened: string[] = [];
    transport.subscribe('/api/v1/events', {
      frame: () => undefined,
      closed: () => undefined,
      opened: () => opened.push('events'),
    });
    void transport.request('GET', '/api/v1/nodes'); // id 2
    host({ type: 'response', id: 2, status: 200, body: {} });
    expect(opened).toEqual(['events']);
    const failed: string[] = [];
    transport.subscribe('/api/v1/jobs/x/logs?follow=1', {
      frame: () => undefined,
      closed: (m) => failed.push(m),
      opened: () => opened.push('logs'),
    }); // id 3
    host({ type: 'stream-error', id: 3, message: 'job x not found' });
    void transport.request('GET', '/api/v1/jobs'); // id 4
    host({ type: 'response', id: 4, status: 200, body: {} });
    expect(opened).toEqual(['events']);
    expect(failed).toEqual(['job x not found']);
  });

  it('tracks the connection: inferred from answers until the host says, then the host decides', () => {
    const { transport, host } = channel();
    const states: string[] = [];
    transport.onConnection((s, url) => states.push(`${s}${url ? ` ${url}` : ''}`));
    void transport.request('GET', '/api/v1/nodes');
    host({ type: 'response', id: 1, status: 200, body: {} });
    host({ type: 'connection', state: 'disconnected' });
    host({ type: 'response', id: 1, status: 200, body: {} }); // no inference once the host spoke
    host({ type: 'connection', state: 'connected', url: 'http://127.0.0.1:7700' });
    expect(states).toEqual(['disconnected', 'connected', 'disconnected', 'connected http://127.0.0.1:7700']);
  });

  it('sends commands, and ignores messages that are not the protocol', () => {
    const { transport, sent, host } = channel();
    transport.command('orchion.revealStep', ['job', 'step']);
    expect(sent[1]).toEqual({ type: 'command', command: 'orchion.revealStep', args: ['job', 'step'] });
    host({ type: 'something-else' });
    host({});
    expect(isHostMessage({ type: 'event' })).toBe(true);
    expect(isHostMessage('event')).toBe(false);
    expect(isWebviewMessage({ type: 'subscribe' })).toBe(true);
    expect(isWebviewMessage({ type: 'response' })).toBe(false);
  });
});
