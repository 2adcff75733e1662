// Starts a real code-server (VS Code 1.100.3's server, installed by scripts/code-server.sh) for tests: its own
// config, user-data and extensions dirs under a temp folder, quiet settings, `--auth none`, a free loopback port,
// the caller's environment passed through to the extension host, and stopped by process group.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Settings that keep the workbench quiet and offline (no walkthrough editor, no port forwarding, no updates). */
export const QUIET_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'remote.autoForwardPorts': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
};

/**
 * The code-server binary: $ORCHION_CODE_SERVER_BIN, else what `scripts/code-server.sh path` prints (the cache
 * folder it installs into). Undefined when not installed.
 */
export function codeServerBinary(): string | undefined {
  const fromEnv = process.env.ORCHION_CODE_SERVER_BIN;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  const r = spawnSync('bash', [join(REPO_ROOT, 'scripts/code-server.sh'), 'path'], { encoding: 'utf8' });
  const path = r.stdout.trim();
  return r.status === 0 && path && existsSync(path) ? path : undefined;
}

/**
 * How a host/UI test file treats a missing code-server: skipped on a developer machine without it, but a failure
 * under CI (where `.ci/run` installs it). Returns the binary, or undefined to skip.
 */
export function requireCodeServer(): string | undefined {
  const bin = codeServerBinary();
  if (bin || !process.env.CI) return bin;
  throw new Error(
    'code-server is not installed, and CI is set: run `scripts/code-server.sh install` ' +
      '(or set ORCHION_CODE_SERVER_BIN)',
  );
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface CodeServerOptions {
  binary: string;
  /** Extra environment for code-server (and so for its extension host), on top of this process's. */
  env?: Record<string, string>;
  /** Settings merged over QUIET_SETTINGS. */
  settings?: Record<string, unknown>;
  /** An extensions dir to use (e.g. one a VSIX was installed into); a fresh empty one by default. */
  extensionsDir?: string;
  /** The folder the workbench opens when the URL names none. */
  folder?: string;
  /** Keep the temp dir after stop (for debugging). */
  keepDir?: boolean;
}

export interface CodeServer {
  url: string;
  port: number;
  /** host:port, the remote authority in `vscode-remote://` URIs. */
  authority: string;
  dir: string;
  extensionsDir: string;
  pid: number;
  /** code-server's stdout and stderr so far. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Installs a VSIX into an extensions dir with the same binary (offline: a file, no gallery). Its own config and
 * user-data dirs (temporary), so nothing is written to ~/.config/code-server or ~/.local/share/code-server.
 */
export function installExtension(binary: string, vsix: string, extensionsDir: string): void {
  mkdirSync(extensionsDir, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'orchion-code-server-install-'));
  try {
    writeFileSync(join(dir, 'config.yaml'), 'auth: none\ncert: false\n');
    const args = ['--config', join(dir, 'config.yaml'), '--user-data-dir', join(dir, 'data')];
    args.push('--extensions-dir', extensionsDir, '--install-extension', vsix, '--force');
    const r = spawnSync(binary, args, { encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) {
      const why = `${r.status ?? r.signal}`;
      throw new Error(`code-server --install-extension ${vsix} failed (${why}):\n${r.stdout}${r.stderr}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function waitHealthy(url: string, alive: () => boolean, output: () => string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`code-server exited before answering /healthz:\n${output()}`);
    try {
      if ((await fetch(`${url}healthz`, { signal: AbortSignal.timeout(2_000) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`code-server did not answer ${url}healthz within ${timeoutMs} ms:\n${output()}`);
}

export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServer> {
  const dir = mkdtempSync(join(tmpdir(), 'orchion-code-server-'));
  const userDataDir = join(dir, 'data');
  const extensionsDir = opts.extensionsDir ?? join(dir, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...QUIET_SETTINGS, ...opts.settings }, null, 2),
  );
  // Its own config file, so ~/.config/code-server/config.yaml (a generated password) is never read or written.
  const config = join(dir, 'config.yaml');
  writeFileSync(config, 'auth: none\ncert: false\n');
  const port = await freePort();
  const args = [
    '--config',
    config,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    ...(opts.folder ? [opts.folder] : []),
  ];
  // detached: its own process group (setsid), so stop() reaches the file watcher and extension host too.
  const child = spawn(opts.binary, args, {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid!;
  const alive = () => child.exitCode === null && child.signalCode === null;
  const groupAlive = () => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const stop = async () => {
    for (const [signal, waitMs] of [
      ['SIGTERM', 5_000],
      ['SIGKILL', 2_000],
    ] as const) {
      if (!groupAlive()) break;
      try {
        process.kill(-pid, signal);
      } catch {
        break;
      }
      const deadline = Date.now() + waitMs;
      while (groupAlive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    }
    if (alive()) await exited;
    if (!opts.keepDir) rmSync(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}/`;
  try {
    await waitHealthy(url, alive, () => out, 60_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, port, authority: `127.0.0.1:${port}`, dir, extensionsDir, pid, output: () => out, stop };
}

/**
 * The workbench URL for a folder. code-server's CLI refuses --extensionDevelopmentPath / --extensionTestsPath,
 * but the workbench takes them from the URL's `payload` as `vscode-remote://` URIs on the server.
 */
export function workbenchUrl(
  server: Pick<CodeServer, 'url' | 'authority'>,
  o: { folder: string; extensionDevelopmentPath?: string; extensionTestsPath?: string },
): string {
  const remote = (p: string) => `vscode-remote://${server.authority}${resolve(p)}`;
  const payload: [string, string][] = [];
  if (o.extensionDevelopmentPath)
    payload.push(['extensionDevelopmentPath', remote(o.extensionDevelopmentPath)]);
  if (o.extensionTestsPath) payload.push(['extensionTestsPath', remote(o.extensionTestsPath)]);
  const query = `folder=${encodeURIComponent(resolve(o.folder))}`;
  return `${server.url}?${query}${payload.length ? `&payload=${encodeURIComponent(JSON.stringify(payload))}` : ''}`;
}
