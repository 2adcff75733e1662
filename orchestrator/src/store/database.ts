// Opens the orchestrator's SQLite file (WAL) and applies schema migrations in order.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

/** Each entry migrates from version i to i+1. Append only; never edit a released migration. */
const MIGRATIONS: string[] = [
  `CREATE TABLE nodes (
     id TEXT PRIMARY KEY,
     hostname TEXT NOT NULL,
     labels TEXT NOT NULL,
     agent_version TEXT NOT NULL,
     state TEXT NOT NULL,
     state_reason TEXT NOT NULL,
     capabilities TEXT NOT NULL,
     heartbeat_interval_ms INTEGER NOT NULL,
     address TEXT NOT NULL,
     first_registered_at INTEGER NOT NULL,
     registered_at INTEGER NOT NULL,
     registrations INTEGER NOT NULL,
     last_heartbeat_at INTEGER,
     state_changed_at INTEGER NOT NULL
   );
   CREATE TABLE events (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     type TEXT NOT NULL,
     time INTEGER NOT NULL,
     data TEXT NOT NULL
   );`,
];

export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `the database was written by a newer Orchion (schema ${current}, this one knows ${MIGRATIONS.length})`,
    );
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
