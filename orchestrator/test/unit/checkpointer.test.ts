import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKSTOP_PAGES, startCheckpoints, type Checkpointer } from '../../src/store/checkpointer';
import { openDatabase, type Db } from '../../src/store/database';

const dirs: string[] = [];
const open: { db: Db; cp: Checkpointer }[] = [];

afterEach(async () => {
  for (const { db, cp } of open.splice(0)) {
    await cp.stop();
    if (db.open) db.close();
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(): { db: Db; cp: Checkpointer; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'orchion-checkpointer-'));
  dirs.push(dir);
  const file = join(dir, 'orchion.db');
  const db = openDatabase(file);
  // Long waits: the test asks for its checkpoints itself.
  const cp = startCheckpoints(db, { idleMs: 60_000, busyMs: 60_000 });
  open.push({ db, cp });
  return { db, cp, file };
}

const pageCount = (db: Db) => db.pragma('page_count', { simple: true }) as number;

describe('Checkpointer', () => {
  it('copies the WAL into the database file from its own thread, and the WAL starts over after it', async () => {
    const { db, cp, file } = setup();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(BACKSTOP_PAGES);
    const insert = db.prepare('INSERT INTO events (type, time, data) VALUES (?, ?, ?)');
    const write = db.transaction((n: number) => {
      for (let i = 0; i < n; i++) insert.run('node.updated', i, 'x'.repeat(500));
    });
    write(2000);
    const sizeBefore = statSync(file).size;
    const r = await cp.checkpoint();
    expect(r.busy).toBe(0);
    expect(r.log).toBeGreaterThan(200);
    expect(r.checkpointed).toBe(r.log);
    // The pages are in the database file now.
    expect(statSync(file).size).toBeGreaterThan(sizeBefore);
    expect(statSync(file).size).toBe(pageCount(db) * 4096);
    // Fully copied: the next write starts the WAL from its beginning.
    write(1);
    const again = await cp.checkpoint();
    expect(again.log).toBeLessThan(10);
    expect(db.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: 2001 });
  });

  it('never blocks the writer: writes go on while it checkpoints', async () => {
    const { db, cp } = setup();
    const insert = db.prepare('INSERT INTO events (type, time, data) VALUES (?, ?, ?)');
    for (let round = 0; round < 20; round++) {
      const pending = cp.checkpoint();
      db.transaction(() => {
        for (let i = 0; i < 200; i++) insert.run('node.updated', i, 'y'.repeat(300));
      })();
      const r = await pending;
      expect(r.busy).toBe(0);
    }
    expect(db.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: 4000 });
    expect(cp.count).toBeGreaterThanOrEqual(20);
  });

  it('stops: later checkpoints are refused and the database closes cleanly', async () => {
    const { db, cp } = setup();
    await cp.stop();
    await expect(cp.checkpoint()).rejects.toThrow(/stopped/);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
  });

  it('reports a database it cannot open, and stays stopped', async () => {
    const errors: string[] = [];
    const { Checkpointer } = await import('../../src/store/checkpointer');
    const cp = new Checkpointer(join(tmpdir(), 'orchion-no-such-dir', 'missing.db'), {
      onError: (m) => errors.push(m),
    });
    await expect(cp.checkpoint()).rejects.toThrow(/stopped/);
    expect(errors.join(' ')).toMatch(/unable to open|does not exist|directory/i);
  });
});
