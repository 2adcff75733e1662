import { describe, expect, it } from 'vitest';
import { NodesModel, nodeRow } from '../../src/views/nodes-model';
import { event, node } from './fixtures';

describe('NodesModel', () => {
  it('applies node events: registered, updated, state changes, removed', () => {
    const m = new NodesModel();
    m.reset([node('b'), node('a', { state: 'offline', stateReason: 'stream closed' })]);
    expect(m.apply(event('node.registered', node('c')))).toBe(true);
    expect(
      m.apply(event('node.stale', node('b', { state: 'stale', stateReason: 'no heartbeat for 15s' }))),
    ).toBe(true);
    expect(m.counts()).toEqual({ ready: 1, stale: 1, offline: 1, total: 3 });
    expect(m.apply(event('node.removed', node('a')))).toBe(true);
    expect(m.apply(event('job.created', { id: 'x' }))).toBe(false);
    expect(m.list().map((n) => n.id)).toEqual(['c', 'b']);
  });

  it('orders ready, stale, offline, then by hostname', () => {
    const m = new NodesModel();
    m.reset([
      node('1', { hostname: 'zeta', state: 'offline' }),
      node('2', { hostname: 'beta', state: 'stale' }),
      node('3', { hostname: 'alpha', state: 'offline' }),
      node('4', { hostname: 'gamma' }),
    ]);
    expect(m.list().map((n) => n.hostname)).toEqual(['gamma', 'beta', 'alpha', 'zeta']);
  });

  it('shows an error row with a retry command when the list failed and nothing is known', () => {
    const m = new NodesModel();
    m.fail('cannot reach the orchestrator at http://127.0.0.1:1 (timed out)');
    const rows = m.rows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'error', command: { command: 'orchion.refresh' } });
    expect(rows[0]!.label).toContain('timed out');
    // A failed reload keeps the known nodes under the error row.
    m.reset([node('a')]);
    m.fail('timed out');
    expect(m.rows().map((r) => r.kind)).toEqual(['error', 'node']);
  });

  it('encodes the state in contextValue and lists capabilities, GPUs with VRAM use, runtimes and models', () => {
    const row = nodeRow(node('n1'));
    expect(row).toMatchObject({ contextValue: 'node.ready', icon: { id: 'vm-running' }, label: 'host-n1' });
    expect(row.description).toBe('16 CPU · 64 GiB · 1 GPU · 1 models');
    const labels = row.children!.map((c) => `${c.label}: ${c.description}`);
    expect(labels).toEqual([
      'CPU: 16 cores · EPYC',
      'RAM: 16 GiB / 64 GiB used (25%)',
      'GPU 0: H100: VRAM 20 GiB / 80 GiB (25%) · 37% busy',
      'Runtimes: embedded, echo',
      'Models: 1',
    ]);
    const models = row.children!.at(-1)!.children!;
    expect(models[0]).toMatchObject({ label: 'orchion-tiny', description: 'embedded · 2.0 MiB · loaded' });
    const offline = nodeRow(node('n2', { state: 'offline', stateReason: 'deregistered' }));
    expect(offline).toMatchObject({ contextValue: 'node.offline', description: 'offline — deregistered' });
  });

  it('marks unusable models', () => {
    const n = node('n1');
    n.models = [{ ...n.models[0]!, name: 'broken', error: 'not a GGUF file', loaded: false }];
    const models = nodeRow(n).children!.at(-1)!.children!;
    expect(models[0]).toMatchObject({ contextValue: 'model.error', icon: { id: 'warning' } });
    expect(models[0]!.description).toContain('not a GGUF file');
  });
});
