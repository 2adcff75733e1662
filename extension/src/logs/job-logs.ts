// Each job's logs and tokens stream live into its own LogOutputChannel (`Orchion: <pipeline> <short id>`).
// A follow resumes from the last entry after a dropped connection and ends when the job ends.
import type { JobState, LogEntry } from '@orchion/api';
import * as vscode from 'vscode';
import type { Connection } from '../connection/connection';
import type { Logger } from '../util/logger';
import { jobChannelName, LogLineAssembler, type LogLine } from './log-format';

/** Tokens that wait this long for a newline are shown as a partial line. */
const TOKEN_FLUSH_MS = 400;
/** Channels kept at most; the oldest finished ones are closed first. */
const MAX_CHANNELS = 20;
/** Characters of each channel kept for `text()` (the test API reads them; VS Code can't). */
const MIRROR_CHARS = 256 * 1024;

class JobChannel implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  private readonly assembler = new LogLineAssembler();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private mirror = '';
  private controller: AbortController | undefined;
  lastEntryId: number | undefined;
  finished: JobState | undefined;

  constructor(
    readonly jobId: string,
    readonly name: string,
  ) {
    this.channel = vscode.window.createOutputChannel(name, { log: true });
  }

  get following(): boolean {
    return this.controller !== undefined;
  }

  text(): string {
    return this.mirror;
  }

  push(entry: LogEntry): void {
    this.lastEntryId = entry.id;
    this.write(this.assembler.push(entry));
    if (this.assembler.hasPending && !this.flushTimer) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined;
        this.write(this.assembler.flush());
      }, TOKEN_FLUSH_MS);
    }
  }

  /** Writes what is pending, and a last line when given (the job's own end event is already in its log). */
  end(last?: LogLine): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.write([...this.assembler.flush(), ...(last ? [last] : [])]);
  }

  private write(lines: LogLine[]): void {
    for (const line of lines) {
      this.channel[line.level](line.text);
      this.mirror += `${line.text}\n`;
    }
    if (this.mirror.length > MIRROR_CHARS) this.mirror = this.mirror.slice(-MIRROR_CHARS);
  }

  /** Starts a follow; the previous one (if any) is stopped. */
  begin(): AbortSignal {
    this.controller?.abort();
    this.controller = new AbortController();
    return this.controller.signal;
  }

  stop(): void {
    this.controller?.abort();
    this.controller = undefined;
  }

  done(): void {
    this.controller = undefined;
  }

  dispose(): void {
    this.stop();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.channel.dispose();
  }
}

export class JobLogs implements vscode.Disposable {
  private readonly channels = new Map<string, JobChannel>();

  constructor(
    private readonly connection: Connection,
    private readonly log: Logger,
  ) {}

  /** Opens (or reuses) the job's channel and follows its logs until the job ends. */
  follow(jobId: string, pipelineName: string, options: { reveal?: boolean } = {}): void {
    let ch = this.channels.get(jobId);
    if (!ch) {
      ch = new JobChannel(jobId, jobChannelName(pipelineName, jobId));
      this.channels.set(jobId, ch);
      this.trim();
    }
    if (options.reveal) ch.channel.show(true);
    if (!ch.following && ch.finished === undefined) void this.run(ch);
  }

  /** The channel's text as written so far (for the test API). */
  text(jobId: string): string | undefined {
    return this.channels.get(jobId)?.text();
  }

  /** Channel names by job id. */
  names(): Record<string, string> {
    return Object.fromEntries([...this.channels.values()].map((c) => [c.jobId, c.name]));
  }

  private async run(ch: JobChannel): Promise<void> {
    const signal = ch.begin();
    let failures = 0;
    while (!signal.aborted) {
      try {
        const client = this.connection.client;
        const { state } = await client.streamJobLogs(ch.jobId, (e) => ch.push(e), {
          follow: true,
          lastEventId: ch.lastEntryId,
          signal,
        });
        if (signal.aborted) return;
        if (state) {
          ch.finished = state;
          ch.end();
          ch.done();
          return;
        }
        failures = 0;
      } catch (err) {
        if (signal.aborted) return;
        failures++;
        const message = (err as Error).message;
        this.log.debug(`logs of ${ch.jobId}: ${message}`);
        if ((err as { status?: number }).status === 404 || failures >= 30) {
          ch.end({ level: 'warn', text: `— stopped following: ${message}` });
          ch.done();
          return;
        }
      }
      // Dropped connection: resume from the last entry after a short pause.
      await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** Math.min(failures, 5))));
    }
  }

  private trim(): void {
    if (this.channels.size <= MAX_CHANNELS) return;
    const finished = [...this.channels.values()].filter((c) => c.finished !== undefined);
    for (const c of finished.slice(0, this.channels.size - MAX_CHANNELS)) {
      c.dispose();
      this.channels.delete(c.jobId);
    }
  }

  dispose(): void {
    for (const c of this.channels.values()) c.dispose();
    this.channels.clear();
  }
}
