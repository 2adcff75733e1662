/**
 * The model server: a fastify app speaking the Ollama and/or OpenAI HTTP APIs over one runtime, plus GET /health
 * for readiness polling (with the host's counters).
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Runtime } from './agent.js';
import type { ServerContext } from './context.js';
import { messageOf, ollamaError, openaiCode, openaiError, statusOf } from './errors.js';
import { RuntimeHost, type HostStats } from './host.js';
import type { KeepAliveMs } from './keep-alive.js';
import { registerOllama } from './ollama/index.js';
import { registerOpenAI } from './openai/index.js';

export type ApiName = 'ollama' | 'openai';
export const API_NAMES: readonly ApiName[] = ['ollama', 'openai'];

export interface ModelServerOptions {
  /** Makes the runtime (again after each unload: see RuntimeHost). */
  createRuntime: () => Runtime;
  /** The runtime's GGUF models directory, for file facts and pulls. */
  modelsDir?: string;
  /** A local directory /api/pull copies `<name>.gguf` from. */
  pullFrom?: string;
  /** Bytes per pull progress line (default 1 MiB). */
  pullChunkBytes?: number;
  /** Which APIs to serve (default both). */
  apis?: readonly ApiName[];
  /** Keep-alive when a request names none (default 5 minutes, Ollama's). */
  keepAliveMs?: KeepAliveMs;
  /** When set, /v1 requests need `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** fastify's logger option (default off). */
  logger?: FastifyServerOptions['logger'];
}

export interface ModelServer {
  app: FastifyInstance;
  host: RuntimeHost;
  stats: HostStats;
}

const DEFAULT_KEEP_ALIVE_MS = 5 * 60_000;

export function createModelServer(options: ModelServerOptions): ModelServer {
  const apis = new Set(options.apis ?? API_NAMES);
  const host = new RuntimeHost({
    create: options.createRuntime,
    defaultKeepAliveMs: options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS,
  });
  const ctx: ServerContext = {
    host,
    modelsDir: options.modelsDir,
    pullFrom: options.pullFrom,
    pullChunkBytes: options.pullChunkBytes,
  };
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: 32 * 1024 * 1024,
    // Closing ends every connection, streams included (clients may hold idle or half-open ones).
    forceCloseConnections: true,
  });
  const isOpenAI = (url: string) => url.startsWith('/v1/') || url === '/v1';

  // Clients such as `curl -d` send JSON without a JSON content type: parse every body as JSON.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(Object.assign(new Error(`invalid JSON body: ${messageOf(err)}`), { statusCode: 400 }), undefined);
    }
  });

  app.setErrorHandler((err, req, reply) => {
    const status = statusOf(err);
    if (status >= 500) req.log.error({ err }, 'request failed');
    const body = isOpenAI(req.url)
      ? openaiError(status, messageOf(err), openaiCode(err))
      : ollamaError(messageOf(err));
    return reply.code(status).send(body);
  });

  app.setNotFoundHandler((req, reply) =>
    isOpenAI(req.url)
      ? reply
          .code(404)
          .send(openaiError(404, `Unknown request URL: ${req.method} ${req.url}.`, 'unknown_url'))
      : reply.code(404).type('text/plain; charset=utf-8').send('404 page not found'),
  );

  app.get('/health', async () => ({ status: 'ok', runtime: host.name, apis: [...apis], ...host.stats }));

  if (apis.has('ollama')) registerOllama(app, ctx);
  if (apis.has('openai')) registerOpenAI(app, ctx, { apiKey: options.apiKey });
  app.addHook('onClose', async () => host.close());
  return { app, host, stats: host.stats };
}
