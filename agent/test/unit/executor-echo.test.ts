/**
 * The task executor on the real echo runtime: the messages it sends for each kind of task, option mapping,
 * structured output, timeouts, cancellation, slots and failure codes.
 */
import { describe, expect, it } from 'vitest';
import { EchoRuntime } from '../../src/runtimes/index.js';
import { FakeLink, chat, embed, executorWith, options, prompt, task } from './helpers/executor-link.js';

const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(' ');

function setup(o: { slots?: number; tokenDelayMs?: number; onModelMissing?: () => void } = {}) {
  const link = new FakeLink();
  const runtime = new EchoRuntime({ tokenDelayMs: o.tokenDelayMs ?? 0 });
  const executor = executorWith(link, {
    runtimes: [runtime],
    slots: o.slots ?? 4,
    onModelMissing: o.onModelMissing,
  });
  return { link, executor, runtime };
}

describe('TaskExecutor (echo runtime)', () => {
  it('runs a completion: STARTED, token batches in order, logs, then SUCCEEDED with the result', async () => {
    const { link, executor } = setup();
    const t = task({ model: 'echo', ...prompt('the quick brown fox jumps') });
    executor.assign(t);
    expect(executor.runningAttempts()).toEqual([t.attemptId]);
    const final = await link.final(t.attemptId);
    const sent = link.messages.filter((m) => (m.task ?? m.output)?.attemptId === t.attemptId);
    expect(sent[0]).toEqual({ task: { attemptId: t.attemptId, state: 'TASK_STATE_STARTED' } });
    expect(sent[sent.length - 1]?.task).toBe(final);
    expect(sent.slice(1, -1).every((m) => m.output)).toBe(true);
    expect(link.chunks(t.attemptId, 'TOKEN').map((c) => c.text)).toEqual([
      'the',
      ' quick',
      ' brown',
      ' fox',
      ' jumps',
    ]);
    expect(final).toEqual({
      attemptId: t.attemptId,
      state: 'TASK_STATE_SUCCEEDED',
      result: {
        text: 'the quick brown fox jumps',
        stopReason: 'eogToken',
        promptTokens: 5,
        completionTokens: 5,
        durationMs: expect.any(Number),
      },
    });
    expect(link.logs(t.attemptId).join('\n')).toMatch(
      /generated 5 tokens in \d+ ms \(.+ tok\/s\).*stop reason: eogToken/,
    );
    expect(executor.runningAttempts()).toEqual([]);
  });

  it('maps options: max_tokens, stop sequences', async () => {
    const { link, executor } = setup();
    const a = task({ model: 'echo', ...prompt('one two three four five'), ...options({ maxTokens: 2 }) });
    const b = task({ model: 'echo', ...prompt('one two three STOP four'), ...options({ stop: [' STOP'] }) });
    executor.assign(a);
    executor.assign(b);
    const fa = await link.final(a.attemptId);
    const fb = await link.final(b.attemptId);
    expect(fa.result).toMatchObject({ text: 'one two', stopReason: 'maxTokens', completionTokens: 2 });
    expect(fb.result).toMatchObject({ text: 'one two three', stopReason: 'stopSequence' });
    expect(link.tokenText(a.attemptId)).toBe('one two');
  });

  it('runs a chat and an embedding', async () => {
    const { link, executor } = setup();
    const c = task({
      model: 'echo',
      ...chat({ role: 'system', content: 'be brief' }, { role: 'user', content: 'hello there' }),
    });
    const e = task({ model: 'echo', ...embed('alpha', 'beta') });
    executor.assign(c);
    executor.assign(e);
    expect((await link.final(c.attemptId)).result).toMatchObject({
      text: 'hello there',
      promptTokens: 4,
      completionTokens: 2,
    });
    const fe = await link.final(e.attemptId);
    expect(fe.state).toBe('TASK_STATE_SUCCEEDED');
    expect(fe.result?.dimensions).toBe(8);
    expect(fe.result?.embeddings).toHaveLength(2);
    expect(fe.result?.embeddings?.[0]?.values).toHaveLength(8);
    expect(fe.result?.text).toBeUndefined();
    expect(link.chunks(e.attemptId, 'TOKEN')).toEqual([]);
    expect(link.logs(e.attemptId).join('\n')).toMatch(/embedded 2 inputs \(2 tokens, 8 dimensions\)/);
  });

  it('validates structured output: valid JSON goes into result.json, invalid fails with invalid-output', async () => {
    const { link, executor } = setup();
    const schema = JSON.stringify({
      type: 'object',
      properties: { n: { type: 'integer', maximum: 5 } },
      required: ['n'],
    });
    const ok = task({ model: 'echo', ...prompt('{"n": 3}'), outputSchemaJson: schema });
    const bad = task({ model: 'echo', ...prompt('{"n": 7}'), outputSchemaJson: schema });
    const cut = task({
      model: 'echo',
      ...prompt('{"n": 3, "more": "text"}'),
      outputSchemaJson: schema,
      ...options({ maxTokens: 2 }),
    });
    for (const t of [ok, bad, cut]) executor.assign(t);
    const fo = await link.final(ok.attemptId);
    expect(fo.state).toBe('TASK_STATE_SUCCEEDED');
    expect(fo.result?.json).toBe('{"n":3}');
    expect(fo.result?.text).toBe('{"n": 3}');
    const fb = await link.final(bad.attemptId);
    expect(fb.state).toBe('TASK_STATE_FAILED');
    expect(fb.error).toEqual({
      code: 'invalid-output',
      message: expect.stringMatching(/does not satisfy the step's output schema.*\/n must be <= 5/),
      retryable: true,
    });
    const fc = await link.final(cut.attemptId);
    expect(fc.error?.code).toBe('invalid-output');
    expect(fc.error?.message).toMatch(/not valid JSON.*max_tokens = 2/);
    expect(link.logs(bad.attemptId).at(-1)).toMatch(/^failed: invalid-output/);
  });

  it('fails a task past timeout_ms with a retryable timeout, promptly', async () => {
    const { link, executor } = setup({ tokenDelayMs: 20 });
    const t = task({ model: 'echo', ...prompt(words(200)), timeoutMs: 100 });
    const started = Date.now();
    executor.assign(t);
    const f = await link.final(t.attemptId);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(f.state).toBe('TASK_STATE_FAILED');
    expect(f.error).toEqual({ code: 'timeout', message: 'timed out after 100 ms', retryable: true });
    expect(link.tokenText(t.attemptId).length).toBeGreaterThan(0);
  });

  it('cancels a running attempt promptly', async () => {
    const { link, executor } = setup({ tokenDelayMs: 20 });
    const t = task({ model: 'echo', ...prompt(words(500)) });
    executor.assign(t);
    await link.until((m) => !!m.output?.chunks?.some((c) => c.kind === 'TOKEN'));
    const cancelledAt = Date.now();
    executor.cancel(t.attemptId, 'the job was cancelled');
    const f = await link.final(t.attemptId);
    expect(Date.now() - cancelledAt).toBeLessThan(500);
    expect(f).toEqual({
      attemptId: t.attemptId,
      state: 'TASK_STATE_CANCELLED',
      error: { code: 'cancelled', message: 'the job was cancelled', retryable: false },
    });
    executor.cancel(t.attemptId, 'again'); // finished: ignored
    executor.cancel('unknown', 'x');
    expect(link.updates(t.attemptId)).toHaveLength(2);
  });

  it('enforces its slots and ignores a duplicate assignment of a running attempt', async () => {
    const { link, executor } = setup({ slots: 2, tokenDelayMs: 10 });
    const [a, b, c] = [1, 2, 3].map(() => task({ model: 'echo', ...prompt(words(20)) }));
    executor.assign(a!);
    executor.assign(a!);
    executor.assign(b!);
    executor.assign(c!);
    expect(executor.runningAttempts()).toEqual([a!.attemptId, b!.attemptId]);
    expect(link.updates(c!.attemptId)).toEqual([
      {
        attemptId: c!.attemptId,
        state: 'TASK_STATE_FAILED',
        error: { code: 'no-slot', message: 'all 2 slots of this agent are busy', retryable: true },
      },
    ]);
    expect((await link.final(a!.attemptId)).state).toBe('TASK_STATE_SUCCEEDED');
    expect(link.updates(a!.attemptId).filter((u) => u.state === 'TASK_STATE_STARTED')).toHaveLength(1);
    await link.final(b!.attemptId);
    const d = task({ model: 'echo', ...prompt('free again') });
    executor.assign(d);
    expect((await link.final(d.attemptId)).state).toBe('TASK_STATE_SUCCEEDED');
  });

  it('reports failures with stable codes and retryability', async () => {
    let missing = 0;
    const { link, executor } = setup({ slots: 8, onModelMissing: () => missing++ });
    const cases = {
      noModel: task({ model: 'nope', ...prompt('x') }),
      noRuntime: task({ model: 'echo', runtime: 'vllm', ...prompt('x') }),
      noInput: task({ model: 'echo' }),
      badSchema: task({ model: 'echo', ...prompt('x'), outputSchemaJson: '{not json' }),
      badMessages: task({ model: 'echo', ...chat({ role: 'assistant', content: 'hi' }) }),
      badOptions: task({ model: 'echo', ...prompt('x'), ...options({ topP: 2 }) }),
      emptyEmbed: task({ model: 'echo', ...embed() }),
    };
    for (const t of Object.values(cases)) executor.assign(t);
    const error = async (t: { attemptId: string }) => (await link.final(t.attemptId)).error;
    expect(await error(cases.noModel)).toEqual({
      code: 'model-not-found',
      message: 'no runtime on this agent serves model "nope" (models here: echo)',
      retryable: true,
    });
    expect(missing).toBe(1);
    expect(await error(cases.noRuntime)).toMatchObject({ code: 'runtime-not-found', retryable: true });
    expect(await error(cases.noInput)).toMatchObject({ code: 'bad-request', retryable: false });
    expect(await error(cases.badSchema)).toMatchObject({
      code: 'bad-request',
      message: expect.stringMatching(/output_schema_json is not valid JSON/),
      retryable: false,
    });
    expect(await error(cases.badMessages)).toMatchObject({ code: 'bad-request', retryable: false });
    expect(await error(cases.badOptions)).toMatchObject({ code: 'bad-request', retryable: false });
    expect(await error(cases.emptyEmbed)).toMatchObject({ code: 'bad-request', retryable: false });
    expect(executor.runningAttempts()).toEqual([]);
  });

  it('aborts every attempt on abortAll, reporting them as retryable, and refuses later ones', async () => {
    const { link, executor } = setup({ tokenDelayMs: 20 });
    const ts = [1, 2].map(() => task({ model: 'echo', ...prompt(words(300)) }));
    for (const t of ts) executor.assign(t);
    await executor.abortAll('agent shutting down');
    expect(executor.runningAttempts()).toEqual([]);
    for (const t of ts) {
      expect(link.updates(t.attemptId).at(-1)).toEqual({
        attemptId: t.attemptId,
        state: 'TASK_STATE_FAILED',
        error: { code: 'agent-stopped', message: 'agent shutting down', retryable: true },
      });
    }
    const late = task({ model: 'echo', ...prompt('x') });
    executor.assign(late);
    expect(link.updates(late.attemptId)).toEqual([
      {
        attemptId: late.attemptId,
        state: 'TASK_STATE_FAILED',
        error: { code: 'agent-stopped', message: 'agent shutting down', retryable: true },
      },
    ]);
  });

  it('ignores an assignment without attempt id', () => {
    const { link, executor } = setup();
    executor.assign(task({ attemptId: '', model: 'echo', ...prompt('x') }));
    expect(link.messages).toEqual([]);
    expect(executor.runningAttempts()).toEqual([]);
  });
});
