/**
 * What the model server uses from the agent, imported from its sources here, in one place (bundled by esbuild
 * like any workspace code). @orchion/agent's package entry exports all of this too, but bundling through it keeps
 * the imports of @grpc/grpc-js, pino and systeminformation (external packages the bundle must assume have side
 * effects), which model-server/dist does not ship. Switch once agent/package.json declares "sideEffects": false:
 * the bundle then keeps exactly its current imports.
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
