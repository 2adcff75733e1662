/** Valid agent configs: the typed result (defaults, names, managed specs), JSON input, robustness. */
import { describe, expect, test } from 'vitest';
import { assignRuntimeNames, parseAgentConfig } from '../../src/index.js';

const H = 'apiVersion: orchion/v1\nkind: AgentConfig\n';

/** The format as issue 4 sketches it, with every runtime kind. */
const FULL = `apiVersion: orchion/v1
kind: AgentConfig
orchestrator: 10.0.0.5:7701
labels: { zone: lab, gpu: a100, rack: 7, spot: false }
slots: 4
runtimes:
  - type: embedded
    modelsDir: /srv/models
    threads: 8
  - type: ollama
    url: http://127.0.0.1:11434
  - type: ollama
    managed: true
    image: ollama/ollama
    cacheVolume: orchion-ollama
    pull: [llama3.2:1b]
    gpu: true
    keepAlive: 10m
  - type: vllm
    model: Qwen/Qwen2.5-1.5B-Instruct
    servedName: qwen2.5-1.5b
    image: vllm/vllm-openai
    gpu: 1
    args: [--max-model-len, "8192"]
    cachePath: /srv/hf
    idleStop: 30m
    passEnv: [HF_TOKEN]
    env: { VLLM_LOGGING_LEVEL: INFO, SEED: 1 }
  - type: openai
    url: http://127.0.0.1:8000/v1
    apiKeyEnv: LMSTUDIO_KEY
    name: lmstudio
docker: { host: unix:///var/run/docker.sock, keepContainersOnExit: false }
`;

describe('parseAgentConfig', () => {
  test('the full example: typed runtimes, default names, managed specs', () => {
    const r = parseAgentConfig(FULL);
    expect(r.diagnostics).toEqual([]);
    expect(r.config).toEqual({
      apiVersion: 'orchion/v1',
      kind: 'AgentConfig',
      orchestrator: '10.0.0.5:7701',
      labels: { zone: 'lab', gpu: 'a100', rack: '7', spot: 'false' },
      slots: 4,
      runtimes: [
        { type: 'embedded', name: 'embedded', modelsDir: '/srv/models', threads: 8 },
        { type: 'ollama', name: 'ollama', managed: false, url: 'http://127.0.0.1:11434' },
        {
          type: 'ollama',
          name: 'ollama-2',
          managed: true,
          image: 'ollama/ollama',
          cache: 'orchion-ollama',
          gpus: 'all',
          env: {},
          passEnv: [],
          pull: ['llama3.2:1b'],
          keepAlive: '10m',
        },
        {
          type: 'vllm',
          name: 'vllm',
          managed: true,
          image: 'vllm/vllm-openai',
          cache: '/srv/hf',
          gpus: 1,
          env: { VLLM_LOGGING_LEVEL: 'INFO', SEED: '1' },
          passEnv: ['HF_TOKEN'],
          model: 'Qwen/Qwen2.5-1.5B-Instruct',
          servedName: 'qwen2.5-1.5b',
          args: ['--max-model-len', '8192'],
          idleStopMs: 30 * 60_000,
        },
        {
          type: 'openai',
          name: 'lmstudio',
          url: 'http://127.0.0.1:8000/v1',
          apiKeyEnv: 'LMSTUDIO_KEY',
        },
      ],
      docker: { host: 'unix:///var/run/docker.sock', keepContainersOnExit: false },
    });
  });

  test('the smallest config: no runtimes listed (the agent decides), empty labels', () => {
    const r = parseAgentConfig(H);
    expect(r.diagnostics).toEqual([]);
    expect(r.config).toEqual({
      apiVersion: 'orchion/v1',
      kind: 'AgentConfig',
      labels: {},
      docker: { keepContainersOnExit: false },
    });
  });

  test('managed defaults: Ollama takes all GPUs when there are some, vLLM one; gpu false is CPU only', () => {
    const r = parseAgentConfig(
      `${H}runtimes:\n  - { type: ollama, managed: true }\n  - { type: vllm, model: m }\n` +
        `  - { type: vllm, name: cpu, model: m, gpu: false, managed: true, healthTimeout: 90s, port: 8001 }\n`,
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.config!.runtimes).toEqual([
      { type: 'ollama', name: 'ollama', managed: true, gpus: 'auto', env: {}, passEnv: [], pull: [] },
      { type: 'vllm', name: 'vllm', managed: true, gpus: 1, env: {}, passEnv: [], model: 'm', args: [] },
      {
        type: 'vllm',
        name: 'cpu',
        managed: true,
        gpus: 0,
        env: {},
        passEnv: [],
        model: 'm',
        args: [],
        healthTimeoutMs: 90_000,
        port: 8001,
      },
    ]);
  });

  test('keepAlive as seconds, embedded gpu settings', () => {
    const r = parseAgentConfig(
      `${H}runtimes:\n  - { type: ollama, url: "http://127.0.0.1:11434", keepAlive: -1 }\n` +
        `  - { type: embedded, gpu: true }\n  - { type: echo }\n`,
    );
    expect(r.config!.runtimes).toEqual([
      { type: 'ollama', name: 'ollama', managed: false, url: 'http://127.0.0.1:11434', keepAlive: -1 },
      { type: 'embedded', name: 'embedded', gpu: 'auto' },
      { type: 'echo', name: 'echo' },
    ]);
    expect(parseAgentConfig(`${H}runtimes: [{ type: embedded, gpu: false }]\n`).config!.runtimes).toEqual([
      { type: 'embedded', name: 'embedded', gpu: false },
    ]);
  });

  test('JSON is YAML too', () => {
    const r = parseAgentConfig(
      JSON.stringify({ apiVersion: 'orchion/v1', kind: 'AgentConfig', runtimes: [{ type: 'echo' }] }),
    );
    expect(r.config?.runtimes).toEqual([{ type: 'echo', name: 'echo' }]);
  });

  test('warnings do not withhold the config', () => {
    const r = parseAgentConfig(`${H}runtimes: [{ type: vllm, model: m, passEnv: [NOT_SET_ANYWHERE] }]\n`, {
      env: {},
    });
    expect(r.diagnostics.map((d) => d.severity)).toEqual(['warning']);
    expect(r.config).toBeDefined();
  });

  test('never throws on odd input', () => {
    for (const text of ['[', '"x"', '42', '- 1', `${H}runtimes: [1, null, "x", []]`, `${H}labels: [a]`]) {
      const r = parseAgentConfig(text);
      expect(r.config, text).toBeUndefined();
      expect(r.diagnostics.length, text).toBeGreaterThan(0);
      expect(
        r.diagnostics.filter((d) => d.code === 'internal-error'),
        text,
      ).toEqual([]);
    }
  });
});

describe('assignRuntimeNames', () => {
  test('the type first, then -2, -3…; explicit names are reserved wherever they appear', () => {
    expect(
      assignRuntimeNames([
        { type: 'ollama' },
        { type: 'ollama' },
        { type: 'openai', name: 'ollama-3' },
        { type: 'ollama' },
        { type: 'openai' },
      ]),
    ).toEqual(['ollama', 'ollama-2', 'ollama-3', 'ollama-4', 'openai']);
  });

  test('embedded and echo keep their names; no other runtime gets them by default', () => {
    expect(
      assignRuntimeNames([{ type: 'embedded' }, { type: 'echo' }, { type: 'openai', name: 'x' }]),
    ).toEqual(['embedded', 'echo', 'x']);
  });

  test('names already taken (runtimes from the file, when flags add more)', () => {
    expect(assignRuntimeNames([{ type: 'ollama' }, { type: 'openai' }], ['ollama', 'embedded'])).toEqual([
      'ollama-2',
      'openai',
    ]);
  });
});
