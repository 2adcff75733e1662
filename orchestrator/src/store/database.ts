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
  `ALTER TABLE nodes ADD COLUMN models TEXT NOT NULL DEFAULT '[]';
   ALTER TABLE nodes ADD COLUMN runtimes TEXT NOT NULL DEFAULT '[]';
   ALTER TABLE nodes ADD COLUMN slots INTEGER NOT NULL DEFAULT 1;
   CREATE TABLE jobs (
     id TEXT PRIMARY KEY,
     seq INTEGER NOT NULL UNIQUE,
     name TEXT NOT NULL,
     state TEXT NOT NULL,
     pipeline_text TEXT NOT NULL,
     pipeline TEXT NOT NULL,
     inputs TEXT NOT NULL,
     outputs TEXT,
     error TEXT,
     created_at INTEGER NOT NULL,
     started_at INTEGER,
     finished_at INTEGER
   );
   CREATE INDEX jobs_by_state ON jobs (state, seq);
   CREATE TABLE steps (
     job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
     step_id TEXT NOT NULL,
     position INTEGER NOT NULL,
     state TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     output TEXT,
     result TEXT,
     error TEXT,
     started_at INTEGER,
     finished_at INTEGER,
     PRIMARY KEY (job_id, step_id)
   );
   CREATE TABLE attempts (
     id TEXT PRIMARY KEY,
     job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
     step_id TEXT NOT NULL,
     attempt INTEGER NOT NULL,
     state TEXT NOT NULL,
     node_id TEXT,
     not_before INTEGER,
     error_code TEXT,
     error TEXT,
     tokens INTEGER NOT NULL DEFAULT 0,
     queued_at INTEGER NOT NULL,
     started_at INTEGER,
     finished_at INTEGER
   );
   CREATE INDEX attempts_by_job ON attempts (job_id, step_id, attempt);
   CREATE INDEX attempts_open ON attempts (state) WHERE state IN ('queued', 'running');
   CREATE TABLE logs (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     job_id TEXT NOT NULL,
     step_id TEXT,
     attempt_id TEXT,
     kind TEXT NOT NULL,
     level TEXT,
     text TEXT NOT NULL,
     time INTEGER NOT NULL
   );
   CREATE INDEX logs_by_job ON logs (job_id, id);`,
  // 3: the gateway's API keys (only a hash of each key is kept) and their daily usage.
  `CREATE TABLE api_keys (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     hash TEXT NOT NULL UNIQUE,
     prefix TEXT NOT NULL,
     requests_per_minute INTEGER,
     tokens_per_day INTEGER,
     created_at INTEGER NOT NULL,
     revoked_at INTEGER,
     last_used_at INTEGER
   );
   CREATE TABLE api_key_usage (
     key_id TEXT NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
     day TEXT NOT NULL,
     requests INTEGER NOT NULL DEFAULT 0,
     tokens INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (key_id, day)
   );`,
];

export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Savepoint and statement journals in memory. Each engine change is a savepoint inside the turn's group
  // transaction, and SQLite keeps the original of every page a savepoint changes in a sub-journal, which it
  // spills to a temporary file past 64 KiB: a file created, written page by page (two pwrite calls a page) and
  // deleted in every group commit, about 30 write calls per chain task. Nothing reads a sub-journal after a
  // crash (the WAL alone is the database's durable state), so keeping it in memory changes no guarantee; its size
  // is bounded by the pages one transaction changes.
  db.pragma('temp_store = MEMORY');
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
