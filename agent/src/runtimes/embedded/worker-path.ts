import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WORKER_FILE = 'llama-worker.js';

/**
 * Where the bundled worker (agent/dist/llama-worker.js, built by scripts/build.mjs) is, wherever this module
 * runs from: bundled into agent/dist (beside it), from source (tests), or bundled into another package's
 * dist such as the orchion CLI (found through node_modules/@orchion/agent).
 */
export function defaultWorkerPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, WORKER_FILE), join(here, '..', '..', '..', 'dist', WORKER_FILE)];
  for (const dir of createRequire(import.meta.url).resolve.paths('@orchion/agent') ?? []) {
    candidates.push(join(dir, '@orchion', 'agent', 'dist', WORKER_FILE));
  }
  return candidates.find((p) => existsSync(p)) ?? (candidates[0] as string);
}
