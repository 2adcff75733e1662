// The gateway's Prometheus metrics, on the orchestrator's registry (orchestrator/src/metrics.ts).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Router } from './router';

export class GatewayMetrics {
  readonly requests: Counter<'api' | 'model' | 'status'>;
  readonly ttft: Histogram<'model'>;
  readonly tokensPerSecond: Histogram<'model'>;
  readonly rejections: Counter<'reason'>;
  readonly failovers: Counter<'mid_stream'>;

  constructor(registry: Registry, router: Router) {
    this.requests = new Counter({
      name: 'orchion_gateway_requests_total',
      help: 'Gateway requests by API (openai, ollama), model and HTTP status',
      labelNames: ['api', 'model', 'status'],
      registers: [registry],
    });
    this.ttft = new Histogram({
      name: 'orchion_gateway_time_to_first_token_seconds',
      help: 'Time from the request to the first streamed token',
      labelNames: ['model'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    this.tokensPerSecond = new Histogram({
      name: 'orchion_gateway_tokens_per_second',
      help: 'Completion tokens per second of finished generations',
      labelNames: ['model'],
      buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000],
      registers: [registry],
    });
    this.rejections = new Counter({
      name: 'orchion_gateway_rejections_total',
      help: 'Requests refused by the gateway, by reason (unauthorized, rate_limit_exceeded, insufficient_quota, queue_full, queue_timeout, unknown_model, no_node, bad_request)',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.failovers = new Counter({
      name: 'orchion_gateway_failovers_total',
      help: 'Requests moved to another node after a node failed (mid_stream: after tokens were streamed)',
      labelNames: ['mid_stream'],
      registers: [registry],
    });
    new Gauge({
      name: 'orchion_gateway_queued',
      help: 'Gateway requests waiting for a free node, by model',
      labelNames: ['model'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [model, n] of router.queueDepths()) this.set({ model }, n);
      },
    });
    new Gauge({
      name: 'orchion_gateway_in_flight',
      help: 'Gateway requests running, by node and model',
      labelNames: ['node', 'model'],
      registers: [registry],
      collect() {
        this.reset();
        for (const node of router.list()) {
          for (const [model, n] of node.inFlightByModel) this.set({ node: node.id, model }, n);
        }
      },
    });
  }
}
