import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateNodeId } from '../../src/identity';

describe('node identity', () => {
  it('is created once and kept', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orchion-id-'));
    const id = loadOrCreateNodeId(dir);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(loadOrCreateNodeId(dir)).toBe(id);
  });

  it('replaces a corrupt id file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orchion-id-'));
    writeFileSync(join(dir, 'node-id'), 'not valid!\n');
    expect(loadOrCreateNodeId(dir)).toMatch(/^[0-9a-f-]{36}$/);
  });
});
