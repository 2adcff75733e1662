// SQL for the gateway's API keys: only the SHA-256 of each key is stored; usage is kept per key and UTC day.
import type { Db } from './database';

export interface KeyRecord {
  id: string;
  name: string;
  /** SHA-256 (hex) of the secret. */
  hash: string;
  prefix: string;
  requestsPerMinute: number | null;
  tokensPerDay: number | null;
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

export interface KeyUsageDelta {
  keyId: string;
  day: string;
  requests: number;
  tokens: number;
  lastUsedAt: number;
}

interface KeyRow {
  id: string;
  name: string;
  hash: string;
  prefix: string;
  requests_per_minute: number | null;
  tokens_per_day: number | null;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

export class SqliteKeyStore {
  private readonly insertKey;
  private readonly revokeKey;
  private readonly allKeys;
  private readonly usageOfDay;
  private readonly addUsageRow;
  private readonly touchKey;

  constructor(private readonly db: Db) {
    this.insertKey = db.prepare(`INSERT INTO api_keys (id, name, hash, prefix, requests_per_minute,
      tokens_per_day, created_at) VALUES (@id, @name, @hash, @prefix, @requestsPerMinute, @tokensPerDay,
      @createdAt)`);
    this.revokeKey = db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
    this.allKeys = db.prepare('SELECT * FROM api_keys ORDER BY created_at, id');
    this.usageOfDay = db.prepare('SELECT key_id, requests, tokens FROM api_key_usage WHERE day = ?');
    this.addUsageRow = db.prepare(`INSERT INTO api_key_usage (key_id, day, requests, tokens)
      VALUES (@keyId, @day, @requests, @tokens) ON CONFLICT (key_id, day) DO UPDATE SET
      requests = requests + excluded.requests, tokens = tokens + excluded.tokens`);
    this.touchKey = db.prepare(
      'UPDATE api_keys SET last_used_at = MAX(COALESCE(last_used_at, 0), ?) WHERE id = ?',
    );
  }

  create(key: Omit<KeyRecord, 'revokedAt' | 'lastUsedAt'>): void {
    this.insertKey.run(key);
  }

  /** Marks a key revoked; false when it does not exist or was revoked already. */
  revoke(id: string, at: number): boolean {
    return this.revokeKey.run(at, id).changes > 0;
  }

  list(): KeyRecord[] {
    return (this.allKeys.all() as KeyRow[]).map((r) => ({
      id: r.id,
      name: r.name,
      hash: r.hash,
      prefix: r.prefix,
      requestsPerMinute: r.requests_per_minute,
      tokensPerDay: r.tokens_per_day,
      createdAt: r.created_at,
      revokedAt: r.revoked_at,
      lastUsedAt: r.last_used_at,
    }));
  }

  /** Usage of one UTC day (YYYY-MM-DD), by key id. */
  usage(day: string): Map<string, { requests: number; tokens: number }> {
    const rows = this.usageOfDay.all(day) as { key_id: string; requests: number; tokens: number }[];
    return new Map(rows.map((r) => [r.key_id, { requests: r.requests, tokens: r.tokens }]));
  }

  /** Adds usage gathered in memory, in one transaction. */
  addUsage(deltas: readonly KeyUsageDelta[]): void {
    if (deltas.length === 0) return;
    this.db.transaction(() => {
      for (const d of deltas) {
        this.addUsageRow.run(d);
        this.touchKey.run(d.lastUsedAt, d.keyId);
      }
    })();
  }
}
