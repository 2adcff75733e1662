export {
  startAgent,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_CAPABILITY_MS,
  type Agent,
  type AgentConfig,
} from './agent';
export {
  RUNTIME_NAMES,
  defaultSlots,
  defaultThreads,
  runtimeConfigs,
  setupRuntimes,
  type RuntimeEntry,
  type RuntimeName,
  type RuntimeSetup,
  type RuntimeSetupOptions,
} from './setup/runtimes';
export {
  configuredRuntimes,
  isHttpUrl,
  resolveRuntimes,
  type ResolveRuntimesOptions,
  type RuntimeFlags,
} from './setup/config';
export { detectOllama, isLoopbackUrl, LOCAL_OLLAMA_URL } from './setup/detect';
export { managedSpec, type DockerSettings, type ManagedRuntimeSpec } from './setup/managed';
export { ModelLister, toWireModel } from './setup/model-list';
export { TaskExecutor, type TaskExecutorOptions } from './executor/index';
export { AGENT_VERSION } from './version';
// The runtimes (not the Docker manager: see runtimes/docker) and the models dir helpers.
export * from './runtimes/index';
export {
  ensureDefaultModel,
  readGgufHeader,
  writeTinyModel,
  GgufFormatError,
  TINY_MODEL_NAME,
  type GgufHeader,
  type GgufValue,
} from './models/index';
export { DataPlaneServer, type DataPlaneServerOptions } from './dataplane/index';
