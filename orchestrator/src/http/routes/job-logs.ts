// GET /api/v1/jobs/:id/logs — a job's logs and tokens as SSE: stored entries first, then (with ?follow=1) live
// ones until the job ends. Resumable with Last-Event-ID (the log entry id).
import type { LogEntry } from '@orchion/api';
import type { FastifyInstance } from 'fastify';
import type { LogHub } from '../../jobs/log-hub';
import { logEntry } from '../../jobs/views';
import type { SqliteJobStore } from '../../store/job-store';
import { badRequest, notFound } from '../errors';

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

export function jobLogRoutes(
  app: FastifyInstance,
  deps: { store: SqliteJobStore; hub: LogHub; maxBufferedBytes?: number },
): void {
  const maxBuffered = deps.maxBufferedBytes ?? 4 * 1024 * 1024;
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

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      let last = after;
      let open = true;
      const send = (entries: LogEntry[]): void => {
        if (!open) return;
        let out = '';
        for (const e of entries) {
          if (e.id <= last) continue;
          last = e.id;
          out += `id: ${e.id}\nevent: ${e.kind}\ndata: ${JSON.stringify(e)}\n\n`;
        }
        if (!out) return;
        if (res.writableLength > maxBuffered) {
          req.log.warn('log follower too slow; disconnecting it (it can resume)');
          close();
          res.destroy();
          return;
        }
        res.write(out);
      };
      const finish = (): void => {
        if (!open) return;
        const state = deps.store.job(job.id)?.state ?? job.state;
        res.write(`event: end\ndata: ${JSON.stringify({ state })}\n\n`);
        close();
        res.end();
      };
      // Subscribe first (buffering), then replay, so nothing falls between the two.
      const pending: LogEntry[][] = [];
      let replaying = true;
      const unfollow = follow
        ? deps.hub.follow(job.id, {
            entries: (e) => (replaying ? pending.push(e) : send(e)),
            end: () => (replaying ? undefined : finish()),
          })
        : () => {};
      const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
      const close = (): void => {
        open = false;
        unfollow();
        clearInterval(keepAlive);
      };
      res.on('close', close);
      for (;;) {
        const rows = deps.store.logsAfter(job.id, last, 1000);
        send(rows.map(logEntry));
        if (rows.length < 1000) break;
      }
      replaying = false;
      for (const p of pending) send(p);
      const state = deps.store.job(job.id)?.state;
      if (!follow || (state && TERMINAL.has(state))) finish();
    },
  );
}
