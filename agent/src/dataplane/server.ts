/**
 * The agent's data plane (contract: proto/src/data-plane.ts): an HTTP server that runs inference requests from
 * the orchestrator's gateway straight on this agent's runtimes, beside the gRPC session (which stays for
 * control). Streams write each token chunk to the socket as the runtime hands it over (no buffering); a caller
 * that goes away aborts the generation on the runtime at once.
 *
 * Bound to loopback by default (`--data-plane-addr`); every request must carry the node's data-plane token.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  DataPlaneEmbedRequest,
  DataPlaneGenerateRequest,
  DataPlaneResult,
  DataPlaneStatus,
} from '@orchion/proto';
import type { Logger } from 'pino';
import { chooseRuntime } from '../executor/runtime-choice.js';
import { TaskFailure } from '../executor/task-errors.js';
import { isRuntimeError } from '../runtimes/errors.js';
import type { GenerateResult, Runtime } from '../runtimes/types.js';

export interface DataPlaneServerOptions {
  /** host:port to listen on (port 0 picks a free one). */
  address: string;
  nodeId: string;
  /** The bearer token callers must present (dataPlaneToken(joinToken, nodeId)). */
  token: string;
  runtimes: readonly Runtime[];
  logger: Logger;
}

/** Request bodies larger than this are refused (413). */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

const STATUS_OF: Record<string, number> = {
  'bad-request': 400,
  'model-not-found': 404,
  'runtime-not-found': 404,
  'model-invalid': 422,
  'continuation-unsupported': 422,
  'runtime-crashed': 502,
  'runtime-unavailable': 503,
  closed: 503,
  aborted: 499,
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class DataPlaneServer {
  private readonly server: Server;
  private readonly runtimes: ReadonlyMap<string, Runtime>;
  private readonly expected: Buffer;
  private readonly counters = { active: 0, completed: 0, failed: 0, aborted: 0, chunks: 0 };
  private url = '';

  constructor(private readonly opts: DataPlaneServerOptions) {
    this.runtimes = new Map(opts.runtimes.map((r) => [r.name, r]));
    this.expected = Buffer.from(`Bearer ${opts.token}`);
    this.server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => this.handle(req, res));
    this.server.headersTimeout = 66_000;
  }

  /** Starts listening; resolves with the base URL (e.g. http://127.0.0.1:41234). */
  async listen(): Promise<string> {
    const i = this.opts.address.lastIndexOf(':');
    const host = this.opts.address.slice(0, i).replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
    const port = Number(this.opts.address.slice(i + 1));
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const addr = this.server.address() as AddressInfo;
    const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    this.url = `http://${shown.includes(':') ? `[${shown}]` : shown}:${addr.port}`;
    return this.url;
  }

  get baseUrl(): string {
    return this.url;
  }

  status(): DataPlaneStatus {
    return { nodeId: this.opts.nodeId, ...this.counters };
  }

  /** Stops listening and ends open connections (running generations are aborted by their closed sockets). */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private authorized(req: IncomingMessage): boolean {
    const h = req.headers.authorization;
    if (!h || h.length !== this.expected.length) return false;
    return timingSafeEqual(Buffer.from(h), this.expected);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (!this.authorized(req)) {
      req.resume();
      return sendError(res, new HttpError(401, 'unauthorized', 'missing or wrong data-plane token'));
    }
    const path = req.url ?? '';
    if (req.method === 'GET' && path === '/v1/status') return sendJson(res, 200, this.status());
    if (req.method === 'POST' && (path === '/v1/generate' || path === '/v1/embed')) {
      readJson(req).then(
        (body) => (path === '/v1/generate' ? this.generate(body, res) : this.embed(body, res)),
        (err: unknown) => sendError(res, err),
      );
      return;
    }
    req.resume();
    sendError(res, new HttpError(404, 'not_found', `no route for ${req.method} ${path}`));
  }

  private async runtimeFor(model: unknown): Promise<Runtime> {
    if (typeof model !== 'string' || !model)
      throw new HttpError(400, 'bad-request', 'model must be a string');
    return (await chooseRuntime(this.runtimes, '', model)).runtime;
  }

  private async generate(body: unknown, res: ServerResponse): Promise<void> {
    const r = body as DataPlaneGenerateRequest;
    const controller = new AbortController();
    const signal = controller.signal;
    res.once('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    this.counters.active++;
    let streamed = false;
    try {
      const runtime = await this.runtimeFor(r?.model);
      if (r.kind !== 'chat' && r.kind !== 'complete') {
        throw new HttpError(400, 'bad-request', 'kind must be chat or complete');
      }
      if (r.assistantPrefix && (r.kind !== 'chat' || !runtime.continuesChat)) {
        throw new HttpError(
          422,
          'continuation-unsupported',
          `the ${runtime.name} runtime cannot continue an assistant answer`,
        );
      }
      const onToken = r.stream
        ? (text: string) => {
            if (signal.aborted) return;
            if (!streamed) {
              streamed = true;
              res.writeHead(200, { 'content-type': 'application/x-ndjson' });
            }
            this.counters.chunks++;
            res.write(`{"t":${JSON.stringify(text)}}\n`);
          }
        : undefined;
      const options = r.options ?? {};
      const result: GenerateResult =
        r.kind === 'chat'
          ? await runtime.chat({
              model: r.model,
              messages: r.messages ?? [],
              ...(r.assistantPrefix ? { assistantPrefix: r.assistantPrefix } : {}),
              options,
              signal,
              onToken,
            })
          : await runtime.complete({
              model: r.model,
              prompt: typeof r.prompt === 'string' ? r.prompt : '',
              options,
              signal,
              onToken,
            });
      if (signal.aborted || result.stopReason === 'aborted') {
        this.counters.aborted++;
        this.opts.logger.info(
          { model: r.model, chunks: result.completionTokens },
          'data plane: generation stopped, the caller went away',
        );
        res.destroy();
        return;
      }
      this.counters.completed++;
      const done: DataPlaneResult = { ...result, runtime: runtime.name };
      if (!r.stream) return sendJson(res, 200, done);
      if (!streamed) res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.end(`${JSON.stringify({ done })}\n`);
    } catch (err) {
      this.counters.failed++;
      if (!streamed) return sendError(res, err);
      const { code, message } = describe(err);
      res.end(`${JSON.stringify({ error: { code, message } })}\n`);
    } finally {
      this.counters.active--;
    }
  }

  private async embed(body: unknown, res: ServerResponse): Promise<void> {
    const r = body as DataPlaneEmbedRequest;
    const controller = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    this.counters.active++;
    try {
      const runtime = await this.runtimeFor(r?.model);
      const result = await runtime.embed({ model: r.model, input: r.input, signal: controller.signal });
      this.counters.completed++;
      sendJson(res, 200, result);
    } catch (err) {
      if (isRuntimeError(err, 'aborted')) this.counters.aborted++;
      else this.counters.failed++;
      sendError(res, err);
    } finally {
      this.counters.active--;
    }
  }
}

function describe(err: unknown): { status: number; code: string; message: string } {
  if (err instanceof HttpError) return { status: err.status, code: err.code, message: err.message };
  if (isRuntimeError(err) || err instanceof TaskFailure) {
    return { status: STATUS_OF[err.code] ?? 500, code: err.code, message: err.message };
  }
  return { status: 500, code: 'internal', message: err instanceof Error ? err.message : String(err) };
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function sendError(res: ServerResponse, err: unknown): void {
  const { status, code, message } = describe(err);
  sendJson(res, status, { error: { code, message } });
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, 'bad-request', `request body over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new HttpError(400, 'bad-request', 'the body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}
