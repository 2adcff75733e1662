export { parseAgentConfig, type AgentConfigParseOptions, type AgentConfigParseResult } from './parse.js';
export { agentConfigSchema } from './schema.js';
export { AGENT_CONFIG_CODES, type AgentConfigCode } from './codes.js';
export { RESERVED_RUNTIME_NAMES, assignRuntimeNames, type NameableRuntime } from './names.js';
export {
  AGENT_CONFIG_KIND,
  RUNTIME_TYPES,
  SINGLE_RUNTIME_TYPES,
  isManagedRuntime,
  type AgentConfigFile,
  type ContainerGpus,
  type DockerConfig,
  type EchoRuntimeConfig,
  type EmbeddedGpu,
  type EmbeddedRuntimeConfig,
  type ManagedContainerConfig,
  type ManagedOllamaRuntimeConfig,
  type ManagedRuntimeConfig,
  type OllamaRuntimeConfig,
  type OpenAIRuntimeConfig,
  type RuntimeConfig,
  type RuntimeType,
  type VllmRuntimeConfig,
} from './types.js';
