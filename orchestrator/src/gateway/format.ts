// How a generation leaves the gateway: one JSON body, or a stream of chunks (each token chunk is written as soon
// as it arrives). Implemented per API (openai.ts, ollama.ts).
import type { DataPlaneResult } from '@orchion/proto';
import type { GatewayError } from './dispatch';

export interface GenerationFormat {
  /** Content type of the stream. */
  readonly streamType: string;
  /** The non-streaming answer, as JSON text. */
  body(result: DataPlaneResult): string;
  /** Written before the first token (e.g. OpenAI's role chunk); '' for none. */
  head(): string;
  /** A token chunk, from the token's JSON string literal. */
  token(json: string): string;
  /** The last chunks: finish reason, usage, terminator. */
  tail(result: DataPlaneResult): string;
  /** An error after the stream started (the status is sent already). */
  streamError(err: GatewayError): string;
}
