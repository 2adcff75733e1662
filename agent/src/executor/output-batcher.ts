/**
 * Batches one attempt's token chunks and log lines into TaskOutput messages: a batch goes out every `flushMs` or
 * at `maxChunks` chunks, whichever comes first, and always before the attempt's final update (`finish`). The
 * first batch goes out on the next timer tick rather than after `flushMs`, so followers see the first tokens at
 * once (what arrives in the same tick still shares it, and an attempt that ends in that tick sends one batch).
 *
 * Backpressure: while the stream cannot take more (`canSend()` false), nothing is written; token text is merged
 * into the last pending token chunk (memory grows with the generated text only, which the result holds anyway)
 * and at most `maxLogLines` log lines are kept (the oldest are dropped and a "… K log lines dropped" line takes
 * their place). Generation never waits for the stream.
 */
import type { AgentMessage, OutputChunk } from '@orchion/proto';

export interface OutputLimits {
  /** Longest wait before pending chunks are sent (default 25 ms). */
  flushMs: number;
  /** Chunks per TaskOutput message; reaching it sends at once (default 64). */
  maxChunks: number;
  /** Log lines kept while the stream is backpressured (default 200). */
  maxLogLines: number;
  /** Text bytes per TaskOutput message, well under the stream's 1 MiB message limit (default 256 KiB). */
  maxMessageBytes: number;
}

export const DEFAULT_OUTPUT_LIMITS: OutputLimits = {
  flushMs: 25,
  maxChunks: 64,
  maxLogLines: 200,
  maxMessageBytes: 256 * 1024,
};

export interface OutputSink {
  send(msg: AgentMessage): void;
  /** Whether the stream takes more output now. */
  canSend(): boolean;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

interface Chunk {
  kind: 'TOKEN' | 'LOG';
  text: string;
  level: string;
  timeMs: number;
}

/** Overhead counted per chunk on top of its text (field tags, level, time). */
const CHUNK_OVERHEAD = 24;

export class OutputBatcher {
  private pending: Chunk[] = [];
  private logLines = 0;
  private droppedLogs = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Whether a batch was sent (the first goes out at once, later ones every flushMs). */
  private sentAny = false;

  constructor(
    private readonly attemptId: string,
    private readonly sink: OutputSink,
    private readonly limits: OutputLimits = DEFAULT_OUTPUT_LIMITS,
  ) {}

  /** Chunks waiting to be sent (diagnostics and tests). */
  get pendingChunks(): number {
    return this.pending.length;
  }

  /** Characters of text waiting to be sent (diagnostics and tests). */
  get pendingChars(): number {
    return this.pending.reduce((n, c) => n + c.text.length, 0);
  }

  token(text: string): void {
    if (this.closed || text === '') return;
    const last = this.pending[this.pending.length - 1];
    if (last?.kind === 'TOKEN' && !this.sink.canSend()) {
      last.text += text;
      this.arm();
      return;
    }
    this.push({ kind: 'TOKEN', text, level: '', timeMs: Date.now() });
  }

  log(level: LogLevel, text: string): void {
    if (this.closed) return;
    if (this.logLines >= this.limits.maxLogLines) {
      this.droppedLogs++;
      const oldest = this.pending.findIndex((c) => c.kind === 'LOG');
      if (oldest < 0) return this.arm(); // maxLogLines 0: keep only the count
      this.pending.splice(oldest, 1);
      this.logLines--;
      // The token chunks around the dropped line become one, so chunks stay bounded by the log lines kept.
      const before = this.pending[oldest - 1];
      const after = this.pending[oldest];
      if (before?.kind === 'TOKEN' && after?.kind === 'TOKEN') {
        before.text += after.text;
        this.pending.splice(oldest, 1);
      }
    }
    this.logLines++;
    this.push({ kind: 'LOG', text, level, timeMs: Date.now() });
  }

  /** Sends pending chunks while the stream takes them; polls again later if it does not. */
  flush(): void {
    this.clearTimer();
    while (this.hasPending() && this.sink.canSend()) this.sendBatch();
    if (this.hasPending()) this.arm();
  }

  /** Sends everything pending, writable or not, and takes no more: call it right before the final update. */
  finish(): void {
    this.closed = true;
    this.clearTimer();
    while (this.hasPending()) this.sendBatch();
  }

  /** Drops everything pending and takes no more (there is no session to send it on). Returns the chunk count. */
  discard(): number {
    this.closed = true;
    this.clearTimer();
    const n = this.pending.length;
    this.pending = [];
    this.logLines = 0;
    this.droppedLogs = 0;
    return n;
  }

  private hasPending(): boolean {
    return this.pending.length > 0 || this.droppedLogs > 0;
  }

  private push(chunk: Chunk): void {
    this.pending.push(chunk);
    if (this.pending.length >= this.limits.maxChunks && this.sink.canSend()) this.flush();
    else this.arm();
  }

  private arm(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.flush();
      },
      this.sentAny ? this.limits.flushMs : 0,
    );
  }

  private clearTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private sendBatch(): void {
    const chunks: OutputChunk[] = [];
    let bytes = 0;
    if (this.droppedLogs > 0) {
      const text = `… ${this.droppedLogs} log line${this.droppedLogs === 1 ? '' : 's'} dropped (the stream was slow)`;
      chunks.push({ kind: 'LOG', text, level: 'warn', timeMs: Date.now() });
      bytes += text.length + CHUNK_OVERHEAD;
      this.droppedLogs = 0;
    }
    while (chunks.length < this.limits.maxChunks && this.pending.length > 0) {
      const chunk = this.pending[0]!;
      const size = Buffer.byteLength(chunk.text) + CHUNK_OVERHEAD;
      if (bytes + size > this.limits.maxMessageBytes) {
        if (chunks.length > 0) break;
        // One merged chunk bigger than a message: send its head now, keep the rest.
        const cut = cutIndex(chunk.text, this.limits.maxMessageBytes - CHUNK_OVERHEAD);
        chunks.push({ ...chunk, text: chunk.text.slice(0, cut) });
        chunk.text = chunk.text.slice(cut);
        break;
      }
      chunks.push(chunk);
      this.pending.shift();
      if (chunk.kind === 'LOG') this.logLines--;
      bytes += size;
    }
    this.sentAny = true;
    this.sink.send({ output: { attemptId: this.attemptId, chunks } });
  }
}

/** An index at which `text` can be cut so that its head is at most `maxBytes` of UTF-8, never inside a pair. */
export function cutIndex(text: string, maxBytes: number): number {
  // A UTF-16 code unit is at most 3 bytes of UTF-8 (a surrogate pair: 4 bytes for 2 units).
  let cut = Math.max(1, Math.min(text.length, Math.floor(maxBytes / 3)));
  const code = text.charCodeAt(cut - 1);
  if (cut < text.length && code >= 0xd800 && code <= 0xdbff && cut > 1) cut--;
  return cut;
}
