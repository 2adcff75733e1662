export {
  startAgent,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_CAPABILITY_MS,
  type Agent,
  type AgentConfig,
} from './agent';
export { AGENT_VERSION } from './version';
