// GET /api/v1/jobs/:id/logs — a job's logs and tokens as SSE: stored entries first, then (with ?follow=1) live
// ones until the job ends (`event: end`). Resumable with Last-Event-ID (the log entry id).
import type { LogEntry } from '@orchion/api';
import type { FastifyInstance } from 'fastify';
import type { LogHub } from '../../jobs/log-hub';
import { logEntry } from '../../jobs/views';
import type { SqliteJobStore } from '../../store/job-store';
import { badRequest, notFound } from '../errors';
import { SseConnection, type Frame } from '../sse';

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

const frame = (e: LogEntry): Frame => ({
  id: e.id,
  frame: `id: ${e.id}\nevent: ${e.kind}\ndata: ${JSON.stringify(e)}\n\n`,
});

export function jobLogRoutes(
  app: FastifyInstance,
  deps: { store: SqliteJobStore; hub: LogHub; maxBufferedBytes?: number },
): void {
  app.get<{ Params: { id: string }; Querystring: { follow?: string; lastEventId?: string } }>(
    '/api/v1/jobs/:id/logs',
    async (req, reply) => {
      const job = deps.store.job(req.params.id);
      if (!job) throw notFound(`job ${req.params.id}`);
      const raw = req.headers['last-event-id'] ?? req.query.lastEventId;
      const after = raw === undefined || raw === '' ? 0 : Number(raw);
      if (!Number.isInteger(after) || after < 0)
        throw badRequest('Last-Event-ID must be a non-negative integer');
      const follow = req.query.follow === '1' || req.query.follow === 'true';

      const sse = new SseConnection(req, reply, { afterId: after, maxBufferedBytes: deps.maxBufferedBytes });
      const finish = (): void => {
        const state = deps.store.job(job.id)?.state ?? job.state;
        sse.control(`event: end\ndata: ${JSON.stringify({ state })}\n\n`);
        sse.end();
      };
      let replayed = false;
      let ended = false;
      if (follow) {
        // Subscribed before the replay: entries that arrive meanwhile wait behind it, in order.
        sse.onClose(
          deps.hub.follow(job.id, {
            entries: (entries) => entries.forEach((e) => sse.live(frame(e))),
            end: () => {
              ended = true;
              if (replayed) finish();
            },
          }),
        );
      }
      await sse.replay((afterId) =>
        deps.store.logsAfter(job.id, afterId, 1000).map((r) => frame(logEntry(r))),
      );
      replayed = true;
      const state = deps.store.job(job.id)?.state;
      if (!follow || ended || (state && TERMINAL.has(state))) finish();
    },
  );
}
