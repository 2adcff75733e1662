// The gateway with the official `ollama` client, unchanged (auth through its `headers` option), against a real
// orchestrator and a real agent on the embedded runtime: version, tags, ps, chat, generate, embed, NDJSON streaming,
// structured output and errors.
import { Ollama } from 'ollama';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayCluster, type GatewayCluster } from './gateway-harness';

const MODEL = 'orchion-tiny';

describe('gateway: Ollama API', () => {
  let cluster: GatewayCluster;
  let ollama: Ollama;

  beforeAll(async () => {
    cluster = await startGatewayCluster({ agents: 1 });
    ollama = new Ollama({
      host: cluster.orch.httpUrl,
      headers: { authorization: `Bearer ${cluster.orch.adminToken}` },
    });
  });
  afterAll(() => cluster?.stop());

  it('reports a version and lists the fleet’s models', async () => {
    expect((await ollama.version()).version).toMatch(/^\d+\.\d+\.\d+$/);
    const { models } = await ollama.list();
    expect(models.map((m) => m.name)).toContain(MODEL);
  });

  it('chats, and accepts the :latest tag', async () => {
    const r = await ollama.chat({
      model: `${MODEL}:latest`,
      messages: [{ role: 'user', content: 'Hello' }],
      options: { num_predict: 10, temperature: 0 },
    });
    expect(r.done).toBe(true);
    expect(r.message.role).toBe('assistant');
    expect(r.eval_count).toBe(10);
    expect(r.done_reason).toBe('length');
    // The model is loaded now: /api/ps lists it once the agent has reported it on its control stream (the
    // capability update travels beside the answer, not before it: the gateway may see the answer first).
    await expect
      .poll(async () => (await ollama.ps()).models.map((m) => m.name), { timeout: 10_000 })
      .toContain(MODEL);
  });

  it('streams chat as NDJSON, the same text as a whole answer', async () => {
    const req = { model: MODEL, messages: [{ role: 'user', content: 'Tell' }], options: { num_predict: 24 } };
    let text = '';
    let parts = 0;
    let last;
    for await (const part of await ollama.chat({ ...req, stream: true })) {
      text += part.message.content;
      parts++;
      last = part;
    }
    expect(parts).toBeGreaterThan(2);
    expect(last!.done).toBe(true);
    expect(last!.eval_count).toBe(24);
    expect(text).toBe((await ollama.chat({ ...req, stream: false })).message.content);
  });

  it('generates from a raw prompt, streamed and whole', async () => {
    const whole = await ollama.generate({ model: MODEL, prompt: 'Once upon', options: { num_predict: 12 } });
    expect(whole.done).toBe(true);
    expect(whole.eval_count).toBe(12);
    let text = '';
    for await (const part of await ollama.generate({
      model: MODEL,
      prompt: 'Once upon',
      options: { num_predict: 12 },
      stream: true,
    })) {
      text += part.response;
    }
    expect(text).toBe(whole.response);
  });

  it('structured output with format: a JSON schema', async () => {
    const r = await ollama.chat({
      model: MODEL,
      messages: [{ role: 'user', content: 'A tag' }],
      format: { type: 'object', properties: { t: { type: 'string', maxLength: 4 } }, required: ['t'] },
      options: { num_predict: 40 },
    });
    expect(typeof (JSON.parse(r.message.content) as { t: unknown }).t).toBe('string');
  });

  it('embeds', async () => {
    const r = await ollama.embed({ model: MODEL, input: ['one', 'two', 'three'] });
    expect(r.embeddings).toHaveLength(3);
    expect(r.embeddings[0]).toHaveLength(64);
  });

  it('errors: unknown model, bad request, missing key', async () => {
    await expect(ollama.chat({ model: 'nope', messages: [{ role: 'user', content: 'x' }] })).rejects.toThrow(
      'no node serves model "nope"',
    );
    await expect(
      ollama.chat({
        model: MODEL,
        messages: [{ role: 'user', content: 'x' }],
        options: { temperature: 'hot' as never },
      }),
    ).rejects.toThrow('options.temperature must be a number');
    const anonymous = new Ollama({ host: cluster.orch.httpUrl });
    await expect(anonymous.list()).rejects.toThrow('missing API key');
  });
});
