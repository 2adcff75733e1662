/** The typed agent config (`kind: AgentConfig`), as `parseAgentConfig` returns it: defaults applied, names resolved. */

export const AGENT_CONFIG_KIND = 'AgentConfig';

export const RUNTIME_TYPES = ['embedded', 'echo', 'ollama', 'openai', 'vllm'] as const;
export type RuntimeType = (typeof RUNTIME_TYPES)[number];

/**
 * Runtimes that appear at most once per agent, always named after their type (they hold local state: a models
 * dir, a llama.cpp worker). No other runtime may take their names.
 */
export const SINGLE_RUNTIME_TYPES: readonly RuntimeType[] = ['embedded', 'echo'];

/** GPUs of a managed container: 'auto' (all when the node has some, else none), 'all' (required), or a count (0: none). */
export type ContainerGpus = 'auto' | 'all' | number;

/** llama.cpp's GPU backend for the embedded runtime (false: CPU only). */
export type EmbeddedGpu = 'auto' | 'cuda' | 'vulkan' | 'metal' | false;

interface RuntimeBase {
  /** Unique on the agent: what steps select with `runtime:`. */
  name: string;
}

export interface EmbeddedRuntimeConfig extends RuntimeBase {
  type: 'embedded';
  name: 'embedded';
  /** As written (relative paths are relative to the config file: the caller resolves them). */
  modelsDir?: string;
  threads?: number;
  gpu?: EmbeddedGpu;
}

export interface EchoRuntimeConfig extends RuntimeBase {
  type: 'echo';
  name: 'echo';
}

/** An Ollama server that runs already. */
export interface OllamaRuntimeConfig extends RuntimeBase {
  type: 'ollama';
  managed: false;
  url: string;
  /** Ollama's keep_alive: a duration string or seconds (-1: forever). */
  keepAlive?: string | number;
}

/** What every managed (container) runtime has. */
export interface ManagedContainerConfig {
  managed: true;
  /** Undefined: the kind's default image. */
  image?: string;
  /** A volume name or an absolute host path (cacheVolume / cachePath); undefined: the kind's default volume. */
  cache?: string;
  gpus: ContainerGpus;
  port?: number;
  /** Plain settings for the server (values as text). */
  env: Record<string, string>;
  /** Names of the agent's environment variables copied into the container. */
  passEnv: string[];
  healthTimeoutMs?: number;
}

/** An Ollama server in a container the agent manages. */
export interface ManagedOllamaRuntimeConfig extends RuntimeBase, ManagedContainerConfig {
  type: 'ollama';
  /** Models pulled once the server is up. */
  pull: string[];
  keepAlive?: string | number;
}

/** An OpenAI-compatible server that runs already. */
export interface OpenAIRuntimeConfig extends RuntimeBase {
  type: 'openai';
  url: string;
  /** The environment variable holding the API key. */
  apiKeyEnv?: string;
}

/** A vLLM server in a container the agent manages, serving one model. */
export interface VllmRuntimeConfig extends RuntimeBase, ManagedContainerConfig {
  type: 'vllm';
  model: string;
  servedName?: string;
  args: string[];
  idleStopMs?: number;
}

export type RuntimeConfig =
  | EmbeddedRuntimeConfig
  | EchoRuntimeConfig
  | OllamaRuntimeConfig
  | ManagedOllamaRuntimeConfig
  | OpenAIRuntimeConfig
  | VllmRuntimeConfig;

export type ManagedRuntimeConfig = ManagedOllamaRuntimeConfig | VllmRuntimeConfig;

export function isManagedRuntime(r: RuntimeConfig): r is ManagedRuntimeConfig {
  return 'managed' in r && r.managed === true;
}

export interface DockerConfig {
  /** Undefined: DOCKER_HOST, else the local socket. */
  host?: string;
  keepContainersOnExit: boolean;
}

export interface AgentConfigFile {
  apiVersion: 'orchion/v1';
  kind: typeof AGENT_CONFIG_KIND;
  orchestrator?: string;
  /** Values as text. */
  labels: Record<string, string>;
  slots?: number;
  /** Undefined when the file lists none (the agent then runs its defaults). */
  runtimes?: RuntimeConfig[];
  docker: DockerConfig;
}
