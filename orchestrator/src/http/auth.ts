// Bearer-token authentication for the HTTP API (everything except /healthz).
import type { FastifyInstance } from 'fastify';
import { bearer, tokenMatches } from '../auth/tokens';

const PUBLIC_ROUTES = new Set(['/healthz']);

export function installAuth(app: FastifyInstance, adminToken: string): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.method === 'OPTIONS' || PUBLIC_ROUTES.has(request.routeOptions.url ?? '')) return;
    if (tokenMatches(bearer(request.headers.authorization), adminToken)) return;
    const why = request.headers.authorization ? 'wrong token' : 'missing token';
    request.log.warn({ ip: request.ip, url: request.url.split('?')[0], why }, 'unauthorized request');
    return reply
      .status(401)
      .header('www-authenticate', 'Bearer')
      .send({
        error: {
          code: 'unauthorized',
          message: `${why}: send Authorization: Bearer <token> (the admin token printed at first start, or in the data dir's admin.token)`,
        },
      });
  });
}
