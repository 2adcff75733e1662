/**
 * The gateway's HTTP adapter: a plain node:http handler (in front of fastify on the orchestrator's HTTP server,
 * so the hot path pays for no framework) for the OpenAI routes (/v1/...) and the Ollama routes (/api/version,
 * /api/tags, /api/ps, /api/generate, /api/chat, /api/embed). Auth: `Authorization: Bearer` with the admin token
 * or an API key; keys are admitted against their quotas. Errors: OpenAI's shape on /v1, Ollama's on /api.
 * Streams write each chunk as it arrives; a client that goes away aborts the request on the node.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { bearer } from '../auth/tokens';
import { Cancel } from './cancel';
import { ClientGone, GatewayError, type Dispatcher, type GenerateCall } from './dispatch';
import type { GenerationFormat } from './format';
import type { Caller, KeyRing } from './keys';
import type { GatewayMetrics } from './metrics';
import * as ollama from './ollama';
import * as openai from './openai';
import type { Router } from './router';

type Api = 'openai' | 'ollama';

const OLLAMA_ROUTES = new Set([
  '/api/version',
  '/api/tags',
  '/api/ps',
  '/api/generate',
  '/api/chat',
  '/api/embed',
]);

/** Request bodies over this are refused (413). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface GatewayHttpDeps {
  router: Router;
  dispatcher: Dispatcher;
  keys: KeyRing;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Browser origins allowed (the orchestrator's --cors-origin); empty: no CORS headers. */
  corsOrigins?: string[];
}

interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  api: Api;
  caller: Caller;
  /** Model label for metrics (known models only, to bound cardinality). */
  model: string;
}

export class GatewayHttp {
  /** Sets CORS headers for allowed origins; true when it answered a preflight itself. */
  private readonly cors: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;

  constructor(private readonly deps: GatewayHttpDeps) {
    const origins = deps.corsOrigins ?? [];
    if (origins.length > 0) {
      const any = origins.includes('*');
      this.cors = (req, res) => {
        const origin = req.headers.origin!;
        if (!any && !origins.includes(origin)) return false;
        res.setHeader('access-control-allow-origin', any ? '*' : origin);
        if (!any) res.setHeader('vary', 'origin');
        if (req.method !== 'OPTIONS') return false;
        req.resume();
        res.writeHead(204, {
          'access-control-allow-methods': 'GET, POST, OPTIONS',
          // Clients send their own headers (the OpenAI SDK's x-stainless-*): allow what the preflight asks for.
          'access-control-allow-headers':
            req.headers['access-control-request-headers'] ?? 'authorization, content-type',
          'access-control-max-age': '600',
        });
        res.end();
        return true;
      };
    }
  }

  /** Whether the gateway serves this request path (the rest goes to the API). */
  matches(url: string | undefined): boolean {
    if (!url) return false;
    if (url.startsWith('/v1/')) return true;
    const q = url.indexOf('?');
    return OLLAMA_ROUTES.has(q < 0 ? url : url.slice(0, q));
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const api: Api = path.startsWith('/v1/') ? 'openai' : 'ollama';
    if (this.cors && req.headers.origin && this.cors(req, res)) return;
    if (path === '/api/version' && req.method === 'GET') {
      req.resume();
      return sendJson(res, 200, { version: ollama.OLLAMA_API_VERSION });
    }
    const caller = this.deps.keys.identify(bearer(req.headers.authorization));
    if (!caller) {
      req.resume();
      this.deps.metrics.rejections.inc({ reason: 'unauthorized' });
      const why = req.headers.authorization ? 'invalid API key' : 'missing API key';
      return this.fail(
        { req, res, api, caller: { kind: 'admin' }, model: '-' },
        new GatewayError(
          401,
          'invalid_api_key',
          `${why}: send Authorization: Bearer <API key> (see \`orchion keys create\`)`,
        ),
      );
    }
    const ex: Exchange = { req, res, api, caller, model: '-' };
    this.route(ex, path).catch((err: unknown) => this.fail(ex, err));
  }

  private async route(ex: Exchange, path: string): Promise<void> {
    const { req } = ex;
    const method = req.method ?? 'GET';
    const post = method === 'POST';
    if (method === 'GET') {
      req.resume();
      if (path === '/v1/models') return this.listModels(ex);
      if (path.startsWith('/v1/models/')) return this.getModel(ex, decodePath(path.slice(11)));
      if (path === '/api/tags') return sendJson(ex.res, 200, ollama.tagsBody(this.deps.router.models()));
      if (path === '/api/ps') return sendJson(ex.res, 200, ollama.psBody(this.deps.router.models()));
    }
    const inference =
      path === '/v1/chat/completions' ||
      path === '/v1/completions' ||
      path === '/v1/embeddings' ||
      path === '/api/generate' ||
      path === '/api/chat' ||
      path === '/api/embed';
    if (!inference) {
      req.resume();
      throw new GatewayError(404, 'not_found', `no route for ${method} ${path}`);
    }
    if (!post) {
      req.resume();
      throw new GatewayError(405, 'method_not_allowed', `${path} takes POST`);
    }
    const verdict = this.deps.keys.admit(ex.caller);
    if (!verdict.ok) {
      req.resume();
      this.deps.metrics.rejections.inc({ reason: verdict.code });
      throw new GatewayError(429, verdict.code, verdict.message, verdict.retryAfterS);
    }
    const body = await readJson(req);
    switch (path) {
      case '/v1/chat/completions': {
        const p = this.parsed(() => openai.parseChat(body));
        return this.generation(ex, p.call, openai.openaiFormat('chat', p.call.model, p.includeUsage));
      }
      case '/v1/completions': {
        const p = this.parsed(() => openai.parseCompletion(body));
        return this.generation(ex, p.call, openai.openaiFormat('complete', p.call.model, p.includeUsage));
      }
      case '/api/chat': {
        const call = this.parsed(() => ollama.parseChat(body));
        return this.generation(ex, call, ollama.ollamaFormat('chat', call.model));
      }
      case '/api/generate': {
        const call = this.parsed(() => ollama.parseGenerate(body));
        if (call.emptyPrompt) return this.loadOnly(ex, call.model);
        return this.generation(ex, call, ollama.ollamaFormat('complete', call.model));
      }
      case '/v1/embeddings': {
        const p = this.parsed(() => openai.parseEmbeddings(body));
        this.label(ex, p.model);
        const r = await this.deps.dispatcher.embed(p.model, p.input, this.clientGone(ex));
        this.deps.keys.addTokens(ex.caller, r.promptTokens);
        return this.ok(ex, openai.embeddingsBody(p.model, r, p.base64));
      }
      default: {
        const started = performance.now();
        const p = this.parsed(() => ollama.parseEmbed(body));
        this.label(ex, p.model);
        const r = await this.deps.dispatcher.embed(p.model, p.input, this.clientGone(ex));
        this.deps.keys.addTokens(ex.caller, r.promptTokens);
        return this.ok(ex, ollama.embedBody(p.model, r, started));
      }
    }
  }

  private parsed<T>(parse: () => T): T {
    try {
      return parse();
    } catch (err) {
      if (err instanceof GatewayError) this.deps.metrics.rejections.inc({ reason: 'bad_request' });
      throw err;
    }
  }

  private label(ex: Exchange, model: string): void {
    ex.model = this.deps.router.serves(model) ? model : '(unknown)';
  }

  /** Aborts the request on its node when the client goes away before the answer is complete. */
  private clientGone(ex: Exchange): Cancel {
    const cancel = new Cancel();
    const { res } = ex;
    res.once('close', () => {
      if (!res.writableFinished) cancel.abort();
    });
    return cancel;
  }

  private async generation(ex: Exchange, call: GenerateCall, format: GenerationFormat): Promise<void> {
    this.label(ex, call.model);
    const { res } = ex;
    const cancel = this.clientGone(ex);
    const started = performance.now();
    const { metrics, dispatcher } = this.deps;
    if (!call.stream) {
      const out = await dispatcher.generate(call, undefined, cancel);
      this.finished(ex, out.result, started);
      this.deps.metrics.requests.inc({ api: ex.api, model: ex.model, status: 200 });
      return sendJsonText(ex.res, 200, format.body(out.result));
    }
    let open = false;
    const start = () => {
      open = true;
      res.writeHead(200, {
        'content-type': format.streamType,
        'cache-control': 'no-cache',
        'x-accel-buffering': 'no',
      });
      const head = format.head();
      if (head) res.write(head);
    };
    // Chunks that arrive in the same turn of the event loop leave in one write; none waits longer.
    let corked = false;
    const uncork = () => {
      corked = false;
      res.uncork();
    };
    const onToken = (json: string) => {
      if (!corked) {
        corked = true;
        res.cork();
        process.nextTick(uncork);
      }
      if (!open) {
        start();
        metrics.ttft.observe({ model: ex.model }, (performance.now() - started) / 1000);
      }
      res.write(format.token(json));
    };
    try {
      const out = await dispatcher.generate(call, onToken, cancel);
      if (!open) start();
      res.end(format.tail(out.result));
      this.finished(ex, out.result, started);
      metrics.requests.inc({ api: ex.api, model: ex.model, status: 200 });
    } catch (err) {
      if (!open) throw err;
      if (err instanceof ClientGone || cancel.aborted) return;
      const gerr = err instanceof GatewayError ? err : new GatewayError(500, 'internal', 'internal error');
      if (!(err instanceof GatewayError)) this.deps.logger.error({ err }, 'gateway stream failed');
      metrics.requests.inc({ api: ex.api, model: ex.model, status: gerr.status });
      res.end(format.streamError(gerr));
    }
  }

  /** Ollama's "load the model" request (an empty prompt): answered when the model is served somewhere. */
  private loadOnly(ex: Exchange, model: string): void {
    if (!this.deps.router.serves(model)) {
      throw new GatewayError(404, 'model_not_found', `no node serves model ${JSON.stringify(model)}`);
    }
    this.label(ex, model);
    this.ok(ex, {
      model,
      created_at: new Date().toISOString(),
      response: '',
      done: true,
      done_reason: 'load',
    });
  }

  private finished(
    ex: Exchange,
    r: { promptTokens: number; completionTokens: number; durationMs: number },
    started: number,
  ): void {
    this.deps.keys.addTokens(ex.caller, r.promptTokens + r.completionTokens);
    const seconds = r.durationMs > 0 ? r.durationMs / 1000 : (performance.now() - started) / 1000;
    if (r.completionTokens > 0 && seconds > 0) {
      this.deps.metrics.tokensPerSecond.observe({ model: ex.model }, r.completionTokens / seconds);
    }
  }

  private listModels(ex: Exchange): void {
    const created = Math.floor(Date.now() / 1000);
    const data = [...this.deps.router.models()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, nodes]) => openai.modelObject(name, nodes, created));
    this.ok(ex, { object: 'list', data });
  }

  private getModel(ex: Exchange, id: string): void {
    const nodes = this.deps.router.models().get(id);
    if (!nodes) {
      throw new GatewayError(
        404,
        'model_not_found',
        `The model \`${id}\` does not exist or no node serves it.`,
      );
    }
    this.ok(ex, openai.modelObject(id, nodes, Math.floor(Date.now() / 1000)));
  }

  private ok(ex: Exchange, body: unknown): void {
    this.deps.metrics.requests.inc({ api: ex.api, model: ex.model, status: 200 });
    sendJson(ex.res, 200, body);
  }

  private fail(ex: Exchange, err: unknown): void {
    if (err instanceof ClientGone) return;
    let gerr: GatewayError;
    if (err instanceof GatewayError) gerr = err;
    else {
      this.deps.logger.error({ err }, 'gateway request failed');
      gerr = new GatewayError(500, 'internal', 'internal error');
    }
    if (gerr.status !== 401)
      this.deps.metrics.requests.inc({ api: ex.api, model: ex.model, status: gerr.status });
    if (ex.res.headersSent) {
      ex.res.destroy();
      return;
    }
    const headers: Record<string, string> = {};
    if (gerr.retryAfterS !== undefined) headers['retry-after'] = String(gerr.retryAfterS);
    if (gerr.status === 401) headers['www-authenticate'] = 'Bearer';
    sendJson(
      ex.res,
      gerr.status,
      ex.api === 'openai' ? openai.openaiError(gerr) : ollama.ollamaError(gerr),
      headers,
    );
  }
}

function decodePath(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new GatewayError(400, 'invalid_request', `malformed path segment ${JSON.stringify(segment)}`);
  }
}

function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  sendJsonText(res, status, JSON.stringify(value), headers);
}

function sendJsonText(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(new GatewayError(413, 'request_too_large', `the body is over ${MAX_BODY_BYTES} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new GatewayError(400, 'invalid_request', 'the body is not valid JSON'));
      }
    });
    // The client went away while sending its body: nothing to answer.
    req.on('error', () => reject(new ClientGone()));
    req.on('aborted', () => reject(new ClientGone()));
  });
}
