// Group commit: writes made while handling agents' messages in one event-loop turn share one SQLite transaction,
// committed right after the turn (setImmediate). Each engine change still runs in its own nested transaction
// (a savepoint), so a failing change rolls back alone. Writes that the engine buffers during the turn (agents'
// output) are made by the `beforeCommit` hooks, inside the transaction. Acknowledged API writes (a submitted
// job) do not wait for agents' traffic: they commit at the end of the same turn at the latest.
import type { Db } from './database';

export class GroupCommit {
  private open = false;
  private readonly hooks: (() => void)[] = [];
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

  /** Commits the open group now (before shutdown, or before anything that must be durable at once). */
  flush(): void {
    if (!this.open) return;
    try {
      if (this.db.open && this.db.inTransaction) for (const hook of this.hooks) hook();
    } finally {
      this.open = false;
      if (this.db.open && this.db.inTransaction) this.commit.run();
    }
  }
}
