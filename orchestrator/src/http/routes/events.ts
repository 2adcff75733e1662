// GET /api/v1/events: Server-Sent Events with `Last-Event-ID` resume and a bounded per-client buffer.
import type { FastifyInstance } from 'fastify';
import type { EventBus } from '../../events/event-bus';
import type { Metrics } from '../../metrics';
import { badRequest } from '../errors';
import { SseConnection } from '../sse';

export interface EventRoutesOptions {
  bus: EventBus;
  metrics: Metrics;
  /** A client whose unsent output exceeds this is disconnected; it resumes with Last-Event-ID. */
  maxBufferedBytes?: number;
  keepAliveMs?: number;
}

export function eventRoutes(app: FastifyInstance, opts: EventRoutesOptions): void {
  app.get<{ Querystring: { lastEventId?: string } }>('/api/v1/events', async (req, reply) => {
    const raw = req.headers['last-event-id'] ?? req.query.lastEventId;
    const lastId = raw === undefined || raw === '' ? undefined : Number(raw);
    if (lastId !== undefined && (!Number.isInteger(lastId) || lastId < 0)) {
      throw badRequest('Last-Event-ID must be a non-negative integer');
    }
    // Without Last-Event-ID a client gets live events only: start after the newest stored one.
    const sse = new SseConnection(req, reply, { ...opts, afterId: lastId ?? opts.bus.lastId() });
    opts.metrics.sseClients.inc();
    sse.onClose(opts.bus.subscribe((e) => sse.live(e)));
    sse.onClose(() => opts.metrics.sseClients.dec());
    if (lastId === undefined) return;
    if (opts.bus.lostAfter(lastId)) {
      sse.control(
        `event: reset\ndata: {"reason":"events after ${lastId} are no longer retained; refetch state"}\n\n`,
      );
    }
    await sse.replay((after) => opts.bus.batchAfter(after, 500));
  });
}
