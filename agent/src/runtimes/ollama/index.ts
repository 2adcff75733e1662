export { OllamaRuntime, displayName as ollamaDisplayName, type OllamaRuntimeOptions } from './runtime.js';
export type { OllamaPullProgress } from './protocol.js';
