// The agent's side of its session stream: registers, heartbeats, sends capability changes, and reconnects
// with backoff whenever the stream breaks. Knows gRPC and the contract; nothing about runtimes.
import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import {
  loadOrchionProto,
  type AgentMessage,
  type AgentServiceClient,
  type Hello,
  type OrchestratorMessage__Output,
  type Welcome__Output,
} from '@orchion/proto';
import type { Logger } from 'pino';
import { applyChanges, capabilityChanges } from '../capabilities/diff';
import type { CollectedCapabilities } from '../capabilities/collect';
import { Backoff } from './backoff';

export interface LinkOptions {
  /** host:port of the orchestrator's gRPC endpoint. */
  address: string;
  joinToken: string;
  /** Registration fields except capabilities, which come from `collect`. */
  hello: Omit<Hello, 'capabilities'>;
  collect(): Promise<CollectedCapabilities>;
  heartbeatIntervalMs: number;
  capabilityIntervalMs: number;
  reconnect: { initialMs: number; maxMs: number };
  logger: Logger;
}

type Call = grpc.ClientDuplexStream<AgentMessage, OrchestratorMessage__Output>;

/** Statuses after which retrying cannot help: the operator must fix something. */
const FATAL = new Set([
  grpc.status.UNAUTHENTICATED,
  grpc.status.INVALID_ARGUMENT,
  grpc.status.PERMISSION_DENIED,
]);

export interface OrchestratorLinkEvents {
  registered: [Welcome__Output];
  disconnected: [{ code: grpc.status; details: string }];
  fatal: [Error];
}

export class OrchestratorLink extends EventEmitter<OrchestratorLinkEvents> {
  private readonly client: AgentServiceClient;
  private readonly backoff: Backoff;
  private call: Call | undefined;
  private connected = false;
  private stopped = false;
  private seq = 0;
  private sent: CollectedCapabilities | undefined;
  private timers: NodeJS.Timeout[] = [];
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: LinkOptions) {
    super();
    const { AgentService } = loadOrchionProto().orchion.v1;
    this.client = new AgentService(opts.address, grpc.credentials.createInsecure(), {
      'grpc.keepalive_time_ms': 20_000,
      'grpc.keepalive_timeout_ms': 10_000,
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.initial_reconnect_backoff_ms': opts.reconnect.initialMs,
      'grpc.max_reconnect_backoff_ms': opts.reconnect.maxMs,
    });
    this.backoff = new Backoff({ initialMs: opts.reconnect.initialMs, maxMs: opts.reconnect.maxMs });
  }

  get isConnected(): boolean {
    return this.connected;
  }

  start(): void {
    void this.connect();
  }

  /** Says goodbye (the node goes offline, not stale), closes the stream and the channel. */
  async stop(reason = 'agent shutting down'): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.clearTimers();
    const call = this.call;
    if (call && this.connected) {
      await new Promise<void>((resolve) => {
        const done = setTimeout(resolve, 2_000);
        call.once('status', () => {
          clearTimeout(done);
          resolve();
        });
        call.write({ goodbye: { reason } });
        call.end();
      });
    } else {
      call?.cancel();
    }
    this.client.close();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    let capabilities: CollectedCapabilities;
    try {
      capabilities = await this.opts.collect();
    } catch (err) {
      this.opts.logger.warn({ err }, 'could not read capabilities; retrying');
      return this.retry();
    }
    if (this.stopped) return;
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${this.opts.joinToken}`);
    const call = this.client.Session(metadata);
    this.call = call;
    call.on('data', (msg: OrchestratorMessage__Output) => {
      if (msg.payload === 'welcome' && msg.welcome) {
        this.connected = true;
        this.sent = capabilities;
        this.backoff.reset();
        this.startTimers(call);
        this.emit('registered', msg.welcome);
      }
    });
    call.on('status', (status: grpc.StatusObject) => this.onClosed(call, status.code, status.details));
    call.on('error', () => {
      // The status event carries the details; the error event must be handled to avoid a crash.
    });
    call.write({ hello: { ...this.opts.hello, capabilities } });
  }

  private onClosed(call: Call, code: grpc.status, details: string): void {
    if (call !== this.call) return;
    const wasConnected = this.connected;
    this.connected = false;
    this.call = undefined;
    this.clearTimers();
    if (this.stopped) return;
    this.emit('disconnected', { code, details });
    if (FATAL.has(code)) {
      this.emit('fatal', new Error(`the orchestrator refused this agent: ${grpc.status[code]}: ${details}`));
      return;
    }
    if (code === grpc.status.NOT_FOUND) {
      this.opts.logger.warn({ details }, 'the orchestrator forgot this node; registering again');
      return void this.connect();
    }
    this.opts.logger[wasConnected ? 'warn' : 'debug'](
      { code: grpc.status[code], details },
      'session with the orchestrator ended; reconnecting',
    );
    this.retry();
  }

  private retry(): void {
    if (this.stopped) return;
    const delay = Math.max(50, this.backoff.next());
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  private startTimers(call: Call): void {
    this.clearTimers();
    this.timers.push(
      setInterval(() => {
        call.write({ heartbeat: { seq: ++this.seq, sentAtMs: Date.now() } });
      }, this.opts.heartbeatIntervalMs),
      setInterval(() => void this.refreshCapabilities(call), this.opts.capabilityIntervalMs),
    );
  }

  private async refreshCapabilities(call: Call): Promise<void> {
    let next: CollectedCapabilities;
    try {
      next = await this.opts.collect();
    } catch (err) {
      this.opts.logger.warn({ err }, 'could not refresh capabilities');
      return;
    }
    if (call !== this.call || !this.connected || !this.sent) return;
    const update = capabilityChanges(this.sent, next);
    if (!update) return;
    call.write({ capabilities: update });
    this.sent = applyChanges(this.sent, update);
  }

  private clearTimers(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }
}
