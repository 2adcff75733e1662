// SQL for the event log that backs SSE resume (`Last-Event-ID`), with a retention bound.
import type { Db } from './database';

export interface StoredEvent {
  id: number;
  type: string;
  time: number;
  data: string;
}

export class SqliteEventStore {
  private readonly insertStmt;
  private readonly afterStmt;
  private readonly minStmt;
  private readonly pruneStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare('INSERT INTO events (type, time, data) VALUES (?, ?, ?)');
    this.afterStmt = db.prepare('SELECT id, type, time, data FROM events WHERE id > ? ORDER BY id LIMIT ?');
    this.minStmt = db.prepare('SELECT min(id) AS min, max(id) AS max FROM events');
    this.pruneStmt = db.prepare('DELETE FROM events WHERE id <= (SELECT max(id) FROM events) - ?');
  }

  append(type: string, time: number, data: string): number {
    return Number(this.insertStmt.run(type, time, data).lastInsertRowid);
  }

  after(id: number, limit: number): StoredEvent[] {
    return this.afterStmt.all(id, limit) as StoredEvent[];
  }

  /** Oldest and newest retained ids (null when empty). */
  bounds(): { min: number | null; max: number | null } {
    return this.minStmt.get() as { min: number | null; max: number | null };
  }

  /** Keeps the newest `keep` events. */
  prune(keep: number): number {
    return this.pruneStmt.run(keep).changes;
  }
}
