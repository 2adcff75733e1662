/**
 * The task executor on the real embedded runtime (llama.cpp in its worker process) and the generated tiny
 * model. The model has random weights: tests check mechanics, never content; it may stop on an end-of-generation
 * token, so both 'maxTokens' and 'eogToken' are accepted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyModel } from '../../src/models/index.js';
import { EmbeddedRuntime } from '../../src/runtimes/index.js';
import { FakeLink, chat, embed, executorWith, options, prompt, task } from './helpers/executor-link.js';
import { buildLlamaWorker } from './helpers/llama-worker.js';

const MODEL = 'orchion-tiny';
let dir: string;
let runtime: EmbeddedRuntime;
let link: FakeLink;
let executor: ReturnType<typeof executorWith>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orchion-executor-'));
  await writeTinyModel(join(dir, `${MODEL}.gguf`));
  runtime = new EmbeddedRuntime({
    modelsDir: dir,
    workerPath: await buildLlamaWorker(),
    gpu: false,
    threads: 1,
  });
  link = new FakeLink();
  executor = executorWith(link, { runtimes: [runtime], slots: 2 });
});

afterAll(async () => {
  await runtime?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('TaskExecutor (embedded llama.cpp runtime)', () => {
  it('completes a prompt: loads the model, streams tokens in order, reports the result', async () => {
    const t = task({ model: MODEL, ...prompt('The quick brown fox'), ...options({ maxTokens: 16 }) });
    executor.assign(t);
    const f = await link.final(t.attemptId);
    expect(f.state).toBe('TASK_STATE_SUCCEEDED');
    const r = f.result!;
    expect(['maxTokens', 'eogToken']).toContain(r.stopReason);
    expect(r.completionTokens).toBeGreaterThan(0);
    expect(r.completionTokens).toBeLessThanOrEqual(16);
    expect(r.promptTokens).toBe('The quick brown fox'.length);
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
    expect(link.tokenText(t.attemptId)).toBe(r.text);
    const logs = link.logs(t.attemptId);
    expect(logs[0]).toMatch(/^loading model orchion-tiny \(embedded runtime, llama, \d+ KiB\)$/);
    expect(logs.at(-1)).toMatch(
      /^generated \d+ tokens? in \d+ ms \(.* tok\/s\) after a 19-token prompt; stop reason: (maxTokens|eogToken)$/,
    );
    const sent = link.messages.filter((m) => (m.task ?? m.output)?.attemptId === t.attemptId);
    expect(sent[0]?.task?.state).toBe('TASK_STATE_STARTED');
    expect(sent.at(-1)?.task?.state).toBe('TASK_STATE_SUCCEEDED');
  });

  it('runs a chat and an embedding (no loading line once the model is loaded)', async () => {
    const c = task({ model: MODEL, ...chat({ role: 'user', content: 'hi' }), ...options({ maxTokens: 8 }) });
    const e = task({ model: MODEL, ...embed('hello', 'world') });
    executor.assign(c);
    executor.assign(e);
    const fc = await link.final(c.attemptId);
    expect(fc.state).toBe('TASK_STATE_SUCCEEDED');
    expect(link.tokenText(c.attemptId)).toBe(fc.result?.text);
    expect(link.logs(c.attemptId).some((l) => l.startsWith('loading model'))).toBe(false);
    const fe = await link.final(e.attemptId);
    expect(fe.state).toBe('TASK_STATE_SUCCEEDED');
    expect(fe.result?.dimensions).toBe(64);
    expect(fe.result?.embeddings?.map((v) => v.values?.length)).toEqual([64, 64]);
  });

  it('returns grammar-constrained structured output as validated JSON', async () => {
    const t = task({
      model: MODEL,
      ...prompt('Is it true?'),
      outputSchemaJson: '{"type":"boolean"}',
      ...options({ maxTokens: 16 }),
    });
    executor.assign(t);
    const f = await link.final(t.attemptId);
    expect(f.state).toBe('TASK_STATE_SUCCEEDED');
    expect(['true', 'false']).toContain(f.result?.json);
  });

  it('fails output cut by max_tokens with invalid-output', async () => {
    const schema = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] };
    const t = task({
      model: MODEL,
      ...prompt('Name?'),
      outputSchemaJson: JSON.stringify(schema),
      ...options({ maxTokens: 3 }),
    });
    executor.assign(t);
    const f = await link.final(t.attemptId);
    expect(f.state).toBe('TASK_STATE_FAILED');
    expect(f.error).toMatchObject({ code: 'invalid-output', retryable: true });
    expect(f.error?.message).toMatch(/not valid JSON.*max_tokens = 3/);
  });

  it('times out a generation (abort reaches the worker), and the next task runs', async () => {
    const t = task({ model: MODEL, ...prompt('Hello'), ...options({ maxTokens: 240 }), timeoutMs: 5 });
    const started = Date.now();
    executor.assign(t);
    const f = await link.final(t.attemptId);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(f.error).toEqual({ code: 'timeout', message: 'timed out after 5 ms', retryable: true });
    const next = task({ model: MODEL, ...prompt('x'), ...options({ maxTokens: 4 }) });
    executor.assign(next);
    expect((await link.final(next.attemptId)).state).toBe('TASK_STATE_SUCCEEDED');
  });

  it('cancels a generation promptly', async () => {
    const t = task({ model: MODEL, ...prompt('Hello'), ...options({ maxTokens: 240 }) });
    executor.assign(t);
    await link.until(
      (m) => m.output?.attemptId === t.attemptId && !!m.output.chunks?.some((c) => c.kind === 'TOKEN'),
    );
    const at = Date.now();
    executor.cancel(t.attemptId, 'no longer needed');
    const f = await link.final(t.attemptId);
    expect(Date.now() - at).toBeLessThan(1_000);
    expect(f.state).toBe('TASK_STATE_CANCELLED');
    expect(f.error).toEqual({ code: 'cancelled', message: 'no longer needed', retryable: false });
  });

  it('reports a model it does not have as model-not-found', async () => {
    const t = task({ model: 'llama-3-70b', ...prompt('x') });
    executor.assign(t);
    expect((await link.final(t.attemptId)).error).toMatchObject({ code: 'model-not-found', retryable: true });
  });
});
