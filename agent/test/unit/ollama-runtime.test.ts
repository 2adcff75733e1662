/**
 * OllamaRuntime against the Orchion model server (Ollama API over embedded llama.cpp, real inference on the tiny
 * random-weight model): listing, streaming, abort (the server stops generating), structured output,
 * embeddings, errors, pulls with progress and error lines.
 */
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closedPort,
  MODEL,
  startModelServer,
  until,
  type TestServer,
} from '../../../model-server/test/support/server.js';
import { EmbeddedRuntime, OllamaRuntime } from '../../src/runtimes/index.js';
import { rejection } from './helpers/rejection.js';

let server: TestServer;
let runtime: OllamaRuntime;
const BOUNDED = {
  type: 'object',
  properties: { ok: { type: 'boolean' } },
  required: ['ok'],
  additionalProperties: false,
};

beforeAll(async () => {
  server = await startModelServer({ pullChunkBytes: 64 * 1024 });
  runtime = new OllamaRuntime({ baseUrl: server.url, keepAlive: '10m' });
}, 30_000);

afterAll(async () => {
  await runtime?.close();
  await server?.close();
});

describe('OllamaRuntime', () => {
  it('lists models without the :latest tag, loaded ones from /api/ps', async () => {
    const before = await runtime.listModels();
    expect(before).toEqual([
      { name: MODEL, runtime: 'ollama', sizeBytes: expect.any(Number), architecture: 'llama', loaded: false },
    ]);
    await runtime.complete({ model: MODEL, prompt: 'x', options: { maxTokens: 1 } });
    expect(await runtime.listModels()).toEqual([
      {
        name: MODEL,
        runtime: 'ollama',
        sizeBytes: expect.any(Number),
        architecture: 'llama',
        contextLength: 256,
        loaded: true,
      },
    ]);
    expect(new OllamaRuntime({ name: 'ollama-gpu', baseUrl: server.url }).name).toBe('ollama-gpu');
  });

  it('streams a completion that matches the embedded runtime on the same model (raw prompt)', async () => {
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
    expect(r.completionTokens).toBeGreaterThan(0);
    expect(r.completionTokens).toBeLessThanOrEqual(24);
    expect(r.promptTokens).toBe(prompt.length);
    expect(r.durationMs).toBeGreaterThan(0);
    const embedded = new EmbeddedRuntime({ modelsDir: server.modelsDir, gpu: false, threads: 1 });
    try {
      const direct = await embedded.complete({ model: MODEL, prompt, options: { maxTokens: 24 } });
      expect(direct.text).toBe(r.text);
      expect(direct.completionTokens).toBe(r.completionTokens);
    } finally {
      await embedded.close();
    }
  });

  it('streams a chat, with the model name tagged or not', async () => {
    const messages = [
      { role: 'system' as const, content: 'Be brief.' },
      { role: 'user' as const, content: 'Hello' },
    ];
    const chunks: string[] = [];
    const r = await runtime.chat({
      model: MODEL,
      messages,
      options: { maxTokens: 10 },
      onToken: (c) => chunks.push(c),
    });
    expect(['maxTokens', 'eogToken']).toContain(r.stopReason);
    expect(chunks.join('')).toBe(r.text);
    expect(r.promptTokens).toBeGreaterThan('Be brief.Hello'.length); // the chat template adds its markers
    const tagged = await runtime.chat({ model: `${MODEL}:latest`, messages, options: { maxTokens: 10 } });
    expect(tagged.text).toBe(r.text);
  });

  it('aborts mid-generation: resolves with the text so far, and the server stops generating', async () => {
    const controller = new AbortController();
    const before = { ...server.stats };
    let received = '';
    const started = performance.now();
    const r = await runtime.complete({
      model: MODEL,
      prompt: 'Go on',
      options: { maxTokens: 100_000 },
      signal: controller.signal,
      onToken: (c) => {
        received += c;
        if (received.length >= 5) controller.abort();
      },
    });
    expect(r.stopReason).toBe('aborted');
    expect(r.text).toBe(received);
    expect(performance.now() - started).toBeLessThan(5000);
    await until(() => server.stats.active === 0, 3000, 'the server to stop generating');
    expect(server.stats.aborted).toBe(before.aborted + 1);
    const produced = server.stats.chunks;
    await new Promise((res) => setTimeout(res, 200));
    expect(server.stats.chunks).toBe(produced);
  });

  it('resolves at once as aborted when the signal is already aborted, without a request', async () => {
    const requests = server.stats.requests;
    const r = await runtime.chat({
      model: MODEL,
      messages: [{ role: 'user', content: 'x' }],
      signal: AbortSignal.abort(),
    });
    expect(r).toMatchObject({ text: '', stopReason: 'aborted', completionTokens: 0 });
    expect(
      (await rejection(runtime.embed({ model: MODEL, input: ['x'], signal: AbortSignal.abort() }))).code,
    ).toBe('aborted');
    expect(server.stats.requests).toBe(requests);
  });

  it('constrains output to a JSON schema and validates it', async () => {
    const r = await runtime.chat({
      model: MODEL,
      messages: [{ role: 'user', content: 'JSON please' }],
      options: { maxTokens: 40, jsonSchema: BOUNDED },
    });
    expect(r.structured).toEqual({ ok: true, value: { ok: expect.any(Boolean) } });
  });

  it('embeds into 64-dimension vectors', async () => {
    const r = await runtime.embed({ model: MODEL, input: ['hello', 'world'] });
    expect(r.dimensions).toBe(64);
    expect(r.embeddings).toHaveLength(2);
    expect(r.embeddings[0]).toHaveLength(64);
    expect(r.promptTokens).toBe('helloworld'.length);
  });

  it("reports an unknown model as 'model-not-found' and bad requests as 'bad-request'", async () => {
    const messages = [{ role: 'user' as const, content: 'x' }];
    for (const call of [
      () => runtime.complete({ model: 'nope', prompt: 'x' }),
      () => runtime.chat({ model: 'nope', messages }),
      () => runtime.embed({ model: 'nope', input: ['x'] }),
    ]) {
      const err = await rejection(call());
      expect(err.code).toBe('model-not-found');
      expect(err.message).toContain('nope');
    }
    expect((await rejection(runtime.chat({ model: MODEL, messages: [] }))).code).toBe('bad-request');
    expect(
      (await rejection(runtime.complete({ model: MODEL, prompt: 'x', options: { maxTokens: 0 } }))).code,
    ).toBe('bad-request');
  });

  it("reports a server that is down as 'runtime-unavailable'", async () => {
    const down = new OllamaRuntime({ baseUrl: `http://127.0.0.1:${await closedPort()}` });
    for (const call of [
      () => down.listModels(),
      () => down.complete({ model: MODEL, prompt: 'x' }),
      () => down.embed({ model: MODEL, input: ['x'] }),
      () => down.pull(MODEL),
    ]) {
      const err = await rejection(call());
      expect(err.code).toBe('runtime-unavailable');
      expect(err.message).toMatch(/unreachable.*ECONNREFUSED/);
    }
  });

  it('pulls with byte progress from the server, and detects error lines in the stream', async () => {
    await copyFile(join(server.modelsDir, `${MODEL}.gguf`), join(server.pullDir, 'pulled.gguf'));
    const progress: { status: string; completed?: number; total?: number }[] = [];
    await runtime.pull('pulled', (p) => progress.push(p));
    expect(progress[0]?.status).toBe('pulling manifest');
    expect(progress.at(-1)?.status).toBe('success');
    const bytes = progress.filter((p) => p.total !== undefined);
    expect(bytes.length).toBeGreaterThan(3);
    expect(bytes.at(-1)?.completed).toBe(bytes.at(-1)?.total);
    expect((await runtime.listModels()).map((m) => m.name)).toContain('pulled');
    const err = await rejection(runtime.pull('no-such-model'));
    expect(err.code).toBe('model-not-found');
    expect(err.message).toContain('pull model manifest: file does not exist');
  });

  it("fails calls after close with 'closed', in-flight ones included", async () => {
    const rt = new OllamaRuntime({ baseUrl: server.url });
    let first: () => void;
    const streaming = new Promise<void>((resolve) => (first = resolve));
    const inflight = rejection(
      rt.complete({ model: MODEL, prompt: 'Go on', options: { maxTokens: 100_000 }, onToken: () => first() }),
    );
    await streaming;
    await rt.close();
    expect((await inflight).code).toBe('closed');
    expect((await rejection(rt.listModels())).code).toBe('closed');
    expect(
      (await rejection(rt.chat({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }))).code,
    ).toBe('closed');
    await until(() => server.stats.active === 0, 3000, 'the server to stop generating');
  });
});
