// The packaged extension (`npm run package` → artifacts/orchion-<version>.vsix, built by
// extension/scripts/package.mjs from extension/dist). A VSIX older than the bundles it should hold is packaged
// again, so a UI test never installs stale code.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './code-server';

const EXTENSION = join(REPO_ROOT, 'extension');

export function vsixPath(): string {
  const { name, version } = JSON.parse(readFileSync(join(EXTENSION, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  return join(REPO_ROOT, 'artifacts', `${name}-${version}.vsix`);
}

/** The newest modification time of the shipped files in extension/dist (the in-host test bundle excluded). */
function newestBundle(dir = join(EXTENSION, 'dist')): number {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory() && e.name === 'test' && dir.endsWith('dist')) continue;
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestBundle(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** The VSIX, packaged now when missing or older than extension/dist; throws with the packager's output. */
export function packagedVsix(): { path: string; packagedNow: boolean } {
  const path = vsixPath();
  const script = join(EXTENSION, 'scripts/package.mjs');
  if (existsSync(path) && statSync(path).mtimeMs >= newestBundle()) return { path, packagedNow: false };
  if (!existsSync(script)) {
    throw new Error(`${path} is missing and extension/scripts/package.mjs does not exist (npm run package)`);
  }
  const r = spawnSync(process.execPath, [script], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0 || !existsSync(path)) {
    throw new Error(`packaging the extension failed (exit ${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
  }
  console.log(`packaged ${path} (it was missing or older than extension/dist)`);
  return { path, packagedNow: true };
}
