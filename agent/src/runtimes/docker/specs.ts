/** What the agent is configured to run in containers: Ollama servers and vLLM servers (one per served model). */
import type { GpuRequest } from './gpus.js';

interface CommonSpec {
  /** The runtime instance's name, unique on this node (label `orchion.runtime`). */
  name?: string;
  /** Default: the kind's official image. */
  image?: string;
  /** Extra environment of the server (e.g. HF_TOKEN). */
  env?: Record<string, string>;
  /** Loopback port the server listens on (host network). Default: a free port chosen at start. */
  port?: number;
  /** How long the server may take to answer its health check after start. */
  healthTimeoutMs?: number;
}

export interface OllamaSpec extends CommonSpec {
  kind: 'ollama';
  /** Models pulled through the Ollama API once the server is up. */
  models?: string[];
  /** The models cache: a volume name (default 'orchion-ollama') or an absolute host path, at /root/.ollama. */
  modelsCache?: string;
  /** Default 'auto' (all GPUs when the node has some). */
  gpus?: GpuRequest;
}

export interface VllmSpec extends CommonSpec {
  kind: 'vllm';
  /** Hugging Face model id or a path inside the container. */
  model: string;
  /** The model name clients ask for (`--served-model-name`); default `model`. */
  servedName?: string;
  /** More `vllm serve` arguments (e.g. ['--max-model-len', '4096']). */
  extraArgs?: string[];
  /** Default 1: vLLM's official image needs a GPU. */
  gpus?: GpuRequest;
  /** The Hugging Face cache: a volume name (default 'orchion-hf-cache') or an absolute host path. */
  cache?: string;
  /** Stop the container after this long without requests; the next request starts it again. */
  idleStopMs?: number;
}

export type ContainerSpec = OllamaSpec | VllmSpec;

export const DEFAULT_IMAGES = { ollama: 'ollama/ollama', vllm: 'vllm/vllm-openai' } as const;
