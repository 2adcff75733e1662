/**
 * How an attempt's failure is reported (TaskError): a stable code, a message for people, and whether another
 * attempt — here or on another node, as the contract says — may succeed.
 *
 * Retryable (true): failures of this node or this moment, or of one sampling of the output:
 *   model-not-found, runtime-not-found  the scheduler placed the task on a stale view of this node's models (a file
 *                                      was removed, a runtime disabled); another node may serve it, and this node's
 *                                      model list is refreshed at once (CapabilityUpdate) so it is not picked again
 *   model-invalid                      the file is broken here, or failed to load (memory); another copy may load
 *   runtime-crashed, internal, aborted the inference process died or failed; a fresh attempt starts a new one
 *   runtime-unavailable                the inference server (Ollama, vLLM...) could not be reached (it may be back soon)
 *   closed, agent-stopped              this agent is shutting down
 *   timeout                            the attempt ran past timeout_ms (a faster or idler node may finish)
 *   invalid-output                     the output did not satisfy the output schema (another sampling may)
 *   no-slot                            every slot of this agent was busy
 * Not retryable (false): the request itself is wrong and would fail everywhere:
 *   bad-request                        no input, malformed options or messages, a schema that is not JSON...
 *   result-too-large                   the result cannot fit in one message of the session stream
 *   cancelled                          the orchestrator cancelled the attempt (state CANCELLED)
 */
import type { TaskError } from '@orchion/proto';
import { isRuntimeError, type RuntimeErrorCode } from '../runtimes/errors.js';

/** A failure the executor itself decided, with its TaskError code and retryability. */
export class TaskFailure extends Error {
  override readonly name = 'TaskFailure';

  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export const RUNTIME_ERROR_RETRYABLE: Record<RuntimeErrorCode, boolean> = {
  'model-not-found': true,
  'model-invalid': true,
  'runtime-crashed': true,
  'runtime-unavailable': true,
  'bad-request': false,
  aborted: true,
  closed: true,
  internal: true,
};

/** The TaskError for any error an attempt ended with (RuntimeError, TaskFailure or anything else). */
export function taskErrorOf(err: unknown): TaskError {
  if (err instanceof TaskFailure) return { code: err.code, message: err.message, retryable: err.retryable };
  if (isRuntimeError(err)) {
    return { code: err.code, message: err.message, retryable: RUNTIME_ERROR_RETRYABLE[err.code] ?? true };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal', message: `the agent failed to run the task: ${message}`, retryable: true };
}
