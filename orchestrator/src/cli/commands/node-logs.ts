// `orchion node logs ID [--follow]`: a node's log lines, with pull progress drawn as a progress bar on a terminal
// (redrawn in place) and as plain percentage lines otherwise (one per whole percent at most, so logs stay short).
import { progressPercent, type NodeLogEntry } from '@orchion/api';
import { bytes } from '../format';

export interface PrinterOptions {
  /** Draw progress bars (redrawn with \r); false: percentage lines. */
  tty: boolean;
  write(text: string): void;
  /** Terminal width for the bar. Default 80. */
  columns?: number;
}

const time = (iso: string): string => iso.slice(11, 19);

/** Renders node log entries as text; keeps the state of the progress line being drawn. */
export class NodeLogPrinter {
  /** The subject whose bar is on the current (unterminated) terminal line. */
  private open: string | undefined;
  /** Last percentage printed per subject (non-TTY). */
  private readonly printed = new Map<string, number | string>();

  constructor(private readonly o: PrinterOptions) {}

  print(e: NodeLogEntry): void {
    if (e.progress) return this.progress(e);
    this.closeBar();
    const level = e.level === 'info' ? '' : `${e.level.toUpperCase()} `;
    this.o.write(`${time(e.time)} ${e.source ? `[${e.source}] ` : ''}${level}${e.text}\n`);
  }

  /** Ends a bar left open (before exiting). */
  finish(): void {
    this.closeBar();
  }

  private progress(e: NodeLogEntry): void {
    const p = e.progress!;
    const pct = progressPercent(p);
    const amount = p.total > 0 ? ` ${bytes(p.completed)} / ${bytes(p.total)}` : '';
    if (!this.o.tty) {
      // One line per new whole percent (or per status while the size is unknown), and one when done.
      const key = pct ?? p.status;
      if (this.printed.get(p.subject) === key && !p.done) return;
      if (p.done && this.printed.get(p.subject) === 'done') return;
      this.printed.set(p.subject, p.done ? 'done' : key);
      const what = pct === undefined ? '' : ` ${pct}%`;
      this.o.write(`${time(e.time)} pull ${p.subject}:${what}${amount} ${p.status}\n`);
      return;
    }
    if (this.open !== undefined && this.open !== p.subject) this.closeBar();
    const label = `${p.subject} `;
    const tail = ` ${pct === undefined ? '  ?' : String(pct).padStart(3)}%${amount}`;
    const width = Math.max(10, Math.min(40, (this.o.columns ?? 80) - label.length - tail.length - 4));
    const filled = pct === undefined ? 0 : Math.round((pct / 100) * width);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
    this.o.write(`\r\x1b[2K${label}${bar}${tail}`);
    this.open = p.subject;
    if (p.done) {
      this.o.write(` ${p.status}\n`);
      this.open = undefined;
    }
  }

  private closeBar(): void {
    if (this.open === undefined) return;
    this.o.write('\n');
    this.open = undefined;
  }
}
