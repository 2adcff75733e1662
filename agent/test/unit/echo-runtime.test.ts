import { describe, expect, it } from 'vitest';
import { EchoRuntime } from '../../src/runtimes/index.js';
import { rejection } from './helpers/rejection.js';

describe('EchoRuntime', () => {
  const echo = new EchoRuntime();

  it('lists its configured models as loaded', async () => {
    expect(await echo.listModels()).toEqual([{ name: 'echo', runtime: 'echo', loaded: true }]);
    const custom = new EchoRuntime({ models: ['a', 'b'] });
    expect((await custom.listModels()).map((m) => m.name)).toEqual(['a', 'b']);
  });

  it('completes with the prompt, streamed word by word', async () => {
    const chunks: string[] = [];
    const r = await echo.complete({
      model: 'echo',
      prompt: 'hello  big\nworld ',
      onToken: (c) => chunks.push(c),
    });
    expect(r).toMatchObject({ text: 'hello  big\nworld ', stopReason: 'eogToken', promptTokens: 4 });
    expect(chunks).toEqual(['hello', '  big', '\nworld', ' ']);
    expect(r.completionTokens).toBe(4);
  });

  it('chats with the last user message', async () => {
    const r = await echo.chat({
      model: 'echo',
      messages: [
        { role: 'system', content: 'be nice' },
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: 'second one' },
      ],
    });
    expect(r).toMatchObject({
      text: 'second one',
      stopReason: 'eogToken',
      promptTokens: 6,
      completionTokens: 2,
    });
  });

  it('honours maxTokens and stop sequences', async () => {
    const cut = await echo.complete({ model: 'echo', prompt: 'a b c d e', options: { maxTokens: 3 } });
    expect(cut).toMatchObject({ text: 'a b c', stopReason: 'maxTokens', completionTokens: 3 });
    const stopped = await echo.complete({
      model: 'echo',
      prompt: 'a b STOP c',
      options: { stop: ['STOP', 'c'] },
    });
    expect(stopped).toMatchObject({ text: 'a b ', stopReason: 'stopSequence' });
  });

  it('stops streaming on abort and resolves with what it produced', async () => {
    const slow = new EchoRuntime({ tokenDelayMs: 5 });
    const ac = new AbortController();
    const chunks: string[] = [];
    const r = await slow.complete({
      model: 'echo',
      prompt: 'one two three four five six',
      signal: ac.signal,
      onToken: (c) => {
        chunks.push(c);
        if (chunks.length === 2) ac.abort();
      },
    });
    expect(r).toMatchObject({ text: 'one two', stopReason: 'aborted', completionTokens: 2 });
    const pre = await echo.complete({ model: 'echo', prompt: '', signal: AbortSignal.abort() });
    expect(pre.stopReason).toBe('aborted');
  });

  it('embeds deterministically into unit vectors', async () => {
    const a = await echo.embed({ model: 'echo', input: ['x', 'y', 'x'] });
    expect(a.dimensions).toBe(8);
    expect(a.embeddings[0]).toEqual(a.embeddings[2]);
    expect(a.embeddings[0]).not.toEqual(a.embeddings[1]);
    expect(Math.hypot(...a.embeddings[0]!)).toBeCloseTo(1, 10);
    expect(
      (await new EchoRuntime({ dimensions: 20 }).embed({ model: 'echo', input: ['x'] })).dimensions,
    ).toBe(20);
    expect(
      (await rejection(echo.embed({ model: 'echo', input: ['x'], signal: AbortSignal.abort() }))).code,
    ).toBe('aborted');
  });

  it('validates echoed JSON against jsonSchema', async () => {
    const schema = { type: 'object', required: ['n'] };
    const ok = await echo.complete({ model: 'echo', prompt: '{"n": 1}', options: { jsonSchema: schema } });
    expect(ok.structured).toEqual({ ok: true, value: { n: 1 } });
    const bad = await echo.complete({ model: 'echo', prompt: '{"m": 1}', options: { jsonSchema: schema } });
    expect(bad.structured?.ok).toBe(false);
  });

  it('rejects unknown models, bad requests and use after close with typed errors', async () => {
    expect((await rejection(echo.complete({ model: 'gpt', prompt: 'x' }))).code).toBe('model-not-found');
    expect((await rejection(echo.chat({ model: 'echo', messages: [] }))).code).toBe('bad-request');
    const endsWithAssistant = echo.chat({ model: 'echo', messages: [{ role: 'assistant', content: 'x' }] });
    expect((await rejection(endsWithAssistant)).code).toBe('bad-request');
    const badOptions = echo.complete({ model: 'echo', prompt: 'x', options: { maxTokens: 0 } });
    expect((await rejection(badOptions)).code).toBe('bad-request');
    const badSchema = echo.complete({
      model: 'echo',
      prompt: 'x',
      options: { jsonSchema: { type: 'weird' } },
    });
    expect((await rejection(badSchema)).message).toMatch(/invalid JSON schema/);
    expect((await rejection(echo.embed({ model: 'echo', input: [''] }))).code).toBe('bad-request');
    expect((await rejection(echo.embed({ model: 'echo', input: [] }))).code).toBe('bad-request');
    const closed = new EchoRuntime();
    await closed.close();
    expect((await rejection(closed.complete({ model: 'echo', prompt: 'x' }))).code).toBe('closed');
  });
});
