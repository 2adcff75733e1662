// Files in the orchestrator's data dir besides the database: a single-instance lock and the runtime file
// that tells local CLI commands where the running orchestrator listens.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const RUNTIME_FILE = 'orchestrator.json';
export const LOCK_FILE = 'orchestrator.lock';

export interface RuntimeInfo {
  pid: number;
  version: string;
  httpUrl: string;
  grpcAddress: string;
  startedAt: string;
}

export function defaultDataDir(): string {
  return process.env.ORCHION_DATA_DIR || join(homedir(), '.orchion');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the data dir's lock; throws when another live process holds it. Returns a release function. */
export function lockDataDir(dataDir: string, file = LOCK_FILE, what = 'an orchestrator'): () => void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, file);
  if (existsSync(path)) {
    const pid = Number(readFileSync(path, 'utf8').trim());
    if (pid && pid !== process.pid && alive(pid)) {
      throw new Error(`${what} (pid ${pid}) already uses ${dataDir}; stop it or pass another --data-dir`);
    }
  }
  writeFileSync(path, String(process.pid), { mode: 0o600 });
  return () => {
    try {
      if (readFileSync(path, 'utf8').trim() === String(process.pid)) rmSync(path);
    } catch {
      // already gone
    }
  };
}

export function writeRuntimeInfo(dataDir: string, info: RuntimeInfo): void {
  writeFileSync(join(dataDir, RUNTIME_FILE), JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
}

export function readRuntimeInfo(dataDir: string): RuntimeInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(join(dataDir, RUNTIME_FILE), 'utf8')) as RuntimeInfo;
    return alive(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

export function removeRuntimeInfo(dataDir: string): void {
  rmSync(join(dataDir, RUNTIME_FILE), { force: true });
}
