/**
 * The official `openai` npm client, unchanged, against the model server: proves the server speaks OpenAI's API.
 * Real llama.cpp inference on the tiny random-weight model: checks shapes and mechanics, never content.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EchoRuntime } from '../../../agent/src/runtimes/index.js';
import { createModelServer } from '../../src/index.js';
import { MODEL, startModelServer, until, type TestServer } from '../support/server.js';

let server: TestServer;
let openai: OpenAI;
const BOUNDED = {
  type: 'object',
  properties: { ok: { type: 'boolean' } },
  required: ['ok'],
  additionalProperties: false,
};
const user = (content: string) => [{ role: 'user' as const, content }];

beforeAll(async () => {
  server = await startModelServer();
  openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0 });
}, 30_000);

afterAll(async () => {
  await server?.close();
});

describe('the official openai client against the model server', () => {
  it('lists models, and gets one', async () => {
    const page = await openai.models.list();
    expect(page.data.map((m) => m.id)).toEqual([MODEL]);
    expect(page.data[0]).toMatchObject({ object: 'model', owned_by: 'orchion', created: expect.any(Number) });
    expect((await openai.models.retrieve(MODEL)).id).toBe(MODEL);
    await expect(openai.models.retrieve('nope')).rejects.toMatchObject({ status: 404 });
  });

  it('answers a chat completion with usage', async () => {
    const r = await openai.chat.completions.create({ model: MODEL, messages: user('Hi'), max_tokens: 8 });
    expect(r.object).toBe('chat.completion');
    expect(r.id).toMatch(/^chatcmpl-/);
    expect(r.choices).toHaveLength(1);
    expect(r.choices[0]!.message.role).toBe('assistant');
    expect(['length', 'stop']).toContain(r.choices[0]!.finish_reason);
    expect(r.usage!.completion_tokens).toBeGreaterThan(0);
    expect(r.usage!.completion_tokens).toBeLessThanOrEqual(8);
    expect(r.usage!.total_tokens).toBe(r.usage!.prompt_tokens + r.usage!.completion_tokens);
  });

  it('streams a chat completion as SSE chunks, with a usage chunk when asked', async () => {
    const base = { model: MODEL, messages: user('Tell me'), max_tokens: 12, temperature: 0 };
    const whole = await openai.chat.completions.create(base);
    const stream = await openai.chat.completions.create({
      ...base,
      stream: true,
      stream_options: { include_usage: true },
    });
    const deltas: string[] = [];
    let finish: string | null = null;
    let usage;
    let first = true;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      if (first) expect(chunk.choices[0]!.delta.role).toBe('assistant');
      first = false;
      const choice = chunk.choices[0];
      if (choice?.delta.content) deltas.push(choice.delta.content);
      if (choice?.finish_reason) finish = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(deltas.join('')).toBe(whole.choices[0]!.message.content);
    expect(finish).toBe(whole.choices[0]!.finish_reason);
    expect(usage).toEqual(whole.usage);
    // Without include_usage, no usage chunk.
    let sawUsage = false;
    for await (const chunk of await openai.chat.completions.create({ ...base, stream: true })) {
      if (chunk.usage) sawUsage = true;
    }
    expect(sawUsage).toBe(false);
  });

  it('completes text, streamed and not (max_tokens defaults to 16)', async () => {
    const r = await openai.completions.create({ model: MODEL, prompt: 'Once upon a time', temperature: 0 });
    expect(r.object).toBe('text_completion');
    expect(r.usage!.prompt_tokens).toBe('Once upon a time'.length);
    expect(r.usage!.completion_tokens).toBeLessThanOrEqual(16);
    const parts: string[] = [];
    let usage;
    const stream = await openai.completions.create({
      model: MODEL,
      prompt: 'Once upon a time',
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const chunk of stream) {
      if (chunk.choices[0]) parts.push(chunk.choices[0].text);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(parts.join('')).toBe(r.choices[0]!.text);
    expect(usage).toEqual(r.usage);
  });

  it('constrains output with response_format json_schema and json_object', async () => {
    const r = await openai.chat.completions.create({
      model: MODEL,
      messages: user('JSON please'),
      max_tokens: 40,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'answer', schema: BOUNDED, strict: true },
      },
    });
    expect(typeof JSON.parse(r.choices[0]!.message.content!).ok).toBe('boolean');
    const o = await openai.chat.completions.create({
      model: MODEL,
      messages: user('JSON please'),
      max_tokens: 5,
      response_format: { type: 'json_object' },
    });
    expect(o.choices[0]!.message.content!.trimStart().startsWith('{')).toBe(true);
  });

  it('embeds (base64 by default in the client, floats on request), normalized, 64 dimensions', async () => {
    const r = await openai.embeddings.create({ model: MODEL, input: ['hello', 'world'] });
    expect(r.object).toBe('list');
    expect(r.data.map((d) => d.index)).toEqual([0, 1]);
    for (const d of r.data) {
      expect(d.embedding).toHaveLength(64);
      expect(Math.hypot(...d.embedding)).toBeCloseTo(1, 5);
    }
    expect(r.usage.prompt_tokens).toBe('helloworld'.length);
    const floats = await openai.embeddings.create({ model: MODEL, input: 'hello', encoding_format: 'float' });
    expect(floats.data[0]!.embedding[0]).toBeCloseTo(r.data[0]!.embedding[0]!, 6);
    const short = await openai.embeddings.create({ model: MODEL, input: 'hello', dimensions: 8 });
    expect(short.data[0]!.embedding).toHaveLength(8);
  });

  it('answers OpenAI-shaped errors: 404 unknown model, 400 bad request', async () => {
    const notFound = await openai.chat.completions
      .create({ model: 'nope', messages: user('x') })
      .catch((e) => e);
    expect(notFound).toBeInstanceOf(OpenAI.NotFoundError);
    expect(notFound).toMatchObject({ status: 404, code: 'model_not_found', type: 'invalid_request_error' });
    const streamed = await openai.chat.completions
      .create({ model: 'nope', messages: user('x'), stream: true })
      .catch((e) => e);
    expect(streamed).toBeInstanceOf(OpenAI.NotFoundError);
    const bad = await openai.chat.completions.create({ model: MODEL, messages: [] }).catch((e) => e);
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect(bad.error).toMatchObject({ type: 'invalid_request_error', message: expect.any(String) });
    const embedBad = await openai.embeddings.create({ model: 'nope', input: 'x' }).catch((e) => e);
    expect(embedBad).toBeInstanceOf(OpenAI.NotFoundError);
    const raw = await fetch(`${server.url}/v1/nothing`);
    expect(raw.status).toBe(404);
    expect(await raw.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it('stops generating when the client aborts a stream', async () => {
    const before = { ...server.stats };
    const stream = await openai.chat.completions.create({
      model: MODEL,
      messages: user('Go on'),
      max_tokens: 100_000,
      stream: true,
    });
    let chunks = 0;
    // The client ends the iteration quietly when its controller aborts.
    for await (const _ of stream) {
      void _;
      if (++chunks === 3) stream.controller.abort();
    }
    expect(chunks).toBeGreaterThanOrEqual(3);
    await until(() => server.stats.active === 0, 3000, 'the generation to stop');
    expect(server.stats.aborted).toBe(before.aborted + 1);
    const produced = server.stats.chunks;
    await new Promise((r) => setTimeout(r, 200));
    expect(server.stats.chunks).toBe(produced);
  });

  it('requires the API key when one is set', async () => {
    const keyed = createModelServer({ createRuntime: () => new EchoRuntime(), apiKey: 'sesame' });
    const url = await keyed.app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const wrong = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'nope', maxRetries: 0 });
      await expect(wrong.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
      const right = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'sesame', maxRetries: 0 });
      expect((await right.models.list()).data.map((m) => m.id)).toEqual(['echo']);
      const r = await right.chat.completions.create({ model: 'echo', messages: user('hello there') });
      expect(r.choices[0]!.message.content).toBe('hello there');
      // The Ollama API stays open (Ollama has no keys).
      expect((await fetch(`${url}/api/tags`)).status).toBe(200);
    } finally {
      await keyed.app.close();
    }
  });
});
