// The turn's group commit and submits in it: `committed()` resolves only once the group's COMMIT has run (a
// second connection, as after a crash, sees the writes only then), at once when no group is open, and rejects
// when the group could not commit. Submits made through `submitDurably` in one turn share the group's single
// COMMIT and resolve after it, so the POST route acknowledges only committed jobs. Real SQLite files in WAL mode.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { JobEngine } from '../../src/jobs/engine';
import { prepareJob } from '../../src/jobs/submit';
import { systemClock } from '../../src/registry/types';
import { Scheduler } from '../../src/scheduler/scheduler';
import { openDatabase, type Db } from '../../src/store/database';
import { GroupCommit } from '../../src/store/group-commit';
import { SqliteJobStore } from '../../src/store/job-store';

const dirs: string[] = [];
const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) if (db.open) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The orchestrator's database and a second, read-only connection to the same file. */
function files(): { db: Db; reader: Db } {
  const dir = mkdtempSync(join(tmpdir(), 'orchion-group-'));
  dirs.push(dir);
  const db = openDatabase(join(dir, 'orchion.db'));
  const reader = new Database(join(dir, 'orchion.db'), { readonly: true });
  dbs.push(reader, db);
  return { db, reader };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('GroupCommit.committed', () => {
  it('resolves at once when no group is open', async () => {
    const { db } = files();
    await expect(new GroupCommit(db).committed()).resolves.toBeUndefined();
  });

  it('resolves after the COMMIT that made the writes visible to another connection', async () => {
    const { db, reader } = files();
    const group = new GroupCommit(db);
    const count = () => (reader.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    group.run(() =>
      db.prepare("INSERT INTO events (type, time, data) VALUES ('job.created', 1, '{}')").run(),
    );
    let done = false;
    const committed = group.committed().then(() => {
      done = true;
      return count();
    });
    await Promise.resolve();
    expect(done).toBe(false);
    expect(count()).toBe(0);
    // The group commits at the end of the turn.
    await expect(committed).resolves.toBe(1);
  });

  it('rejects when the group could not commit', async () => {
    const { db } = files();
    const group = new GroupCommit(db);
    group.run(() =>
      db.prepare("INSERT INTO events (type, time, data) VALUES ('job.created', 1, '{}')").run(),
    );
    const committed = group.committed();
    db.prepare('ROLLBACK').run();
    await expect(committed).rejects.toThrow('did not commit');
  });
});

describe('JobEngine.submitDurably', () => {
  it('commits the submits of one turn together and resolves after their COMMIT', async () => {
    const { db, reader } = files();
    const group = new GroupCommit(db);
    const engine: JobEngine = new JobEngine({
      store: new SqliteJobStore(db),
      group,
      scheduler: new Scheduler({ clock: systemClock }),
      dispatcher: { assign: () => true, cancel: () => undefined },
      sinks: {
        jobChanged: () => undefined,
        stepChanged: () => undefined,
        logs: () => undefined,
        jobFinished: () => undefined,
      },
      clock: systemClock,
      logger: pino({ enabled: false }),
    });
    const text =
      'apiVersion: orchion/v1\nkind: Pipeline\nmetadata: { name: two }\nsteps:\n  - { id: a, prompt: hi }\n';
    const prepared = prepareJob(text, {});
    if (!prepared.ok) throw new Error('invalid test pipeline');
    const stored = () => ({
      jobs: (reader.prepare('SELECT count(*) AS n FROM jobs').get() as { n: number }).n,
      steps: (reader.prepare('SELECT count(*) AS n FROM steps').get() as { n: number }).n,
    });
    const first = engine.submitDurably(text, prepared.pipeline, prepared.inputs);
    const second = engine.submitDurably(text, prepared.pipeline, prepared.inputs);
    // Both are written in the turn's open transaction, and neither is visible (nor acknowledged) yet.
    expect(db.inTransaction).toBe(true);
    expect(stored()).toEqual({ jobs: 0, steps: 0 });
    let settled = 0;
    void first.then(() => settled++);
    void second.then(() => settled++);
    await Promise.resolve();
    expect(settled).toBe(0);
    const jobs = await Promise.all([first, second]);
    expect(stored()).toEqual({ jobs: 2, steps: 2 });
    expect(new Set(jobs.map((j) => j.id)).size).toBe(2);
    // A submit in a later turn opens (and commits) a group of its own.
    await nextTurn();
    await engine.submitDurably(text, prepared.pipeline, prepared.inputs);
    expect(stored()).toEqual({ jobs: 3, steps: 3 });
  });
});
