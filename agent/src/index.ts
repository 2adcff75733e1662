export {
  startAgent,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_CAPABILITY_MS,
  type Agent,
  type AgentConfig,
} from './agent';
export { RUNTIME_NAMES, defaultSlots, defaultThreads, type RuntimeName } from './setup/runtimes';
export { TaskExecutor, type TaskExecutorOptions } from './executor/index';
export { AGENT_VERSION } from './version';
