// GET /api/v1/nodes/:id/logs — a node's log (setup, container output, pull progress) as SSE: the retained lines
// first, then (with ?follow=1) live ones until the client leaves or the node is removed (`event: end`). Resumable
// with Last-Event-ID (the entry id). The lines live in memory (nodes/node-log-ring.ts).
import type { NodeLogEntry } from '@orchion/api';
import type { FastifyInstance } from 'fastify';
import type { NodeLogRing } from '../../nodes/node-log-ring';
import type { NodeRegistry } from '../../registry/registry';
import { badRequest, notFound } from '../errors';
import { SseConnection, type Frame } from '../sse';

const frame = (e: NodeLogEntry): Frame => ({
  id: e.id,
  frame: `id: ${e.id}\nevent: log\ndata: ${JSON.stringify(e)}\n\n`,
});

export function nodeLogRoutes(
  app: FastifyInstance,
  deps: { registry: NodeRegistry; logs: NodeLogRing; maxBufferedBytes?: number },
): void {
  app.get<{ Params: { id: string }; Querystring: { follow?: string; lastEventId?: string } }>(
    '/api/v1/nodes/:id/logs',
    async (req, reply) => {
      const id = req.params.id;
      if (!deps.registry.get(id)) throw notFound(`node ${id}`);
      const raw = req.headers['last-event-id'] ?? req.query.lastEventId;
      const after = raw === undefined || raw === '' ? 0 : Number(raw);
      if (!Number.isSafeInteger(after) || after < 0) {
        throw badRequest('Last-Event-ID must be a non-negative integer');
      }
      const follow = req.query.follow === '1' || req.query.follow === 'true';
      const sse = new SseConnection(req, reply, { afterId: after, maxBufferedBytes: deps.maxBufferedBytes });
      const finish = (): void => {
        sse.control(`event: end\ndata: {}\n\n`);
        sse.end();
      };
      let replayed = false;
      let ended = false;
      if (follow) {
        // Subscribed before the replay: lines that arrive meanwhile wait behind it, in order.
        sse.onClose(
          deps.logs.follow(id, {
            entries: (entries) => entries.forEach((e) => sse.live(frame(e))),
            end: () => {
              ended = true;
              if (replayed) finish();
            },
          }),
        );
      }
      await sse.replay((afterId) => deps.logs.after(id, afterId, 1000).map(frame));
      replayed = true;
      if (!follow || ended) finish();
    },
  );
}
