/**
 * An Ollama server in a container: the official image's entrypoint (`ollama serve`), bound to a loopback port by
 * OLLAMA_HOST, its models in a cache volume at /root/.ollama, GPUs when the node has them. Models listed in the
 * spec are pulled through the Ollama API once it answers. Unloading idle models is the client's `keep_alive`.
 */
import { cacheMount, envList, KIND_DEFAULTS, type ContainerPlan } from './plan.js';
import { DEFAULT_IMAGES, type OllamaSpec } from './specs.js';

export const OLLAMA_DEFAULT_CACHE = 'orchion-ollama';

export function ollamaPlan(spec: OllamaSpec): ContainerPlan {
  const models = spec.models ?? [];
  return {
    name: spec.name ?? 'ollama',
    kind: 'ollama',
    model: models.join(','),
    image: spec.image ?? DEFAULT_IMAGES.ollama,
    gpus: spec.gpus ?? 'auto',
    port: spec.port,
    healthPath: KIND_DEFAULTS.ollama.healthPath,
    healthTimeoutMs: spec.healthTimeoutMs ?? KIND_DEFAULTS.ollama.healthTimeoutMs,
    pullModels: models,
    container: (port) => ({
      Env: [`OLLAMA_HOST=127.0.0.1:${port}`, ...envList(spec.env)],
      Mounts: [cacheMount(spec.modelsCache ?? OLLAMA_DEFAULT_CACHE, '/root/.ollama')],
    }),
  };
}
