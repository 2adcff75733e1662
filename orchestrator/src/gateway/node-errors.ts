/**
 * How a node's data plane fails, for the dispatcher (shared by the HTTP and the multiplexed transports):
 * NodeFailure (the node or the connection broke, or the node cannot serve: another node may serve the request)
 * and NodeRefused (the node refused the request itself: its code says whether another node may do better).
 */
import type { Cancel } from './cancel';

/** The node or its connection failed (refused, reset, killed mid-stream, stream ended without a result). */
export class NodeFailure extends Error {
  override readonly name = 'NodeFailure';
}

/** The node answered with an error (`code` from the runtimes: bad-request, model-not-found, ...). */
export class NodeRefused extends Error {
  override readonly name = 'NodeRefused';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface GenerateHooks {
  /**
   * A token chunk, as the JSON string literal the node sent (quotes and escapes included): the gateway splices it
   * into the client's chunk as is, without decoding and encoding it again.
   */
  onToken(json: string): void;
  cancel?: Cancel;
}

/** Node-side error codes after which another node may well succeed. */
export const RETRY_ELSEWHERE = new Set([
  'runtime-crashed',
  'runtime-unavailable',
  'closed',
  'internal',
  'model-not-found',
  'runtime-not-found',
  'model-invalid',
  'unauthorized',
  'aborted',
]);

/** The error for a node's error answer (HTTP status and the runtimes' code). */
export function nodeError(status: number, code: string, message: string): Error {
  if (RETRY_ELSEWHERE.has(code) || status >= 500) return new NodeFailure(`${code}: ${message}`);
  return new NodeRefused(status, code, message);
}
