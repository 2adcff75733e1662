/**
 * Task updates (STARTED and the final SUCCEEDED/FAILED/CANCELLED) must reach the orchestrator even when the
 * session is down when they happen: they are held, in order, and sent after the next welcome (`flush`). The
 * hold is bounded; past it the oldest STARTED update is dropped, or else the oldest update (the orchestrator
 * then recovers that attempt by its lease running out).
 */
import type { AgentMessage, TaskUpdate } from '@orchion/proto';

export interface OutboxLink {
  send(msg: AgentMessage): void;
  isConnected(): boolean;
}

export class UpdateOutbox {
  private held: TaskUpdate[] = [];

  constructor(
    private readonly link: OutboxLink,
    private readonly max: number,
    private readonly onDrop: (update: TaskUpdate) => void = () => undefined,
  ) {}

  /** Sends now (after anything held) when connected, else holds. */
  send(update: TaskUpdate): void {
    if (this.flush()) {
      this.link.send({ task: update });
      return;
    }
    this.held.push(update);
    if (this.held.length > this.max) {
      // Final updates matter more than STARTED ones: drop the oldest STARTED first.
      const started = this.held.findIndex((u) => u.state === 'TASK_STATE_STARTED');
      this.onDrop(this.held.splice(Math.max(0, started), 1)[0]!);
    }
  }

  /** Sends what is held when connected. Returns whether the link is connected (nothing is held then). */
  flush(): boolean {
    if (!this.link.isConnected()) return false;
    const held = this.held;
    this.held = [];
    for (const update of held) this.link.send({ task: update });
    return true;
  }

  /** Attempts whose final update waits for a session (the orchestrator should keep their leases). */
  finishedAttempts(): string[] {
    const finished = new Set<string>();
    for (const u of this.held) if (u.state !== 'TASK_STATE_STARTED') finished.add(u.attemptId ?? '');
    return [...finished];
  }

  get size(): number {
    return this.held.length;
  }
}
