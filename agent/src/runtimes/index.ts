export type {
  ChatMessage,
  ChatRequest,
  CompletionRequest,
  EmbedRequest,
  EmbedResult,
  GenerateOptions,
  GenerateResult,
  ModelInfo,
  Runtime,
  StopReason,
  TokenSink,
} from './types.js';
export { RuntimeError, isRuntimeError, type RuntimeErrorCode } from './errors.js';
export { validateStructuredOutput, type StructuredOutput } from './structured.js';
export { EchoRuntime, echoTokens, type EchoRuntimeOptions } from './echo.js';
export {
  EmbeddedRuntime,
  defaultWorkerPath,
  type EmbeddedRuntimeOptions,
  type WorkerConfig,
} from './embedded/index.js';
export {
  OllamaRuntime,
  ollamaDisplayName,
  type OllamaRuntimeOptions,
  type OllamaPullProgress,
} from './ollama/index.js';
export { OpenAIRuntime, openaiApiRoot, type OpenAIRuntimeOptions } from './openai/index.js';
