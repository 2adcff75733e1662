// bench:pipeline's processes: a real orchestrator and agents started from the orchion CLI bundle, on loopback,
// with their output kept for errors; stopped gracefully (which also writes --cpu-prof profiles).
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrchionClient, type JobView } from '@orchion/api';
import { freePort, sleep } from '../lib/process';
import { CLI, CLIENT, SUBMIT_CONCURRENCY } from './options';
import { JobWatcher } from './watch';

// -------------------------------------------------------------------------------------------- processes
export interface Proc {
  name: string;
  child: ChildProcess;
  exited: Promise<void>;
  /** The tail of its stdout and stderr (logs at level warn and above). */
  output(): string;
}

const live = new Set<ChildProcess>();
export const tempDirs: string[] = [];
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));

export function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(d);
  return d;
}

export function spawnCli(name: string, cliArgs: string[], nodeArgs: string[] = []): Proc {
  const child = spawn(process.execPath, [...nodeArgs, CLI, ...cliArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let out = '';
  const keep = (d: Buffer) => (out = (out + d.toString()).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((res) =>
    child.on('exit', () => {
      live.delete(child);
      res();
    }),
  );
  return { name, child, exited, output: () => out };
}

/** SIGTERM (a graceful stop, which also writes a --cpu-prof profile), SIGKILL if it lingers. */
export async function stop(p: Proc, graceMs = 10_000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(timer);
}

export const selfCpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

// ----------------------------------------------------------------------------------------------- cluster
export interface Cluster {
  url: string;
  token: string;
  /** The orchestrator's data dir (its database is orchion.db there). */
  dataDir: string;
  client: OrchionClient;
  orch: Proc;
  agents: Proc[];
  /** Throws when a process of the cluster has died. */
  check(): void;
  /** Follows /api/v1/events, when asked for. */
  watcher?: JobWatcher;
}

export async function startCluster(
  agentArgs: string[][],
  opts: { profileDir?: string; watch?: boolean } = {},
): Promise<Cluster> {
  const { profileDir } = opts;
  const dataDir = tempDir('orchion-bench-orch-');
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  const prof = (name: string) => (profileDir ? ['--cpu-prof', '--cpu-prof-dir', join(profileDir, name)] : []);
  const orch = spawnCli(
    'orchestrator',
    [
      'orchestrator',
      '--data-dir',
      dataDir,
      '--http-addr',
      `127.0.0.1:${httpPort}`,
      '--grpc-addr',
      `127.0.0.1:${grpcPort}`,
      '--log-level',
      'warn',
      '--log-format',
      'json',
    ],
    prof('orchestrator'),
  );
  const url = `http://127.0.0.1:${httpPort}`;
  for (let i = 0; ; i++) {
    if (orch.child.exitCode !== null) throw new Error(`the orchestrator exited: ${orch.output()}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 400) throw new Error('the orchestrator did not come up in 20 s');
    await sleep(50);
  }
  const token = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
  const joinToken = readFileSync(join(dataDir, 'join.token'), 'utf8').trim();
  const client = new OrchionClient({ url, token, timeoutMs: 120_000 });
  const agents = agentArgs.map((extra, i) =>
    spawnCli(
      `agent ${i + 1}`,
      [
        'agent',
        '--orchestrator',
        `127.0.0.1:${grpcPort}`,
        '--join-token',
        joinToken,
        '--data-dir',
        tempDir('orchion-bench-agent-'),
        '--log-level',
        'warn',
        '--log-format',
        'json',
        ...extra,
      ],
      i === 0 ? prof('agent') : [],
    ),
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    for (const a of agents) {
      if (a.child.exitCode !== null) throw new Error(`${a.name} exited: ${a.output()}`);
    }
    const { nodes } = await client.listNodes({ state: 'ready' });
    if (nodes.length === agents.length && nodes.every((n) => n.models.length > 0)) break;
    if (Date.now() > deadline) throw new Error(`agents not ready after 60 s (${nodes.length} ready)`);
    await sleep(100);
  }
  const check = (): void => {
    for (const p of [orch, ...agents]) {
      if (p.child.exitCode !== null || p.child.signalCode !== null) {
        throw new Error(`${p.name} exited (${p.child.exitCode ?? p.child.signalCode}): ${p.output()}`);
      }
    }
  };
  const watcher = opts.watch ? new JobWatcher(url, token, check) : undefined;
  await watcher?.connected;
  return { url, token, dataDir, client, orch, agents, check, watcher };
}

export async function stopCluster(c: Cluster): Promise<void> {
  c.watcher?.close();
  await Promise.all(c.agents.map((a) => stop(a)));
  await stop(c.orch);
}

/** Keep-alive connections for submits (as many as are in flight). */
const submitAgent = new http.Agent({ keepAlive: true, maxSockets: SUBMIT_CONCURRENCY });

/**
 * POST /api/v1/jobs. `--client http` (default): node:http over kept-alive connections, which costs this process
 * about a quarter of what `fetch` (undici) does per request, CPU that the processes under test share.
 * `--client fetch`: the fetch client of earlier runs.
 */
export async function submit(c: Cluster, pipeline: string): Promise<JobView> {
  const body = JSON.stringify({ pipeline });
  const headers = { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' };
  if (CLIENT === 'fetch') {
    const res = await fetch(`${c.url}/api/v1/jobs`, { method: 'POST', headers, body });
    if (res.status !== 201) throw new Error(`submit: HTTP ${res.status}: ${await res.text()}`);
    return (await res.json()) as JobView;
  }
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request(
      `${c.url}/api/v1/jobs`,
      {
        method: 'POST',
        agent: submitAgent,
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
  if (status !== 201) throw new Error(`submit: HTTP ${status}: ${text}`);
  return JSON.parse(text) as JobView;
}
