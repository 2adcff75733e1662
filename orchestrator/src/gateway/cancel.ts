/**
 * A cheap cancellation handle for one gateway request (creating and listening to an AbortSignal costs tens of
 * microseconds per request in Node 20, a visible share of the gateway's budget). One action at a time: the
 * request to the node currently running.
 */
export class Cancel {
  aborted = false;
  private action: (() => void) | undefined;

  /** What to do on abort (replaces the previous action); runs at once when aborted already. */
  onAbort(action: (() => void) | undefined): void {
    if (this.aborted && action) action();
    else this.action = action;
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const action = this.action;
    this.action = undefined;
    action?.();
  }
}
