// Per-key quotas (pure) and the key ring on a real SQLite file: hashed storage, revocation, usage kept over a
// restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KeyError, KeyRing } from '../../src/gateway/keys';
import { QuotaBook, type KeyLimits } from '../../src/gateway/quota';
import { openDatabase } from '../../src/store/database';
import { SqliteKeyStore } from '../../src/store/key-store';

const key = (over: Partial<KeyLimits> = {}): KeyLimits => ({
  id: 'k1',
  name: 'ci',
  requestsPerMinute: null,
  tokensPerDay: null,
  ...over,
});

describe('QuotaBook', () => {
  it('requests per minute: a sliding window', () => {
    const q = new QuotaBook();
    const k = key({ requestsPerMinute: 2 });
    const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(q.admit(k, t0).ok).toBe(true);
    expect(q.admit(k, t0 + 10_000).ok).toBe(true);
    const refused = q.admit(k, t0 + 20_000);
    expect(refused).toMatchObject({ ok: false, code: 'rate_limit_exceeded', retryAfterS: 40 });
    expect(!refused.ok && refused.message).toBe(
      'API key "ci" is over its limit of 2 requests per minute; retry in 40 s',
    );
    expect(q.admit(k, t0 + 60_001).ok).toBe(true);
    expect(q.usage('k1', t0 + 60_001).requests).toBe(3);
  });

  it('tokens per UTC day, reset at midnight', () => {
    const q = new QuotaBook();
    const k = key({ tokensPerDay: 100 });
    const t0 = Date.UTC(2026, 0, 1, 23, 0, 0);
    expect(q.admit(k, t0).ok).toBe(true);
    q.addTokens('k1', 100, t0);
    const refused = q.admit(k, t0 + 1000);
    expect(refused).toMatchObject({ ok: false, code: 'insufficient_quota', retryAfterS: 3599 });
    expect(q.admit(k, Date.UTC(2026, 0, 2, 0, 0, 1)).ok).toBe(true);
    expect(q.usage('k1', Date.UTC(2026, 0, 2, 0, 0, 1))).toEqual({
      day: '2026-01-02',
      requests: 1,
      tokens: 0,
    });
  });

  it('no limits: always admitted', () => {
    const q = new QuotaBook();
    for (let i = 0; i < 1000; i++) expect(q.admit(key(), i).ok).toBe(true);
  });
});

describe('KeyRing (SQLite)', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('stores only a hash, identifies keys and the admin token, revokes, and keeps usage across a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orchion-keys-'));
    dirs.push(dir);
    const file = join(dir, 'orchion.db');
    let t = Date.UTC(2026, 3, 1, 10, 0, 0);
    const db = openDatabase(file);
    const ring = new KeyRing(new SqliteKeyStore(db), 'admin-secret', () => t);
    const { key, token } = ring.create({ name: 'webui', requestsPerMinute: 10, tokensPerDay: 1000 });
    const rows = db.prepare('SELECT * FROM api_keys').all() as Record<string, unknown>[];
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
    const caller = ring.identify(token)!;
    expect(caller.kind).toBe('key');
    expect(ring.identify('admin-secret')).toEqual({ kind: 'admin' });
    expect(ring.identify('nope')).toBeUndefined();
    expect(ring.admit(caller).ok).toBe(true);
    ring.addTokens(caller, 42);
    ring.flush();
    db.close();

    t += 1000;
    const db2 = openDatabase(file);
    const ring2 = new KeyRing(new SqliteKeyStore(db2), 'admin-secret', () => t);
    const listed = ring2.list()[0]!;
    expect(listed).toMatchObject({ id: key.id, name: 'webui', requestsPerMinute: 10, tokensPerDay: 1000 });
    expect(listed.usage).toEqual({ day: '2026-04-01', requests: 1, tokens: 42 });
    expect(listed.lastUsedAt).not.toBeNull();
    ring2.revoke(key.id);
    expect(ring2.identify(token)).toBeUndefined();
    expect(() => ring2.revoke(key.id)).toThrow(KeyError);
    expect(() => ring2.revoke('key_missing')).toThrow('not found');
    expect(() => ring2.create({ name: '' })).toThrow('name must be 1 to 100 characters');
    expect(() => ring2.create({ name: 'x', tokensPerDay: 0 })).toThrow(
      'tokensPerDay must be a positive integer',
    );
    db2.close();
  });
});
