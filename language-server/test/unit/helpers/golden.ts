/** Golden files: compared as text; `UPDATE_GOLDEN=1` rewrites them (review the diff before committing). */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { expect } from 'vitest';

export function expectGolden(file: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    if (process.env.CI) throw new Error(`golden file missing: ${file}`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    if (process.env.UPDATE_GOLDEN !== '1') throw new Error(`golden file created, review it: ${file}`);
    return;
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}
