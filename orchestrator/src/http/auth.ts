// Bearer-token authentication for the HTTP API (everything except /healthz).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bearer, tokenMatches } from '../auth/tokens';

const PUBLIC_ROUTES = new Set(['/healthz']);

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A route that needs no token (e.g. the dashboard's static files), or a per-request decision. */
    public?: boolean | ((request: FastifyRequest) => boolean);
  }
}

function isPublic(request: FastifyRequest): boolean {
  if (PUBLIC_ROUTES.has(request.routeOptions.url ?? '')) return true;
  const pub = request.routeOptions.config?.public;
  return pub === true || (typeof pub === 'function' && pub(request));
}

export function installAuth(app: FastifyInstance, adminToken: string): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.method === 'OPTIONS' || isPublic(request)) return;
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
