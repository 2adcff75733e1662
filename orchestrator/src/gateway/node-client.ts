/**
 * The gateway's client of agents' data planes (contract: proto/src/data-plane.ts): one keep-alive connection
 * pool per node (node:http Agent), streamed NDJSON parsed as it arrives and handed on chunk by chunk.
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

/** The node or its connection failed (refused, reset, killed mid-stream, stream ended without a result). */
export class NodeFailure extends Error {
  override readonly name = 'NodeFailure';
}

/** The node answered with an error (`code` from the runtimes: bad-request, model-not-found, ...). */
export class NodeRefused extends Error {
  override readonly name = 'NodeRefused';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface NodeTarget {
  url: string;
  /** `Bearer <data-plane token>`. */
  authorization: string;
}

export interface GenerateHooks {
  /**
   * A token chunk, as the JSON string literal the node sent (quotes and escapes included): the gateway splices it
   * into the client's chunk as is, without decoding and encoding it again.
   */
  onToken(json: string): void;
  cancel?: Cancel;
}

export class NodeClient {
  private readonly agents = new Map<string, Agent>();
  private readonly addresses = new Map<string, { host: string; port: number }>();

  private agentFor(url: string): Agent {
    let agent = this.agents.get(url);
    if (!agent) {
      agent = new Agent({ keepAlive: true, keepAliveMsecs: 30_000, maxFreeSockets: 256, scheduling: 'lifo' });
      this.agents.set(url, agent);
    }
    return agent;
  }

  /** Forgets a node's pool (node gone). */
  drop(url: string): void {
    this.agents.get(url)?.destroy();
    this.agents.delete(url);
  }

  close(): void {
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
  }

  generate(
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

  embed(target: NodeTarget, body: DataPlaneEmbedRequest, cancel?: Cancel): Promise<DataPlaneEmbedResult> {
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
            if (RETRY_ELSEWHERE.has(code) || (res.statusCode ?? 500) >= 500) {
              reject(new NodeFailure(`${code}: ${message}`));
            } else reject(new NodeRefused(res.statusCode ?? 500, code, message));
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

/** Node-side error codes after which another node may well succeed. */
const RETRY_ELSEWHERE = new Set([
  'runtime-crashed',
  'runtime-unavailable',
  'closed',
  'internal',
  'model-not-found',
  'runtime-not-found',
  'model-invalid',
  'unauthorized',
]);

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
