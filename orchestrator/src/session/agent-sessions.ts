// The gRPC adapter for agent sessions: authenticates the stream, turns messages into registry calls,
// and ends sessions with proper status codes. No registry logic lives here.
import * as grpc from '@grpc/grpc-js';
import {
  withoutOptionalMarkers,
  type AgentMessage__Output,
  type AgentServiceHandlers,
  type OrchestratorMessage,
  type TaskOutput__Output,
  type TaskUpdate__Output,
} from '@orchion/proto';
import type { Logger } from 'pino';
import { bearer, tokenMatches } from '../auth/tokens';
import type { Metrics } from '../metrics';
import type { NodeRegistry } from '../registry/registry';
import { validateHello } from './validate-hello';

type SessionCall = grpc.ServerDuplexStream<AgentMessage__Output, OrchestratorMessage>;

export interface AgentSessionsOptions {
  registry: NodeRegistry;
  joinToken: string;
  logger: Logger;
  metrics: Metrics;
  version: string;
  /** How long a new stream may stay silent before its hello (ms). */
  helloTimeoutMs?: number;
  /** Runs the handling of one message; the orchestrator batches the store writes of one turn with it. */
  batch?: <T>(fn: () => T) => T;
  /** Where task reports go (the job engine). */
  tasks?: TaskReports;
  /** Where node log lines go (the in-memory node log ring). */
  nodeLogs?: (nodeId: string, lines: NonNullable<AgentMessage__Output['nodeLog']>['lines']) => void;
}

export interface TaskReports {
  registered(nodeId: string, runningAttempts: string[]): void;
  update(nodeId: string, update: TaskUpdate__Output): void;
  output(nodeId: string, output: TaskOutput__Output): void;
}

export class AgentSessions {
  private readonly active = new Map<string, SessionCall>();
  private readonly calls = new Set<SessionCall>();

  constructor(private readonly opts: AgentSessionsOptions) {}

  get handlers(): AgentServiceHandlers {
    return { Session: (call: SessionCall) => this.open(call) };
  }

  get sessionCount(): number {
    return this.calls.size;
  }

  /** Sends a message down the node's session; false when the node has no live session. */
  send(nodeId: string, msg: OrchestratorMessage): boolean {
    const call = this.active.get(nodeId);
    if (!call) return false;
    call.write(msg);
    return true;
  }

  /** Ends the node's session (if any) with NOT_FOUND so the agent registers again. */
  forget(nodeId: string): void {
    const call = this.active.get(nodeId);
    if (!call) return;
    this.active.delete(nodeId);
    this.fail(call, grpc.status.NOT_FOUND, 'the node was removed from the registry; register again');
  }

  /** Ends every session with UNAVAILABLE (orchestrator shutting down). */
  closeAll(): void {
    this.active.clear();
    for (const call of this.calls)
      this.fail(call, grpc.status.UNAVAILABLE, 'the orchestrator is shutting down');
  }

  private open(call: SessionCall): void {
    const { registry, logger, metrics } = this.opts;
    const peer = call.getPeer();
    if (!tokenMatches(bearer(call.metadata.get('authorization') as string[]), this.opts.joinToken)) {
      logger.warn({ peer }, 'agent session rejected: missing or wrong join token');
      this.fail(call, grpc.status.UNAUTHENTICATED, 'missing or wrong join token');
      return;
    }
    this.calls.add(call);
    metrics.sessions.inc();
    let nodeId: string | undefined;
    let closed = false;
    const helloTimer = setTimeout(
      () => this.fail(call, grpc.status.INVALID_ARGUMENT, 'no hello received'),
      this.opts.helloTimeoutMs ?? 10_000,
    );

    const onClosed = (reason: string): void => {
      if (closed) return;
      closed = true;
      clearTimeout(helloTimer);
      this.calls.delete(call);
      metrics.sessions.dec();
      if (nodeId && this.active.get(nodeId) === call) {
        this.active.delete(nodeId);
        registry.markOffline(nodeId, reason);
        logger.info({ nodeId, reason }, 'agent session ended');
      }
    };

    call.on('data', (msg: AgentMessage__Output) => {
      if (closed) return;
      try {
        if (this.opts.batch) this.opts.batch(() => handle(msg));
        else handle(msg);
      } catch (err) {
        // A bug must end this session, never the server.
        logger.error({ err, nodeId, peer }, 'agent session failed');
        this.fail(call, grpc.status.INTERNAL, 'the orchestrator failed to handle a message');
      }
    });
    const handle = (msg: AgentMessage__Output): void => {
      if (!nodeId) {
        if (msg.payload !== 'hello' || !msg.hello) {
          this.fail(call, grpc.status.INVALID_ARGUMENT, 'the first message of a session must be hello');
          return;
        }
        const problem = validateHello(msg.hello);
        if (problem) {
          logger.warn({ peer, problem }, 'agent registration rejected');
          this.fail(call, grpc.status.INVALID_ARGUMENT, `malformed registration: ${problem}`);
          return;
        }
        clearTimeout(helloTimer);
        const h = msg.hello;
        nodeId = h.nodeId;
        const previous = this.active.get(nodeId);
        this.active.set(nodeId, call);
        if (previous && previous !== call) {
          this.fail(previous, grpc.status.ALREADY_EXISTS, 'replaced by a newer session of the same node');
        }
        const { node, known } = registry.register({
          id: h.nodeId,
          hostname: h.hostname,
          labels: h.labels,
          agentVersion: h.agentVersion,
          capabilities: withoutOptionalMarkers(h.capabilities!),
          models: h.models,
          runtimes: h.runtimes,
          slots: h.slots,
          heartbeatIntervalMs: h.heartbeatIntervalMs,
          address: peer,
          dataPlaneUrl: h.dataPlaneUrl,
        });
        logger.info({ nodeId, hostname: h.hostname, known, peer }, 'agent registered');
        this.opts.tasks?.registered(nodeId, h.runningAttempts);
        call.write({
          welcome: {
            nodeId,
            orchestratorVersion: this.opts.version,
            known,
            registrations: node.registrations,
          },
        });
        return;
      }
      if (this.active.get(nodeId) !== call) return;
      switch (msg.payload) {
        case 'heartbeat':
          metrics.heartbeats.inc();
          if (!registry.heartbeat(nodeId)) this.forgotten(call, nodeId);
          return;
        case 'capabilities':
          if (!registry.updateCapabilities(nodeId, withoutOptionalMarkers(msg.capabilities!)))
            this.forgotten(call, nodeId);
          return;
        case 'task':
          if (msg.task) this.opts.tasks?.update(nodeId, msg.task);
          return;
        case 'output':
          if (msg.output) this.opts.tasks?.output(nodeId, msg.output);
          return;
        case 'nodeLog':
          if (msg.nodeLog) this.opts.nodeLogs?.(nodeId, msg.nodeLog.lines);
          return;
        case 'goodbye':
          onClosed(`deregistered${msg.goodbye?.reason ? `: ${msg.goodbye.reason}` : ''}`);
          call.end();
          return;
        default:
          this.fail(call, grpc.status.INVALID_ARGUMENT, `unexpected message ${msg.payload ?? '(empty)'}`);
      }
    };
    call.on('end', () => {
      onClosed('stream closed');
      call.end();
    });
    call.on('cancelled', () => onClosed('stream broken'));
    call.on('error', () => onClosed('stream error'));
    call.on('close', () => onClosed('stream closed'));
  }

  private forgotten(call: SessionCall, nodeId: string): void {
    this.active.delete(nodeId);
    this.fail(call, grpc.status.NOT_FOUND, `node ${nodeId} is not registered; register again`);
  }

  private fail(call: SessionCall, code: grpc.status, details: string): void {
    this.opts.metrics.sessionErrors.inc({ code: grpc.status[code] });
    call.emit('error', { code, details, name: 'SessionError', message: details });
  }
}
