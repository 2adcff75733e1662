/** Keep-alive parsing, configuration, and the runtime host's unloading (on the echo runtime: no inference). */
import { describe, expect, it } from 'vitest';
import { EchoRuntime } from '../../../agent/src/runtimes/index.js';
import { ConfigError, parseConfig, parseKeepAlive, RuntimeHost } from '../../src/index.js';
import { until } from '../support/server.js';

describe('parseKeepAlive', () => {
  it('reads seconds, Go durations, negatives (forever) and zero', () => {
    expect(parseKeepAlive(undefined)).toBeUndefined();
    expect(parseKeepAlive(30)).toBe(30_000);
    expect(parseKeepAlive('30')).toBe(30_000);
    expect(parseKeepAlive('5m')).toBe(300_000);
    expect(parseKeepAlive('1.5h')).toBe(5_400_000);
    expect(parseKeepAlive('2h45m')).toBe(9_900_000);
    expect(parseKeepAlive('300ms')).toBe(300);
    expect(parseKeepAlive(0)).toBe(0);
    expect(parseKeepAlive('0s')).toBe(0);
    expect(parseKeepAlive(-1)).toBe(Infinity);
    expect(parseKeepAlive('-1m')).toBe(Infinity);
    for (const bad of ['soon', '5 minutes', '1d', true]) expect(() => parseKeepAlive(bad)).toThrow();
  });
});

describe('parseConfig', () => {
  it('takes options from argv, then from env, with defaults', () => {
    expect(parseConfig(['--models-dir', '/m'], {})).toMatchObject({
      host: '127.0.0.1',
      port: 11434,
      modelsDir: '/m',
      threads: 1,
      apis: ['ollama', 'openai'],
      gpu: 'auto',
      keepAliveMs: 300_000,
      tinyModel: false,
    });
    const env = {
      ORCHION_MODEL_SERVER_MODELS_DIR: '/env',
      ORCHION_MODEL_SERVER_PORT: '8000',
      ORCHION_MODEL_SERVER_API: 'openai',
      ORCHION_MODEL_SERVER_GPU: 'false',
      ORCHION_MODEL_SERVER_KEEP_ALIVE: '-1',
      ORCHION_MODEL_SERVER_PULL_FROM: '/pull',
      ORCHION_MODEL_SERVER_TINY_MODEL: '1',
    };
    expect(parseConfig([], env)).toMatchObject({
      modelsDir: '/env',
      port: 8000,
      apis: ['openai'],
      gpu: false,
      keepAliveMs: Infinity,
      pullFrom: '/pull',
      tinyModel: true,
    });
    expect(parseConfig(['--port', '9', '--threads', '4'], env)).toMatchObject({ port: 9, threads: 4 });
    expect(parseConfig(['--help'], {})).toBeUndefined();
  });

  it('refuses bad values with a ConfigError', () => {
    for (const argv of [
      [],
      ['--models-dir', '/m', '--api', 'grpc'],
      ['--models-dir', '/m', '--port', 'x'],
      ['--models-dir', '/m', '--threads', '0'],
      ['--models-dir', '/m', '--gpu', 'tpu'],
      ['--models-dir', '/m', '--keep-alive', 'later'],
      ['--models-dir', '/m', '--unknown'],
    ]) {
      expect(() => parseConfig(argv, {}), argv.join(' ')).toThrow(ConfigError);
    }
  });
});

describe('RuntimeHost', () => {
  const hostWith = (defaultKeepAliveMs: number) => {
    const made: EchoRuntime[] = [];
    const host = new RuntimeHost({
      create: () => {
        const rt = new EchoRuntime({ models: ['a', 'b'] });
        made.push(rt);
        return rt;
      },
      defaultKeepAliveMs,
    });
    return { host, made };
  };
  const ask = (host: RuntimeHost, model: string, keep?: number) =>
    host.complete({ model, prompt: 'one two three' }, keep);

  it('replaces the runtime once no model has keep-alive left and nothing runs', async () => {
    const { host, made } = hostWith(60_000);
    await ask(host, 'a');
    await ask(host, 'b', 40);
    expect((await host.loadedModels()).map((m) => m.name)).toEqual(['a', 'b']);
    await new Promise((r) => setTimeout(r, 80));
    // b's time ran out but a keeps the runtime: b is no longer reported loaded.
    expect((await host.loadedModels()).map((m) => m.name)).toEqual(['a']);
    expect(made).toHaveLength(1);
    await host.unload('a');
    expect(made).toHaveLength(2);
    expect(host.stats.unloads).toBe(1);
    expect(await host.loadedModels()).toEqual([]);
    await expect(made[0]!.listModels()).resolves.toHaveLength(2); // closed but still listable
    expect((await ask(host, 'a')).text).toBe('one two three');
    await host.close();
  });

  it('unloads right after a request with keep-alive 0, and never with a negative one', async () => {
    const { host, made } = hostWith(Infinity);
    await ask(host, 'a');
    expect((await host.loadedModels())[0]?.expiresAt).toBe(Infinity);
    await ask(host, 'a', 0);
    await until(() => made.length === 2, 2000, 'the unload');
    expect(await host.loadedModels()).toEqual([]);
    await host.close();
  });

  it('counts requests, streamed chunks and aborts', async () => {
    const { host } = hostWith(60_000);
    const controller = new AbortController();
    controller.abort();
    await host.complete({ model: 'a', prompt: 'x y', signal: controller.signal }, undefined);
    await ask(host, 'a');
    expect(host.stats).toMatchObject({ active: 0, requests: 2, chunks: 3, aborted: 1 });
    await host.close();
  });
});
