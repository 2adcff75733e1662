/**
 * A vLLM OpenAI-compatible server in a container, one per served model: the official image's entrypoint
 * (`vllm serve`) with the model as its first argument, bound to a loopback port, the Hugging Face cache in a volume,
 * host IPC (vLLM's tensor-parallel workers share memory through /dev/shm), GPUs by count. Health is GET /health.
 * Images from before the `vllm serve` entrypoint (python -m vllm.entrypoints.openai.api_server) take `--model`
 * instead of the positional model: use a current image.
 */
import { cacheMount, envList, KIND_DEFAULTS, type ContainerPlan } from './plan.js';
import { DEFAULT_IMAGES, type VllmSpec } from './specs.js';

export const VLLM_DEFAULT_CACHE = 'orchion-hf-cache';

export function vllmPlan(spec: VllmSpec): ContainerPlan {
  const served = spec.servedName ?? spec.model;
  return {
    name: spec.name ?? `vllm-${served}`,
    kind: 'vllm',
    model: served,
    image: spec.image ?? DEFAULT_IMAGES.vllm,
    gpus: spec.gpus ?? 1,
    port: spec.port,
    healthPath: KIND_DEFAULTS.vllm.healthPath,
    healthTimeoutMs: spec.healthTimeoutMs ?? KIND_DEFAULTS.vllm.healthTimeoutMs,
    idleStopMs: spec.idleStopMs,
    pullModels: [],
    container: (port) => ({
      Cmd: [
        spec.model,
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--served-model-name',
        served,
        ...(spec.extraArgs ?? []),
      ],
      Env: envList(spec.env),
      Mounts: [cacheMount(spec.cache ?? VLLM_DEFAULT_CACHE, '/root/.cache/huggingface')],
      HostConfig: { IpcMode: 'host' },
    }),
  };
}
