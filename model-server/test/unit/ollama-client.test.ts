/**
 * The official `ollama` npm client, unchanged, against the model server: proves the server speaks Ollama's API.
 * Real llama.cpp inference on the tiny random-weight model: checks shapes and mechanics, never content.
 */
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ollama } from 'ollama';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL, startModelServer, until, type TestServer } from '../support/server.js';

let server: TestServer;
let ollama: Ollama;
const BOUNDED = {
  type: 'object',
  properties: { ok: { type: 'boolean' } },
  required: ['ok'],
  additionalProperties: false,
};

beforeAll(async () => {
  server = await startModelServer({ pullChunkBytes: 64 * 1024 });
  ollama = new Ollama({ host: server.url });
}, 30_000);

afterAll(async () => {
  await server?.close();
});

describe('the official ollama client against the model server', () => {
  it('answers the readiness check, the version and the model list', async () => {
    const root = await fetch(`${server.url}/`);
    expect(root.status).toBe(200);
    expect(await root.text()).toBe('Ollama is running');
    expect((await fetch(`${server.url}/`, { method: 'HEAD' })).status).toBe(200);
    expect((await ollama.version()).version).toMatch(/^\d+\.\d+\.\d+$/);
    const { models } = await ollama.list();
    expect(models).toHaveLength(1);
    expect(models[0]).toMatchObject({
      name: `${MODEL}:latest`,
      model: `${MODEL}:latest`,
      size: expect.any(Number),
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
      details: { format: 'gguf', family: 'llama', quantization_level: 'F32' },
    });
    expect(new Date(models[0]!.modified_at).getTime()).toBeGreaterThan(0);
  });

  it('shows a model with its GGUF metadata and template', async () => {
    const show = await ollama.show({ model: MODEL });
    expect(show.template).toContain('<|im_start|>');
    expect(show.details.family).toBe('llama');
    const info = show.model_info as unknown as Record<string, unknown>;
    expect(info['general.architecture']).toBe('llama');
    expect(info['llama.context_length']).toBe(256);
    expect(info['llama.embedding_length']).toBe(64);
    expect(info['general.parameter_count']).toEqual(expect.any(Number));
    await expect(ollama.show({ model: 'nope' })).rejects.toMatchObject({ status_code: 404 });
  });

  it('generates without streaming, templated or raw, with Ollama statistics', async () => {
    for (const raw of [false, true]) {
      const r = await ollama.generate({ model: MODEL, prompt: 'Hello', raw, options: { num_predict: 8 } });
      expect(r.done).toBe(true);
      expect(['length', 'stop']).toContain(r.done_reason);
      expect(r.eval_count).toBeGreaterThan(0);
      expect(r.eval_count).toBeLessThanOrEqual(8);
      expect(r.prompt_eval_count).toBeGreaterThan(0);
      for (const d of [r.total_duration, r.load_duration, r.prompt_eval_duration, r.eval_duration]) {
        expect(Number.isInteger(d) && d >= 0).toBe(true);
      }
      expect(r.total_duration).toBeGreaterThanOrEqual(r.eval_duration);
      expect(typeof r.response).toBe('string');
    }
  });

  it('streams a generation as NDJSON chunks ending with the final statistics', async () => {
    const options = { num_predict: 12, temperature: 0 };
    const whole = await ollama.generate({ model: MODEL, prompt: 'Once upon', options });
    const parts: string[] = [];
    let final;
    for await (const chunk of await ollama.generate({
      model: MODEL,
      prompt: 'Once upon',
      options,
      stream: true,
    })) {
      if (chunk.done) final = chunk;
      else parts.push(chunk.response ?? '');
    }
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.join('')).toBe(whole.response);
    expect(final).toMatchObject({ done: true, eval_count: whole.eval_count, done_reason: whole.done_reason });
  });

  it('chats, streamed and not', async () => {
    const messages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
    ];
    const whole = await ollama.chat({ model: MODEL, messages, options: { num_predict: 10 } });
    expect(whole.message.role).toBe('assistant');
    expect(whole.done).toBe(true);
    const parts: string[] = [];
    let last;
    for await (const c of await ollama.chat({
      model: MODEL,
      messages,
      options: { num_predict: 10 },
      stream: true,
    })) {
      parts.push(c.message.content);
      last = c;
    }
    expect(parts.join('')).toBe(whole.message.content);
    expect(last).toMatchObject({ done: true, message: { role: 'assistant', content: '' } });
  });

  it('constrains output to a JSON schema (format) and to JSON ("json")', async () => {
    const r = await ollama.chat({
      model: MODEL,
      messages: [{ role: 'user', content: 'Answer in JSON' }],
      format: BOUNDED,
      options: { num_predict: 40 },
    });
    expect(typeof JSON.parse(r.message.content).ok).toBe('boolean');
    const g = await ollama.generate({
      model: MODEL,
      prompt: 'JSON:',
      format: 'json',
      options: { num_predict: 6 },
    });
    expect(g.response!.trimStart().startsWith('{')).toBe(true);
  });

  it('embeds strings and lists into normalized 64-dimension vectors', async () => {
    const r = await ollama.embed({ model: MODEL, input: ['hello', 'world'] });
    expect(r.embeddings).toHaveLength(2);
    for (const v of r.embeddings) {
      expect(v).toHaveLength(64);
      expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    }
    expect(r.embeddings[0]).not.toEqual(r.embeddings[1]);
    const one = await ollama.embed({ model: MODEL, input: 'hello', dimensions: 16 });
    expect(one.embeddings[0]).toHaveLength(16);
    const legacy = await ollama.embeddings({ model: MODEL, prompt: 'hello' });
    expect(legacy.embedding).toHaveLength(64);
  });

  it('lists loaded models in ps, and unloads with keep_alive 0', async () => {
    await ollama.generate({ model: MODEL, prompt: 'x', options: { num_predict: 1 }, keep_alive: '10m' });
    const ps = await ollama.ps();
    expect(ps.models.map((m) => m.name)).toEqual([`${MODEL}:latest`]);
    const expires = new Date(ps.models[0]!.expires_at).getTime();
    expect(expires).toBeGreaterThan(Date.now() + 9 * 60_000);
    const unloads = server.stats.unloads;
    const unloaded = await ollama.generate({ model: MODEL, prompt: '', keep_alive: 0 });
    expect(unloaded).toMatchObject({ done: true, done_reason: 'unload' });
    expect((await ollama.ps()).models).toEqual([]);
    expect(server.stats.unloads).toBe(unloads + 1);
    const loaded = await ollama.chat({ model: MODEL, messages: [] });
    expect(loaded).toMatchObject({ done: true, done_reason: 'load' });
    expect((await ollama.ps()).models).toHaveLength(1);
    // keep_alive 0 on a real request unloads once it is answered.
    await ollama.generate({ model: MODEL, prompt: 'x', options: { num_predict: 1 }, keep_alive: 0 });
    await until(() => server.stats.unloads === unloads + 2, 5000, 'the unload');
    expect((await ollama.ps()).models).toEqual([]);
  });

  it('pulls from the pull-from directory with byte progress; unknown models fail in the stream', async () => {
    await copyFile(join(server.modelsDir, `${MODEL}.gguf`), join(server.pullDir, 'copied.gguf'));
    const lines = [];
    for await (const p of await ollama.pull({ model: 'copied', stream: true })) lines.push(p);
    expect(lines[0]).toEqual({ status: 'pulling manifest' });
    expect(lines.at(-1)).toEqual({ status: 'success' });
    const progress = lines.filter((p) => p.total !== undefined);
    expect(progress.length).toBeGreaterThan(3);
    const total = progress[0]!.total;
    expect(progress.map((p) => p.completed)).toEqual(
      [...progress.map((p) => p.completed)].sort((a, b) => a - b),
    );
    expect(progress.at(-1)!.completed).toBe(total);
    const listed = (await ollama.list()).models.find((m) => m.name === 'copied:latest');
    expect(listed?.digest).toBe(progress[0]!.digest.replace(/^sha256:/, ''));
    const r = await ollama.generate({ model: 'copied', prompt: 'hi', options: { num_predict: 2 } });
    expect(r.done).toBe(true);
    // Pulling a model that is already there succeeds at once; stream: false gives one object.
    expect(await ollama.pull({ model: MODEL })).toEqual({ status: 'success' });
    await expect(
      (async () => {
        for await (const _ of await ollama.pull({ model: 'no-such-model', stream: true })) void _;
      })(),
    ).rejects.toThrow('pull model manifest: file does not exist');
  });

  it('answers 404 for an unknown model and 400 for a bad request', async () => {
    await expect(ollama.generate({ model: 'nope', prompt: 'hi' })).rejects.toMatchObject({
      status_code: 404,
      error: 'model "nope" not found, try pulling it first',
    });
    await expect(
      ollama.chat({ model: 'nope', messages: [{ role: 'user', content: 'x' }], stream: true }),
    ).rejects.toMatchObject({
      status_code: 404,
    });
    await expect(
      ollama.chat({ model: MODEL, messages: [{ role: 'assistant', content: 'no user message' }] }),
    ).rejects.toMatchObject({ status_code: 400 });
    await expect(ollama.generate({ model: MODEL, prompt: 'x', keep_alive: 'soon' })).rejects.toMatchObject({
      status_code: 400,
    });
  });

  it('stops generating when the client aborts a stream', async () => {
    const before = { ...server.stats };
    const stream = await ollama.generate({
      model: MODEL,
      prompt: 'Go on',
      stream: true,
      options: { num_predict: 100_000 },
    });
    let chunks = 0;
    await expect(
      (async () => {
        for await (const _ of stream) {
          void _;
          if (++chunks === 3) stream.abort();
        }
      })(),
    ).rejects.toThrow(/abort/i);
    await until(() => server.stats.active === 0, 3000, 'the generation to stop');
    expect(server.stats.aborted).toBe(before.aborted + 1);
    const produced = server.stats.chunks;
    await new Promise((r) => setTimeout(r, 200));
    expect(server.stats.chunks).toBe(produced);
    // 100,000 tokens at ~2,000/s would take nearly a minute.
    expect(produced - before.chunks).toBeLessThan(5000);
  });
});
