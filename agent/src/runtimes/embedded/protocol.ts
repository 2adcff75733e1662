/** Messages between the embedded runtime (parent) and its llama.cpp worker process, over Node's IPC channel. */
import type { RuntimeErrorCode } from '../errors.js';
import type { ChatMessage, GenerateOptions, StopReason } from '../types.js';

/** Settings passed to the worker as its single command-line argument (JSON). */
export interface WorkerConfig {
  /** `false` for CPU only; 'auto' picks CUDA/Vulkan/Metal when available. */
  gpu: 'auto' | 'cuda' | 'vulkan' | 'metal' | false;
  threads: number;
  /** Generation context size in tokens; undefined: the model's training context, capped at 4096. */
  contextSize?: number;
}

interface ModelRef {
  id: number;
  /** Name reported back in 'loaded'; path of the already-validated GGUF file. */
  model: string;
  modelPath: string;
}

export type ParentMessage =
  | (ModelRef & { type: 'complete'; prompt: string; options: GenerateOptions })
  | (ModelRef & {
      type: 'chat';
      messages: ChatMessage[];
      options: GenerateOptions;
      /** Continue this assistant answer; the result holds only what follows it. */
      assistantPrefix?: string;
    })
  | (ModelRef & { type: 'embed'; input: string[] })
  | { type: 'abort'; id: number }
  | { type: 'shutdown' };

export interface WorkerGenerateResult {
  text: string;
  stopReason: StopReason;
  promptTokens: number;
  completionTokens: number;
  /** Prompt evaluation + generation, excluding model loading. */
  durationMs: number;
}

export interface WorkerEmbedResult {
  embeddings: number[][];
  dimensions: number;
  promptTokens: number;
}

/** The backend llama.cpp runs on in a worker: a GPU API, or false for the CPU. */
export type WorkerBackend = 'cuda' | 'vulkan' | 'metal' | false;

/** The backend llama.cpp picked in a worker and the GPUs it sees. */
export interface WorkerBackendInfo {
  gpu: WorkerBackend;
  devices: string[];
}

export type WorkerMessage =
  /** Sent once llama.cpp is initialised. */
  | ({ type: 'backend' } & WorkerBackendInfo)
  | { type: 'loaded'; model: string }
  | { type: 'tokens'; id: number; text: string }
  | { type: 'result'; id: number; result: WorkerGenerateResult | WorkerEmbedResult }
  | { type: 'error'; id: number; code: RuntimeErrorCode; message: string };
