// Group commit: writes made while handling agents' messages in one event-loop turn share one SQLite transaction,
// committed right after the turn (setImmediate). Each engine change still runs in its own nested transaction
// (a savepoint), so a failing change rolls back alone. Writes that the engine buffers during the turn (agents'
// output) are made by the `beforeCommit` hooks, inside the transaction. Acknowledged API writes (a submitted
// job) do not wait for agents' traffic: they commit at the end of the same turn at the latest, and a caller
// that acknowledges a write made in a group waits for `committed()` first.
import type { Db } from './database';

export class GroupCommit {
  private open = false;
  private readonly hooks: (() => void)[] = [];
  /** Callers waiting for the open group's COMMIT. */
  private waiters: { resolve(): void; reject(err: Error): void }[] = [];
  private readonly begin;
  private readonly commit;

  constructor(private readonly db: Db) {
    this.begin = db.prepare('BEGIN');
    this.commit = db.prepare('COMMIT');
  }

  /** `hook` runs right before each group's COMMIT (and before `flush` commits). It should not throw. */
  beforeCommit(hook: () => void): void {
    this.hooks.push(hook);
  }

  run<T>(fn: () => T): T {
    if (!this.open && !this.db.inTransaction) {
      this.begin.run();
      this.open = true;
      setImmediate(() => this.flush());
    }
    return fn();
  }

  /**
   * Resolves once the writes made so far are committed: after the open group's COMMIT, or at once when no group
   * is open (writes made outside a group commit by themselves). Rejects when that COMMIT fails.
   */
  committed(): Promise<void> {
    if (!this.open) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Commits the open group now (before shutdown, or before anything that must be durable at once). */
  flush(): void {
    if (!this.open) return;
    const waiters = this.waiters;
    this.waiters = [];
    let committed = false;
    try {
      if (this.db.open && this.db.inTransaction) for (const hook of this.hooks) hook();
    } finally {
      this.open = false;
      try {
        if (this.db.open && this.db.inTransaction) {
          this.commit.run();
          committed = true;
        }
      } finally {
        for (const w of waiters) {
          if (committed) w.resolve();
          else
            w.reject(new Error('the group commit did not commit (the database was closed or rolled back)'));
        }
      }
    }
  }
}
