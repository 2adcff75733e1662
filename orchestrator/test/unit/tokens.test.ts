import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearer, ensureTokens, tokenMatches } from '../../src/auth/tokens';

describe('tokens', () => {
  it('creates both tokens once with mode 0600 and reuses them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orchion-tokens-'));
    const first = ensureTokens(dir);
    expect(first.created).toEqual({ admin: true, join: true });
    expect(first.admin).toMatch(/^orch_[\w-]{32}$/);
    expect(first.join).toMatch(/^join_[\w-]{32}$/);
    expect(statSync(join(dir, 'admin.token')).mode & 0o777).toBe(0o600);
    const second = ensureTokens(dir);
    expect(second).toEqual({ ...first, created: { admin: false, join: false } });
  });

  it('prefers explicit tokens and does not write them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orchion-tokens-'));
    const t = ensureTokens(dir, { admin: 'A', join: 'J' });
    expect([t.admin, t.join]).toEqual(['A', 'J']);
    expect(() => readFileSync(join(dir, 'admin.token'))).toThrow();
  });

  it('matches tokens exactly', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abd', 'abc')).toBe(false);
    expect(tokenMatches('', 'abc')).toBe(false);
    expect(tokenMatches(undefined, 'abc')).toBe(false);
  });

  it('reads bearer headers', () => {
    expect(bearer('Bearer x.y')).toBe('x.y');
    expect(bearer('bearer   tok ')).toBe('tok');
    expect(bearer('Basic abc')).toBeUndefined();
    expect(bearer(['Bearer a'])).toBe('a');
    expect(bearer(undefined)).toBeUndefined();
  });
});
