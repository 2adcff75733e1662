/**
 * The gateway's API keys: create (the secret is returned once, its SHA-256 stored), list, revoke; who a bearer
 * token is (the admin token, an active key, or nobody) in one hash lookup; quotas (quota.ts) and usage, written
 * to SQLite in one batch every few seconds rather than once per request.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ApiKeyView, CreateKeyRequest } from '@orchion/api';
import { tokenMatches } from '../auth/tokens';
import type { KeyRecord, KeyUsageDelta, SqliteKeyStore } from '../store/key-store';
import { QuotaBook, utcDay, type QuotaVerdict } from './quota';

export type Caller = { kind: 'admin' } | { kind: 'key'; key: KeyRecord };

const hashOf = (token: string): string => createHash('sha256').update(token).digest('hex');

export class KeyError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class KeyRing {
  private readonly byHash = new Map<string, KeyRecord>();
  private readonly byId = new Map<string, KeyRecord>();
  private readonly quotas = new QuotaBook();
  private pending = new Map<string, KeyUsageDelta>();
  /** Valid tokens presented lately → their caller. */
  private readonly recent = new Map<string, Caller>();

  constructor(
    private readonly store: SqliteKeyStore,
    private readonly adminToken: string,
    private readonly now: () => number = Date.now,
  ) {
    for (const k of store.list()) {
      this.byId.set(k.id, k);
      if (k.revokedAt === null) this.byHash.set(k.hash, k);
    }
    const day = utcDay(this.now());
    for (const [id, u] of store.usage(day)) this.quotas.seed(id, day, u.requests, u.tokens);
  }

  /** Who presents `token`: the admin, an active key, or undefined. */
  identify(token: string | undefined): Caller | undefined {
    if (!token) return undefined;
    const seen = this.recent.get(token);
    if (seen) return seen;
    const key = this.byHash.get(hashOf(token));
    const caller: Caller | undefined = key
      ? { kind: 'key', key }
      : tokenMatches(token, this.adminToken)
        ? { kind: 'admin' }
        : undefined;
    // Valid tokens seen lately skip the hashing (cleared whenever a key is revoked).
    if (caller) {
      if (this.recent.size >= 1024) this.recent.clear();
      this.recent.set(token, caller);
    }
    return caller;
  }

  /** Admits one request of the caller (admin: always). */
  admit(caller: Caller): QuotaVerdict {
    if (caller.kind === 'admin') return { ok: true };
    const now = this.now();
    const verdict = this.quotas.admit(caller.key, now);
    if (verdict.ok) this.note(caller.key.id, 1, 0, now);
    return verdict;
  }

  /** Counts the tokens of a finished request. */
  addTokens(caller: Caller, tokens: number): void {
    if (caller.kind === 'admin' || tokens <= 0) return;
    const now = this.now();
    this.quotas.addTokens(caller.key.id, tokens, now);
    this.note(caller.key.id, 0, tokens, now);
  }

  create(req: CreateKeyRequest): { key: ApiKeyView; token: string } {
    const name = typeof req?.name === 'string' ? req.name.trim() : '';
    if (!name || name.length > 100)
      throw new KeyError(400, 'bad_request', 'name must be 1 to 100 characters');
    const limit = (v: unknown, what: string): number | null => {
      if (v === undefined || v === null) return null;
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
        throw new KeyError(400, 'bad_request', `${what} must be a positive integer or null`);
      }
      return v;
    };
    const token = `ork_${randomBytes(24).toString('base64url')}`;
    const record: KeyRecord = {
      id: `key_${randomBytes(6).toString('hex')}`,
      name,
      hash: hashOf(token),
      prefix: token.slice(0, 10),
      requestsPerMinute: limit(req.requestsPerMinute, 'requestsPerMinute'),
      tokensPerDay: limit(req.tokensPerDay, 'tokensPerDay'),
      createdAt: this.now(),
      revokedAt: null,
      lastUsedAt: null,
    };
    this.store.create(record);
    this.byId.set(record.id, record);
    this.byHash.set(record.hash, record);
    return { key: this.view(record), token };
  }

  list(): ApiKeyView[] {
    return [...this.byId.values()].map((k) => this.view(k));
  }

  /** Revokes a key at once (its next request is refused); 404 when unknown, 409 when revoked already. */
  revoke(id: string): ApiKeyView {
    const key = this.byId.get(id);
    if (!key) throw new KeyError(404, 'not_found', `API key ${id} not found`);
    if (key.revokedAt !== null) throw new KeyError(409, 'conflict', `API key ${id} is revoked already`);
    key.revokedAt = this.now();
    this.store.revoke(id, key.revokedAt);
    this.byHash.delete(key.hash);
    this.recent.clear();
    return this.view(key);
  }

  /** Writes the usage gathered since the last flush. */
  flush(): void {
    if (this.pending.size === 0) return;
    const deltas = [...this.pending.values()];
    this.pending = new Map();
    this.store.addUsage(deltas);
  }

  private note(keyId: string, requests: number, tokens: number, now: number): void {
    const day = utcDay(now);
    const k = `${keyId} ${day}`;
    const d = this.pending.get(k);
    if (d) {
      d.requests += requests;
      d.tokens += tokens;
      d.lastUsedAt = now;
    } else this.pending.set(k, { keyId, day, requests, tokens, lastUsedAt: now });
    const key = this.byId.get(keyId);
    if (key) key.lastUsedAt = now;
  }

  private view(k: KeyRecord): ApiKeyView {
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return {
      id: k.id,
      name: k.name,
      prefix: k.prefix,
      requestsPerMinute: k.requestsPerMinute,
      tokensPerDay: k.tokensPerDay,
      createdAt: new Date(k.createdAt).toISOString(),
      revokedAt: iso(k.revokedAt),
      lastUsedAt: iso(k.lastUsedAt),
      usage: this.quotas.usage(k.id, this.now()),
    };
  }
}
