// Savepoints in memory (`temp_store = MEMORY`): each engine change is a savepoint inside the turn's group
// transaction. Its sub-journal is kept in memory instead of spilling to a temporary file, and a change that
// fails still rolls back alone, also when it changed far more than the 64 KiB at which SQLite would spill, while
// the changes around it commit (on a real database file in WAL mode, as the orchestrator opens it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/store/database';
import { GroupCommit } from '../../src/store/group-commit';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function open(): { db: Db; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'orchion-savepoints-'));
  dirs.push(dir);
  const file = join(dir, 'orchion.db');
  return { db: openDatabase(file), file };
}

/** 2,000 event rows of 200 characters: about 100 pages of 4 KiB. */
function fill(db: Db): void {
  const insert = db.prepare("INSERT INTO events (type, time, data) VALUES ('job.created', ?, ?)");
  db.transaction(() => {
    for (let i = 0; i < 2000; i++) insert.run(i, 'x'.repeat(200));
  })();
}

const texts = (db: Db): Map<string, number> => {
  const out = new Map<string, number>();
  for (const r of db
    .prepare('SELECT substr(data, 1, 1) AS c, count(*) AS n FROM events GROUP BY c')
    .all() as {
    c: string;
    n: number;
  }[])
    out.set(r.c, r.n);
  return out;
};

describe('savepoints of the group commit', () => {
  it('keeps temporary journals in memory', () => {
    const { db } = open();
    expect(db.pragma('temp_store', { simple: true })).toBe(2);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('rolls a failed change back alone, past the spill size, and commits the others', () => {
    const { db, file } = open();
    fill(db);
    const group = new GroupCommit(db);
    const change = db.transaction((fn: () => void) => fn());
    const rewrite = db.prepare('UPDATE events SET data = ? WHERE id % 2 = ?');
    group.run(() => {
      // Changes every page (about 400 KiB of originals in the sub-journal), then fails: rolled back alone.
      expect(() =>
        change(() => {
          rewrite.run('b'.repeat(200), 0);
          rewrite.run('b'.repeat(200), 1);
          throw new Error('the change failed');
        }),
      ).toThrow('the change failed');
      // The next change in the same group commits.
      change(() => rewrite.run('a'.repeat(200), 0));
    });
    group.flush();
    expect(db.inTransaction).toBe(false);
    db.close();
    // Read back from the file: half rewritten, the failed change gone.
    const again = openDatabase(file);
    expect(texts(again)).toEqual(
      new Map([
        ['a', 1000],
        ['x', 1000],
      ]),
    );
    again.close();
  });
});
