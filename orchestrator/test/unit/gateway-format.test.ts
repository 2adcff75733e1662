// The gateway's hand-built stream chunks are valid JSON of the right shape whatever the token holds, request
// parsing refuses what is not supported with a clear message, and loopback data planes of remote agents are
// recognised.
import type { DataPlaneResult } from '@orchion/proto';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/gateway/dispatch';
import { unreachableLoopback } from '../../src/gateway/gateway';
import { ollamaFormat, parseGenerate } from '../../src/gateway/ollama';
import { openaiFormat, parseChat, parseCompletion, parseEmbeddings } from '../../src/gateway/openai';

const result: DataPlaneResult = {
  text: 'a"b\nc',
  stopReason: 'maxTokens',
  promptTokens: 3,
  completionTokens: 2,
  durationMs: 5,
  runtime: 'echo',
};
const TRICKY = ['plain', ' "quoted"', '\n\\back\\slash', 'ünïcødé ✓', '\u0000\u001f', '</script>'];

const sseEvents = (text: string): unknown[] =>
  text
    .split('\n\n')
    .filter(Boolean)
    .map((e) => {
      expect(e.startsWith('data: ')).toBe(true);
      const data = e.slice(6);
      return data === '[DONE]' ? data : (JSON.parse(data) as unknown);
    });

describe('OpenAI stream chunks', () => {
  it('chat: role first, one chunk per token, finish, usage, [DONE]', () => {
    const fmt = openaiFormat('chat', 'my "model"', true);
    const events = sseEvents(
      fmt.head() + TRICKY.map((t) => fmt.token(JSON.stringify(t))).join('') + fmt.tail(result),
    ) as {
      id: string;
      model: string;
      object: string;
      choices: { delta: { content?: string; role?: string }; finish_reason: string | null }[];
      usage: unknown;
    }[];
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === 'my "model"')).toBe(true);
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks.slice(1, 1 + TRICKY.length).map((c) => c.choices[0]!.delta.content)).toEqual(TRICKY);
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('length');
    expect(chunks.at(-1)!.choices).toEqual([]);
    expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it('completion without usage: text chunks and no usage fields', () => {
    const fmt = openaiFormat('complete', 'm', false);
    expect(fmt.head()).toBe('');
    const events = sseEvents(TRICKY.map((t) => fmt.token(JSON.stringify(t))).join('') + fmt.tail(result)) as {
      choices: { text: string; finish_reason: string | null }[];
    }[];
    expect(events.slice(0, TRICKY.length).map((c) => c.choices[0]!.text)).toEqual(TRICKY);
    expect(events.every((c) => typeof c === 'string' || !('usage' in c))).toBe(true);
    const body = JSON.parse(fmt.body(result)) as { choices: { text: string }[]; object: string };
    expect(body.object).toBe('text_completion');
    expect(body.choices[0]!.text).toBe(result.text);
  });
});

describe('OpenAI non-streaming bodies (built as text)', () => {
  it('chat.completion: valid JSON of the right shape whatever the answer holds', () => {
    for (const text of TRICKY) {
      const fmt = openaiFormat('chat', 'my "model"', false);
      const body = JSON.parse(fmt.body({ ...result, text, stopReason: 'eogToken' })) as Record<
        string,
        unknown
      >;
      expect(body).toEqual({
        id: expect.stringMatching(/^chatcmpl-/) as unknown,
        object: 'chat.completion',
        created: expect.any(Number) as unknown,
        model: 'my "model"',
        system_fingerprint: null,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: text, refusal: null },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
      });
    }
  });

  it('text_completion: the text, the finish reason, and counts that are numbers even from a malformed result', () => {
    const fmt = openaiFormat('complete', 'm', false);
    const malformed = {
      ...result,
      promptTokens: undefined,
      completionTokens: NaN,
    } as unknown as DataPlaneResult;
    const body = JSON.parse(fmt.body(malformed)) as Record<string, unknown>;
    expect(body).toMatchObject({
      object: 'text_completion',
      model: 'm',
      choices: [{ index: 0, text: result.text, logprobs: null, finish_reason: 'length' }],
      usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    });
  });
});

describe('Ollama NDJSON lines', () => {
  it('chat lines, then the done line with counts', () => {
    const fmt = ollamaFormat('chat', 'm');
    const lines = (TRICKY.map((t) => fmt.token(JSON.stringify(t))).join('') + fmt.tail(result))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { message: { content: string }; done: boolean; eval_count?: number });
    expect(lines.slice(0, -1).map((l) => l.message.content)).toEqual(TRICKY);
    expect(lines.at(-1)).toMatchObject({
      done: true,
      done_reason: 'length',
      eval_count: 2,
      prompt_eval_count: 3,
    });
  });
});

describe('request parsing', () => {
  const refused = (fn: () => unknown): string => {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(GatewayError);
      expect((err as GatewayError).status).toBe(400);
      return (err as Error).message;
    }
    throw new Error('expected a refusal');
  };

  it('OpenAI: supported fields map to options; the rest is refused with the reason', () => {
    const p = parseChat({
      model: 'm',
      messages: [
        { role: 'developer', content: 'sys' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'a' },
            { type: 'text', text: 'b' },
          ],
        },
      ],
      max_completion_tokens: 7,
      temperature: 0.5,
      stop: 'END',
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } },
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(p.call.messages).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'ab' },
    ]);
    expect(p.call.options).toEqual({
      maxTokens: 7,
      temperature: 0.5,
      stop: ['END'],
      jsonSchema: { type: 'object' },
    });
    expect(p.includeUsage).toBe(true);
    expect(parseCompletion({ model: 'm', prompt: 'x' }).call.options.maxTokens).toBe(16);
    expect(refused(() => parseChat({ model: 'm', messages: [] }))).toBe('messages must be a non-empty list');
    expect(refused(() => parseChat({ messages: [{ role: 'user', content: 'x' }] }))).toBe(
      'model must be a non-empty string',
    );
    expect(refused(() => parseChat({ model: 'm', messages: [{ role: 'tool', content: 'x' }] }))).toContain(
      'tools are not supported',
    );
    expect(refused(() => parseChat({ model: 'm', messages: [{ role: 'user', content: 'x' }], n: 2 }))).toBe(
      'only n = 1 is supported',
    );
    expect(refused(() => parseCompletion({ model: 'm', prompt: ['a', 'b'] }))).toContain(
      'prompt must be a string',
    );
    expect(refused(() => parseEmbeddings({ model: 'm', input: [1, 2] }))).toContain(
      'token lists are not supported',
    );
  });

  it('Ollama: num_predict, format json, and raw generate', () => {
    const g = parseGenerate({ model: 'm:latest', prompt: 'p', format: 'json', options: { num_predict: 5 } });
    expect(g).toMatchObject({
      model: 'm',
      stream: true,
      options: { maxTokens: 5, jsonSchema: { type: 'object' } },
    });
    expect(parseGenerate({ model: 'm', options: { num_predict: -1 } }).options.maxTokens).toBeUndefined();
    expect(refused(() => parseGenerate({ model: 'm', prompt: 'p', system: 'be nice' }))).toContain(
      'system is not supported',
    );
  });
});

describe('unreachableLoopback', () => {
  it('a loopback data plane is usable only by an agent on the orchestrator’s machine', () => {
    expect(unreachableLoopback('http://127.0.0.1:5', 'ipv4:127.0.0.1:123')).toBe(false);
    expect(unreachableLoopback('http://[::1]:5', 'ipv6:[::1]:123')).toBe(false);
    expect(unreachableLoopback('http://127.0.0.1:5', 'ipv6:[::ffff:127.0.0.1]:123')).toBe(false);
    expect(unreachableLoopback('http://127.0.0.1:5', 'ipv4:10.0.0.5:123')).toBe(true);
    expect(unreachableLoopback('http://10.0.0.5:5', 'ipv4:10.0.0.5:123')).toBe(false);
  });
});
