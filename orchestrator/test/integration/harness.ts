// Starts real orchestrator and agent processes (the built CLI) on loopback for integration tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OrchionClient } from '@orchion/api';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export function tempDir(prefix = 'orchion-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

export interface Proc {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): void;
}

export function runCli(args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ORCHION_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((res) =>
    child.on('exit', (code, signal) => res(code ?? signal ?? -1)),
  );
  return {
    child,
    output: () => out,
    exited,
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** Runs a CLI command to completion. */
export async function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | string; output: string }> {
  const p = runCli(args, env);
  const code = await p.exited;
  return { code, output: p.output() };
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 15_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${lastErr ? `: ${(lastErr as Error).message}` : ''}`);
}

export interface OrchestratorProc extends Proc {
  dataDir: string;
  httpUrl: string;
  grpcAddress: string;
  adminToken: string;
  joinToken: string;
  client: OrchionClient;
}

export async function startOrchestratorProc(opts: {
  dataDir: string;
  httpPort: number;
  grpcPort: number;
  extra?: string[];
}): Promise<OrchestratorProc> {
  const p = runCli([
    'orchestrator',
    '--data-dir',
    opts.dataDir,
    '--http-addr',
    `127.0.0.1:${opts.httpPort}`,
    '--grpc-addr',
    `127.0.0.1:${opts.grpcPort}`,
    '--sweep-interval',
    '100ms',
    '--reconnect-grace',
    '5s',
    '--log-format',
    'json',
    ...(opts.extra ?? []),
  ]);
  const httpUrl = `http://127.0.0.1:${opts.httpPort}`;
  await waitFor('orchestrator health', async () => {
    if (p.child.exitCode !== null) throw new Error(`orchestrator exited: ${p.output()}`);
    return (await fetch(`${httpUrl}/healthz`)).ok;
  });
  const adminToken = readFileSync(join(opts.dataDir, 'admin.token'), 'utf8').trim();
  const joinToken = readFileSync(join(opts.dataDir, 'join.token'), 'utf8').trim();
  return {
    ...p,
    dataDir: opts.dataDir,
    httpUrl,
    grpcAddress: `127.0.0.1:${opts.grpcPort}`,
    adminToken,
    joinToken,
    client: new OrchionClient({ url: httpUrl, token: adminToken }),
  };
}

export function startAgentProc(opts: {
  orchestrator: string;
  joinToken: string;
  dataDir: string;
  heartbeat?: string;
  labels?: Record<string, string>;
  extra?: string[];
}): Proc {
  return runCli([
    'agent',
    '--orchestrator',
    opts.orchestrator,
    '--join-token',
    opts.joinToken,
    '--data-dir',
    opts.dataDir,
    '--heartbeat-interval',
    opts.heartbeat ?? '300ms',
    '--capability-interval',
    '1s',
    '--reconnect-max',
    '1s',
    '--log-format',
    'json',
    ...Object.entries(opts.labels ?? {}).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
    ...(opts.extra ?? []),
  ]);
}

export function cleanup(procs: Proc[], dirs: string[]): void {
  for (const p of procs) {
    if (p.child.signalCode === null && p.child.exitCode === null) {
      try {
        p.child.kill('SIGCONT');
      } catch {
        // gone
      }
      p.child.kill('SIGKILL');
    }
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
