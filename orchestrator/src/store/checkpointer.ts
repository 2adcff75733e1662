// WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the COMMIT that takes the WAL
// past `wal_autocheckpoint` pages, on the orchestrator's only thread: it copies the WAL's pages into the
// database file and fsyncs both, which stalled that thread for 5–100 ms every few dozen commits under load.
// Here a worker thread with its own connection runs PASSIVE checkpoints (they never block the orchestrator's
// reads or writes), again as soon as one ends while the WAL still has frames it did not copy, and every
// `idleMs` otherwise. The main connection keeps a high `wal_autocheckpoint` (database.ts) as a backstop for a
// worker that falls behind. Durability is unchanged: a commit is durable once it is in the WAL, as before.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Db } from './database';

/** The worker's code (CommonJS, run with `eval`: the orchestrator ships as one bundle). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('synchronous = NORMAL');
parentPort.on('message', (msg) => {
  if (msg === 'stop') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ busy: r.busy, log: r.log, checkpointed: r.checkpointed });
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message ? err.message : err) });
  }
});
`;

export interface CheckpointResult {
  /** 1 when another checkpoint held the lock. */
  busy: number;
  /** Frames in the WAL, and how many of them are in the database file now. */
  log: number;
  checkpointed: number;
}

interface Waiter {
  resolve(r: CheckpointResult): void;
  reject(err: Error): void;
}

export interface CheckpointerOptions {
  /** Wait between checkpoints while the previous one copied every frame (ms). */
  idleMs?: number;
  /** Wait before the next checkpoint when the previous one left frames behind (ms). */
  busyMs?: number;
  /** A checkpoint failed (the next one is tried as usual). */
  onError?: (message: string) => void;
}

/** WAL pages at which the main connection checkpoints by itself (a backstop; SQLite's default is 1,000). */
export const BACKSTOP_PAGES = 10_000;

/** Starts background checkpoints of `db`'s file and raises its own automatic checkpoint to the backstop. */
export function startCheckpoints(db: Db, opts: CheckpointerOptions = {}): Checkpointer {
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  return new Checkpointer(db.name, opts);
}

export class Checkpointer {
  private readonly worker: Worker;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;
  /** Callers waiting for the checkpoint in flight, and for the one after it. */
  private current: Waiter[] = [];
  private next: Waiter[] = [];
  /** Checkpoints run so far (tests, diagnostics). */
  count = 0;
  /** The WAL's size in frames at the last checkpoint. */
  private lastLog = -1;

  constructor(
    file: string,
    private readonly opts: CheckpointerOptions = {},
  ) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver } });
    this.worker.unref();
    this.worker.on('message', (msg: CheckpointResult | { error: string }) => this.finished(msg));
    this.worker.on('error', (err) => this.opts.onError?.(err.message));
    this.worker.on('exit', () => {
      // Stopped, or it failed (the backstop checkpoints go on in the main connection).
      this.stopped = true;
      clearTimeout(this.timer);
      for (const w of [...this.current, ...this.next]) w.reject(new Error('the checkpoint worker stopped'));
      this.current = [];
      this.next = [];
    });
    this.schedule(this.opts.idleMs ?? 200);
  }

  /** Resolves with the result of a checkpoint that starts after this call. */
  checkpoint(): Promise<CheckpointResult> {
    if (this.stopped) return Promise.reject(new Error('the checkpoint worker stopped'));
    return new Promise((resolve, reject) => {
      this.next.push({ resolve, reject });
      this.run();
    });
  }

  /** Stops the worker (after the checkpoint in flight, if any); its connection closes. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage('stop');
    await exited;
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => this.run(), ms);
    this.timer.unref();
  }

  private run(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    this.current = this.next;
    this.next = [];
    this.worker.postMessage('checkpoint');
  }

  private finished(msg: CheckpointResult | { error: string }): void {
    this.running = false;
    this.count++;
    const waiting = this.current;
    this.current = [];
    if ('error' in msg) {
      this.opts.onError?.(msg.error);
      for (const w of waiting) w.reject(new Error(msg.error));
      this.schedule(this.opts.idleMs ?? 200);
      return;
    }
    for (const w of waiting) w.resolve(msg);
    if (this.next.length > 0) return this.run();
    // While the WAL grows, chase it (frames written while a checkpoint copies are left for the next one), so
    // that a checkpoint catches up at a quiet moment and the WAL starts again from its beginning.
    const growing = msg.busy !== 0 || msg.checkpointed < msg.log || msg.log !== this.lastLog;
    this.lastLog = msg.log;
    this.schedule(growing ? (this.opts.busyMs ?? 20) : (this.opts.idleMs ?? 200));
  }
}
