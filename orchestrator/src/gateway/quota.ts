/**
 * Per-key limits, pure (time is passed in): requests per minute (a sliding 60 s window) and tokens per UTC day
 * (prompt + completion tokens of finished requests; a request that starts under the limit may finish over it).
 */

export interface KeyLimits {
  id: string;
  name: string;
  requestsPerMinute: number | null;
  tokensPerDay: number | null;
}

export type QuotaVerdict =
  | { ok: true }
  | { ok: false; code: 'rate_limit_exceeded' | 'insufficient_quota'; message: string; retryAfterS: number };

export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

const MINUTE = 60_000;

interface KeyState {
  /** Start times of the requests of the last minute, oldest first. */
  recent: number[];
  day: string;
  tokens: number;
  requests: number;
}

export class QuotaBook {
  private readonly keys = new Map<string, KeyState>();

  /** Starts the day from stored usage (after a restart). */
  seed(keyId: string, day: string, requests: number, tokens: number): void {
    this.keys.set(keyId, { recent: [], day, tokens, requests });
  }

  /** Admits a request (counting it) or says why not. */
  admit(key: KeyLimits, now: number): QuotaVerdict {
    const s = this.state(key.id, now);
    if (key.tokensPerDay !== null && s.tokens >= key.tokensPerDay) {
      const midnight = Date.parse(`${s.day}T00:00:00Z`) + 86_400_000;
      return {
        ok: false,
        code: 'insufficient_quota',
        message: `API key "${key.name}" used ${s.tokens} of its ${key.tokensPerDay} tokens for today (UTC); the quota resets at 00:00 UTC`,
        retryAfterS: Math.max(1, Math.ceil((midnight - now) / 1000)),
      };
    }
    if (key.requestsPerMinute !== null) {
      while (s.recent.length > 0 && s.recent[0]! <= now - MINUTE) s.recent.shift();
      if (s.recent.length >= key.requestsPerMinute) {
        const retryAfterS = Math.max(1, Math.ceil((s.recent[0]! + MINUTE - now) / 1000));
        return {
          ok: false,
          code: 'rate_limit_exceeded',
          message: `API key "${key.name}" is over its limit of ${key.requestsPerMinute} requests per minute; retry in ${retryAfterS} s`,
          retryAfterS,
        };
      }
      s.recent.push(now);
    }
    s.requests++;
    return { ok: true };
  }

  /** Adds the tokens of a finished request. */
  addTokens(keyId: string, tokens: number, now: number): void {
    this.state(keyId, now).tokens += tokens;
  }

  usage(keyId: string, now: number): { day: string; requests: number; tokens: number } {
    const s = this.state(keyId, now);
    return { day: s.day, requests: s.requests, tokens: s.tokens };
  }

  forget(keyId: string): void {
    this.keys.delete(keyId);
  }

  private state(keyId: string, now: number): KeyState {
    const day = utcDay(now);
    let s = this.keys.get(keyId);
    if (!s) this.keys.set(keyId, (s = { recent: [], day, tokens: 0, requests: 0 }));
    if (s.day !== day) {
      s.day = day;
      s.tokens = 0;
      s.requests = 0;
    }
    return s;
  }
}
