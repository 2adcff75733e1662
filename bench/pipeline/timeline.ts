// `--timeline` (part 1): where in a run the processes spend their CPU, against the tasks finished meanwhile.
// Samples each process's CPU time every 100 ms while a workload runs, then reads the orchestrator's database
// (read-only, after the run) for when every attempt was queued, placed and finished, and prints per 500 ms:
// tasks finished, jobs submitted, attempts queued and running at the window's end, and each process's CPU per
// finished task. It shows whether a longer run costs more per task throughout or in some phase of it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { f } from '../lib/format';
import { cpuMs } from '../lib/process';
import type { Proc } from './cluster';

const SAMPLE_MS = 100;

/** The process's read and write syscalls and its main thread's voluntary context switches (event-loop waits). */
function syscalls(pid: number): { reads: number; writes: number; waits: number } {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const status = readFileSync(`/proc/${pid}/task/${pid}/status`, 'utf8');
  const field = (text: string, name: string): number =>
    Number(new RegExp(`${name}:\\s+(\\d+)`).exec(text)![1]);
  return {
    reads: field(io, 'syscr'),
    writes: field(io, 'syscw'),
    waits: field(status, 'voluntary_ctxt_switches'),
  };
}

/** CPU ms of each thread of a process, by thread name and id (threads that ended meanwhile are not counted). */
function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(`${name}#${tid}`, ((Number(fields[11]) + Number(fields[12])) * 1000) / 100);
    } catch {
      // The thread ended.
    }
  }
  return out;
}
const WINDOW_MS = 500;

interface Sample {
  t: number;
  cpu: number[];
  submitted: number;
}

export class Timeline {
  private readonly samples: Sample[] = [];
  private readonly threads0: Map<string, number>;
  private readonly sys0: ReturnType<typeof syscalls>;
  private readonly timer: NodeJS.Timeout;
  /** The monotonic clock at the start (µs), the clock of `--cpu-prof` profiles' sample times. */
  private readonly startMonoUs = Number(process.hrtime.bigint() / 1000n);

  constructor(
    private readonly procs: Proc[],
    private readonly submitted: () => number,
  ) {
    this.threads0 = threadCpu(procs[0]!.child.pid!);
    this.sys0 = syscalls(procs[0]!.child.pid!);
    this.sample();
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
  }

  private sample(): void {
    this.samples.push({
      t: Date.now(),
      cpu: this.procs.map((p) => cpuMs(p.child.pid!)),
      submitted: this.submitted(),
    });
  }

  /** Stops sampling and prints the windows, with the attempts of the run read from `dataDir`'s database. */
  report(dataDir: string): void {
    clearInterval(this.timer);
    this.sample();
    const sys = syscalls(this.procs[0]!.child.pid!);
    const threadsNow = threadCpu(this.procs[0]!.child.pid!);
    const t0 = this.samples[0]!.t;
    const t1 = this.samples[this.samples.length - 1]!.t;
    const db = new Database(join(dataDir, 'orchion.db'), { readonly: true, fileMustExist: true });
    const rows = db
      .prepare(
        'SELECT queued_at AS q, started_at AS s, finished_at AS e FROM attempts WHERE queued_at >= ? AND queued_at <= ?',
      )
      .all(t0, t1) as { q: number; s: number | null; e: number | null }[];
    db.close();
    const threads = [...threadsNow]
      .map(([name, ms]) => [name, ms - (this.threads0.get(name) ?? 0)] as const)
      .filter(([, ms]) => ms > 0)
      .sort((x, y) => y[1] - x[1]);
    console.log(
      `  ${this.procs[0]!.name} CPU ms by thread: ${threads.map(([n, ms]) => `${n} ${f(ms)}`).join(', ')}`,
    );
    const tasks = rows.filter((r) => r.e !== null).length;
    const per = (n: number): string => f(n / Math.max(1, tasks), 2);
    console.log(
      `  ${this.procs[0]!.name} per finished task: ${per(sys.reads - this.sys0.reads)} read and ` +
        `${per(sys.writes - this.sys0.writes)} write syscalls, ${per(sys.waits - this.sys0.waits)} event-loop waits`,
    );
    const names = this.procs.map((p) => p.name.replace(/^agent /, 'a'));
    console.log(
      `  timeline (${WINDOW_MS} ms windows): t, tasks finished, jobs submitted, attempts queued/running at the end, ` +
        `CPU µs per finished task (${names.join(', ')}); started at ${this.startMonoUs} µs monotonic`,
    );
    for (let w = t0; w < t1; w += WINDOW_MS) {
      const end = Math.min(w + WINDOW_MS, t1);
      const at = (t: number): Sample =>
        this.samples.reduce((best, s) => (Math.abs(s.t - t) < Math.abs(best.t - t) ? s : best));
      const a = at(w);
      const b = at(end);
      const done = rows.filter((r) => r.e !== null && r.e >= w && r.e < end).length;
      const queued = rows.filter((r) => r.q <= end && (r.s === null || r.s > end)).length;
      const running = rows.filter((r) => r.s !== null && r.s <= end && (r.e === null || r.e > end)).length;
      const cpu = b.cpu.map((c, i) => c - a.cpu[i]!);
      const per = done > 0 ? cpu.map((c) => f((c / done) * 1000)).join(' / ') : '-';
      console.log(
        `  ${f((w - t0) / 1000, 1).padStart(5)} s  ${f(done).padStart(5)} tasks  ${f(b.submitted - a.submitted).padStart(4)} jobs  ` +
          `${f(queued).padStart(5)} q ${f(running).padStart(4)} r   ${per}` +
          `   (CPU ms ${cpu.map((c) => f(c)).join(' / ')})`,
      );
    }
  }
}
