/**
 * Brings a managed container to serving: starts it (already running is fine), follows its log output (each line
 * once, across restarts, through the entry's LogCursor) and waits until its API answers over HTTP.
 */
import type { Logger } from 'pino';
import type { ContainerOps } from './container-ops.js';
import { waitForHealth } from './health.js';
import { followLogs, readLogTail } from './logs.js';
import type { ManagedContainer } from './managed-container.js';
import type { ContainerLogLine } from './manager-types.js';

export interface ContainerRunnerOptions {
  ops: ContainerOps;
  log: Logger;
  /** Every container log line; default: the logger at info. */
  onLog?: (line: ContainerLogLine) => void;
  healthIntervalMs?: number;
  /** Log lines in health errors. */
  logTail: number;
}

export class ContainerRunner {
  constructor(private readonly o: ContainerRunnerOptions) {}

  async start(entry: ManagedContainer): Promise<void> {
    await this.o.ops.start(entry.container, entry.name);
    this.followLogs(entry);
    await this.waitHealthy(entry);
  }

  waitHealthy(entry: ManagedContainer): Promise<void> {
    return waitForHealth({
      name: entry.name,
      url: entry.healthUrl,
      timeoutMs: entry.healthTimeoutMs,
      intervalMs: this.o.healthIntervalMs,
      state: () => this.o.ops.runState(entry.container),
      lastLogs: () => readLogTail(entry.container, this.o.logTail),
      signal: entry.halted,
    });
  }

  /** Follows the container's output unless already following (the follower ends when the container stops). */
  followLogs(entry: ManagedContainer): void {
    if (entry.follower) return;
    const follower = followLogs(entry.container, {
      since: entry.cursor.since,
      cursor: entry.cursor,
      onLine: (stream, text) => {
        const line = { runtime: entry.name, containerId: entry.containerId, stream, text };
        if (this.o.onLog) this.o.onLog(line);
        else this.o.log.info({ runtime: entry.name, stream }, text);
      },
    });
    entry.follower = follower;
    void follower.ended.then(() => {
      if (entry.follower === follower) entry.follower = undefined;
    });
  }
}
