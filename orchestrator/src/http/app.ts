// Builds the fastify application: auth, CORS, error shapes, metrics and the API routes.
import cors from '@fastify/cors';
import { createServer } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { EventBus } from '../events/event-bus';
import type { Gateway } from '../gateway/gateway';
import type { Metrics } from '../metrics';
import type { NodeRegistry } from '../registry/registry';
import { NodeLogRing } from '../nodes/node-log-ring';
import { installAuth } from './auth';
import { installErrorHandlers } from './errors';
import type { JobEngine } from '../jobs/engine';
import type { LogHub } from '../jobs/log-hub';
import type { SqliteJobStore } from '../store/job-store';
import { dashboardRoutes } from './routes/dashboard';
import { eventRoutes } from './routes/events';
import { jobLogRoutes } from './routes/job-logs';
import { jobRoutes } from './routes/jobs';
import { keyRoutes } from './routes/keys';
import { nodeLogRoutes } from './routes/node-logs';
import { nodeRoutes } from './routes/nodes';
import { systemRoutes } from './routes/system';

export interface HttpAppDeps {
  registry: NodeRegistry;
  bus: EventBus;
  metrics: Metrics;
  logger: Logger;
  adminToken: string;
  version: string;
  /** Allowed browser origins for CORS; empty disables CORS, ['*'] allows any. */
  corsOrigins: string[];
  onNodeRemoved(id: string): void;
  jobs: { engine: JobEngine; store: SqliteJobStore; hub: LogHub };
  /** The OpenAI/Ollama gateway: its paths bypass fastify (see gateway/http.ts); its keys have routes here. */
  gateway?: Pick<Gateway, 'http' | 'keys'>;
  /** Node logs (in memory); default an empty ring of its own. */
  nodeLogs?: NodeLogRing;
}

export async function buildHttpApp(deps: HttpAppDeps): Promise<FastifyInstance> {
  const { gateway } = deps;
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'http' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 4 * 1024 * 1024,
    forceCloseConnections: true,
    ...(gateway
      ? {
          serverFactory: (handler: Parameters<typeof createServer>[1]) =>
            createServer({ keepAliveTimeout: 65_000 }, (req, res) =>
              gateway.http.matches(req.url) ? gateway.http.handle(req, res) : handler!(req, res),
            ),
        }
      : {}),
  });
  installErrorHandlers(app);
  if (deps.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: deps.corsOrigins.includes('*') ? true : deps.corsOrigins,
      methods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
      allowedHeaders: ['authorization', 'content-type', 'last-event-id'],
    });
  }
  installAuth(app, deps.adminToken);
  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.httpDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status_code: reply.statusCode,
      },
      reply.elapsedTime / 1000,
    );
  });
  systemRoutes(app, { metrics: deps.metrics, version: deps.version, startedAt: Date.now() });
  nodeRoutes(app, { registry: deps.registry, onRemoved: deps.onNodeRemoved });
  nodeLogRoutes(app, { registry: deps.registry, logs: deps.nodeLogs ?? new NodeLogRing() });
  eventRoutes(app, { bus: deps.bus, metrics: deps.metrics });
  jobRoutes(app, { engine: deps.jobs.engine, store: deps.jobs.store });
  jobLogRoutes(app, { store: deps.jobs.store, hub: deps.jobs.hub });
  if (gateway) keyRoutes(app, { keys: gateway.keys });
  // The web dashboard at / (its files need no token; the API still does).
  dashboardRoutes(app);
  return app;
}
