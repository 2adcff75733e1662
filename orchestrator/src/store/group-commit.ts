// Group commit: writes made while handling agents' messages in one event-loop turn share one SQLite transaction,
// committed right after the turn (setImmediate). Each engine change still runs in its own nested transaction
// (a savepoint), so a failing change rolls back alone. Acknowledged API writes (a submitted job) do not wait for
// agents' traffic: they commit at the end of the same turn at the latest.
import type { Db } from './database';

export class GroupCommit {
  private open = false;

  constructor(private readonly db: Db) {}

  run<T>(fn: () => T): T {
    if (!this.open && !this.db.inTransaction) {
      this.db.exec('BEGIN');
      this.open = true;
      setImmediate(() => this.flush());
    }
    return fn();
  }

  /** Commits the open group now (before shutdown, or before anything that must be durable at once). */
  flush(): void {
    if (!this.open) return;
    this.open = false;
    if (this.db.open && this.db.inTransaction) this.db.exec('COMMIT');
  }
}
