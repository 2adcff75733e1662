// Job logs: an agent's token chunks are merged into one row per run of tokens in a report, log lines keep their
// own rows (level, time), the engine records its own events, and each job keeps a bounded number of rows.
import { beforeEach, describe, expect, it } from 'vitest';
import { Harness, START, pipeline } from './job-engine-harness';

const ONE = pipeline('  - { id: s, prompt: S }\n');

describe('job engine: logs', () => {
  let h: Harness;
  beforeEach(() => {
    h = new Harness();
  });

  it('merges token chunks per report, keeps log lines apart, and stores what it publishes', () => {
    const job = h.submit(ONE);
    h.addNode('n1');
    const a = h.assignment('s');
    const before = h.logs(job.id).length;
    h.output(a, [
      { text: 'Hel' },
      { text: 'lo' },
      { kind: 'LOG', text: 'loaded the model', level: 'debug', timeMs: START + 5 },
      { text: ', ' },
      { text: 'world' },
    ]);
    h.output(a, [{ text: '!' }, { kind: 'LOG', text: 'no level, no time' }]);
    const rows = h.logs(job.id).slice(before);
    expect(rows.map((r) => [r.kind, r.level, r.text])).toEqual([
      ['token', null, 'Hello'],
      ['log', 'debug', 'loaded the model'],
      ['token', null, ', world'],
      ['token', null, '!'],
      ['log', 'info', 'no level, no time'],
    ]);
    expect(rows.every((r) => r.stepId === 's' && r.attemptId === a.task.attemptId)).toBe(true);
    expect(rows[1]!.time).toBe(new Date(START + 5).toISOString());
    expect(rows[4]!.time).toBe(new Date(h.time.now).toISOString());
    expect(rows.map((r) => r.id)).toEqual([...rows.map((r) => r.id)].sort((x, y) => x - y));

    const stored = h.store.logsAfter(job.id, 0, 1000);
    expect(stored.map((r) => r.id)).toEqual(h.logs(job.id).map((r) => r.id));
    h.output(a, []);
    expect(h.logs(job.id)).toHaveLength(before + rows.length);
  });

  it('uses the orchestrator time for log lines whose agent time is not a date', () => {
    const job = h.submit(ONE);
    h.addNode('n1');
    const a = h.assignment('s');
    h.output(a, [
      { kind: 'LOG', text: 'far future', timeMs: 1e20 },
      { kind: 'LOG', text: 'negative', timeMs: -5 },
      { kind: 'LOG', text: 'not a number', timeMs: Number.NaN },
    ]);
    const rows = h.logs(job.id).slice(-3);
    expect(rows.map((r) => r.time)).toEqual(Array(3).fill(new Date(h.time.now).toISOString()));
  });

  it('records the engine events of a job', () => {
    const job = h.submit(pipeline('  - { id: s, prompt: S, retries: 1 }\n'));
    h.addNode('n1');
    const first = h.assignment('s');
    h.started(first);
    h.fail(first, { message: 'crash', retryable: true });
    h.time.advance(1000);
    h.succeed(h.assignment('s'), { text: 'ok', completionTokens: 7, stopReason: 'eogToken' });
    expect(h.events(job.id)).toEqual([
      'job test submitted with 1 steps',
      'attempt 1 placed on node n1 (model loaded)',
      'attempt 1 started on node n1',
      'attempt 1 failed: crash; retrying in 1.0s',
      'attempt 2 placed on node n1 (model loaded)',
      'step s succeeded (7 tokens, eogToken)',
      'job succeeded',
    ]);
    const warn = h.logs(job.id).find((e) => e.text.startsWith('attempt 1 failed'))!;
    expect(warn).toMatchObject({ level: 'warn', stepId: 's', attemptId: first.task.attemptId });
    const submitted = h.logs(job.id)[0]!;
    expect(submitted).toMatchObject({ level: 'info', stepId: null, attemptId: null });
  });

  it('marks step failures as errors', () => {
    const job = h.submit(ONE);
    h.addNode('n1');
    h.fail(h.assignment('s'), { message: 'boom' });
    expect(h.logs(job.id).find((e) => e.text === 'step s failed: boom')).toMatchObject({
      kind: 'event',
      level: 'error',
      stepId: 's',
    });
  });

  it('prunes a job to its newest rows once it has more than 1000 over the limit', () => {
    h = new Harness({ engine: { maxLogsPerJob: 50 } });
    const job = h.submit(ONE);
    h.addNode('n1');
    const a = h.assignment('s');
    const logLine = (i: number) => ({ kind: 'LOG' as const, text: `line ${i}`, level: 'info' });
    const count = () => h.store.logsAfter(job.id, 0, 100_000).length;
    // A few events so far (submitted, placed); fill up to exactly 1050 rows, the most kept before a prune.
    let i = 0;
    h.output(
      a,
      Array.from({ length: 1050 - count() }, () => logLine(i++)),
    );
    expect(count()).toBe(1050);
    h.output(a, [logLine(i++)]);
    const rows = h.store.logsAfter(job.id, 0, 100_000);
    expect(rows).toHaveLength(50);
    expect(rows.at(-1)!.text).toBe(`line ${i - 1}`);
    expect(rows[0]!.text).toBe(`line ${i - 50}`);
    // Other jobs keep theirs.
    const other = h.submit(ONE);
    expect(h.store.logsAfter(other.id, 0, 100).length).toBeGreaterThan(0);
  });
});
