/**
 * Runtimes built from agent configs, without servers: names, slots, managed specs handed to the Docker glue,
 * flags over the file, refusals; the model listing that outlives a runtime that cannot answer.
 */
import { parseAgentConfig, type RuntimeConfig } from '@orchion/schemas';
import { describe, expect, test } from 'vitest';
import { configuredRuntimes, resolveRuntimes } from '../../src/setup/config.js';
import { ModelLister } from '../../src/setup/model-list.js';
import { defaultSlots, runtimeConfigs, setupRuntimes, type RuntimeEntry } from '../../src/setup/runtimes.js';
import type { ModelInfo, Runtime } from '../../src/runtimes/types.js';
import { captureLogs } from '../support/logs.js';

const H = 'apiVersion: orchion/v1\nkind: AgentConfig\n';

function fileRuntimes(yaml: string): RuntimeConfig[] {
  const r = parseAgentConfig(`${H}${yaml}`);
  expect(r.diagnostics).toEqual([]);
  return r.config!.runtimes!;
}

function setup(runtimes: RuntimeEntry[] | undefined, env: Record<string, string> = {}) {
  return setupRuntimes({ dataDir: '/nonexistent/agent', runtimes, env, logger: captureLogs().logger });
}

describe('setupRuntimes from config entries', () => {
  test('embedded by default, with the data dir models and one slot', async () => {
    const s = setup(undefined);
    expect(s.names).toEqual(['embedded']);
    expect(s.modelsDir).toBe('/nonexistent/agent/models');
    expect(s.slots).toBe(1);
    expect(s.managed).toEqual([]);
    await s.close();
  });

  test('external Ollama and OpenAI-compatible servers become client runtimes with their names', async () => {
    const s = setup(
      fileRuntimes(
        'runtimes:\n  - type: embedded\n    modelsDir: /srv/models\n    threads: 3\n' +
          '  - { type: ollama, url: "http://127.0.0.1:11434", keepAlive: 10m }\n' +
          '  - { type: ollama, url: "http://10.0.0.9:11434" }\n' +
          '  - { type: openai, name: lmstudio, url: "http://127.0.0.1:1234", apiKeyEnv: LM_KEY }\n',
      ),
      { LM_KEY: 'secret' },
    );
    expect(s.names).toEqual(['embedded', 'ollama', 'ollama-2', 'lmstudio']);
    expect(s.runtimes.map((r) => r.constructor.name)).toEqual([
      'EmbeddedRuntime',
      'OllamaRuntime',
      'OllamaRuntime',
      'OpenAIRuntime',
    ]);
    expect((s.runtimes[3] as unknown as { baseUrl: string }).baseUrl).toBe('http://127.0.0.1:1234/v1');
    expect(s.modelsDir).toBe('/srv/models');
    expect(s.threads).toBe(3);
    expect(s.slots).toBe(1);
    await s.close();
  });

  test('managed runtimes are container specs for the Docker glue, not runtimes yet', async () => {
    const s = setup(
      fileRuntimes(
        'runtimes:\n  - type: ollama\n    managed: true\n    cacheVolume: models\n    pull: [llama3.2:1b]\n' +
          '    gpu: true\n    keepAlive: 10m\n    env: { OLLAMA_NUM_PARALLEL: 2 }\n' +
          '  - type: vllm\n    model: Qwen/Qwen2.5-1.5B-Instruct\n    servedName: qwen\n    args: [--max-model-len, "8192"]\n' +
          '    cachePath: /srv/hf\n    idleStop: 10m\n    passEnv: [HF_TOKEN, NOT_SET]\n    port: 8001\n    healthTimeout: 20m\n',
      ),
      { HF_TOKEN: 'hf_x' },
    );
    expect(s.runtimes).toEqual([]);
    expect(s.names).toEqual([]);
    expect(s.managed).toEqual([
      {
        name: 'ollama',
        type: 'ollama',
        container: {
          kind: 'ollama',
          name: 'ollama',
          env: { OLLAMA_NUM_PARALLEL: '2' },
          gpus: 'all',
          models: ['llama3.2:1b'],
          modelsCache: 'models',
        },
        keepAlive: '10m',
        missingEnv: [],
      },
      {
        name: 'vllm',
        type: 'vllm',
        container: {
          kind: 'vllm',
          name: 'vllm',
          env: { HF_TOKEN: 'hf_x' },
          port: 8001,
          healthTimeoutMs: 20 * 60_000,
          gpus: 1,
          model: 'Qwen/Qwen2.5-1.5B-Instruct',
          servedName: 'qwen',
          extraArgs: ['--max-model-len', '8192'],
          cache: '/srv/hf',
          idleStopMs: 10 * 60_000,
        },
        missingEnv: ['NOT_SET'],
      },
    ]);
    expect(s.slots).toBe(4);
    await s.close();
  });

  test('default slots: 1 with embedded, 4 with servers only, 32 with echo alone', () => {
    expect(defaultSlots(['embedded', 'ollama'])).toBe(1);
    expect(defaultSlots(['ollama', 'openai'])).toBe(4);
    expect(defaultSlots(['echo'])).toBe(32);
    expect(defaultSlots(['echo', 'vllm'])).toBe(4);
  });

  test('refuses an unset apiKeyEnv, duplicate names, a second embedded runtime, unknown built-ins', () => {
    expect(() =>
      setup([{ type: 'openai', name: 'lm', url: 'http://127.0.0.1:1', apiKeyEnv: 'NOPE' }]),
    ).toThrow('runtime lm: environment variable NOPE (its apiKeyEnv) is not set');
    expect(() =>
      runtimeConfigs([
        { type: 'ollama', name: 'a', managed: false, url: 'http://a:1' },
        { type: 'openai', name: 'a', url: 'http://b:1' },
      ]),
    ).toThrow('two runtimes are named "a"');
    expect(() => runtimeConfigs(['embedded', { type: 'embedded', modelsDir: '/m' }])).toThrow(
      'at most one embedded runtime',
    );
    expect(() => runtimeConfigs([{ type: 'openai', name: 'echo', url: 'http://b:1' }])).toThrow(
      'belongs to the echo runtime',
    );
    expect(() => runtimeConfigs(['llama' as 'echo'])).toThrow('unknown runtime "llama"');
  });

  test('unnamed entries (from flags) are named after the named ones', () => {
    const configs = runtimeConfigs([
      { type: 'ollama', name: 'ollama', managed: false, url: 'http://a:1' },
      { type: 'ollama', managed: false, url: 'http://b:1' },
      'echo',
    ]);
    expect(configs.map((c) => c.name)).toEqual(['ollama', 'ollama-2', 'echo']);
  });
});

describe('flags over the file', () => {
  const file = fileRuntimes(
    'runtimes:\n  - { type: embedded, modelsDir: /srv/models, threads: 2 }\n  - { type: ollama, url: "http://127.0.0.1:11434/" }\n',
  );

  test('--ollama-url/--openai-url extend the file (a server already listed is not added twice)', () => {
    const entries = configuredRuntimes(file, {
      ollamaUrl: ['http://127.0.0.1:11434', 'http://gpu-box:11434'],
      openaiUrl: ['http://127.0.0.1:8000/v1'],
      openaiKeyEnv: 'VLLM_KEY',
    })!;
    const configs = runtimeConfigs(entries);
    expect(configs.map((c) => [c.name, 'url' in c ? c.url : undefined])).toEqual([
      ['embedded', undefined],
      ['ollama', 'http://127.0.0.1:11434/'],
      ['ollama-2', 'http://gpu-box:11434'],
      ['openai', 'http://127.0.0.1:8000/v1'],
    ]);
    expect(configs[3]).toMatchObject({ apiKeyEnv: 'VLLM_KEY' });
  });

  test('--models-dir and --threads win over the embedded entry; --runtime adds built-ins', () => {
    const entries = configuredRuntimes(file, {
      modelsDir: '/flag/models',
      threads: 6,
      runtime: ['embedded', 'echo'],
    })!;
    const configs = runtimeConfigs(entries);
    expect(configs.map((c) => c.name)).toEqual(['embedded', 'ollama', 'echo']);
    expect(configs[0]).toEqual({ type: 'embedded', name: 'embedded', modelsDir: '/flag/models', threads: 6 });
  });

  test('without a file, --runtime chooses the built-ins as before; nothing at all is undefined', () => {
    expect(configuredRuntimes(undefined, { runtime: ['echo'] })).toEqual(['echo']);
    expect(configuredRuntimes(undefined, {})).toBeUndefined();
    expect(configuredRuntimes(undefined, { modelsDir: '/m' })).toBeUndefined();
  });

  test('refuses bad URLs and a key variable without a server', () => {
    expect(() => configuredRuntimes(undefined, { ollamaUrl: ['127.0.0.1:11434'] })).toThrow(
      'is not an http:// or https:// URL',
    );
    expect(() => configuredRuntimes(undefined, { openaiKeyEnv: 'K' })).toThrow(
      '--openai-key-env needs --openai-url',
    );
  });

  test('no runtime configured and no detection: the embedded runtime, with the flags', async () => {
    const { logger } = captureLogs();
    expect(await resolveRuntimes({ flags: { threads: 2 }, detect: false, logger })).toEqual([
      { type: 'embedded', threads: 2 },
    ]);
    expect(await resolveRuntimes({ detect: false, logger })).toEqual(['embedded']);
  });
});

/** A runtime whose listing fails, hangs or answers, as the test says. */
class FlakyRuntime implements Runtime {
  mode: 'up' | 'down' | 'hang' = 'down';
  calls = 0;
  constructor(readonly name: string) {}
  async listModels(): Promise<ModelInfo[]> {
    this.calls++;
    if (this.mode === 'hang') return new Promise<never>(() => {});
    if (this.mode === 'down') throw new Error(`${this.name} at http://127.0.0.1:1 is unreachable`);
    return [{ name: 'm', runtime: this.name, loaded: false }];
  }
  complete = (): never => {
    throw new Error('unused');
  };
  chat = this.complete;
  embed = this.complete;
  async close(): Promise<void> {}
}

describe('ModelLister', () => {
  test('a runtime that cannot answer is left out with one warning, and announced when it is back', async () => {
    const logs = captureLogs();
    const ext = new FlakyRuntime('ollama');
    const ok = new FlakyRuntime('other');
    ok.mode = 'up';
    const lister = new ModelLister([ok, ext], logs.logger);
    expect((await lister.list()).map((m) => m.runtime)).toEqual(['other']);
    expect((await lister.list()).map((m) => m.runtime)).toEqual(['other']);
    expect(logs.warnings()).toEqual([
      'runtime ollama cannot list its models; they are left out until it answers',
    ]);
    expect(lister.down.get('ollama')).toContain('unreachable');
    ext.mode = 'up';
    expect((await lister.list()).map((m) => m.runtime)).toEqual(['other', 'ollama']);
    expect(logs.lines.at(-1)?.msg).toBe('runtime ollama answers again');
    expect(lister.down.size).toBe(0);
  });

  test('a listing that hangs is cut short and not asked again while it hangs', async () => {
    const logs = captureLogs();
    const slow = new FlakyRuntime('slow');
    slow.mode = 'hang';
    const lister = new ModelLister([slow], logs.logger, 50);
    expect(await lister.list()).toEqual([]);
    expect(await lister.list()).toEqual([]);
    expect(slow.calls).toBe(1);
    expect(lister.down.get('slow')).toBe('no answer within 50 ms');
  });
});
