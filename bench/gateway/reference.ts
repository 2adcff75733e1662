// bench:gateway --reference nginx|haproxy: a C reverse proxy from the distribution, in front of the same agent
// data-plane endpoint that the direct path calls (POST /v1/generate, the same body and token), as the floor for
// what any extra HTTP hop costs on this machine. Each proxy is configured as a plain HTTP/1.1 reverse proxy with
// keep-alive connections to the agent, one worker process / thread (the machine has few cores and the load
// client and agent share them), no access log, no response buffering (streamed answers pass through at once).
// The proxy is started in its own session (setsid, via `detached`) on a free loopback port and stopped by PID.
// Not a dependency of anything: when the binary is missing the option is skipped with a message.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, sleep } from '../lib/process';

export type ReferenceName = 'nginx' | 'haproxy';
export const REFERENCE_NAMES: readonly ReferenceName[] = ['nginx', 'haproxy'];

const BINARIES: Record<ReferenceName, string[]> = {
  nginx: ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'],
  haproxy: ['/usr/sbin/haproxy', '/usr/local/sbin/haproxy', '/usr/bin/haproxy'],
};

export interface ReferenceProxy {
  name: ReferenceName;
  version: string;
  port: number;
  /** The process whose CPU is counted (nginx runs without a master, haproxy with one thread: one process). */
  pid: number;
  stop(): Promise<void>;
}

/** The binary's path, or undefined when it is not installed. */
export function findReference(name: ReferenceName): string | undefined {
  return BINARIES[name].find((p) => existsSync(p));
}

function nginxConfig(dir: string, port: number, upstreamPort: number): string {
  return `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  upstream agent {
    server 127.0.0.1:${upstreamPort};
    keepalive 1024;
    keepalive_requests 100000000;
    keepalive_timeout 65s;
  }
  server {
    listen 127.0.0.1:${port} backlog=4096;
    keepalive_requests 100000000;
    keepalive_timeout 65s;
    location / {
      proxy_pass http://agent;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_request_buffering off;
    }
  }
}
`;
}

function haproxyConfig(port: number, upstreamPort: number): string {
  return `global
  nbthread 1
  maxconn 8192
defaults
  mode http
  timeout connect 5s
  timeout client 65s
  timeout server 65s
  timeout http-keep-alive 65s
  option http-keep-alive
  http-reuse always
frontend bench
  bind 127.0.0.1:${port}
  default_backend agent
backend agent
  server agent 127.0.0.1:${upstreamPort}
`;
}

/** Starts `name` in front of 127.0.0.1:`upstreamPort`; resolves once a request through it reaches the agent. */
export async function startReference(
  name: ReferenceName,
  bin: string,
  dir: string,
  upstreamPort: number,
  probe: (port: number) => Promise<boolean>,
): Promise<ReferenceProxy> {
  const port = await freePort();
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  let args: string[];
  if (name === 'nginx') {
    writeFileSync(join(d, 'nginx.conf'), nginxConfig(d, port, upstreamPort));
    args = ['-p', d, '-e', join(d, 'error.log'), '-c', join(d, 'nginx.conf')];
  } else {
    writeFileSync(join(d, 'haproxy.cfg'), haproxyConfig(port, upstreamPort));
    args = ['-db', '-f', join(d, 'haproxy.cfg')];
  }
  const v = spawnSync(bin, ['-v'], { encoding: 'utf8' });
  const version = `${v.stdout}${v.stderr}`.split('\n')[0]!.trim();
  // detached: the proxy gets its own session (setsid), so a terminal signal to the benchmark does not reach it
  // twice and it is stopped below by its PID only.
  const child: ChildProcess = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout!.on('data', (x: Buffer) => (out += x.toString()));
  child.stderr!.on('data', (x: Buffer) => (out += x.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(3000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  };
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}): ${out}`);
    if (await probe(port).catch(() => false)) return { name, version, port, pid: child.pid!, stop };
    await sleep(100);
  }
  await stop();
  throw new Error(`${name} did not answer on 127.0.0.1:${port}: ${out}`);
}
