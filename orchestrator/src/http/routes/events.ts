// GET /api/v1/events: Server-Sent Events with `Last-Event-ID` resume and a bounded per-client buffer.
import type { FastifyInstance } from 'fastify';
import type { BusEvent, EventBus } from '../../events/event-bus';
import type { Metrics } from '../../metrics';
import { badRequest } from '../errors';

export interface EventRoutesOptions {
  bus: EventBus;
  metrics: Metrics;
  /** A client whose unsent output exceeds this is disconnected; it resumes with Last-Event-ID. */
  maxBufferedBytes?: number;
  keepAliveMs?: number;
}

export function eventRoutes(app: FastifyInstance, opts: EventRoutesOptions): void {
  const maxBuffered = opts.maxBufferedBytes ?? 4 * 1024 * 1024;
  app.get<{ Querystring: { lastEventId?: string } }>('/api/v1/events', async (req, reply) => {
    const raw = req.headers['last-event-id'] ?? req.query.lastEventId;
    const lastId = raw === undefined || raw === '' ? undefined : Number(raw);
    if (lastId !== undefined && (!Number.isInteger(lastId) || lastId < 0)) {
      throw badRequest('Last-Event-ID must be a non-negative integer');
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n: connected\n\n');
    opts.metrics.sseClients.inc();

    let open = true;
    const send = (e: BusEvent): void => {
      if (!open) return;
      if (res.writableLength > maxBuffered) {
        req.log.warn(
          { buffered: res.writableLength },
          'SSE client too slow; disconnecting it (it can resume)',
        );
        close();
        res.destroy();
        return;
      }
      res.write(e.frame);
    };
    const unsubscribe = opts.bus.subscribe(send);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), opts.keepAliveMs ?? 15_000);
    const close = (): void => {
      if (!open) return;
      open = false;
      unsubscribe();
      clearInterval(keepAlive);
      opts.metrics.sseClients.dec();
    };
    res.on('close', close);

    if (lastId !== undefined) {
      // Replay and live delivery run on one thread over a synchronous store: nothing slips between them.
      if (opts.bus.lostAfter(lastId)) {
        res.write(
          `event: reset\ndata: {"reason":"events after ${lastId} are no longer retained; refetch state"}\n\n`,
        );
      }
      opts.bus.replay(lastId, send);
    }
  });
}
