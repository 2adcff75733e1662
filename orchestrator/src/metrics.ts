// Prometheus metrics (prom-client) for the orchestrator, on its own registry.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { NODE_STATES, type NodeState } from '@orchion/api';

export class Metrics {
  readonly registry = new Registry();
  readonly heartbeats = new Counter({
    name: 'orchion_heartbeats_total',
    help: 'Heartbeats received from agents',
    registers: [this.registry],
  });
  readonly sessions = new Gauge({
    name: 'orchion_agent_sessions',
    help: 'Open agent session streams',
    registers: [this.registry],
  });
  readonly sessionErrors = new Counter({
    name: 'orchion_agent_session_rejections_total',
    help: 'Agent sessions ended by the orchestrator, by gRPC status',
    labelNames: ['code'],
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'orchion_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly sseClients = new Gauge({
    name: 'orchion_sse_clients',
    help: 'Connected SSE clients',
    registers: [this.registry],
  });

  constructor(nodeCounts: () => Readonly<Record<NodeState, number>>) {
    collectDefaultMetrics({ register: this.registry, prefix: 'orchion_' });
    new Gauge({
      name: 'orchion_nodes',
      help: 'Registered nodes by state',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const counts = nodeCounts();
        for (const state of NODE_STATES) this.set({ state }, counts[state]);
      },
    });
  }
}
