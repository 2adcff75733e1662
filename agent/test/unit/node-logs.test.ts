// Node logs on the agent side: the batcher (batches, bounded while the link cannot take them, progress coalesced),
// one progress report per image out of Docker's per-layer pull events, and the container engine as a capability
// (sent when it changes).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { applyChanges, capabilityChanges } from '../../src/capabilities/diff';
import type { CollectedCapabilities } from '../../src/capabilities/collect';
import { containerEngineCapability } from '../../src/capabilities/container-engine';
import { NodeLogBatcher, type NodeLogLine } from '../../src/node-logs/batcher';
import { ImagePullProgress } from '../../src/node-logs/image-pull-progress';

afterEach(() => vi.useRealTimers());

const line = (text: string): NodeLogLine => ({ level: 'info', text, source: 'docker' });

describe('NodeLogBatcher', () => {
  it('sends lines in batches after the interval, only while the link takes writes', () => {
    vi.useFakeTimers();
    const sent: NodeLogLine[][] = [];
    let up = false;
    const b = new NodeLogBatcher({ send: (l) => (sent.push(l), true), canSend: () => up, maxBatch: 2 });
    for (const t of ['a', 'b', 'c']) b.push(line(t));
    vi.advanceTimersByTime(300);
    expect(sent).toEqual([]);
    up = true;
    vi.advanceTimersByTime(300);
    expect(sent.map((s) => s.map((l) => l.text))).toEqual([['a', 'b'], ['c']]);
    expect(sent[0]![0]!.timeMs).toBeGreaterThan(0);
    expect(b.size).toBe(0);
  });

  it('keeps at most maxPending lines while it cannot send and says how many it dropped', () => {
    const sent: NodeLogLine[][] = [];
    let up = false;
    const b = new NodeLogBatcher({ send: (l) => (sent.push(l), true), canSend: () => up, maxPending: 3 });
    for (let i = 0; i < 10; i++) b.push(line(String(i)));
    expect(b.size).toBe(3);
    up = true;
    b.flush();
    expect(sent[0]!.map((l) => l.text)).toEqual([
      '7 node log line(s) dropped while the orchestrator link was busy or down',
      '7',
      '8',
      '9',
    ]);
    expect(sent[0]![0]!.level).toBe('warn');
    b.close();
  });

  it('stops at a backpressured write and goes on later', () => {
    vi.useFakeTimers();
    const sent: NodeLogLine[][] = [];
    let ok = false;
    const b = new NodeLogBatcher({ send: (l) => (sent.push(l), ok), canSend: () => true, maxBatch: 1 });
    b.push(line('a'));
    b.push(line('b'));
    b.flush();
    expect(sent).toHaveLength(1);
    ok = true;
    vi.advanceTimersByTime(300);
    expect(sent.map((s) => s[0]!.text)).toEqual(['a', 'b']);
  });

  it('replaces an unsent progress report of the same subject; a done report is never replaced', () => {
    const sent: NodeLogLine[][] = [];
    const b = new NodeLogBatcher({ send: (l) => (sent.push(l), true), canSend: () => true });
    const p = (subject: string, completed: number, done = false): NodeLogLine => ({
      ...line(`${subject} ${completed}`),
      progress: { subject, status: 'Downloading', completed, total: 100, done },
    });
    b.push(p('img', 10));
    b.push(line('between'));
    b.push(p('img', 20));
    b.push(p('other', 5));
    b.push(p('img', 100, true));
    b.push(p('img', 100, true));
    b.flush();
    // The done report takes the unsent one's place; a second one is not replaced.
    expect(sent[0]!.map((l) => l.text)).toEqual(['img 100', 'between', 'other 5', 'img 100']);
    b.close();
  });

  it('cuts long texts', () => {
    const sent: NodeLogLine[][] = [];
    const b = new NodeLogBatcher({ send: (l) => (sent.push(l), true), canSend: () => true, maxText: 5 });
    b.push(line('abcdefghij'));
    b.flush();
    expect(sent[0]![0]!.text).toBe('abcde… (cut)');
    b.close();
  });
});

describe('ImagePullProgress', () => {
  it('sums the layers’ bytes and is done at Docker’s final status line', () => {
    const p = new ImagePullProgress('reg/img:1');
    p.update({ status: 'Pulling from reg/img', layer: '1' });
    p.update({ status: 'Pulling fs layer', layer: 'a' });
    p.update({ status: 'Pulling fs layer', layer: 'b' });
    expect(p.update({ status: 'Downloading', layer: 'a', current: 50, total: 100 })).toMatchObject({
      completed: 50,
      total: 100,
      done: false,
    });
    const r = p.update({ status: 'Downloading', layer: 'b', current: 100, total: 300 });
    expect([r.completed, r.total, r.status]).toEqual([150, 400, 'Downloading b']);
    expect(p.update({ status: 'Download complete', layer: 'a' }).completed).toBe(200);
    expect(p.update({ status: 'Pull complete', layer: 'b' }).completed).toBe(400);
    const last = p.update({ status: 'Status: Downloaded newer image for reg/img:1' });
    expect(last).toEqual({
      subject: 'reg/img:1',
      status: 'Status: Downloaded newer image for reg/img:1',
      completed: 400,
      total: 400,
      done: true,
    });
  });

  it('reports a failed pull as done with the reason', () => {
    const p = new ImagePullProgress('x');
    p.update({ status: 'Downloading', layer: 'a', current: 1, total: 10 });
    expect(p.failed('manifest unknown')).toMatchObject({ status: 'failed: manifest unknown', done: true });
  });
});

describe('the container engine as a capability', () => {
  const base: CollectedCapabilities = {
    cpu: { cores: 2 },
    memory: { totalBytes: 100 },
    os: { platform: 'linux' },
    gpus: [],
  };
  const up = containerEngineCapability({
    available: true,
    endpoint: '/run/docker.sock',
    version: '20.10.24',
    apiVersion: '1.41',
    os: 'linux',
    arch: 'amd64',
    runtimes: ['runc'],
  });
  const down = containerEngineCapability({
    available: false,
    endpoint: 'tcp://10.0.0.1:2375',
    reason: 'nothing listens at tcp://10.0.0.1:2375',
  });

  it('carries version, API version, endpoint (a socket as a unix:// URL) or the reason', () => {
    expect(up).toEqual({
      available: true,
      version: '20.10.24',
      apiVersion: '1.41',
      endpoint: 'unix:///run/docker.sock',
      error: '',
    });
    expect(down).toEqual({
      available: false,
      version: '',
      apiVersion: '',
      endpoint: 'tcp://10.0.0.1:2375',
      error: 'nothing listens at tcp://10.0.0.1:2375',
    });
  });

  it('is sent when it changes, and kept by applyChanges', () => {
    const sent = { ...base, containerEngine: up };
    expect(capabilityChanges(sent, { ...base, containerEngine: { ...up } })).toBeUndefined();
    const update = capabilityChanges(sent, { ...base, containerEngine: down })!;
    expect(update).toEqual({ containerEngine: down });
    expect(applyChanges(sent, update).containerEngine).toEqual(down);
    expect(applyChanges(sent, { memory: { totalBytes: 1 } }).containerEngine).toEqual(up);
    expect(capabilityChanges(base, base)).toBeUndefined();
  });
});
