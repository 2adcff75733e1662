/**
 * When to give up llama.cpp's GPU backend for the CPU. The prebuilt CUDA/Vulkan binaries can load and then abort
 * the process at the first kernel: on a driver older than the toolkit that built them, say (seen on an H200 with
 * driver 580: "CUDA error: the provided PTX was compiled with an unsupported toolchain"). With gpu 'auto' the user
 * asked for "the GPU if it works", so such a crash moves the runtime to the CPU; with an explicit backend the
 * crash is reported as it is. A crash counts as the backend's only if the worker ran on a GPU and its output names
 * that backend, so a model that aborts llama.cpp on any device does not cost the GPU.
 */
import type { WorkerBackend, WorkerConfig } from './protocol.js';
import { tellingLine } from './worker-process.js';

const NAMES: Record<Exclude<WorkerBackend, false>, string> = {
  cuda: 'CUDA',
  vulkan: 'Vulkan',
  metal: 'Metal',
};

export const backendName = (gpu: WorkerBackend): string => (gpu ? NAMES[gpu] : 'the CPU');

/** Why the crash is the GPU backend's (the telling line of the worker's output), or undefined if it is not. */
export function gpuCrashCause(
  configured: WorkerConfig['gpu'],
  backend: WorkerBackend,
  output: string,
): string | undefined {
  if (configured !== 'auto' || backend === false) return undefined;
  if (!new RegExp(`\\b${backend}|ggml[-_]${backend}`, 'i').test(output)) return undefined;
  return tellingLine(output) ?? `the ${NAMES[backend]} backend crashed`;
}
