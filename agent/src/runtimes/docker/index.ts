export { DockerRuntimeManager } from './manager.js';
export { ContainerRuntime, type ContainerRuntimeOptions } from './container-runtime.js';
export type {
  ContainerLogLine,
  CrashReport,
  DockerRuntimeManagerOptions,
  RuntimeLease,
  StartOptions,
} from './manager.js';
export type { ManagedRuntime, RuntimeState } from './managed-container.js';
export { connectDocker, type DockerConnection } from './connect.js';
export { engineInfo, type EngineInfo } from './engine-info.js';
export { ensureImage, type PullProgress, type PullProgressSink } from './image.js';
export { ContainerError, type ContainerErrorCode } from './errors.js';
export { detectNvidiaGpus, gpuDeviceRequests, type GpuRequest } from './gpus.js';
export { createOptions, planHash } from './create-options.js';
export { planFor } from './plan-for.js';
export { ollamaPlan } from './ollama-plan.js';
export { vllmPlan } from './vllm-plan.js';
export { LABEL } from './labels.js';
export { DEFAULT_IMAGES, type ContainerSpec, type OllamaSpec, type VllmSpec } from './specs.js';
export type { ModelPullProgress } from './ollama-pull.js';
