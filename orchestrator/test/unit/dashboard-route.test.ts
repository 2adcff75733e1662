// The dashboard's static serving on a fastify app with the real auth hook and error handlers: files without a
// token, the page for app routes, the API still behind the token, content types, caching and the page's CSP.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installAuth } from '../../src/http/auth';
import { installErrorHandlers } from '../../src/http/errors';
import { DASHBOARD_CSP, dashboardRoutes } from '../../src/http/routes/dashboard';

const TOKEN = 'secret-token';

async function appWith(dir: string | undefined): Promise<FastifyInstance> {
  const app = Fastify();
  installErrorHandlers(app);
  installAuth(app, TOKEN);
  app.get('/api/v1/nodes', async () => ({ nodes: [] }));
  app.get('/healthz', async () => ({ status: 'ok' }));
  dashboardRoutes(app, { dir });
  await app.ready();
  return app;
}

describe('dashboard routes', () => {
  let app: FastifyInstance;
  const js = `console.log(${JSON.stringify('x'.repeat(4000))});`;

  beforeAll(async () => {
    const dir = join(tmpdir(), `orchion-dash-${process.pid}-${Date.now()}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><link rel="stylesheet" href="/dashboard.css"><script type="module" src="/dashboard.js"></script>',
    );
    writeFileSync(join(dir, 'dashboard.js'), js);
    writeFileSync(join(dir, 'dashboard.css'), 'body{}');
    app = await appWith(dir);
  });
  afterAll(() => app.close());

  it('serves the page without a token, with its CSP, no-cache and hashed asset links', async () => {
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(DASHBOARD_CSP);
    expect(DASHBOARD_CSP).toContain("default-src 'none'");
    expect(DASHBOARD_CSP).not.toContain('unsafe');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).toMatch(/src="\/dashboard\.js\?v=[\w-]{12}"/);
    expect(res.body).toMatch(/href="\/dashboard\.css\?v=[\w-]{12}"/);
  });

  it('serves assets with their types; hashed URLs are immutable; ETag revalidation; gzip when asked', async () => {
    const plain = await app.inject({ url: '/dashboard.js' });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.headers['cache-control']).toBe('no-cache');
    expect(plain.headers['content-security-policy']).toBeUndefined();
    expect(plain.body).toBe(js);
    const hashed = await app.inject({ url: '/dashboard.js?v=abc' });
    expect(hashed.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const again = await app.inject({
      url: '/dashboard.js',
      headers: { 'if-none-match': plain.headers.etag as string },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const gz = await app.inject({ url: '/dashboard.js', headers: { 'accept-encoding': 'gzip, br' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(js);
    expect(gz.rawPayload.length).toBeLessThan(js.length / 4);
    const css = await app.inject({ url: '/dashboard.css' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.headers['content-encoding']).toBeUndefined(); // too small to be worth it
  });

  it('answers app routes with the page, missing assets with a JSON 404', async () => {
    const page = await app.inject({ url: '/jobs/0123/logs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const missing = await app.inject({ url: '/favicon.ico' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('keeps the API as it was: token required, unknown API paths are the API 404 (after auth)', async () => {
    expect((await app.inject({ url: '/api/v1/nodes' })).statusCode).toBe(401);
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await app.inject({ url: '/api/v1/nodes', headers: auth })).json()).toEqual({ nodes: [] });
    const noToken = await app.inject({ url: '/api/v1/bogus' });
    expect(noToken.statusCode).toBe(401);
    const unknown = await app.inject({ url: '/api/v1/bogus', headers: auth });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({
      error: { code: 'not_found', message: 'no route for GET /api/v1/bogus' },
    });
    for (const url of ['/v1/models', '/metrics/x', '/api']) {
      const res = await app.inject({ url, headers: auth });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toContain('application/json');
    }
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    // Writes to the page's paths are not routes.
    expect((await app.inject({ method: 'POST', url: '/', headers: auth })).statusCode).toBe(404);
  });

  it('says how to build the dashboard when it is missing', async () => {
    const bare = await appWith(join(tmpdir(), 'orchion-no-such-dashboard'));
    const res = await bare.inject({ url: '/jobs' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'dashboard_not_built' } });
    await bare.close();
  });
});
