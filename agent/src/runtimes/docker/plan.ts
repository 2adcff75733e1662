/**
 * A spec resolved into what the manager needs: the container's own settings (image, command, environment,
 * mounts, GPUs) for a given port, the health endpoint, and what to do once healthy. Pure: no Docker calls.
 */
import type Docker from 'dockerode';
import type { GpuRequest } from './gpus.js';

export interface ContainerPlan {
  /** The runtime instance's name (label `orchion.runtime`). */
  name: string;
  kind: 'ollama' | 'vllm';
  /** Label `orchion.model`. */
  model: string;
  image: string;
  gpus: GpuRequest;
  port?: number;
  /** GET this path; any 2xx means ready. */
  healthPath: string;
  healthTimeoutMs: number;
  idleStopMs?: number;
  /** Models to pull through the server's API once it is healthy (Ollama). */
  pullModels: string[];
  /** The container's command, environment and mounts for a port (labels, network, init, restart, GPUs: added by create-options). */
  container(port: number): {
    Cmd?: string[];
    Env: string[];
    Mounts: Docker.MountSettings[];
    HostConfig?: Partial<Docker.HostConfig>;
  };
}

/** Health endpoints and how long a server may take to answer it, by kind (also for adopted containers). */
export const KIND_DEFAULTS = {
  ollama: { healthPath: '/', healthTimeoutMs: 60_000 },
  // vLLM downloads and loads the weights before /health answers: minutes for large models.
  vllm: { healthPath: '/health', healthTimeoutMs: 15 * 60_000 },
} as const;

/** A cache given as a volume name or an absolute host path, mounted at `target`. */
export function cacheMount(source: string, target: string): Docker.MountSettings {
  return source.startsWith('/')
    ? { Type: 'bind', Source: source, Target: target }
    : { Type: 'volume', Source: source, Target: target };
}

export const envList = (env: Record<string, string> | undefined): string[] =>
  Object.entries(env ?? {}).map(([k, v]) => `${k}=${v}`);
