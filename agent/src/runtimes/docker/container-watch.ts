/**
 * What the engine says about this node's managed containers, applied to the manager's entries: a container that
 * (re)started has its logs followed, a ready one that died is a crash. When the event stream broke and came back,
 * every ready container is checked, so a death missed meanwhile is still a crash.
 */
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import type { ContainerOps } from './container-ops.js';
import { ContainerError, dockerMessage } from './errors.js';
import { EventWatcher, type ContainerEvent } from './events.js';
import { nodeFilter } from './labels.js';
import type { ManagedContainer } from './managed-container.js';

export interface ContainerWatchOptions {
  docker: Docker;
  nodeId: string;
  ops: ContainerOps;
  log: Logger;
  entries(): Iterable<ManagedContainer>;
  /** The container started (again): follow its logs. */
  started(entry: ManagedContainer): void;
  /** A ready container died. */
  died(entry: ManagedContainer, exitCode: number | undefined): void;
}

export class ContainerWatch {
  private events: EventWatcher | undefined;
  /** The stream broke and has not reconnected yet. */
  private broken = false;

  constructor(private readonly o: ContainerWatchOptions) {}

  /** Resolves once events are watched (idempotent); throws 'engine-unavailable' when the stream cannot open. */
  async start(): Promise<void> {
    this.events ??= new EventWatcher({
      docker: this.o.docker,
      labels: nodeFilter(this.o.nodeId).label,
      onEvent: (e) => this.onEvent(e),
      onReconnect: () => {
        if (this.broken) this.o.log.info('Docker event stream reconnected');
        this.broken = false;
        void this.reconcile();
      },
      // One warning when the stream breaks; the failed reconnects that follow (backoff) are debug lines.
      onError: (err) => {
        this.o.log[this.broken ? 'debug' : 'warn'](
          { err: dockerMessage(err) },
          this.broken ? 'Docker event stream: reconnect failed' : 'Docker event stream broke; reconnecting',
        );
        this.broken = true;
      },
    });
    try {
      await this.events.start();
    } catch (err) {
      this.events = undefined;
      throw new ContainerError('engine-unavailable', `cannot watch Docker events: ${dockerMessage(err)}`, {
        cause: err,
      });
    }
  }

  close(): void {
    this.events?.close();
  }

  private find(id: string): ManagedContainer | undefined {
    for (const entry of this.o.entries()) if (entry.containerId === id) return entry;
    return undefined;
  }

  private onEvent(e: ContainerEvent): void {
    const entry = this.find(e.id);
    if (!entry) return;
    if (
      e.action === 'start' &&
      (entry.state === 'ready' || entry.state === 'crashed' || entry.state === 'starting')
    ) {
      this.o.started(entry);
    } else if (e.action === 'die' && entry.state === 'ready') {
      this.o.died(entry, e.exitCode);
    }
  }

  private async reconcile(): Promise<void> {
    for (const entry of [...this.o.entries()]) {
      if (entry.state !== 'ready') continue;
      const state = await this.o.ops.runState(entry.container);
      if (!state.running && entry.state === 'ready') this.o.died(entry, state.exitCode);
    }
  }
}
