// The gateway with the official `openai` client, unchanged, against a real orchestrator and a real agent running
// the embedded runtime (llama.cpp, the generated tiny model): models, chat, completion, embeddings, streaming with
// usage, JSON schema output, errors (unknown model, bad request, missing/invalid key) and API keys with quotas.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeysClient } from '@orchion/api';
import { startGatewayCluster, type GatewayCluster } from './gateway-harness';
import { cli } from './harness';

const MODEL = 'orchion-tiny';

describe('gateway: OpenAI API', () => {
  let cluster: GatewayCluster;
  let admin: OpenAI;

  beforeAll(async () => {
    cluster = await startGatewayCluster({
      agents: 1,
      orchestratorExtra: ['--cors-origin', 'http://app.test'],
    });
    admin = new OpenAI({ baseURL: cluster.baseURL, apiKey: cluster.orch.adminToken, maxRetries: 0 });
  });
  afterAll(() => cluster?.stop());

  it('lists the fleet’s models with the nodes serving them', async () => {
    const models = [];
    for await (const m of admin.models.list()) models.push(m);
    const tiny = models.find((m) => m.id === MODEL) as unknown as {
      owned_by: string;
      nodes: { id: string }[];
    };
    expect(tiny).toBeDefined();
    expect(tiny.owned_by).toBe('orchion');
    expect(tiny.nodes.map((n) => n.id)).toEqual([cluster.agents[0]!.nodeId]);
    const one = await admin.models.retrieve(MODEL);
    expect(one.id).toBe(MODEL);
  });

  it('answers a chat completion', async () => {
    const r = await admin.chat.completions.create({
      model: MODEL,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello there' },
      ],
      max_tokens: 12,
      temperature: 0,
    });
    expect(r.object).toBe('chat.completion');
    expect(r.choices[0]!.message.role).toBe('assistant');
    expect(typeof r.choices[0]!.message.content).toBe('string');
    expect(r.choices[0]!.finish_reason).toBe('length');
    expect(r.usage!.completion_tokens).toBe(12);
    expect(r.usage!.prompt_tokens).toBeGreaterThan(0);
  });

  it('answers a completion (deterministic at temperature 0)', async () => {
    const a = await admin.completions.create({ model: MODEL, prompt: 'Once upon a time', max_tokens: 8 });
    const b = await admin.completions.create({ model: MODEL, prompt: 'Once upon a time', max_tokens: 8 });
    expect(a.object).toBe('text_completion');
    expect(a.choices[0]!.text.length).toBeGreaterThan(0);
    expect(a.choices[0]!.text).toBe(b.choices[0]!.text);
    expect(a.usage!.completion_tokens).toBe(8);
  });

  it('computes embeddings (the client asks for base64 and decodes it)', async () => {
    const r = await admin.embeddings.create({ model: MODEL, input: ['alpha', 'beta'] });
    expect(r.data).toHaveLength(2);
    expect(r.data[0]!.embedding.length).toBe(64);
    expect(r.data[0]!.embedding.every((x) => Number.isFinite(x))).toBe(true);
    const floats = await admin.embeddings.create({ model: MODEL, input: 'alpha', encoding_format: 'float' });
    expect(floats.data[0]!.embedding[0]).toBeCloseTo(r.data[0]!.embedding[0]!, 5);
    expect(r.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('streams chat chunks as they come, with usage last', async () => {
    const stream = await admin.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'Tell a story' }],
      max_tokens: 40,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let chunks = 0;
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined | null;
    const ids = new Set<string>();
    for await (const c of stream) {
      ids.add(c.id);
      chunks++;
      if (c.choices[0]) {
        text += c.choices[0].delta.content ?? '';
        finish = c.choices[0].finish_reason ?? finish;
      }
      if (c.usage) usage = c.usage;
    }
    expect(ids.size).toBe(1);
    expect(chunks).toBeGreaterThan(3);
    expect(finish).toBe('length');
    expect(usage!.completion_tokens).toBe(40);
    // The streamed text is the same answer as a non-streamed request's.
    const whole = await admin.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'Tell a story' }],
      max_tokens: 40,
    });
    expect(text).toBe(whole.choices[0]!.message.content);
  });

  it('streams a completion', async () => {
    const stream = await admin.completions.create({
      model: MODEL,
      prompt: 'Once',
      max_tokens: 20,
      stream: true,
    });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.text ?? '';
    const whole = await admin.completions.create({ model: MODEL, prompt: 'Once', max_tokens: 20 });
    expect(text).toBe(whole.choices[0]!.text);
  });

  it('constrains output to a JSON schema', async () => {
    const schema = {
      type: 'object',
      properties: { tag: { type: 'string', maxLength: 6 } },
      required: ['tag'],
      additionalProperties: false,
    };
    const r = await admin.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'Give a tag' }],
      max_tokens: 48,
      response_format: { type: 'json_schema', json_schema: { name: 'tag', schema, strict: true } },
    });
    const value = JSON.parse(r.choices[0]!.message.content!) as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['tag']);
    expect(typeof value.tag).toBe('string');
  });

  it('answers an unknown model with 404 model_not_found', async () => {
    const err = await admin.chat.completions
      .create({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect((err as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
    expect((err as Error).message).toContain('no-such-model');
  });

  it('answers a bad request with 400 and says what is wrong', async () => {
    const noUser = await admin.chat.completions
      .create({ model: MODEL, messages: [{ role: 'assistant', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(noUser).toBeInstanceOf(OpenAI.BadRequestError);
    expect((noUser as Error).message).toContain('the last message must be a user message');
    const badTemp = await admin.chat.completions
      .create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], temperature: 7 })
      .catch((e: unknown) => e);
    expect(badTemp).toBeInstanceOf(OpenAI.BadRequestError);
    const raw = await fetch(`${cluster.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cluster.orch.adminToken}`, 'content-type': 'application/json' },
      body: '{"model": ',
    });
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
    const badPath = await fetch(`${cluster.baseURL}/models/%E0%A4%A`, {
      headers: { authorization: `Bearer ${cluster.orch.adminToken}` },
    });
    expect(badPath.status).toBe(400);
  });

  it('refuses a missing or wrong key with 401', async () => {
    const noKey = await fetch(`${cluster.baseURL}/models`);
    expect(noKey.status).toBe(401);
    const body = (await noKey.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid_api_key');
    const wrong = new OpenAI({ baseURL: cluster.baseURL, apiKey: 'ork_wrong', maxRetries: 0 });
    const err = await wrong.models.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('answers browsers of allowed origins (CORS, as the API’s --cors-origin)', async () => {
    const pre = await fetch(`${cluster.baseURL}/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://app.test',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, x-stainless-os',
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://app.test');
    expect(pre.headers.get('access-control-allow-headers')).toContain('x-stainless-os');
    const listed = await fetch(`${cluster.baseURL}/models`, {
      headers: { origin: 'http://app.test', authorization: `Bearer ${cluster.orch.adminToken}` },
    });
    expect(listed.headers.get('access-control-allow-origin')).toBe('http://app.test');
    const other = await fetch(`${cluster.baseURL}/models`, {
      headers: { origin: 'http://evil.test', authorization: `Bearer ${cluster.orch.adminToken}` },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  describe('API keys', () => {
    let keys: KeysClient;
    beforeAll(() => {
      keys = new KeysClient({ url: cluster.orch.httpUrl, token: cluster.orch.adminToken });
    });

    it('a key works once created, is listed with its usage, and fails once revoked', async () => {
      const { key, token } = await keys.create({ name: 'editor' });
      expect(token.startsWith(key.prefix)).toBe(true);
      const client = new OpenAI({ baseURL: cluster.baseURL, apiKey: token, maxRetries: 0 });
      const r = await client.completions.create({ model: MODEL, prompt: 'Hi', max_tokens: 4 });
      expect(r.usage!.completion_tokens).toBe(4);
      const listed = (await keys.list()).keys.find((k) => k.id === key.id)!;
      expect(listed.usage.requests).toBe(1);
      expect(listed.usage.tokens).toBe(r.usage!.total_tokens);
      expect(listed.lastUsedAt).not.toBeNull();
      expect(JSON.stringify(listed)).not.toContain(token);
      await keys.revoke(key.id);
      const err = await client.completions
        .create({ model: MODEL, prompt: 'Hi', max_tokens: 4 })
        .catch((e) => e);
      expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
      // Keys open the gateway only, not the admin API.
      const { token: other } = await keys.create({ name: 'other' });
      expect(
        (
          await fetch(`${cluster.orch.httpUrl}/api/v1/nodes`, {
            headers: { authorization: `Bearer ${other}` },
          })
        ).status,
      ).toBe(401);
    });

    it('over its requests per minute: 429 with Retry-After and a clear message', async () => {
      const { token } = await keys.create({ name: 'rpm', requestsPerMinute: 2 });
      const client = new OpenAI({ baseURL: cluster.baseURL, apiKey: token, maxRetries: 0 });
      for (let i = 0; i < 2; i++)
        await client.completions.create({ model: MODEL, prompt: 'Hi', max_tokens: 2 });
      const err = (await client.completions
        .create({ model: MODEL, prompt: 'Hi', max_tokens: 2 })
        .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.RateLimitError>;
      expect(err).toBeInstanceOf(OpenAI.RateLimitError);
      expect(err.code).toBe('rate_limit_exceeded');
      expect(err.message).toContain('API key "rpm" is over its limit of 2 requests per minute');
      expect(Number(err.headers?.get('retry-after'))).toBeGreaterThan(0);
    });

    it('over its tokens per day: 429 insufficient_quota', async () => {
      const { token } = await keys.create({ name: 'tpd', tokensPerDay: 20 });
      const client = new OpenAI({ baseURL: cluster.baseURL, apiKey: token, maxRetries: 0 });
      await client.completions.create({ model: MODEL, prompt: 'Hello world', max_tokens: 16 });
      const err = (await client.completions
        .create({ model: MODEL, prompt: 'Hi', max_tokens: 2 })
        .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.RateLimitError>;
      expect(err).toBeInstanceOf(OpenAI.RateLimitError);
      expect(err.code).toBe('insufficient_quota');
      expect(err.message).toMatch(/API key "tpd" used \d+ of its 20 tokens for today \(UTC\)/);
    });

    it('the CLI creates, lists and revokes keys', async () => {
      const env = { ORCHION_URL: cluster.orch.httpUrl, ORCHION_TOKEN: cluster.orch.adminToken };
      const created = await cli(
        ['keys', 'create', 'from-cli', '--rpm', '5', '--tokens-per-day', '1000'],
        env,
      );
      expect(created.code).toBe(0);
      const token = /\n {2}(ork_\S+)/.exec(created.output)?.[1];
      expect(token).toBeDefined();
      const id = /Created API key (key_\w+)/.exec(created.output)![1]!;
      const listed = await cli(['keys', 'list'], env);
      expect(listed.output).toMatch(
        new RegExp(`${id}\\s+from-cli\\s+ork_\\S+\\s+active\\s+5/min\\s+1000/day`),
      );
      expect(listed.output).not.toContain(token);
      const revoked = await cli(['keys', 'revoke', id], env);
      expect(revoked.code).toBe(0);
      expect((await cli(['keys', 'list', '--json'], env)).output).toContain('"revokedAt": "');
      const again = await cli(['keys', 'revoke', id], env);
      expect(again.code).toBe(1);
      expect(again.output).toContain('revoked already');
    });
  });
});
