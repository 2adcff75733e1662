// Turns a job's log entries (tokens, log lines, job events) into lines for a log channel (pure). Tokens are
// fragments of text: they are gathered per step into lines, emitted at each newline, when another entry
// interrupts them, when the job ends, or when `flush` is called (the adapter calls it when tokens pause).
import type { LogEntry } from '@orchion/api';

export type LineLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface LogLine {
  level: LineLevel;
  text: string;
}

/** Maps the API's log levels (pino names and a few aliases) to a channel's levels. */
export function lineLevel(level: string | null | undefined): LineLevel {
  switch ((level ?? '').toLowerCase()) {
    case 'trace':
      return 'trace';
    case 'debug':
      return 'debug';
    case 'warn':
    case 'warning':
      return 'warn';
    case 'error':
    case 'fatal':
      return 'error';
    default:
      return 'info';
  }
}

const prefix = (stepId: string | null): string => (stepId ? `[${stepId}] ` : '');

export class LogLineAssembler {
  /** Pending token text per step ('' key for tokens without a step). */
  private readonly pending = new Map<string, string>();
  /** Whether a step's current line was already partly emitted (continuations are marked with "…"). */
  private readonly continued = new Set<string>();

  /** Lines that the entry completes (may be none while tokens gather). */
  push(entry: LogEntry): LogLine[] {
    const key = entry.stepId ?? '';
    if (entry.kind === 'token') {
      const text = (this.pending.get(key) ?? '') + entry.text;
      const parts = text.split(/\r?\n/);
      const rest = parts.pop()!;
      const lines = parts.map((p) => this.tokenLine(key, p));
      if (rest) this.pending.set(key, rest);
      else this.pending.delete(key);
      return lines;
    }
    const lines = this.flushKey(key);
    const level = entry.kind === 'event' ? lineLevel(entry.level ?? 'info') : lineLevel(entry.level);
    const text = entry.kind === 'event' ? `— ${entry.text}` : entry.text;
    for (const part of text.split(/\r?\n/)) lines.push({ level, text: prefix(entry.stepId) + part });
    return lines;
  }

  /** Emits every step's pending tokens as (partial) lines. */
  flush(): LogLine[] {
    const lines: LogLine[] = [];
    for (const key of [...this.pending.keys()]) {
      const text = this.pending.get(key)!;
      this.pending.delete(key);
      lines.push(this.tokenLine(key, text, true));
    }
    return lines;
  }

  /** Whether tokens are waiting for a newline. */
  get hasPending(): boolean {
    return this.pending.size > 0;
  }

  private flushKey(key: string): LogLine[] {
    const text = this.pending.get(key);
    if (text === undefined) {
      this.continued.delete(key);
      return [];
    }
    this.pending.delete(key);
    const line = this.tokenLine(key, text);
    return [line];
  }

  private tokenLine(key: string, text: string, partial = false): LogLine {
    const cont = this.continued.has(key) ? '… ' : '';
    if (partial) this.continued.add(key);
    else this.continued.delete(key);
    return { level: 'info', text: `${prefix(key || null)}${cont}${text}` };
  }
}

/** The name of a job's log channel: `Orchion: <pipeline name> <short job id>`. */
export function jobChannelName(pipelineName: string, jobId: string): string {
  return `Orchion: ${pipelineName} ${jobId.slice(0, 8)}`;
}
