// When a failed or lost attempt runs again, and after how long: exponential backoff within the step's retries.

export interface BackoffOptions {
  /** Delay before the first retry; doubles for each later one. */
  backoffMs: number;
  maxBackoffMs: number;
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; error: string };

/** The delay before attempt `attempts + 1`, after `attempts` attempts (1 or more). */
export function backoffDelay(attempts: number, opts: BackoffOptions): number {
  return Math.min(opts.maxBackoffMs, opts.backoffMs * 2 ** Math.max(0, attempts - 1));
}

/**
 * After the `attempts`-th attempt of a step ended with `why`: another attempt (a step runs at most
 * `retries + 1` times, and only after retryable failures), or the step's error.
 */
export function retryDecision(
  attempts: number,
  retries: number,
  why: string,
  retryable: boolean,
  opts: BackoffOptions,
): RetryDecision {
  if (retryable && attempts <= retries) return { retry: true, delayMs: backoffDelay(attempts, opts) };
  const tries = retryable ? ` (after ${attempts} attempt${attempts === 1 ? '' : 's'})` : '';
  return { retry: false, error: `${why}${tries}` };
}
