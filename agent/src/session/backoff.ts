// Exponential backoff with full jitter for reconnects.
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor?: number;
  random?: () => number;
}

export class Backoff {
  private attempt = 0;

  constructor(private readonly opts: BackoffOptions) {}

  /** The delay before the next attempt: uniform in [0, min(max, initial * factor^attempt)]. */
  next(): number {
    const cap = Math.min(this.opts.maxMs, this.opts.initialMs * (this.opts.factor ?? 2) ** this.attempt);
    this.attempt++;
    return Math.round((this.opts.random ?? Math.random)() * cap);
  }

  reset(): void {
    this.attempt = 0;
  }
}
