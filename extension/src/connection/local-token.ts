// The token of a local cluster: `orchion up` writes admin.token (mode 0600) into its data dir, as the CLI's
// read commands also find it (ORCHION_DATA_DIR, else ~/.orchion).
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function localDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.ORCHION_DATA_DIR || join(homedir(), '.orchion');
}

/** Whether a URL points at this machine (only then is a local admin.token worth reading). */
export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\./.test(host);
  } catch {
    return false;
  }
}

export async function readLocalToken(dataDir = localDataDir()): Promise<string | undefined> {
  try {
    const token = (await readFile(join(dataDir, 'admin.token'), 'utf8')).trim();
    return token || undefined;
  } catch {
    return undefined;
  }
}
