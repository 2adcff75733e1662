/**
 * One multiplexed data-plane connection from the gateway (framing: proto/src/data-plane-mux.ts), after the HTTP
 * upgrade handshake authenticated it. Each GENERATE / EMBED frame runs on the core as its own stream; ABORT stops
 * that stream's generation; the connection closing aborts all of them. Frames written in one tick leave in one
 * socket write (corked until the end of the event-loop turn).
 */
import type { Socket } from 'node:net';
import { encodeFrame, FrameDecoder, FrameType, type MuxError } from '@orchion/proto';
import type { Logger } from 'pino';
import type { DataPlaneCore, Described } from './core.js';

export class MuxSession {
  private readonly streams = new Map<number, AbortController>();
  private readonly decoder: FrameDecoder;
  private corked = false;
  private closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly core: DataPlaneCore,
    private readonly logger: Logger,
  ) {
    this.decoder = new FrameDecoder((type, id, payload) => this.frame(type, id, payload));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      try {
        this.decoder.push(chunk);
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'data plane: malformed frame; connection closed');
        socket.destroy();
      }
    });
    socket.on('close', () => this.abortAll());
    socket.on('error', () => this.abortAll());
  }

  /** Handles the bytes that came with the handshake, then the connection's. */
  start(head: Buffer): void {
    if (head.length > 0) this.socket.emit('data', head);
  }

  /** Open streams (tests, status). */
  get open(): number {
    return this.streams.size;
  }

  private frame(type: number, id: number, payload: string): void {
    if (type === FrameType.Abort) {
      this.streams.get(id)?.abort();
      return;
    }
    if (type !== FrameType.Generate && type !== FrameType.Embed) {
      this.send(
        FrameType.Error,
        id,
        errorPayload({ status: 400, code: 'bad-request', message: `frame type ${type} is not a request` }),
      );
      return;
    }
    if (this.streams.has(id)) {
      this.send(
        FrameType.Error,
        id,
        errorPayload({ status: 400, code: 'bad-request', message: `stream ${id} is open already` }),
      );
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(payload);
    } catch {
      this.send(
        FrameType.Error,
        id,
        errorPayload({ status: 400, code: 'bad-request', message: 'the body is not JSON' }),
      );
      return;
    }
    const controller = new AbortController();
    this.streams.set(id, controller);
    const end = () => this.streams.delete(id);
    // How a call ends, for both kinds: its stream is forgotten and the result or the error goes back.
    const ends = {
      done: (result: unknown) => {
        end();
        this.send(FrameType.Done, id, JSON.stringify(result));
      },
      error: (err: Parameters<typeof errorPayload>[0]) => {
        end();
        this.send(FrameType.Error, id, errorPayload(err));
      },
    };
    if (type === FrameType.Generate) {
      void this.core.generate(body, controller.signal, {
        ...ends,
        chunk: (literal) => this.send(FrameType.Chunk, id, literal),
        aborted: () => {
          end();
          this.send(
            FrameType.Error,
            id,
            errorPayload({ status: 499, code: 'aborted', message: 'aborted by the caller' }),
          );
        },
      });
    } else {
      void this.core.embed(body, controller.signal, ends);
    }
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
    if (this.closed || this.socket.destroyed) return;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      setImmediate(this.uncork);
    }
    this.socket.write(encodeFrame(type, id, payload));
  }

  private abortAll(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.streams.values()) c.abort();
    this.streams.clear();
  }
}

function errorPayload(err: Described): string {
  const e: MuxError = { status: err.status, code: err.code, message: err.message };
  return JSON.stringify(e);
}
