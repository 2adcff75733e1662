/**
 * Chat continuation (`assistantPrefix`, used by the gateway's mid-stream failover): the runtime answers as if it
 * had written the prefix already and returns only what follows. Real llama.cpp on the generated tiny model
 * (greedy decoding, so an answer and its continuation from any point agree), and the echo runtime.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyModel } from '../../src/models/index.js';
import { EchoRuntime, EmbeddedRuntime } from '../../src/runtimes/index.js';
import { buildLlamaWorker } from './helpers/llama-worker.js';

const MODEL = 'orchion-tiny';
let dir: string;
let runtime: EmbeddedRuntime;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orchion-continue-'));
  await writeTinyModel(join(dir, `${MODEL}.gguf`));
  runtime = new EmbeddedRuntime({
    modelsDir: dir,
    workerPath: await buildLlamaWorker(),
    gpu: false,
    threads: 1,
  });
});

afterAll(async () => {
  await runtime?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('chat continuation', () => {
  it('embedded: continuing an answer from its first part gives the rest, streamed without the prefix', async () => {
    const messages = [{ role: 'user' as const, content: 'Say something' }];
    const whole = await runtime.chat({ model: MODEL, messages, options: { maxTokens: 40 } });
    expect(whole.text.length).toBeGreaterThan(4);
    const prefix = whole.text.slice(0, Math.floor(whole.text.length / 2));
    let streamed = '';
    const rest = await runtime.chat({
      model: MODEL,
      messages,
      assistantPrefix: prefix,
      options: { maxTokens: 60 },
      onToken: (t) => (streamed += t),
    });
    expect(streamed).toBe(rest.text);
    // Greedy: the prefix + its continuation is the uninterrupted answer.
    expect((prefix + rest.text).slice(0, whole.text.length)).toBe(whole.text);
    expect(rest.completionTokens).toBeGreaterThan(0);
    expect(runtime.continuesChat).toBe(true);
    // A prefix the model would never write is not echoed back, neither streamed nor in the text.
    let odd = '';
    const other = await runtime.chat({
      model: MODEL,
      messages,
      assistantPrefix: 'QZX',
      options: { maxTokens: 8 },
      onToken: (t) => (odd += t),
    });
    expect(other.text.includes('QZX')).toBe(false);
    expect(odd).toBe(other.text);
  });

  it('echo: the rest of the echo after the prefix', async () => {
    const echo = new EchoRuntime();
    const messages = [{ role: 'user' as const, content: 'one two three four' }];
    const r = await echo.chat({ model: 'echo', messages, assistantPrefix: 'one two' });
    expect(r.text).toBe(' three four');
    expect(echo.continuesChat).toBe(true);
  });
});
