import { describe, expect, it } from 'vitest';
import { createOptions, planHash } from './create-options.js';
import { containerName } from './labels.js';
import { ollamaPlan } from './ollama-plan.js';
import { vllmPlan } from './vllm-plan.js';

const gpu = { Driver: '', Count: -1, Capabilities: [['gpu']] };

describe('create-options', () => {
  it('builds an Ollama container: image entrypoint, OLLAMA_HOST on loopback, models cache volume', () => {
    const plan = ollamaPlan({
      kind: 'ollama',
      models: ['llama3.2:1b', 'qwen2.5'],
      env: { OLLAMA_NUM_PARALLEL: '2' },
    });
    const o = createOptions(plan, { nodeId: 'node-1', port: 41000, restartRetries: 3 });
    expect(o).toEqual({
      name: 'orchion-node-1-ollama',
      Image: 'ollama/ollama',
      Env: ['OLLAMA_HOST=127.0.0.1:41000', 'OLLAMA_NUM_PARALLEL=2'],
      Tty: false,
      Labels: {
        'orchion.managed': 'true',
        'orchion.node': 'node-1',
        'orchion.runtime': 'ollama',
        'orchion.kind': 'ollama',
        'orchion.model': 'llama3.2:1b,qwen2.5',
        'orchion.port': '41000',
        'orchion.spec': planHash(plan),
      },
      HostConfig: {
        Init: true,
        NetworkMode: 'host',
        RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 },
        Mounts: [{ Type: 'volume', Source: 'orchion-ollama', Target: '/root/.ollama' }],
        LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
      },
    });
    expect(plan).toMatchObject({ healthPath: '/', gpus: 'auto', pullModels: ['llama3.2:1b', 'qwen2.5'] });
  });

  it('builds a vLLM container: model first, loopback host and port, served name, extra args, GPUs, host IPC', () => {
    const plan = vllmPlan({
      kind: 'vllm',
      model: 'Qwen/Qwen2.5-0.5B-Instruct',
      servedName: 'qwen',
      extraArgs: ['--max-model-len', '4096'],
      gpus: 2,
      cache: '/srv/hf',
      env: { HF_TOKEN: 't' },
    });
    const o = createOptions(plan, { nodeId: 'n', port: 8001, restartRetries: 1, deviceRequests: [gpu] });
    expect(o.name).toBe('orchion-n-vllm-qwen');
    expect(o.Image).toBe('vllm/vllm-openai');
    expect(o.Cmd).toEqual([
      'Qwen/Qwen2.5-0.5B-Instruct',
      '--host',
      '127.0.0.1',
      '--port',
      '8001',
      '--served-model-name',
      'qwen',
      '--max-model-len',
      '4096',
    ]);
    expect(o.Env).toEqual(['HF_TOKEN=t']);
    expect(o.Labels).toMatchObject({
      'orchion.runtime': 'vllm-qwen',
      'orchion.kind': 'vllm',
      'orchion.model': 'qwen',
    });
    expect(o.HostConfig).toMatchObject({
      Init: true,
      NetworkMode: 'host',
      IpcMode: 'host',
      DeviceRequests: [gpu],
      Mounts: [{ Type: 'bind', Source: '/srv/hf', Target: '/root/.cache/huggingface' }],
    });
    expect(plan).toMatchObject({ healthPath: '/health', gpus: 2, healthTimeoutMs: 15 * 60_000 });
  });

  it('vLLM defaults: served name = model, one GPU, the HF cache volume', () => {
    const plan = vllmPlan({ kind: 'vllm', model: 'org/m' });
    expect(plan).toMatchObject({ name: 'vllm-org/m', model: 'org/m', gpus: 1 });
    expect(plan.container(1).Mounts).toEqual([
      { Type: 'volume', Source: 'orchion-hf-cache', Target: '/root/.cache/huggingface' },
    ]);
    expect(createOptions(plan, { nodeId: 'n', port: 1, restartRetries: 3 }).name).toBe(
      'orchion-n-vllm-org-m',
    );
  });

  it('hashes the configuration: the chosen port does not count, everything else does', () => {
    const base = { kind: 'ollama' as const, models: ['a'] };
    expect(planHash(ollamaPlan(base))).toBe(planHash(ollamaPlan({ ...base })));
    expect(planHash(ollamaPlan(base))).not.toBe(planHash(ollamaPlan({ ...base, env: { X: '1' } })));
    expect(planHash(ollamaPlan(base))).not.toBe(
      planHash(ollamaPlan({ ...base, image: 'ollama/ollama:0.5' })),
    );
    expect(planHash(ollamaPlan(base))).not.toBe(planHash(ollamaPlan({ ...base, gpus: 'none' })));
    expect(planHash(ollamaPlan(base))).not.toBe(planHash(ollamaPlan({ ...base, port: 11434 })));
  });

  it('makes container names Docker accepts', () => {
    expect(containerName('0123456789abcdef-long', 'vllm-org/Model:v1')).toBe(
      'orchion-0123456789ab-vllm-org-Model-v1',
    );
  });
});
