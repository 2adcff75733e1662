/**
 * Whether a Docker Engine answers, and which: for capabilities and node logs. Never throws: an absent engine is
 * a normal state of a node (it then runs no managed containers), described in `reason`.
 */
import type Docker from 'dockerode';
import { dockerMessage } from './errors.js';

export type EngineInfo =
  | {
      available: true;
      endpoint: string;
      version: string;
      apiVersion: string;
      os: string;
      arch: string;
      /** OCI runtimes the engine knows ('nvidia' when the NVIDIA container toolkit is set up). */
      runtimes: string[];
    }
  | { available: false; endpoint: string; reason: string };

const PROBE_TIMEOUT_MS = 3_000;

export async function engineInfo(docker: Docker, endpoint: string): Promise<EngineInfo> {
  const signal = AbortSignal.timeout(PROBE_TIMEOUT_MS);
  try {
    await withTimeout(docker.ping(), signal);
    const [version, info] = await Promise.all([
      withTimeout(docker.version(), signal),
      withTimeout(docker.info() as Promise<{ Runtimes?: Record<string, unknown> }>, signal),
    ]);
    return {
      available: true,
      endpoint,
      version: version.Version,
      apiVersion: version.ApiVersion,
      os: version.Os,
      arch: version.Arch,
      runtimes: Object.keys(info.Runtimes ?? {}),
    };
  } catch (err) {
    return { available: false, endpoint, reason: whyUnavailable(err, endpoint) };
  }
}

function whyUnavailable(err: unknown, endpoint: string): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOENT')
    return `no Docker Engine socket at ${endpoint} (set DOCKER_HOST or start the engine)`;
  if (code === 'EACCES') return `permission denied on ${endpoint} (the agent's user cannot use Docker)`;
  if (code === 'ECONNREFUSED') return `nothing listens at ${endpoint} (is the Docker Engine running?)`;
  if (err instanceof Error && err.name === 'TimeoutError') {
    return `the Docker Engine at ${endpoint} did not answer within ${PROBE_TIMEOUT_MS} ms`;
  }
  return `the Docker Engine at ${endpoint} failed: ${dockerMessage(err)}`;
}

/** A request that hangs (a wedged engine) must not hang the caller. */
function withTimeout<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
