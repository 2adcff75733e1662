// The web dashboard (webview-ui's build) at `/`: its files need no token (the page asks for one and sends it to
// the API), any other GET path outside the API answers with the page so its routes (/jobs/ID …) can be reloaded,
// with a content security policy for the page. Files are read once at start, gzipped once, and revalidated by
// ETag; index.html links the assets with their hash, so those may be cached for good.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Paths the dashboard never answers for: the API, the OpenAI/Ollama gateway, health and metrics. */
const RESERVED = /^\/(api|v1|healthz|metrics)(\/|$)/;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** The page's policy: its own script and stylesheet, API calls to its own origin, nothing inline. */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface StaticFile {
  body: Buffer;
  gzip: Buffer | undefined;
  type: string;
  etag: string;
}

/** Where the build is: next to the bundled CLI (orchestrator/dist/dashboard), or webview-ui/dist from sources. */
export function findDashboardDir(): string | undefined {
  const candidates = [
    fileURLToPath(new URL('./dashboard/', import.meta.url)),
    fileURLToPath(new URL('../../../../webview-ui/dist/', import.meta.url)),
  ];
  return candidates.find((d) => existsSync(join(d, 'index.html')));
}

function loadFiles(dir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    const body = readFileSync(path);
    const type = TYPES[extname(name)] ?? 'application/octet-stream';
    const compressible = /^(text\/|application\/json|image\/svg)/.test(type) && body.length > 1024;
    files.set(`/${name}`, {
      body,
      gzip: compressible ? gzipSync(body, { level: 9 }) : undefined,
      type,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    });
  }
  // The page links its assets with their hash (?v=…): a new build gets new URLs.
  const index = files.get('/index.html');
  if (index) {
    const html = index.body
      .toString('utf8')
      .replace(/(href|src)="\/([\w.-]+\.(?:js|css))"/g, (whole, attr: string, name: string) => {
        const asset = files.get(`/${name}`);
        return asset ? `${attr}="/${name}?v=${asset.etag.slice(1, 13)}"` : whole;
      });
    const body = Buffer.from(html);
    files.set('/index.html', {
      ...index,
      body,
      gzip: gzipSync(body),
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    });
  }
  return files;
}

export function dashboardRoutes(app: FastifyInstance, opts: { dir?: string } = {}): void {
  const dir = opts.dir ?? findDashboardDir();
  const files = dir && existsSync(join(dir, 'index.html')) ? loadFiles(dir) : new Map<string, StaticFile>();

  const send = (
    req: FastifyRequest,
    reply: FastifyReply,
    file: StaticFile,
    immutable: boolean,
  ): FastifyReply => {
    reply
      .header('content-type', file.type)
      .header('etag', file.etag)
      .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('vary', 'accept-encoding');
    if (file.type.startsWith('text/html')) {
      reply
        .header('content-security-policy', DASHBOARD_CSP)
        .header('referrer-policy', 'no-referrer')
        .header('x-frame-options', 'DENY');
    }
    if (req.headers['if-none-match'] === file.etag) return reply.status(304).send();
    const gzip = file.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    if (gzip) reply.header('content-encoding', 'gzip');
    return reply.send(gzip ? file.gzip : file.body);
  };

  const page = (req: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const index = files.get('/index.html');
    if (!index) {
      return reply.status(404).send({
        error: {
          code: 'dashboard_not_built',
          message:
            'the web dashboard is not built: run `npm run build` (it builds webview-ui into the orchestrator)',
        },
      });
    }
    return send(req, reply, index, false);
  };

  // Public, except that an unknown API path still needs the token (and gets the API's JSON 404).
  const isPublicPath = (req: FastifyRequest): boolean => !RESERVED.test(req.url.split('?', 1)[0]!);

  app.get('/', { config: { public: true } }, async (req, reply) => page(req, reply));
  app.get('/*', { config: { public: isPublicPath } }, async (req, reply) => {
    const path = req.url.split('?', 1)[0]!;
    if (RESERVED.test(path)) return reply.callNotFound();
    const file = files.get(path);
    if (file) return send(req, reply, file, /[?&]v=/.test(req.url) && path !== '/index.html');
    // A missing asset is a 404, not the page (a script answered with HTML only confuses the browser).
    if (/\.[a-z0-9]+$/i.test(path)) return reply.callNotFound();
    return page(req, reply);
  });
}
