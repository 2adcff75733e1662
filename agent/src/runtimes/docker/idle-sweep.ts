/**
 * Stops runtimes nobody used for their plan's `idleStopMs` (vLLM containers: the GPU memory is freed; the next
 * request starts the container again through DockerRuntimeManager.acquire). A runtime with requests in flight is
 * never idle. One timer for all runtimes; the check is repeated inside the runtime's serial section so that a
 * request arriving meanwhile wins.
 */
import type { Logger } from 'pino';
import { dockerMessage } from './errors.js';
import type { KeyedSerial } from './keyed-serial.js';
import type { ManagedContainer } from './managed-container.js';

export interface IdleSweepOptions {
  everyMs: number;
  entries(): Iterable<ManagedContainer>;
  serial: KeyedSerial;
  /** Stops the container as idle (the entry's state becomes 'idle'). */
  stopIdle(entry: ManagedContainer, why: string): Promise<void>;
  log: Logger;
}

export const isIdle = (entry: ManagedContainer, now: number): boolean => {
  const idleMs = entry.plan?.idleStopMs;
  return !!idleMs && entry.state === 'ready' && entry.inFlight === 0 && now - entry.lastUsed >= idleMs;
};

export class IdleSweep {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: IdleSweepOptions) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.sweep(), this.o.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private sweep(): void {
    for (const entry of this.o.entries()) {
      if (!isIdle(entry, Date.now())) continue;
      void this.o.serial
        .run(entry.name, async () => {
          if (!isIdle(entry, Date.now())) return;
          const idleMs = entry.plan!.idleStopMs!;
          this.o.log.info({ runtime: entry.name, idleMs }, 'stopping an idle runtime container');
          await this.o.stopIdle(entry, `idle for ${Math.round(idleMs / 1000)} s`);
        })
        .catch((err) =>
          this.o.log.warn({ runtime: entry.name, err: dockerMessage(err) }, 'idle stop failed'),
        );
    }
  }
}
