/**
 * Waits until a containerised server answers over HTTP (Docker HEALTHCHECKs are not used: Podman without systemd
 * never runs them, and the server's own API is the truth). Between polls the container's state is checked, so a
 * server that exits fails at once instead of at the deadline; both errors end with the container's last log lines.
 */
import { ContainerError } from './errors.js';
import { formatTail } from './logs.js';

export type ContainerRunState =
  { running: true } | { running: false; restarting: boolean; exitCode: number; oomKilled: boolean };

export interface HealthWaitOptions {
  /** For messages: the runtime's name. */
  name: string;
  url: string;
  timeoutMs: number;
  intervalMs?: number;
  state(): Promise<ContainerRunState>;
  lastLogs(): Promise<string[]>;
  /** Aborts the wait (the runtime is being stopped). */
  signal?: AbortSignal;
}

const PROBE_TIMEOUT_MS = 2_000;

export async function waitForHealth(o: HealthWaitOptions): Promise<void> {
  const deadline = Date.now() + o.timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    if (o.signal?.aborted)
      throw new ContainerError('closed', `${o.name}: stopped while waiting for ${o.url}`);
    try {
      const res = await fetch(o.url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = describeFetchError(err);
    }
    const state = await o.state();
    if (!state.running && !state.restarting) {
      const how = state.oomKilled ? 'was killed for memory (OOM)' : `exited with code ${state.exitCode}`;
      throw new ContainerError(
        'exited',
        `${o.name}: the container ${how} before ${o.url} answered` + formatTail(await o.lastLogs()),
      );
    }
    if (Date.now() >= deadline) {
      throw new ContainerError(
        'health-timeout',
        `${o.name}: ${o.url} did not answer within ${Math.round(o.timeoutMs / 1000)} s (last: ${last})` +
          formatTail(await o.lastLogs()),
      );
    }
    await new Promise((r) =>
      setTimeout(r, Math.min(o.intervalMs ?? 100, Math.max(0, deadline - Date.now()))),
    );
  }
}

function describeFetchError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return cause.code;
  return err instanceof Error ? err.message : String(err);
}
