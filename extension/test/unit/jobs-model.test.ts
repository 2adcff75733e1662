import { describe, expect, it } from 'vitest';
import { JobsModel, MAX_JOBS, jobRow, stepRow } from '../../src/views/jobs-model';
import { event, job, jobView, step } from './fixtures';

const NOW = Date.parse('2026-01-01T00:00:13.000Z');
const host = (id: string) => `host-${id}`;

describe('JobsModel', () => {
  it('lists newest first and follows job.created / job.updated', () => {
    const m = new JobsModel();
    m.reset([job('a', { createdAt: '2026-01-01T00:00:00.000Z' })]);
    m.apply(event('job.created', job('b', { createdAt: '2026-01-01T00:01:00.000Z', state: 'queued' })));
    expect(m.list().map((j) => j.id)).toEqual(['b', 'a']);
    const change = m.apply(event('job.updated', job('a', { state: 'succeeded' })));
    expect(change).toMatchObject({ jobId: 'a', job: { state: 'succeeded' } });
    expect(m.get('a')!.state).toBe('succeeded');
    expect(m.counts()).toMatchObject({ queued: 1, succeeded: 1, running: 0 });
    expect(m.apply(event('node.updated', { id: 'n' }))).toBeUndefined();
  });

  it('filters by state', () => {
    const m = new JobsModel();
    m.reset([job('a', { state: 'failed' }), job('b', { state: 'succeeded' })]);
    m.filter = ['failed'];
    expect(m.rows().map((r) => r.jobId)).toEqual(['a']);
    m.filter = ['cancelled'];
    expect(m.rows()).toMatchObject([{ id: 'jobs-filtered', label: 'No cancelled jobs' }]);
  });

  it('keeps loaded steps current from step.updated and adds new ones', () => {
    const m = new JobsModel();
    m.reset([job('j')]);
    expect(m.stepRows('j', host)[0]).toMatchObject({ kind: 'loading' });
    m.setDetail(jobView(job('j'), [step('one'), step('two', { state: 'queued', attempts: [] })]));
    m.apply(
      event('step.updated', {
        jobId: 'j',
        step: step('one', { state: 'succeeded', finishedAt: '2026-01-01T00:00:03.000Z' }),
      }),
    );
    m.apply(event('step.updated', { jobId: 'j', step: step('three') }));
    expect(m.steps('j')!.map((s) => `${s.id}:${s.state}`)).toEqual([
      'one:succeeded',
      'two:queued',
      'three:running',
    ]);
    // Events for jobs whose details were never loaded change nothing stored.
    expect(m.apply(event('step.updated', { jobId: 'other', step: step('x') }))).toMatchObject({
      jobId: 'other',
    });
    expect(m.steps('other')).toBeUndefined();
  });

  it('shows an error row (with retry) when a job could not be loaded, never a spinner forever', () => {
    const m = new JobsModel();
    m.setDetailError('j', 'cannot reach the orchestrator (timed out)');
    expect(m.stepRows('j', host)).toMatchObject([{ kind: 'error', command: { command: 'orchion.refresh' } }]);
    const empty = new JobsModel();
    empty.fail('HTTP 500');
    expect(empty.rows()).toMatchObject([{ kind: 'error', label: 'Could not load jobs: HTTP 500' }]);
  });

  it('drops the oldest finished jobs past MAX_JOBS but keeps running ones', () => {
    const m = new JobsModel();
    const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
    m.reset([job('running-old', { createdAt: at(0), state: 'running' })]);
    for (let i = 1; i <= MAX_JOBS + 10; i++)
      m.apply(event('job.created', job(`done-${i}`, { createdAt: at(i), state: 'succeeded' })));
    expect(m.list()).toHaveLength(MAX_JOBS);
    expect(m.get('running-old')).toBeDefined();
    expect(m.get('done-1')).toBeUndefined();
    expect(m.get(`done-${MAX_JOBS + 10}`)).toBeDefined();
  });
});

describe('job and step rows', () => {
  it('encode state in contextValue and show progress and duration', () => {
    const row = jobRow(job('0123456789abcdef', { steps: { succeeded: 1, running: 1 } }), NOW);
    expect(row).toMatchObject({
      contextValue: 'job.running',
      icon: { id: 'sync~spin' },
      label: 'hello',
      description: 'running · 01234567 · 1/2 steps · 12 s',
    });
  });

  it('show attempts, node and duration, with attempts as children and a reveal command', () => {
    const retried = step('greet', {
      state: 'succeeded',
      finishedAt: '2026-01-01T00:00:04.500Z',
      attempts: [
        {
          ...step('greet').attempts[0]!,
          id: 'a1',
          state: 'lost',
          error: 'node went offline',
          errorCode: 'node_lost',
          finishedAt: '2026-01-01T00:00:02.000Z',
        },
        {
          ...step('greet').attempts[0]!,
          id: 'a2',
          attempt: 2,
          nodeId: 'n2',
          state: 'succeeded',
          tokens: 24,
          startedAt: '2026-01-01T00:00:02.500Z',
          finishedAt: '2026-01-01T00:00:04.500Z',
        },
      ],
    });
    const row = stepRow('j', retried, host, NOW);
    expect(row).toMatchObject({
      contextValue: 'step.succeeded',
      description: 'succeeded · attempt 2 · host-n2 · 3.5 s',
      command: { command: 'orchion.revealStep', arguments: ['j', 'greet'] },
    });
    expect(row.children!.map((c) => `${c.label}: ${c.description}`)).toEqual([
      'Attempt 1: lost · host-n1 · 1.0 s · 3 tokens · node went offline',
      'Attempt 2: succeeded · host-n2 · 2.0 s · 24 tokens',
    ]);
  });

  it('say which earlier job a step reused its output from ("Run from here")', () => {
    const row = stepRow(
      'j',
      step('s', { state: 'succeeded', attempts: [], reusedFrom: 'abcdef0123' }),
      host,
      NOW,
    );
    expect(row.description).toMatch(/^succeeded · reused from abcdef01/);
  });

  it('say why a queued step waits', () => {
    const row = stepRow(
      'j',
      step('s', {
        state: 'queued',
        startedAt: null,
        attempts: [],
        waitingFor: 'no ready node serves model big',
      }),
      host,
      NOW,
    );
    expect(row.description).toBe('queued · no ready node serves model big');
    expect(row.collapsible).toBe('none');
  });
});
