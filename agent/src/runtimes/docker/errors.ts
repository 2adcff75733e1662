/** Why a managed container could not be provided. Messages are meant for node logs and task errors as they are. */
export type ContainerErrorCode =
  /** No Docker Engine answers (no socket, permission denied, not running). */
  | 'engine-unavailable'
  /** GPUs were requested and this node has none (checked before asking Docker). */
  | 'gpu-unavailable'
  /** The image is not local and could not be pulled. */
  | 'image-unavailable'
  /** Docker refused to create or start the container. */
  | 'start-failed'
  /** The server did not answer its health check in time (the message ends with its last log lines). */
  | 'health-timeout'
  /** The container exited before it became healthy (the message ends with its last log lines). */
  | 'exited'
  /** A model the spec asked to pull at start could not be pulled. */
  | 'model-pull-failed'
  /** The runtime exists but cannot serve now (restarting after a crash, or failed for good). */
  | 'unavailable'
  /** No runtime of that name, or the manager is shut down. */
  | 'not-found'
  | 'closed';

export class ContainerError extends Error {
  override readonly name = 'ContainerError';

  constructor(
    readonly code: ContainerErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Error text from dockerode (whose errors carry the engine's JSON `message`) or anything else. */
export function dockerMessage(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { json?: { message?: unknown }; message?: unknown; statusCode?: unknown };
    if (e.json && typeof e.json.message === 'string') return e.json.message;
    if (typeof e.message === 'string') return e.message;
  }
  return String(err);
}

export const statusCode = (err: unknown): number | undefined =>
  err && typeof err === 'object' && typeof (err as { statusCode?: unknown }).statusCode === 'number'
    ? (err as { statusCode: number }).statusCode
    : undefined;
