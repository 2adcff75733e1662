/**
 * Streamed responses (Ollama NDJSON, OpenAI SSE) written straight to the socket, and the abort signal every
 * request runs under: it fires when the client goes away before the response is complete, which stops the
 * generation on the runtime.
 *
 * Headers are sent with the first chunk, so an error before any output (unknown model, bad request) still gets
 * its proper HTTP status; an error after that can only be reported in the stream itself.
 */
import type { FastifyReply } from 'fastify';

/** Aborts when the response closes (client disconnect) before it was completely written. */
export function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  const res = reply.raw;
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

export class ResponseStream {
  readonly signal: AbortSignal;
  private started = false;

  constructor(
    private readonly reply: FastifyReply,
    private readonly contentType: string,
  ) {
    this.signal = clientGone(reply);
    reply.hijack();
  }

  /** Whether any chunk has been written (the status can no longer change). */
  get headersSent(): boolean {
    return this.started;
  }

  write(chunk: string): void {
    const res = this.reply.raw;
    if (res.destroyed || res.writableEnded) return;
    if (!this.started) {
      this.started = true;
      res.writeHead(200, {
        'content-type': this.contentType,
        'cache-control': 'no-cache',
        'x-accel-buffering': 'no',
      });
    }
    res.write(chunk);
  }

  end(chunk?: string): void {
    if (chunk !== undefined) this.write(chunk);
    else if (!this.started) this.write('');
    const res = this.reply.raw;
    if (!res.destroyed && !res.writableEnded) res.end();
  }

  /** Sends a complete JSON error response; only possible before the first chunk. */
  fail(status: number, body: unknown): void {
    const res = this.reply.raw;
    if (this.started || res.destroyed || res.writableEnded) return;
    this.started = true;
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  }
}
