// SQL for the event log that backs SSE resume (`Last-Event-ID`), with a retention bound.
import type { Statement } from 'better-sqlite3';
import type { Db } from './database';

/** Events per INSERT statement. */
const ROWS_PER_INSERT = 100;

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

  /** Multi-row INSERTs, by row count. */
  private readonly inserts = new Map<number, Statement>();

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare('INSERT INTO events (type, time, data) VALUES (?, ?, ?)');
    this.afterStmt = db.prepare('SELECT id, type, time, data FROM events WHERE id > ? ORDER BY id LIMIT ?');
    this.minStmt = db.prepare('SELECT min(id) AS min, max(id) AS max FROM events');
    this.pruneStmt = db.prepare('DELETE FROM events WHERE id <= (SELECT max(id) FROM events) - ?');
  }

  append(type: string, time: number, data: string): number {
    return Number(this.insertStmt.run(type, time, data).lastInsertRowid);
  }

  /** Appends several events (multi-row INSERTs; call it inside a transaction) and returns their ids in order. */
  appendMany(events: { type: string; time: number; data: string }[]): number[] {
    const ids: number[] = [];
    for (let i = 0; i < events.length; i += ROWS_PER_INSERT) {
      const part = events.slice(i, i + ROWS_PER_INSERT);
      const params: unknown[] = [];
      for (const e of part) params.push(e.type, e.time, e.data);
      // One statement's rows get consecutive ids (one connection writes; AUTOINCREMENT never reuses one).
      const last = Number(this.insertMany(part.length).run(params).lastInsertRowid);
      for (let k = part.length - 1; k >= 0; k--) ids.push(last - k);
    }
    return ids;
  }

  private insertMany(rows: number): Statement {
    let stmt = this.inserts.get(rows);
    if (!stmt) {
      const values = Array.from({ length: rows }, () => '(?, ?, ?)').join(', ');
      stmt = this.db.prepare(`INSERT INTO events (type, time, data) VALUES ${values}`);
      this.inserts.set(rows, stmt);
    }
    return stmt;
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
