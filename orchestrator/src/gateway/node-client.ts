/**
 * The gateway's client of agents' data planes (contracts: proto/src/data-plane.ts, data-plane-mux.ts). By default
 * one persistent multiplexed connection per node (mux-client.ts) carries all requests to it; an agent that does
 * not offer it (the upgrade answers 404), or the `http` transport, gets HTTP requests over a keep-alive pool per
 * node (node:http Agent), streamed NDJSON parsed as it arrives and handed on chunk by chunk.
 *
 * Failures are sorted for the caller: NodeFailure (the node or the connection broke: another node may serve the
 * request) and NodeRefused (the node answered with an error: its code says whether another node may do better).
 */
import { Agent, request, type IncomingMessage } from 'node:http';
import type {
  DataPlaneEmbedRequest,
  DataPlaneEmbedResult,
  DataPlaneGenerateRequest,
  DataPlaneResult,
} from '@orchion/proto';
import type { Cancel } from './cancel';
import { MuxConnection, MuxUnsupported } from './mux-client';
import { NodeFailure, NodeRefused, RETRY_ELSEWHERE, nodeError, type GenerateHooks } from './node-errors';

export { NodeFailure, NodeRefused, type GenerateHooks } from './node-errors';

export interface NodeTarget {
  url: string;
  /** `Bearer <data-plane token>`. */
  authorization: string;
}

/** How the gateway talks to nodes: one multiplexed connection per node (default), or an HTTP request per call. */
export type DataPlaneTransport = 'mux' | 'http';

interface MuxState {
  conn?: MuxConnection;
  opening?: Promise<MuxConnection | undefined>;
  /** The node answered the upgrade with 404 (an agent without it): HTTP requests for this address. */
  unsupported?: boolean;
}

export class NodeClient {
  private readonly agents = new Map<string, Agent>();
  private readonly addresses = new Map<string, { host: string; port: number }>();
  private readonly muxes = new Map<string, MuxState>();

  constructor(private readonly transport: DataPlaneTransport = 'mux') {}

  private agentFor(url: string): Agent {
    let agent = this.agents.get(url);
    if (!agent) {
      agent = new Agent({ keepAlive: true, keepAliveMsecs: 30_000, maxFreeSockets: 256, scheduling: 'lifo' });
      this.agents.set(url, agent);
    }
    return agent;
  }

  /** Forgets a node's connections (node gone). */
  drop(url: string): void {
    this.agents.get(url)?.destroy();
    this.agents.delete(url);
    this.muxes.get(url)?.conn?.close();
    this.muxes.delete(url);
  }

  close(): void {
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
    for (const m of this.muxes.values()) m.conn?.close();
    this.muxes.clear();
  }

  generate(
    target: NodeTarget,
    body: DataPlaneGenerateRequest,
    hooks: GenerateHooks,
  ): Promise<DataPlaneResult> {
    const mux = this.muxFor(target);
    if (mux instanceof MuxConnection) return mux.generate(body, hooks);
    if (!mux) return this.httpGenerate(target, body, hooks);
    return mux.then((c) => (c ? c.generate(body, hooks) : this.httpGenerate(target, body, hooks)));
  }

  embed(target: NodeTarget, body: DataPlaneEmbedRequest, cancel?: Cancel): Promise<DataPlaneEmbedResult> {
    const mux = this.muxFor(target);
    if (mux instanceof MuxConnection) return mux.embed(body, cancel);
    if (!mux) return this.httpEmbed(target, body, cancel);
    return mux.then((c) => (c ? c.embed(body, cancel) : this.httpEmbed(target, body, cancel)));
  }

  /**
   * The node's open multiplexed connection; a promise while it opens (undefined then: HTTP for this node); or
   * undefined when HTTP is used. A connection that failed is opened again by the next request; one that cannot
   * be opened fails that request as a node failure (the dispatcher tries another node).
   */
  private muxFor(target: NodeTarget): MuxConnection | Promise<MuxConnection | undefined> | undefined {
    if (this.transport !== 'mux') return undefined;
    let state = this.muxes.get(target.url);
    if (!state) this.muxes.set(target.url, (state = {}));
    if (state.unsupported) return undefined;
    if (state.conn && !state.conn.closed) return state.conn;
    if (state.opening) return state.opening;
    const { host, port } = this.addressOf(target.url);
    const s = state;
    s.conn = undefined;
    s.opening = MuxConnection.open(host, port, target.authorization).then(
      (conn) => {
        s.opening = undefined;
        if (this.muxes.get(target.url) !== s) {
          conn.close();
          throw new NodeFailure('the node was dropped while connecting');
        }
        s.conn = conn;
        return conn;
      },
      (err: unknown) => {
        s.opening = undefined;
        if (err instanceof MuxUnsupported) {
          s.unsupported = true;
          return undefined;
        }
        throw err;
      },
    );
    return s.opening;
  }

  private httpGenerate(
    target: NodeTarget,
    body: DataPlaneGenerateRequest,
    hooks: GenerateHooks,
  ): Promise<DataPlaneResult> {
    return this.call(target, '/v1/generate', body, hooks.cancel, (res, resolve, reject) => {
      if (!body.stream) return readJson(res, resolve as (v: unknown) => void, reject);
      let rest = '';
      let settled = false;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        let text = rest + chunk;
        let nl: number;
        while ((nl = text.indexOf('\n')) >= 0) {
          const line = text.slice(0, nl);
          text = text.slice(nl + 1);
          if (!line) continue;
          // The token line's usual form, `{"t":"..."}`: hand the literal over without parsing it.
          if (line.startsWith(TOKEN_HEAD) && line.endsWith('}')) {
            const literal = line.slice(TOKEN_HEAD.length, -1);
            // Only a single well-formed JSON string is spliced into the client's stream.
            if (JSON_STRING.test(literal)) {
              hooks.onToken(literal);
              continue;
            }
          }
          let msg: { t?: string; done?: DataPlaneResult; error?: { code: string; message: string } };
          try {
            msg = JSON.parse(line) as typeof msg;
          } catch {
            settled = true;
            reject(new NodeFailure('the node sent a malformed stream line'));
            res.destroy();
            return;
          }
          if (msg.t !== undefined) hooks.onToken(JSON.stringify(msg.t));
          else if (msg.done) {
            settled = true;
            resolve(msg.done);
          } else if (msg.error) {
            settled = true;
            const e = msg.error;
            reject(
              RETRY_ELSEWHERE.has(e.code)
                ? new NodeFailure(`${e.code}: ${e.message}`)
                : new NodeRefused(500, e.code, e.message),
            );
          }
        }
        rest = text;
      });
      const broken = () => {
        if (settled) return;
        settled = true;
        reject(new NodeFailure('the node closed the stream before the end of the answer'));
      };
      res.on('end', broken);
      res.on('close', broken);
      res.on('error', broken);
    });
  }

  private httpEmbed(
    target: NodeTarget,
    body: DataPlaneEmbedRequest,
    cancel?: Cancel,
  ): Promise<DataPlaneEmbedResult> {
    return this.call(target, '/v1/embed', body, cancel, (res, resolve, reject) =>
      readJson(res, resolve as (v: unknown) => void, reject),
    );
  }

  private call<T>(
    target: NodeTarget,
    path: string,
    body: unknown,
    cancel: Cancel | undefined,
    onOk: (res: IncomingMessage, resolve: (v: T) => void, reject: (e: Error) => void) => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (cancel?.aborted) return reject(new NodeFailure('aborted by the client'));
      const payload = JSON.stringify(body);
      const { host, port } = this.addressOf(target.url);
      const req = request({
        host,
        port,
        path,
        method: 'POST',
        agent: this.agentFor(target.url),
        headers: {
          authorization: target.authorization,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      });
      cancel?.onAbort(() => req.destroy(new Error('request cut (client gone or node lost)')));
      const done = () => cancel?.onAbort(undefined);
      req.on('error', (err) => {
        done();
        reject(new NodeFailure(`node request failed: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
      });
      req.on('response', (res) => {
        res.on('close', done);
        if (res.statusCode === 200) return onOk(res, resolve, reject);
        readJson(
          res,
          (v) => {
            const e = (v as { error?: { code?: string; message?: string } }).error ?? {};
            const code = e.code ?? `http-${res.statusCode}`;
            const message = e.message ?? `the node answered ${res.statusCode}`;
            reject(nodeError(res.statusCode ?? 500, code, message));
          },
          reject,
        );
      });
      req.end(payload);
    });
  }

  private addressOf(url: string): { host: string; port: number } {
    let a = this.addresses.get(url);
    if (!a) {
      const u = new URL(url);
      a = { host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(u.port || 80) };
      this.addresses.set(url, a);
    }
    return a;
  }
}

const TOKEN_HEAD = '{"t":';
// eslint-disable-next-line no-control-regex
const JSON_STRING = /^"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"$/;

function readJson(res: IncomingMessage, resolve: (v: unknown) => void, reject: (e: Error) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => {
    try {
      resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    } catch {
      reject(new NodeFailure(`the node sent a malformed answer (${res.statusCode})`));
    }
  });
  res.on('error', () => reject(new NodeFailure('the node broke the connection')));
  res.on('aborted', () => reject(new NodeFailure('the node broke the connection')));
}
