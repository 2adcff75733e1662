/**
 * OpenAIRuntime against the Orchion model server (OpenAI API over embedded llama.cpp, real inference on the
 * tiny random-weight model): listing, SSE streaming with usage, abort (the server stops generating),
 * structured output, embeddings, errors, API keys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelServer } from '../../../model-server/src/index.js';
import {
  closedPort,
  MODEL,
  startModelServer,
  until,
  type TestServer,
} from '../../../model-server/test/support/server.js';
import { EchoRuntime, EmbeddedRuntime, OpenAIRuntime, openaiApiRoot } from '../../src/runtimes/index.js';
import { codeForStatus, errorMessage } from '../../src/runtimes/http/client.js';
import { rejection } from './helpers/rejection.js';

let server: TestServer;
let runtime: OpenAIRuntime;
const BOUNDED = {
  type: 'object',
  properties: { ok: { type: 'boolean' } },
  required: ['ok'],
  additionalProperties: false,
};
const user = (content: string) => [{ role: 'user' as const, content }];

beforeAll(async () => {
  server = await startModelServer();
  runtime = new OpenAIRuntime({ baseUrl: `${server.url}/v1` });
}, 30_000);

afterAll(async () => {
  await runtime?.close();
  await server?.close();
});

describe('OpenAIRuntime', () => {
  it('takes the API root with or without /v1', () => {
    expect(openaiApiRoot('http://h:8000')).toBe('http://h:8000/v1');
    expect(openaiApiRoot('http://h:8000/')).toBe('http://h:8000/v1');
    expect(openaiApiRoot('http://h:8000/v1/')).toBe('http://h:8000/v1');
    expect(openaiApiRoot('https://api.example.com/openai/v1')).toBe('https://api.example.com/openai/v1');
    expect(new OpenAIRuntime({ baseUrl: server.url }).baseUrl).toBe(`${server.url}/v1`);
  });

  it('lists the served models as loaded, with the context length when the server gives it', async () => {
    expect(await runtime.listModels()).toEqual([
      { name: MODEL, runtime: 'openai', loaded: true, contextLength: 256 },
    ]);
    expect(new OpenAIRuntime({ name: 'vllm', baseUrl: server.url }).name).toBe('vllm');
  });

  it('streams a completion with the server usage; it matches the embedded runtime', async () => {
    const chunks: string[] = [];
    const prompt = 'The quick brown fox';
    const r = await runtime.complete({
      model: MODEL,
      prompt,
      options: { maxTokens: 24 },
      onToken: (c) => chunks.push(c),
    });
    expect(['maxTokens', 'eogToken']).toContain(r.stopReason);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join('')).toBe(r.text);
    expect(r.promptTokens).toBe(prompt.length);
    expect(r.completionTokens).toBeGreaterThan(0);
    expect(r.completionTokens).toBeLessThanOrEqual(24);
    const embedded = new EmbeddedRuntime({ modelsDir: server.modelsDir, gpu: false, threads: 1 });
    try {
      const direct = await embedded.complete({ model: MODEL, prompt, options: { maxTokens: 24 } });
      expect(direct.text).toBe(r.text);
      expect(direct.completionTokens).toBe(r.completionTokens);
    } finally {
      await embedded.close();
    }
  });

  it('completes past the API default of 16 tokens when no maxTokens is given', async () => {
    const r = await runtime.complete({ model: MODEL, prompt: 'Once' });
    expect(r.completionTokens > 16 || r.stopReason === 'eogToken').toBe(true);
  });

  it('streams a chat with usage from the include_usage chunk', async () => {
    const chunks: string[] = [];
    const r = await runtime.chat({
      model: MODEL,
      messages: [{ role: 'system', content: 'Be brief.' }, ...user('Hello')],
      options: { maxTokens: 10 },
      onToken: (c) => chunks.push(c),
    });
    expect(['maxTokens', 'eogToken']).toContain(r.stopReason);
    expect(chunks.join('')).toBe(r.text);
    expect(r.promptTokens).toBeGreaterThan('Be brief.Hello'.length);
    expect(r.completionTokens).toBeGreaterThan(0);
  });

  it('aborts mid-generation: resolves with the text so far, and the server stops generating', async () => {
    const controller = new AbortController();
    const before = { ...server.stats };
    let received = '';
    const r = await runtime.chat({
      model: MODEL,
      messages: user('Go on'),
      options: { maxTokens: 100_000 },
      signal: controller.signal,
      onToken: (c) => {
        received += c;
        if (received.length >= 5) controller.abort();
      },
    });
    expect(r.stopReason).toBe('aborted');
    expect(r.text).toBe(received);
    await until(() => server.stats.active === 0, 3000, 'the server to stop generating');
    expect(server.stats.aborted).toBe(before.aborted + 1);
    const produced = server.stats.chunks;
    await new Promise((res) => setTimeout(res, 200));
    expect(server.stats.chunks).toBe(produced);
    const early = await runtime.complete({ model: MODEL, prompt: 'x', signal: AbortSignal.abort() });
    expect(early).toMatchObject({ text: '', stopReason: 'aborted' });
  });

  it('constrains output with response_format json_schema and validates it', async () => {
    const r = await runtime.chat({
      model: MODEL,
      messages: user('JSON please'),
      options: { maxTokens: 40, jsonSchema: BOUNDED },
    });
    expect(r.structured).toEqual({ ok: true, value: { ok: expect.any(Boolean) } });
  });

  it('embeds into 64-dimension vectors in input order', async () => {
    const r = await runtime.embed({ model: MODEL, input: ['hello', 'world', 'hello'] });
    expect(r.dimensions).toBe(64);
    expect(r.embeddings).toHaveLength(3);
    expect(r.embeddings[2]).toEqual(r.embeddings[0]);
    expect(r.embeddings[1]).not.toEqual(r.embeddings[0]);
    expect(r.promptTokens).toBe('helloworldhello'.length);
    expect(
      (await rejection(runtime.embed({ model: MODEL, input: ['x'], signal: AbortSignal.abort() }))).code,
    ).toBe('aborted');
  });

  it("reports an unknown model as 'model-not-found'; maps other HTTP errors by status and body", async () => {
    for (const call of [
      () => runtime.complete({ model: 'nope', prompt: 'x' }),
      () => runtime.chat({ model: 'nope', messages: user('x') }),
      () => runtime.embed({ model: 'nope', input: ['x'] }),
    ]) {
      const err = await rejection(call());
      expect(err.code).toBe('model-not-found');
      expect(err.message).toContain('nope');
    }
    expect(errorMessage('{"error":{"message":"bad","code":"model_not_found"}}')).toEqual({
      message: 'bad',
      code: 'model_not_found',
    });
    expect(errorMessage('{"error":"model \\"x\\" not found"}')).toEqual({ message: 'model "x" not found' });
    expect(errorMessage('Bad Gateway')).toEqual({ message: 'Bad Gateway' });
    expect(codeForStatus(404, 'The model `x` does not exist')).toBe('model-not-found');
    expect(codeForStatus(404, '404 page not found')).toBe('runtime-unavailable');
    expect(codeForStatus(400, 'bad', 'model_not_found')).toBe('model-not-found');
    expect(codeForStatus(400, 'invalid schema')).toBe('bad-request');
    expect(codeForStatus(422, 'invalid')).toBe('bad-request');
    expect(codeForStatus(401, 'key')).toBe('runtime-unavailable');
    expect(codeForStatus(503, 'loading')).toBe('runtime-unavailable');
    expect(codeForStatus(500, 'boom')).toBe('internal');
  });

  it("reports a server that is down as 'runtime-unavailable'", async () => {
    const down = new OpenAIRuntime({ baseUrl: `http://127.0.0.1:${await closedPort()}/v1` });
    for (const call of [
      () => down.listModels(),
      () => down.chat({ model: MODEL, messages: user('x') }),
      () => down.embed({ model: MODEL, input: ['x'] }),
    ]) {
      const err = await rejection(call());
      expect(err.code).toBe('runtime-unavailable');
      expect(err.message).toMatch(/unreachable.*ECONNREFUSED/);
    }
  });

  it('sends the API key; a refused key is reported clearly', async () => {
    const keyed = createModelServer({ createRuntime: () => new EchoRuntime(), apiKey: 'sesame' });
    const url = await keyed.app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const good = new OpenAIRuntime({ baseUrl: url, apiKey: 'sesame' });
      expect((await good.chat({ model: 'echo', messages: user('hello there') })).text).toBe('hello there');
      const bad = new OpenAIRuntime({ baseUrl: url, apiKey: 'wrong' });
      const err = await rejection(bad.listModels());
      expect(err.code).toBe('runtime-unavailable');
      expect(err.message).toContain('401');
    } finally {
      await keyed.app.close();
    }
  });

  it("fails calls after close with 'closed'", async () => {
    const rt = new OpenAIRuntime({ baseUrl: server.url });
    await rt.close();
    expect((await rejection(rt.listModels())).code).toBe('closed');
    expect((await rejection(rt.complete({ model: MODEL, prompt: 'x' }))).code).toBe('closed');
    expect((await rejection(rt.embed({ model: MODEL, input: ['x'] }))).code).toBe('closed');
  });
});
