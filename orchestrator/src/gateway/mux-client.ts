/**
 * The gateway's end of one multiplexed data-plane connection to a node (framing: proto/src/data-plane-mux.ts):
 * many requests at once over one persistent socket, each a stream id. The connection is opened by an HTTP
 * upgrade on the node's data-plane address carrying the node's token; after that, a request is one frame out and
 * its chunks / result are frames in: no HTTP request or response objects, no header parsing per request.
 *
 * Outcomes use the same errors as the HTTP client (node-client.ts): NodeFailure when the connection breaks or the
 * node cannot serve (another node may), NodeRefused when the node refused the request itself. A cancelled
 * stream sends ABORT (the node stops generating) and rejects at once with NodeFailure.
 */
import { request } from 'node:http';
import type { Socket } from 'node:net';
import {
  encodeFrame,
  FrameDecoder,
  FrameType,
  MUX_PATH,
  MUX_PROTOCOL,
  type DataPlaneEmbedRequest,
  type DataPlaneEmbedResult,
  type DataPlaneGenerateRequest,
  type DataPlaneResult,
  type MuxError,
} from '@orchion/proto';
import type { Cancel } from './cancel';
import { NodeFailure, nodeError, type GenerateHooks } from './node-errors';

interface Stream {
  onChunk(literal: string): void;
  resolve(payload: string): void;
  reject(err: Error): void;
  cancel: Cancel | undefined;
}

/** The node does not speak the multiplexed protocol (an older agent): use HTTP requests. */
export class MuxUnsupported extends Error {
  override readonly name = 'MuxUnsupported';
}

export class MuxConnection {
  private readonly streams = new Map<number, Stream>();
  private nextId = 1;
  private corked = false;
  private closedWith: Error | undefined;

  private constructor(private readonly socket: Socket) {
    const decoder = new FrameDecoder((type, id, payload) => this.frame(type, id, payload));
    socket.setNoDelay(true);
    // A peer that vanished without a FIN (machine off, network cut) is noticed by the kernel's keep-alive probes.
    socket.setKeepAlive(true, 30_000);
    socket.on('data', (chunk: Buffer) => {
      try {
        decoder.push(chunk);
      } catch (err) {
        this.fail(new NodeFailure(`the node sent a malformed frame: ${(err as Error).message}`));
      }
    });
    socket.on('close', () => this.fail(new NodeFailure('the node closed the data-plane connection')));
    socket.on('error', (err: NodeJS.ErrnoException) =>
      this.fail(new NodeFailure(`data-plane connection failed: ${err.code ?? err.message}`)),
    );
  }

  /**
   * Opens a connection: the upgrade handshake with the node's token. Rejects with NodeFailure when the node
   * cannot be reached or refuses the token (401), with MuxUnsupported when it answers with any other plain HTTP
   * response (an agent without the multiplexed data plane answers 404).
   */
  static open(host: string, port: number, authorization: string): Promise<MuxConnection> {
    return new Promise((resolve, reject) => {
      const req = request({
        host,
        port,
        path: MUX_PATH,
        method: 'GET',
        agent: false,
        headers: { authorization, connection: 'Upgrade', upgrade: MUX_PROTOCOL },
      });
      req.on('upgrade', (_res, socket: Socket, head: Buffer) => {
        const conn = new MuxConnection(socket);
        if (head.length > 0) socket.emit('data', head);
        resolve(conn);
      });
      req.on('response', (res) => {
        res.resume();
        // 401: a wrong token (the node is no use); any other answer: a data plane without the upgrade.
        if (res.statusCode === 401) reject(new NodeFailure('the node refused the data-plane token (401)'));
        else reject(new MuxUnsupported(`the node answered the upgrade with ${res.statusCode}`));
      });
      req.on('error', (err: NodeJS.ErrnoException) =>
        reject(new NodeFailure(`node request failed: ${err.code ?? err.message}`)),
      );
      req.end();
    });
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  /** Streams open now. */
  get open(): number {
    return this.streams.size;
  }

  generate(body: DataPlaneGenerateRequest, hooks: GenerateHooks): Promise<DataPlaneResult> {
    return this.call(FrameType.Generate, body, hooks.onToken, hooks.cancel) as Promise<DataPlaneResult>;
  }

  embed(body: DataPlaneEmbedRequest, cancel?: Cancel): Promise<DataPlaneEmbedResult> {
    return this.call(FrameType.Embed, body, noop, cancel) as Promise<DataPlaneEmbedResult>;
  }

  close(): void {
    this.socket.destroy();
    this.fail(new NodeFailure('the data-plane connection was closed'));
  }

  private call(
    type: FrameType,
    body: unknown,
    onChunk: (literal: string) => void,
    cancel: Cancel | undefined,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (cancel?.aborted) return reject(new NodeFailure('aborted by the client'));
      if (this.closedWith) return reject(this.closedWith);
      const id = this.allocate();
      this.streams.set(id, {
        onChunk,
        resolve: (payload) => {
          try {
            resolve(JSON.parse(payload));
          } catch {
            reject(new NodeFailure('the node sent a malformed result'));
          }
        },
        reject,
        cancel,
      });
      cancel?.onAbort(() => {
        if (!this.streams.delete(id)) return;
        this.send(FrameType.Abort, id, '');
        reject(new NodeFailure('request cut (client gone or node lost)'));
      });
      this.send(type, id, JSON.stringify(body));
    });
  }

  private allocate(): number {
    for (;;) {
      const id = this.nextId;
      this.nextId = id >= 0xffffffff ? 1 : id + 1;
      if (!this.streams.has(id)) return id;
    }
  }

  private frame(type: number, id: number, payload: string): void {
    const s = this.streams.get(id);
    if (!s) return; // a stream aborted here: its last frames are dropped
    if (type === FrameType.Chunk) return s.onChunk(payload);
    this.streams.delete(id);
    s.cancel?.onAbort(undefined);
    if (type === FrameType.Done) return s.resolve(payload);
    if (type === FrameType.Error) {
      let e: Partial<MuxError> = {};
      try {
        e = JSON.parse(payload) as MuxError;
      } catch {
        // handled below as an unknown error
      }
      return s.reject(
        nodeError(e.status ?? 500, e.code ?? 'internal', e.message ?? 'the node sent a malformed error'),
      );
    }
    s.reject(new NodeFailure(`the node sent a frame of type ${type}`));
  }

  /**
   * Frames written during one turn of the event loop (all the sockets' events of its poll phase) leave in one
   * socket write when the turn ends: under load many requests share a syscall; alone, a frame waits for nothing
   * but the end of the current turn.
   */
  private readonly uncork = () => {
    this.corked = false;
    this.socket.uncork();
  };

  private send(type: FrameType, id: number, payload: string): void {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      setImmediate(this.uncork);
    }
    this.socket.write(encodeFrame(type, id, payload));
  }

  private fail(err: Error): void {
    if (this.closedWith) return;
    this.closedWith = err;
    this.socket.destroy();
    const streams = [...this.streams.values()];
    this.streams.clear();
    for (const s of streams) {
      s.cancel?.onAbort(undefined);
      s.reject(err);
    }
  }
}

const noop = () => undefined;
