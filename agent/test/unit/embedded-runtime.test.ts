/**
 * Real llama.cpp inference (no mocks) on the generated tiny model, through the worker process. The model has
 * random weights: tests check mechanics (streaming, stop reasons, determinism, shapes), never content.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTinyModel, encodeGguf, writeTinyModel } from '../../src/models/index.js';
import { EmbeddedRuntime } from '../../src/runtimes/index.js';
import { WorkerProcess } from '../../src/runtimes/embedded/worker-process.js';
import { tinyModelWithout, writeTruncated } from './helpers/broken-models.js';
import { buildLlamaWorker } from './helpers/llama-worker.js';
import { rejection } from './helpers/rejection.js';

const MODEL = 'orchion-tiny';
let dir: string;
let workerPath: string;
let runtime: EmbeddedRuntime;

const newRuntime = () => new EmbeddedRuntime({ modelsDir: dir, workerPath, gpu: false, threads: 1 });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orchion-embedded-'));
  workerPath = await buildLlamaWorker();
  await writeTinyModel(join(dir, `${MODEL}.gguf`));
  await writeTruncated(join(dir, 'truncated.gguf'), encodeGguf(buildTinyModel()), 0.5);
  await writeFile(join(dir, 'no-heads.gguf'), tinyModelWithout({ keys: ['llama.attention.head_count'] }));
  runtime = newRuntime();
});

afterAll(async () => {
  await runtime?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('EmbeddedRuntime', () => {
  it('lists models with their shape, and errors for malformed files', async () => {
    const models = await runtime.listModels();
    expect(models.map((m) => m.name)).toEqual(['no-heads', MODEL, 'truncated']);
    expect(models.find((m) => m.name === MODEL)).toEqual({
      name: MODEL,
      runtime: 'embedded',
      sizeBytes: expect.any(Number),
      architecture: 'llama',
      contextLength: 256,
      embeddingLength: 64,
      loaded: false,
    });
    expect(models.find((m) => m.name === 'truncated')?.error).toMatch(/truncated/);
    expect(models.find((m) => m.name === 'no-heads')?.error).toMatch(/llama\.attention\.head_count/);
  });

  it('completes with streaming, and the model stays loaded', async () => {
    const chunks: string[] = [];
    const r = await runtime.complete({
      model: MODEL,
      prompt: 'The quick brown fox',
      options: { maxTokens: 24 },
      onToken: (c) => chunks.push(c),
    });
    expect(['maxTokens', 'eogToken']).toContain(r.stopReason);
    expect(r.completionTokens).toBeGreaterThan(0);
    expect(r.completionTokens).toBeLessThanOrEqual(24);
    expect(r.promptTokens).toBe('The quick brown fox'.length); // bytes: the tiny vocabulary has no merges
    expect(chunks.length).toBeGreaterThan(0);
    expect(chunks.join('')).toBe(r.text);
    expect((await runtime.listModels()).find((m) => m.name === MODEL)?.loaded).toBe(true);
  });

  it('is deterministic at temperature 0', async () => {
    const run = () =>
      runtime.complete({ model: MODEL, prompt: 'Once upon a time', options: { maxTokens: 16 } });
    const a = await run();
    await runtime.complete({ model: MODEL, prompt: 'something else entirely', options: { maxTokens: 8 } });
    const b = await run();
    expect(b.text).toBe(a.text);
    expect(b.completionTokens).toBe(a.completionTokens);
  });

  it('stops at a stop sequence, leaving it out of the text', async () => {
    const free = await runtime.complete({ model: MODEL, prompt: 'Stop me', options: { maxTokens: 24 } });
    const stop = free.text.slice(4, 6);
    expect(stop).toHaveLength(2);
    const r = await runtime.complete({
      model: MODEL,
      prompt: 'Stop me',
      options: { maxTokens: 24, stop: [stop] },
    });
    expect(r.stopReason).toBe('stopSequence');
    expect(r.text).toBe(free.text.slice(0, free.text.indexOf(stop)));
  });

  it('chats from a message history with streaming', async () => {
    const chunks: string[] = [];
    const r = await runtime.chat({
      model: MODEL,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello' },
        { role: 'user', content: 'How are you?' },
      ],
      options: { maxTokens: 16, temperature: 0.8, seed: 7 },
      onToken: (c) => chunks.push(c),
    });
    expect(['maxTokens', 'eogToken']).toContain(r.stopReason);
    expect(chunks.join('')).toBe(r.text);
    expect(r.promptTokens).toBeGreaterThan('Be brief.HiHelloHow are you?'.length); // plus the ChatML markup
  });

  it('embeds into n_embd dimensions, deterministically', async () => {
    const r = await runtime.embed({ model: MODEL, input: ['hello', 'world', 'hello'] });
    expect(r.dimensions).toBe(64);
    expect(r.embeddings).toHaveLength(3);
    expect(r.embeddings[0]).toHaveLength(64);
    expect(r.embeddings[2]).toEqual(r.embeddings[0]);
    expect(r.embeddings[1]).not.toEqual(r.embeddings[0]);
    expect(r.promptTokens).toBe(15);
  });

  it('constrains output to a JSON schema and validates it', async () => {
    const schema = {
      type: 'object',
      properties: { name: { type: 'string', maxLength: 8 }, ok: { type: 'boolean' } },
      required: ['name', 'ok'],
      additionalProperties: false,
    };
    const r = await runtime.complete({
      model: MODEL,
      prompt: 'JSON:',
      options: { maxTokens: 64, jsonSchema: schema },
    });
    expect(r.structured).toBeDefined();
    if (r.structured?.ok) {
      expect(r.structured.value).toEqual(JSON.parse(r.text));
      expect(r.structured.value).toMatchObject({ name: expect.any(String), ok: expect.any(Boolean) });
    } else {
      expect(r.structured?.error).toMatch(/^output (is not valid JSON|does not match the schema)/);
    }
    const chat = await runtime.chat({
      model: MODEL,
      messages: [{ role: 'user', content: 'Answer in JSON' }],
      options: {
        maxTokens: 64,
        jsonSchema: { type: 'object', properties: { n: { type: 'boolean' } }, required: ['n'] },
      },
    });
    expect(chat.structured?.ok ? chat.structured.value : chat.structured?.error).toBeDefined();
  });

  it('stops a long generation promptly on abort', async () => {
    const ac = new AbortController();
    let chunks = 0;
    const started = performance.now();
    const r = await runtime.complete({
      model: MODEL,
      prompt: 'Go on forever:',
      options: { maxTokens: 100_000 },
      signal: ac.signal,
      onToken: () => {
        if (++chunks === 3) ac.abort();
      },
    });
    expect(r.stopReason).toBe('aborted');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(r.completionTokens).toBeLessThan(10_000);
    const pre = await runtime.complete({ model: MODEL, prompt: 'x', signal: AbortSignal.abort() });
    expect(pre).toMatchObject({ text: '', stopReason: 'aborted' });
    const embed = runtime.embed({ model: MODEL, input: ['x'], signal: AbortSignal.abort() });
    expect((await rejection(embed)).code).toBe('aborted');
  });

  it('refuses malformed and unknown models and bad input with typed errors, without loading them', async () => {
    const pid = runtime.workerPid;
    const noHeads = await rejection(runtime.complete({ model: 'no-heads', prompt: 'x' }));
    expect(noHeads.code).toBe('model-invalid');
    expect(noHeads.message).toMatch(/llama\.attention\.head_count/);
    expect(
      (await rejection(runtime.chat({ model: 'truncated', messages: [{ role: 'user', content: 'x' }] })))
        .code,
    ).toBe('model-invalid');
    expect((await rejection(runtime.embed({ model: 'nope', input: ['x'] }))).code).toBe('model-not-found');
    expect((await rejection(runtime.embed({ model: MODEL, input: [''] }))).code).toBe('bad-request');
    const longEmbed = runtime.embed({ model: MODEL, input: ['x'.repeat(300)] });
    expect((await rejection(longEmbed)).message).toMatch(/exceeds the context/);
    expect(runtime.workerPid).toBe(pid);
  });

  it('contains a llama.cpp abort in the worker (what the header check prevents)', async () => {
    const worker = new WorkerProcess(workerPath, { gpu: false, threads: 1 });
    const { done } = worker.request({
      type: 'complete',
      model: 'no-heads',
      modelPath: join(dir, 'no-heads.gguf'),
      prompt: 'x',
      options: { maxTokens: 4 },
    });
    const err = await rejection(done);
    expect(err.code).toBe('runtime-crashed');
    expect(err.message).toMatch(/died/);
    await worker.exited;
  });

  it('fails the in-flight request when the worker is killed, then recovers', async () => {
    const rt = newRuntime();
    try {
      await rt.complete({ model: MODEL, prompt: 'warm up', options: { maxTokens: 2 } });
      const pid = rt.workerPid;
      expect(pid).toBeDefined();
      let killed = false;
      const inflight = rt.complete({
        model: MODEL,
        prompt: 'Go on forever:',
        options: { maxTokens: 100_000 },
        onToken: () => {
          if (!killed) process.kill(pid!, 'SIGKILL');
          killed = true;
        },
      });
      const err = await rejection(inflight);
      expect(err.code).toBe('runtime-crashed');
      expect(err.message).toMatch(/SIGKILL/);
      expect((await rt.listModels()).find((m) => m.name === MODEL)?.loaded).toBe(false);
      const again = await rt.complete({ model: MODEL, prompt: 'still there?', options: { maxTokens: 4 } });
      expect(again.completionTokens).toBeGreaterThan(0);
      expect(rt.workerPid).not.toBe(pid);
    } finally {
      await rt.close();
    }
  });

  it('stops the worker when idle, unloading its models, and restarts on demand', async () => {
    const rt = new EmbeddedRuntime({ modelsDir: dir, workerPath, gpu: false, idleUnloadMs: 100 });
    try {
      await rt.embed({ model: MODEL, input: ['x'] });
      expect((await rt.listModels()).find((m) => m.name === MODEL)?.loaded).toBe(true);
      await new Promise((r) => setTimeout(r, 400));
      expect(rt.workerPid).toBeUndefined();
      expect((await rt.listModels()).find((m) => m.name === MODEL)?.loaded).toBe(false);
      expect((await rt.embed({ model: MODEL, input: ['x'] })).dimensions).toBe(64);
    } finally {
      await rt.close();
    }
  });

  it('rejects requests after close', async () => {
    const rt = newRuntime();
    await rt.complete({ model: MODEL, prompt: 'x', options: { maxTokens: 1 } });
    await rt.close();
    expect(rt.workerPid).toBeUndefined();
    expect((await rejection(rt.complete({ model: MODEL, prompt: 'x' }))).code).toBe('closed');
  });
});
