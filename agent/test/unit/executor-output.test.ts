/**
 * Output batching, backpressure and disconnects: batches are bounded in size and time, a stream that does not
 * take writes never makes memory grow beyond the generated text, and task updates survive a disconnect.
 */
import type { AgentMessage } from '@orchion/proto';
import { describe, expect, it } from 'vitest';
import { OutputBatcher, type OutputLimits } from '../../src/executor/index.js';
import { EchoRuntime } from '../../src/runtimes/index.js';
import { FakeLink, executorWith, prompt, task } from './helpers/executor-link.js';

const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(' ');
const limits = (o: Partial<OutputLimits> = {}): OutputLimits => ({
  flushMs: 25,
  maxChunks: 64,
  maxLogLines: 200,
  maxMessageBytes: 256 * 1024,
  ...o,
});

describe('OutputBatcher', () => {
  it('sends a batch at maxChunks at once, the rest after flushMs', async () => {
    const sent: AgentMessage[] = [];
    const b = new OutputBatcher('a1', { send: (m) => sent.push(m), canSend: () => true }, limits());
    for (let i = 0; i < 70; i++) b.token(`t${i}`);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.output?.chunks).toHaveLength(64);
    expect(b.pendingChunks).toBe(6);
    await new Promise((r) => setTimeout(r, 60));
    expect(sent).toHaveLength(2);
    expect(sent.flatMap((m) => m.output!.chunks!.map((c) => c.text))).toEqual(
      Array.from({ length: 70 }, (_, i) => `t${i}`),
    );
  });

  it('sends the first batch on the next tick, then one batch per flushMs', async () => {
    const sent: AgentMessage[] = [];
    const b = new OutputBatcher(
      'a1',
      { send: (m) => sent.push(m), canSend: () => true },
      limits({ flushMs: 200 }),
    );
    b.token('first');
    b.token(' second');
    expect(sent).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 20));
    expect(sent.map((m) => m.output!.chunks!.map((c) => c.text))).toEqual([['first', ' second']]);
    b.token(' third');
    await new Promise((r) => setTimeout(r, 60));
    expect(sent).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 250));
    expect(sent.map((m) => m.output!.chunks!.map((c) => c.text))).toEqual([['first', ' second'], [' third']]);
  });

  it('merges tokens and keeps the newest log lines while the stream is backpressured', () => {
    const sent: AgentMessage[] = [];
    let writable = false;
    const b = new OutputBatcher(
      'a1',
      { send: (m) => sent.push(m), canSend: () => writable },
      limits({ maxLogLines: 10 }),
    );
    let text = '';
    for (let i = 0; i < 20_000; i++) {
      const t = ` tok${i}`;
      text += t;
      b.token(t);
      if (i % 20 === 0) b.log('info', `line ${i / 20}`);
      expect(b.pendingChunks).toBeLessThanOrEqual(2 * 10 + 1);
    }
    expect(sent).toEqual([]);
    expect(b.pendingChars).toBeLessThan(text.length + 200);
    writable = true;
    b.flush();
    const chunks = sent.flatMap((m) => m.output!.chunks!);
    expect(chunks[0]).toMatchObject({
      kind: 'LOG',
      level: 'warn',
      text: expect.stringMatching(/^… 990 log lines dropped/),
    });
    expect(
      chunks
        .filter((c) => c.kind === 'TOKEN')
        .map((c) => c.text)
        .join(''),
    ).toBe(text);
    expect(
      chunks
        .filter((c) => c.kind === 'LOG')
        .slice(1)
        .map((c) => c.text),
    ).toEqual(Array.from({ length: 10 }, (_, i) => `line ${990 + i}`));
    expect(b.pendingChunks).toBe(0);
  });

  it('splits merged text across messages under maxMessageBytes, keeping multi-byte characters whole', () => {
    const sent: AgentMessage[] = [];
    let writable = false;
    const b = new OutputBatcher(
      'a1',
      { send: (m) => sent.push(m), canSend: () => writable },
      limits({ maxMessageBytes: 1_000 }),
    );
    const text = '€😀'.repeat(2_000); // 3- and 4-byte UTF-8 characters
    for (const ch of text) b.token(ch);
    writable = true;
    b.finish();
    expect(sent.length).toBeGreaterThan(10);
    for (const m of sent) {
      const bytes = m.output!.chunks!.reduce((n, c) => n + Buffer.byteLength(c.text ?? ''), 0);
      expect(bytes).toBeLessThanOrEqual(1_000);
      for (const c of m.output!.chunks!) expect(c.text).not.toMatch(/[\ud800-\udbff]$|^[\udc00-\udfff]/);
    }
    expect(sent.flatMap((m) => m.output!.chunks!.map((c) => c.text)).join('')).toBe(text);
  });

  it('sends everything on finish, even unwritable, and takes nothing after', () => {
    const sent: AgentMessage[] = [];
    const b = new OutputBatcher('a1', { send: (m) => sent.push(m), canSend: () => false }, limits());
    b.token('a');
    b.log('info', 'x');
    b.finish();
    b.token('late');
    expect(sent.flatMap((m) => m.output!.chunks!.map((c) => c.text))).toEqual(['a', 'x']);
  });
});

describe('TaskExecutor output and the session', () => {
  const setup = (o: { tokenDelayMs?: number; maxHeldUpdates?: number } = {}) => {
    const link = new FakeLink();
    const executor = executorWith(link, {
      runtimes: [new EchoRuntime({ tokenDelayMs: o.tokenDelayMs ?? 0 })],
      slots: 4,
      maxHeldUpdates: o.maxHeldUpdates,
    });
    return { link, executor };
  };

  it('batches a fast generation into few messages of at most 64 chunks, all before the final update', async () => {
    const { link, executor } = setup();
    const t = task({ model: 'echo', ...prompt(words(1_000)) });
    executor.assign(t);
    const f = await link.final(t.attemptId);
    const outputs = link.outputs(t.attemptId);
    expect(outputs.length).toBeGreaterThanOrEqual(16);
    expect(outputs.length).toBeLessThan(40);
    for (const chunks of outputs) expect(chunks.length).toBeLessThanOrEqual(64);
    expect(link.tokenText(t.attemptId)).toBe(f.result?.text);
    const last = link.messages.filter((m) => (m.task ?? m.output)?.attemptId === t.attemptId).at(-1);
    expect(last?.task?.state).toBe('TASK_STATE_SUCCEEDED');
  });

  it('flushes a slow generation about every 25 ms', async () => {
    const { link, executor } = setup({ tokenDelayMs: 5 });
    const t = task({ model: 'echo', ...prompt(words(60)) });
    executor.assign(t);
    await link.final(t.attemptId);
    const outputs = link.outputs(t.attemptId);
    // ≈ 60 tokens × 5+ ms = 300+ ms: a batch each 25 ms, never one per token.
    expect(outputs.length).toBeGreaterThan(2);
    expect(outputs.length).toBeLessThan(40);
    expect(link.chunks(t.attemptId, 'TOKEN')).toHaveLength(60);
  });

  it('keeps memory bounded by the text while the stream is backpressured, then catches up in order', async () => {
    const { link, executor } = setup();
    link.writable = false;
    const prompts = words(20_000);
    const t = task({ model: 'echo', ...prompt(prompts) });
    executor.assign(t);
    const f = await link.final(t.attemptId);
    // Nothing was written until the final update; then the merged text went out in a few chunks.
    const tokens = link.chunks(t.attemptId, 'TOKEN');
    expect(tokens.length).toBeLessThanOrEqual(3);
    expect(tokens.map((c) => c.text).join('')).toBe(prompts);
    expect(f.result?.completionTokens).toBe(20_000);
    const sent = link.messages.map((m) => (m.task ? m.task.state : 'output'));
    expect(sent[0]).toBe('TASK_STATE_STARTED');
    expect(sent.at(-1)).toBe('TASK_STATE_SUCCEEDED');
  });

  it('writes output again once the stream drains (resume)', async () => {
    const { link, executor } = setup({ tokenDelayMs: 2 });
    const t = task({ model: 'echo', ...prompt(words(200)) });
    executor.assign(t);
    await link.until((m) => !!m.output);
    link.writable = false;
    const before = link.outputs(t.attemptId).length;
    await new Promise((r) => setTimeout(r, 150));
    expect(link.outputs(t.attemptId).length).toBe(before);
    link.writable = true;
    executor.resume();
    expect(link.outputs(t.attemptId).length).toBe(before + 1);
    const f = await link.final(t.attemptId);
    expect(link.tokenText(t.attemptId)).toBe(f.result?.text);
  });

  it('keeps running while disconnected and sends held updates after the reconnection', async () => {
    const { link, executor } = setup({ tokenDelayMs: 2 });
    link.connected = false;
    const done = task({ model: 'echo', ...prompt(words(10)) });
    const long = task({ model: 'echo', ...prompt(words(150)) });
    executor.assign(done);
    executor.assign(long);
    await new Promise((r) => setTimeout(r, 120));
    expect(link.messages).toEqual([]);
    expect(executor.runningAttempts()).toEqual([long.attemptId]);
    expect(executor.finishedUnreported()).toEqual([done.attemptId]);
    // Welcome: held updates first, then the running attempt's output merged meanwhile.
    link.connected = true;
    executor.resume();
    expect(link.messages.slice(0, 3).map((m) => [m.task?.attemptId, m.task?.state])).toEqual([
      [done.attemptId, 'TASK_STATE_STARTED'],
      [long.attemptId, 'TASK_STATE_STARTED'],
      [done.attemptId, 'TASK_STATE_SUCCEEDED'],
    ]);
    expect(link.messages[2]?.task?.result?.text).toBe(words(10));
    expect(link.outputs(done.attemptId)).toEqual([]); // output of an attempt that ended offline is dropped
    expect(link.messages[3]?.output?.attemptId).toBe(long.attemptId);
    expect(executor.finishedUnreported()).toEqual([]);
    const f = await link.final(long.attemptId);
    expect(link.tokenText(long.attemptId)).toBe(f.result?.text);
  });

  it('bounds the updates held while disconnected, dropping STARTED ones first, then the oldest', async () => {
    const { link, executor } = setup({ maxHeldUpdates: 3 });
    link.connected = false;
    const ts = [1, 2, 3, 4].map(() => task({ model: 'echo', ...prompt('x') }));
    for (const t of ts) executor.assign(t);
    await new Promise((r) => setTimeout(r, 50));
    expect(executor.runningAttempts()).toEqual([]);
    link.connected = true;
    executor.resume();
    expect(link.updates().map((u) => [u.attemptId, u.state])).toEqual(
      ts.slice(1).map((t) => [t.attemptId, 'TASK_STATE_SUCCEEDED']),
    );
  });
});
