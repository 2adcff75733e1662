/**
 * The multiplexed data plane: many gateway requests over one persistent connection per node, as length-prefixed
 * frames (a pure codec: no sockets here). It replaces one HTTP request/response per inference call (request
 * objects, header parsing, chunked encoding, a writev per chunk) with a 9-byte header per frame.
 *
 * Connection: the gateway opens a TCP connection to the node's data-plane address and sends an HTTP/1.1 upgrade
 * (`GET /v1/mux`, `Upgrade: orchion-mux/1`, `Authorization: Bearer <dataPlaneToken>`): this is the handshake, on
 * the same port and with the same per-node HMAC token as the HTTP routes, so nothing new is advertised. After
 * `101 Switching Protocols` both sides speak frames until the connection closes.
 *
 * Frame: `u32 length` (of what follows: 5 + payload), `u8 type`, `u32 stream id`, payload (UTF-8).
 * - gateway → node: GENERATE (a {@link DataPlaneGenerateRequest} as JSON), EMBED ({@link DataPlaneEmbedRequest}),
 *   ABORT (empty: the client went away, stop that stream's generation).
 * - node → gateway: CHUNK (one token chunk as a JSON string literal, spliced into the client's stream as is),
 *   DONE (the {@link DataPlaneResult} or {@link DataPlaneEmbedResult} as JSON; ends the stream),
 *   ERROR (`{status, code, message}` as JSON, the HTTP route's status and error; ends the stream).
 * A stream id is chosen by the gateway and unique among its open streams on the connection. The connection
 * closing ends every open stream (the gateway treats it as a node failure: retry / failover).
 */

export const MUX_PATH = '/v1/mux';
export const MUX_PROTOCOL = 'orchion-mux/1';

export const FrameType = {
  Generate: 1,
  Embed: 2,
  Abort: 3,
  Chunk: 4,
  Done: 5,
  Error: 6,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/** Bytes of the frame header: length (4), type (1), stream id (4). */
export const FRAME_HEADER_BYTES = 9;
/** Frames larger than this are a protocol error (request bodies are limited to 8 MiB on the HTTP route too). */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** The ERROR frame's payload. */
export interface MuxError {
  status: number;
  code: string;
  message: string;
}

/** One frame as bytes. */
export function encodeFrame(type: FrameType, id: number, payload = ''): Buffer {
  const n = Buffer.byteLength(payload);
  const buf = Buffer.allocUnsafe(FRAME_HEADER_BYTES + n);
  buf.writeUInt32BE(5 + n, 0);
  buf[4] = type;
  buf.writeUInt32BE(id >>> 0, 5);
  if (n > 0) buf.write(payload, FRAME_HEADER_BYTES, 'utf8');
  return buf;
}

export class FrameError extends Error {
  override readonly name = 'FrameError';
}

/**
 * Reassembles frames from a byte stream cut anywhere. `push` hands each complete frame to `onFrame` (payload
 * decoded as UTF-8) and throws FrameError on a malformed stream (the connection must then be closed).
 */
export class FrameDecoder {
  /** Bytes of an incomplete frame, kept as received (joined once the frame is complete). */
  private parts: Buffer[] = [];
  private partsBytes = 0;
  /** Bytes the incomplete frame needs in all (0 while its length is not known yet). */
  private needed = 0;

  constructor(private readonly onFrame: (type: number, id: number, payload: string) => void) {}

  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.partsBytes > 0) {
      this.parts.push(chunk);
      this.partsBytes += chunk.length;
      if (this.needed === 0 && this.partsBytes >= 4)
        this.needed = this.checkedLength(Buffer.concat(this.parts), 0);
      if (this.partsBytes < Math.max(this.needed, FRAME_HEADER_BYTES)) return;
      buf = Buffer.concat(this.parts, this.partsBytes);
      this.parts = [];
      this.partsBytes = 0;
      this.needed = 0;
    }
    let off = 0;
    while (buf.length - off >= FRAME_HEADER_BYTES) {
      const end = off + this.checkedLength(buf, off);
      if (end > buf.length) break;
      const type = buf[off + 4]!;
      if (type < FrameType.Generate || type > FrameType.Error) {
        throw new FrameError(`unknown frame type ${type}`);
      }
      const id = buf.readUInt32BE(off + 5);
      const payload =
        end > off + FRAME_HEADER_BYTES ? buf.toString('utf8', off + FRAME_HEADER_BYTES, end) : '';
      off = end;
      this.onFrame(type, id, payload);
    }
    if (off < buf.length) {
      // Copied: the caller's buffer may be reused.
      const rest = Buffer.from(buf.subarray(off));
      this.parts = [rest];
      this.partsBytes = rest.length;
      this.needed = rest.length >= 4 ? this.checkedLength(rest, 0) : 0;
    }
  }

  /** Bytes of an incomplete frame held back. */
  get buffered(): number {
    return this.partsBytes;
  }

  /** The whole frame's size (length prefix included) of the frame at `off`; throws on a bad length. */
  private checkedLength(buf: Buffer, off: number): number {
    const len = buf.readUInt32BE(off);
    if (len < 5 || len > MAX_FRAME_BYTES) throw new FrameError(`bad frame length ${len}`);
    return 4 + len;
  }
}
