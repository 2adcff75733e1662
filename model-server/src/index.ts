export {
  createModelServer,
  API_NAMES,
  type ApiName,
  type ModelServer,
  type ModelServerOptions,
} from './app.js';
export { RuntimeHost, type HostStats, type RuntimeHostOptions, type LoadedModel } from './host.js';
export { parseConfig, ConfigError, USAGE, type ServerConfig } from './config.js';
export { parseKeepAlive, type KeepAliveMs } from './keep-alive.js';
export { OLLAMA_API_VERSION } from './ollama/index.js';
