/**
 * What the model server uses from the agent. @orchion/agent's package entry does not export its runtimes and
 * models yet, so they are imported from its sources here, in one place (bundled by esbuild like any workspace
 * code).
 */
export {
  EmbeddedRuntime,
  RuntimeError,
  isRuntimeError,
  type ChatMessage,
  type EmbedResult,
  type GenerateOptions,
  type GenerateResult,
  type ModelInfo,
  type Runtime,
  type RuntimeErrorCode,
  type StopReason,
  type TokenSink,
} from '../../agent/src/runtimes/index.js';
export { readGgufHeader, type GgufHeader, type GgufValue } from '../../agent/src/models/index.js';
export { ensureDefaultModel } from '../../agent/src/models/index.js';
