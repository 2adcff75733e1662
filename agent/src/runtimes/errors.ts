export type RuntimeErrorCode =
  /** No model of that name in this runtime. */
  | 'model-not-found'
  /** The model file exists but cannot be loaded (malformed GGUF, missing keys or tensors, load failure). */
  | 'model-invalid'
  /** The process running inference died mid-request; the next request starts a fresh one. */
  | 'runtime-crashed'
  /** The request itself is wrong (no messages, a schema the grammar cannot express, prompt too long...). */
  | 'bad-request'
  /** An embedding request was aborted (generations resolve with stopReason 'aborted' instead). */
  | 'aborted'
  /** The runtime was closed. */
  | 'closed'
  /** The server behind a client runtime (Ollama, OpenAI-compatible) cannot be reached: refused, reset, timed out. */
  | 'runtime-unavailable'
  | 'internal';

/** The only error type runtimes reject with. */
export class RuntimeError extends Error {
  override readonly name = 'RuntimeError';

  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const isRuntimeError = (err: unknown, code?: RuntimeErrorCode): err is RuntimeError =>
  err instanceof RuntimeError && (code === undefined || err.code === code);
