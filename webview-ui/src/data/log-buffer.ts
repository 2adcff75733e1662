// A job's log as the log view shows it (pure): entries in id order, consecutive tokens of one attempt joined into
// one block of text, bounded in size, with case-insensitive search over the blocks.
import type { LogEntry, LogKind } from '@orchion/api';

export interface LogBlock {
  /** The id of the block's first entry (stable: the view's key). */
  id: number;
  /** Id of its last entry. */
  lastId: number;
  kind: LogKind;
  stepId: string | null;
  attemptId: string | null;
  level: string | null;
  time: string;
  text: string;
  /** Token entries joined into this block. */
  tokens: number;
}

export interface SearchMatch {
  /** Index into `blocks`. */
  block: number;
  start: number;
  end: number;
}

export class LogBuffer {
  private readonly list: LogBlock[] = [];
  private lastSeen = 0;
  private chars = 0;
  /** Blocks dropped from the start to stay under the bound. */
  dropped = 0;
  /** Token entries seen, with their times (for tokens per second). */
  private readonly tokenTimes: number[] = [];
  totalTokens = 0;

  constructor(private readonly maxChars = 2_000_000) {}

  get blocks(): readonly LogBlock[] {
    return this.list;
  }

  /** The id to resume the stream from. */
  get lastId(): number {
    return this.lastSeen;
  }

  /** Adds entries (duplicates and out-of-order ids, e.g. after a resume, are ignored). Returns how many were new. */
  append(entries: readonly LogEntry[]): number {
    let added = 0;
    for (const e of entries) {
      if (e.id <= this.lastSeen) continue;
      this.lastSeen = e.id;
      added++;
      const last = this.list[this.list.length - 1];
      if (e.kind === 'token') {
        this.totalTokens++;
        const t = Date.parse(e.time);
        if (Number.isFinite(t)) this.tokenTimes.push(t);
        if (this.tokenTimes.length > 4096) this.tokenTimes.splice(0, 1024);
      }
      if (e.kind === 'token' && last?.kind === 'token' && last.attemptId === e.attemptId) {
        last.text += e.text;
        last.lastId = e.id;
        last.tokens++;
      } else {
        this.list.push({
          id: e.id,
          lastId: e.id,
          kind: e.kind,
          stepId: e.stepId,
          attemptId: e.attemptId,
          level: e.level,
          time: e.time,
          text: e.text,
          tokens: e.kind === 'token' ? 1 : 0,
        });
      }
      this.chars += e.text.length;
    }
    while (this.chars > this.maxChars && this.list.length > 1) {
      this.chars -= this.list.shift()!.text.length;
      this.dropped++;
    }
    return added;
  }

  /** Every occurrence of `query` (case-insensitive), in order; none for an empty query. */
  search(query: string): SearchMatch[] {
    const q = query.toLowerCase();
    if (!q) return [];
    const matches: SearchMatch[] = [];
    this.list.forEach((b, block) => {
      const text = b.text.toLowerCase();
      for (let i = text.indexOf(q); i >= 0; i = text.indexOf(q, i + q.length)) {
        matches.push({ block, start: i, end: i + q.length });
      }
    });
    return matches;
  }

  /** Tokens per second over the last `windowMs` before `now`, by entry time. */
  tokenRate(now: number, windowMs = 5000): number {
    let n = 0;
    for (let i = this.tokenTimes.length - 1; i >= 0 && this.tokenTimes[i]! > now - windowMs; i--) n++;
    return n / (windowMs / 1000);
  }

  /** Token entry times (epoch ms), oldest first: for the tokens-per-second chart. */
  tokenTimestamps(): readonly number[] {
    return this.tokenTimes;
  }
}

/** Splits a block's text into plain and highlighted parts for its matches (`current` marks the selected one). */
export function highlightParts(
  text: string,
  matches: readonly { start: number; end: number; current: boolean }[],
): { text: string; match: boolean; current: boolean }[] {
  const parts: { text: string; match: boolean; current: boolean }[] = [];
  let at = 0;
  for (const m of matches) {
    if (m.start > at) parts.push({ text: text.slice(at, m.start), match: false, current: false });
    parts.push({ text: text.slice(m.start, m.end), match: true, current: m.current });
    at = m.end;
  }
  if (at < text.length || parts.length === 0)
    parts.push({ text: text.slice(at), match: false, current: false });
  return parts;
}
