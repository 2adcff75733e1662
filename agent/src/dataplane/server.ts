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
import type { AddressInfo, Socket } from 'node:net';
import { MUX_PATH, MUX_PROTOCOL, type DataPlaneStatus } from '@orchion/proto';
import type { Logger } from 'pino';
import type { Runtime } from '../runtimes/types.js';
import { DataPlaneCore, DataPlaneFailure, describe } from './core.js';
import { MuxSession } from './mux-session.js';

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

const NDJSON = { 'content-type': 'application/x-ndjson' };
const SWITCHING = `HTTP/1.1 101 Switching Protocols\r\nupgrade: ${MUX_PROTOCOL}\r\nconnection: Upgrade\r\n\r\n`;

export class DataPlaneServer {
  private readonly server: Server;
  private readonly core: DataPlaneCore;
  private readonly expected: Buffer;
  private readonly muxSockets = new Set<Socket>();
  private url = '';

  constructor(private readonly opts: DataPlaneServerOptions) {
    this.core = new DataPlaneCore(opts.nodeId, opts.runtimes, opts.logger);
    this.expected = Buffer.from(`Bearer ${opts.token}`);
    this.server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => this.handle(req, res));
    this.server.headersTimeout = 66_000;
    this.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) =>
      this.upgrade(req, socket, head),
    );
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

  /** Multiplexed connections open now (the gateway keeps one per orchestrator). */
  get muxConnections(): number {
    return this.muxSockets.size;
  }

  status(): DataPlaneStatus {
    return this.core.status();
  }

  /** Stops listening and ends open connections (running generations are aborted by their closed sockets). */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
      for (const s of this.muxSockets) s.destroy();
    });
  }

  private authorized(req: IncomingMessage): boolean {
    const h = req.headers.authorization;
    if (!h || h.length !== this.expected.length) return false;
    return timingSafeEqual(Buffer.from(h), this.expected);
  }

  /** The multiplexed connection's handshake: `GET /v1/mux` with `Upgrade: orchion-mux/1` and the token. */
  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const refuse = (status: number, code: string, message: string) => {
      const body = JSON.stringify({ error: { code, message } });
      socket.end(
        `HTTP/1.1 ${status} ${code}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
    };
    socket.on('error', () => socket.destroy());
    if (!this.authorized(req)) return refuse(401, 'unauthorized', 'missing or wrong data-plane token');
    if (req.url !== MUX_PATH || req.headers.upgrade?.toLowerCase() !== MUX_PROTOCOL) {
      return refuse(404, 'not_found', `no upgrade to ${String(req.headers.upgrade)} on ${String(req.url)}`);
    }
    socket.write(SWITCHING);
    this.muxSockets.add(socket);
    socket.once('close', () => this.muxSockets.delete(socket));
    new MuxSession(socket, this.core, this.opts.logger).start(head);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (!this.authorized(req)) {
      req.resume();
      return sendError(res, new DataPlaneFailure(401, 'unauthorized', 'missing or wrong data-plane token'));
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
    sendError(res, new DataPlaneFailure(404, 'not_found', `no route for ${req.method} ${path}`));
  }

  private generate(body: unknown, res: ServerResponse): Promise<void> {
    const controller = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    const stream = (body as { stream?: unknown } | null)?.stream === true;
    return this.core.generate(body, controller.signal, {
      chunk: (literal) => {
        if (!res.headersSent) res.writeHead(200, NDJSON);
        res.write(`{"t":${literal}}\n`);
      },
      done: (done) => {
        if (!stream) return sendJson(res, 200, done);
        if (!res.headersSent) res.writeHead(200, NDJSON);
        res.end(`${JSON.stringify({ done })}\n`);
      },
      error: ({ status, code, message }, streamed) => {
        if (!streamed) return sendJson(res, status, { error: { code, message } });
        res.end(`${JSON.stringify({ error: { code, message } })}\n`);
      },
      aborted: () => res.destroy(),
    });
  }

  private embed(body: unknown, res: ServerResponse): Promise<void> {
    const controller = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    return this.core.embed(body, controller.signal, {
      done: (result) => sendJson(res, 200, result),
      error: ({ status, code, message }) => sendJson(res, status, { error: { code, message } }),
    });
  }
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
        reject(new DataPlaneFailure(413, 'bad-request', `request body over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new DataPlaneFailure(400, 'bad-request', 'the body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}
