import { ApiClientError } from '@orchion/api';
import { describe, expect, it } from 'vitest';
import { jobIdOf, stepIdOf, submitOptionsOf } from '../../src/commands/args';
import { isLoopbackUrl } from '../../src/connection/local-token';
import { statusText } from '../../src/status/status-text';
import { describeError } from '../../src/util/error-message';
import { elapsed, formatBytes, formatDuration } from '../../src/views/format';

describe('format', () => {
  it('formats bytes and durations', () => {
    expect([0, 1536, 10 * 2 ** 20, 80 * 2 ** 30].map(formatBytes)).toEqual([
      '0 B',
      '1.5 KiB',
      '10 MiB',
      '80 GiB',
    ]);
    expect([950, 12_300, 125_000, 7_500_000].map(formatDuration)).toEqual([
      '950 ms',
      '12 s',
      '2 m 5 s',
      '2 h 5 m',
    ]);
    expect(formatDuration(3_500)).toBe('3.5 s');
    expect(elapsed('2026-01-01T00:00:00Z', null, Date.parse('2026-01-01T00:00:02Z'))).toBe(2000);
    expect(elapsed(null, null)).toBeUndefined();
  });
});

describe('command arguments', () => {
  it('read job and step ids from rows, ids and job-like objects', () => {
    expect(jobIdOf({ kind: 'job', id: 'job:abc', jobId: 'abc' })).toBe('abc');
    expect(jobIdOf('abc')).toBe('abc');
    expect(jobIdOf({ id: 'abc', name: 'hello', state: 'running' })).toBe('abc');
    expect(jobIdOf({ kind: 'node', id: 'node:1' })).toBeUndefined();
    expect(jobIdOf(undefined)).toBeUndefined();
    expect(stepIdOf({ kind: 'step', jobId: 'j', stepId: 's' })).toBe('s');
    expect(stepIdOf('j', 's2')).toBe('s2');
  });

  it('tell submit options from the Explorer selection array', () => {
    expect(submitOptionsOf([{ path: '/a' }])).toEqual({});
    expect(submitOptionsOf({ prompt: false, inputs: { a: 1 } })).toEqual({ prompt: false, inputs: { a: 1 } });
    expect(submitOptionsOf({ scheme: 'file', path: '/x' })).toEqual({});
  });
});

describe('describeError', () => {
  it('says what failed in one sentence with the actions that help', () => {
    const unreachable = new ApiClientError(
      'unreachable',
      'cannot reach the orchestrator at http://127.0.0.1:7700 (ECONNREFUSED)',
    );
    expect(describeError('submit hello.orchion.yaml', unreachable)).toEqual({
      message:
        'Could not submit hello.orchion.yaml: cannot reach the orchestrator at http://127.0.0.1:7700 (ECONNREFUSED). Is the orchestrator running?',
      actions: ['startLocalCluster', 'connect'],
    });
    expect(describeError('x', new ApiClientError('unauthorized', 'wrong token', 401)).actions).toEqual([
      'connect',
    ]);
    expect(
      describeError('x', new ApiClientError('invalid_pipeline', 'the pipeline has errors', 422)).actions,
    ).toEqual(['showProblems']);
    expect(
      describeError('cancel the job', new ApiClientError('conflict', 'job j already succeeded', 409)),
    ).toEqual({
      message: 'Could not cancel the job: job j already succeeded (HTTP 409)',
      actions: ['showLog'],
    });
    expect(describeError('x', new Error('boom')).message).toBe('Could not x: boom');
  });
});

describe('local cluster', () => {
  it('reads a local token only for loopback URLs', () => {
    expect(['http://127.0.0.1:7700', 'http://localhost:1', 'http://[::1]:7700'].map(isLoopbackUrl)).toEqual([
      true,
      true,
      true,
    ]);
    expect(['http://10.0.0.5:7700', 'not a url'].map(isLoopbackUrl)).toEqual([false, false]);
  });
});

describe('status bar', () => {
  it('counts ready nodes and running jobs', () => {
    expect(statusText(true, { ready: 2, total: 3 }, { running: 1, queued: 4 })).toEqual({
      text: '$(server) 2/3 $(sync~spin) 1',
      tooltip: 'Orchion: 2 of 3 nodes ready · 1 jobs running · 4 queued\nClick to open the dashboard',
    });
    expect(statusText(false, { ready: 0, total: 0 }, { running: 0, queued: 0 }).text).toBe(
      '$(debug-disconnect) Orchion',
    );
  });

  it('says when the event stream keeps failing', () => {
    const down = statusText(true, { ready: 2, total: 3 }, { running: 1, queued: 0 }, 'ECONNREFUSED');
    expect(down.text).toBe('$(warning) Orchion: reconnecting');
    expect(down.tooltip).toContain('ECONNREFUSED');
  });
});

describe('start local cluster', () => {
  it('runs the configured command, else the workspace CLI, else npx', async () => {
    const { mkdtempSync, mkdirSync, rmSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { localClusterCommand } = await import('../../src/commands/local-cluster-command');
    const repo = mkdtempSync(join(tmpdir(), 'orchion-ext-'));
    mkdirSync(join(repo, 'orchestrator/dist'), { recursive: true });
    writeFileSync(join(repo, 'orchestrator/dist/cli.js'), '');
    expect(localClusterCommand('  orchion up --data-dir /tmp/x ', repo)).toBe('orchion up --data-dir /tmp/x');
    expect(localClusterCommand('', repo)).toBe('node orchestrator/dist/cli.js up');
    const empty = mkdtempSync(join(tmpdir(), 'orchion-ext-'));
    expect(localClusterCommand('', empty)).toBe('npx orchion up');
    expect(localClusterCommand('', undefined)).toBe('npx orchion up');
    rmSync(repo, { recursive: true, force: true });
    rmSync(empty, { recursive: true, force: true });
  });
});
