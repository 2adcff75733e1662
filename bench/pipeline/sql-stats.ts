// `--part engine --sql-stats`: what the engine's store writes per task. Counts the runs and changed rows of each
// prepared statement (grouped by what it does), and reads the WAL that the run left (automatic checkpoints off)
// to count the commits and the pages written, each page mapped to its table or index with `dbstat`.
import { readFileSync, statSync } from 'node:fs';
import type { Db } from '../../orchestrator/src/store/database';
import { f } from '../lib/format';

interface Count {
  runs: number;
  rows: number;
}

/** What a statement does, in a few words: multi-row INSERTs and updates by rowid or by key count together. */
function label(sql: string): string {
  const s = sql.replace(/\s+/g, ' ').trim();
  const m =
    /^(INSERT INTO \w+|UPDATE \w+|DELETE FROM \w+|SELECT|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)/i.exec(s);
  const head = m ? m[1]! : s.slice(0, 30);
  if (/^UPDATE/i.test(head)) return `${head} (${/WHERE rowid/i.test(s) ? 'by rowid' : 'by key'})`;
  if (/^SELECT/i.test(head)) return `SELECT ${/FROM (\w+)/i.exec(s)?.[1] ?? ''}`;
  return head;
}

export class SqlStats {
  private readonly counts = new Map<string, Count>();
  private walStart = 0;

  /** Wraps `db.prepare` so that every statement prepared from now on is counted. Call it before the stores. */
  constructor(
    private readonly db: Db,
    private readonly file: string,
  ) {
    db.pragma('wal_autocheckpoint = 0');
    db.pragma('wal_checkpoint(TRUNCATE)');
    const prepare = db.prepare.bind(db);
    (db as { prepare: Db['prepare'] }).prepare = ((sql: string) => {
      const stmt = prepare(sql);
      const key = label(sql);
      const run = stmt.run.bind(stmt);
      const count = this.counts.get(key) ?? { runs: 0, rows: 0 };
      this.counts.set(key, count);
      (stmt as { run: typeof stmt.run }).run = (...params: unknown[]) => {
        const r = run(...params);
        count.runs++;
        count.rows += r.changes;
        return r;
      };
      return stmt;
    }) as Db['prepare'];
  }

  /** The WAL's size now: what the run writes is measured from here. */
  start(): void {
    this.walStart = walSize(this.file);
    for (const c of this.counts.values()) c.runs = c.rows = 0;
  }

  /** Prints statements, rows, commits and WAL pages per task (call it before the database is closed). */
  report(tasks: number): void {
    const lines = [...this.counts]
      .filter(([, c]) => c.runs > 0)
      .sort((a, b) => b[1].runs - a[1].runs)
      .map(
        ([k, c]) =>
          `  ${k.padEnd(30)} ${f(c.runs / tasks, 2).padStart(6)} runs/task ${f(c.rows / tasks, 2).padStart(6)} rows/task`,
      );
    const total = [...this.counts.values()].reduce((s, c) => s + c.runs, 0);
    console.log(
      `SQL per task (prepared statements only; transactions of db.transaction not counted): ${f(total / tasks, 2)}`,
    );
    for (const l of lines) console.log(l);
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    const names = new Map<number, string>();
    for (const r of this.db.prepare('SELECT name, pageno FROM dbstat').all() as {
      name: string;
      pageno: number;
    }[])
      names.set(r.pageno, r.name);
    const wal = readFileSync(`${this.file}-wal`);
    const frame = pageSize + 24;
    const byName = new Map<string, number>();
    let frames = 0;
    let commits = 0;
    for (let off = Math.max(32, this.walStart); off + frame <= wal.length; off += frame) {
      frames++;
      const page = wal.readUInt32BE(off);
      if (wal.readUInt32BE(off + 4) !== 0) commits++;
      const name = names.get(page) ?? '(free or new)';
      byName.set(name, (byName.get(name) ?? 0) + 1);
    }
    console.log(
      `WAL: ${f(frames / tasks, 2)} pages/task, ${f(commits / tasks, 3)} commits/task, ${f(frames / Math.max(1, commits), 1)} pages/commit; pages/task by b-tree:`,
    );
    for (const [name, n] of [...byName].sort((a, b) => b[1] - a[1]))
      console.log(`  ${name.padEnd(30)} ${f(n / tasks, 2).padStart(6)}`);
  }
}

function walSize(file: string): number {
  try {
    return statSync(`${file}-wal`).size;
  } catch {
    return 0;
  }
}
