// The agent's stable identity, kept in its data dir so a restart keeps the same node id.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const NODE_ID_FILE = 'node-id';

export function loadOrCreateNodeId(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, NODE_ID_FILE);
  try {
    const id = readFileSync(path, 'utf8').trim();
    if (/^[A-Za-z0-9._-]{1,64}$/.test(id)) return id;
  } catch {
    // first start
  }
  const id = randomUUID();
  writeFileSync(path, id + '\n', { mode: 0o600 });
  return id;
}
