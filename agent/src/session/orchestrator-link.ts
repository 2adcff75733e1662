// The agent's side of its session stream: registers, heartbeats, sends capability and model-list changes,
// hands task assignments and cancellations on (events), writes task messages with backpressure, and reconnects
// with backoff whenever the stream breaks. Knows gRPC and the contract; nothing about runtimes.
import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import {
  loadOrchionProto,
  type AgentMessage,
  type AgentServiceClient,
  type AssignTask__Output,
  type CancelTask__Output,
  type CapabilityUpdate,
  type Hello,
  type ModelInfo,
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
  /** The runtimes' models: read for every hello and with every capability refresh (sent when they change). */
  models?(): Promise<ModelInfo[]>;
  /** Attempts whose leases the orchestrator should keep, read right before every hello. */
  runningAttempts?(): string[];
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
  assign: [AssignTask__Output];
  cancel: [CancelTask__Output];
  /** The stream takes writes again after `send` returned false. */
  drain: [];
}

export class OrchestratorLink extends EventEmitter<OrchestratorLinkEvents> {
  private readonly client: AgentServiceClient;
  private readonly backoff: Backoff;
  private call: Call | undefined;
  private connected = false;
  private stopped = false;
  private seq = 0;
  private sent: CollectedCapabilities | undefined;
  /** The model list the orchestrator has (JSON), to send only changes. */
  private sentModels: string | undefined;
  private sentRuntimes: string | undefined;
  private backpressured = false;
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

  /** Whether a session is up and its stream takes more writes now. */
  canSend(): boolean {
    return this.connected && !this.backpressured;
  }

  /**
   * Writes to the current session (after its welcome). Returns false when there is none (the message is
   * dropped) or when the stream is now backpressured (the message is queued; 'drain' follows).
   */
  send(msg: AgentMessage): boolean {
    const call = this.call;
    if (!call || !this.connected) return false;
    return this.write(call, msg);
  }

  /** Reads capabilities and models now and sends what changed (e.g. a task named a model that is gone). */
  refreshNow(): void {
    if (this.call && this.connected) void this.refreshCapabilities(this.call);
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
        this.write(call, { goodbye: { reason } });
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
    let models: ModelInfo[];
    try {
      [capabilities, models] = await Promise.all([this.opts.collect(), this.listModels()]);
    } catch (err) {
      this.opts.logger.warn({ err }, 'could not read capabilities; retrying');
      return this.retry();
    }
    if (this.stopped) return;
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${this.opts.joinToken}`);
    const call = this.client.Session(metadata);
    this.call = call;
    this.backpressured = false;
    call.on('data', (msg: OrchestratorMessage__Output) => {
      if (call !== this.call) return;
      if (msg.payload === 'welcome' && msg.welcome) {
        this.connected = true;
        this.sent = capabilities;
        this.sentModels = JSON.stringify(models);
        this.sentRuntimes = JSON.stringify(hello.runtimes);
        this.backoff.reset();
        this.startTimers(call);
        this.emit('registered', msg.welcome);
      } else if (msg.payload === 'assign' && msg.assign && this.connected) {
        this.emit('assign', msg.assign);
      } else if (msg.payload === 'cancel' && msg.cancel && this.connected) {
        this.emit('cancel', msg.cancel);
      }
    });
    call.on('status', (status: grpc.StatusObject) => this.onClosed(call, status.code, status.details));
    call.on('error', () => {
      // The status event carries the details; the error event must be handled to avoid a crash.
    });
    const runningAttempts = this.opts.runningAttempts?.() ?? [];
    // A copy: the runtime names may grow later (then sent in a capability update).
    const hello = {
      ...this.opts.hello,
      runtimes: [...(this.opts.hello.runtimes ?? [])],
      capabilities,
      models,
      runningAttempts,
    };
    this.write(call, { hello });
  }

  private async listModels(): Promise<ModelInfo[]> {
    return (await this.opts.models?.()) ?? [];
  }

  private write(call: Call, msg: AgentMessage): boolean {
    const ok = call.write(msg);
    if (!ok && !this.backpressured) {
      this.backpressured = true;
      call.once('drain', () => {
        if (call !== this.call) return;
        this.backpressured = false;
        this.emit('drain');
      });
    }
    return ok;
  }

  private onClosed(call: Call, code: grpc.status, details: string): void {
    if (call !== this.call) return;
    const wasConnected = this.connected;
    this.connected = false;
    this.backpressured = false;
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
        this.write(call, { heartbeat: { seq: ++this.seq, sentAtMs: Date.now() } });
      }, this.opts.heartbeatIntervalMs),
      setInterval(() => void this.refreshCapabilities(call), this.opts.capabilityIntervalMs),
    );
  }

  private async refreshCapabilities(call: Call): Promise<void> {
    let next: CollectedCapabilities;
    let models: ModelInfo[];
    try {
      [next, models] = await Promise.all([this.opts.collect(), this.listModels()]);
    } catch (err) {
      this.opts.logger.warn({ err }, 'could not refresh capabilities');
      return;
    }
    if (call !== this.call || !this.connected || !this.sent) return;
    const update: CapabilityUpdate = capabilityChanges(this.sent, next) ?? {};
    const modelsJson = JSON.stringify(models);
    if (modelsJson !== this.sentModels) update.models = { models };
    const runtimesJson = JSON.stringify(this.opts.hello.runtimes);
    if (runtimesJson !== this.sentRuntimes)
      update.runtimes = { names: [...(this.opts.hello.runtimes ?? [])] };
    if (Object.keys(update).length === 0) return;
    this.write(call, { capabilities: update });
    this.sent = applyChanges(this.sent, update);
    this.sentModels = modelsJson;
    this.sentRuntimes = runtimesJson;
  }

  private clearTimers(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }
}
