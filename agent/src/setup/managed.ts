/**
 * Managed runtimes (containers the agent runs: Ollama, vLLM) as the Docker glue takes them: the container spec
 * for DockerRuntimeManager.startRuntime, plus what the client runtime that talks to the container needs. The
 * setup validates and lists them; it starts nothing.
 */
import type { ManagedRuntimeConfig } from '@orchion/schemas';
import type { ContainerSpec } from '../runtimes/docker/specs.js';

export interface ManagedRuntimeSpec {
  /** The runtime's name on this agent (the container's `orchion.runtime` label, what steps select). */
  name: string;
  type: 'ollama' | 'vllm';
  /** What `DockerRuntimeManager.startRuntime` takes; its `name` is the runtime's. */
  container: ContainerSpec;
  /** Ollama's keep_alive, for the OllamaRuntime that talks to the container. */
  keepAlive?: string | number;
  /** `passEnv` variables that were not set: the container starts without them. */
  missingEnv: string[];
}

export interface DockerSettings {
  /** Undefined: DOCKER_HOST, else the local socket. */
  host?: string;
  /** Leave managed containers running when the agent stops (adopted at the next start). */
  keepContainersOnExit: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

export function managedSpec(c: ManagedRuntimeConfig, env: Env): ManagedRuntimeSpec {
  const missingEnv = c.passEnv.filter((k) => !env[k]);
  const containerEnv = { ...c.env };
  for (const k of c.passEnv) if (env[k]) containerEnv[k] = env[k]!;
  const common = {
    name: c.name,
    ...(c.image !== undefined ? { image: c.image } : {}),
    ...(Object.keys(containerEnv).length > 0 ? { env: containerEnv } : {}),
    ...(c.port !== undefined ? { port: c.port } : {}),
    ...(c.healthTimeoutMs !== undefined ? { healthTimeoutMs: c.healthTimeoutMs } : {}),
    gpus: c.gpus,
  };
  if (c.type === 'ollama') {
    return {
      name: c.name,
      type: 'ollama',
      container: {
        kind: 'ollama',
        ...common,
        ...(c.pull.length > 0 ? { models: c.pull } : {}),
        ...(c.cache !== undefined ? { modelsCache: c.cache } : {}),
      },
      ...(c.keepAlive !== undefined ? { keepAlive: c.keepAlive } : {}),
      missingEnv,
    };
  }
  return {
    name: c.name,
    type: 'vllm',
    container: {
      kind: 'vllm',
      ...common,
      model: c.model,
      ...(c.servedName !== undefined ? { servedName: c.servedName } : {}),
      ...(c.args.length > 0 ? { extraArgs: c.args } : {}),
      ...(c.cache !== undefined ? { cache: c.cache } : {}),
      ...(c.idleStopMs !== undefined ? { idleStopMs: c.idleStopMs } : {}),
    },
    missingEnv,
  };
}
