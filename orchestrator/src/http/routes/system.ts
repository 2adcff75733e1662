// GET /healthz (no auth) and GET /metrics (Prometheus text format).
import type { HealthResponse } from '@orchion/api';
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../metrics';

export function systemRoutes(
  app: FastifyInstance,
  deps: { metrics: Metrics; version: string; startedAt: number },
): void {
  app.get('/healthz', async (): Promise<HealthResponse> => ({
    status: 'ok',
    version: deps.version,
    uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1000),
  }));
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
}
