/**
 * The data plane: the hop from the orchestrator's gateway to an agent's runtimes (inference requests), beside
 * the gRPC session (control). The agent serves it on `data_plane_url` (Hello). The gateway uses one multiplexed
 * connection per node (framing and handshake: data-plane-mux.ts, the same request and result types as here);
 * the HTTP routes below stay for agents without it, debugging and the benchmark's baseline. Both ends share
 * these two files and nothing else.
 *
 * Security: every HTTP request (and the multiplexed connection's handshake) carries `Authorization: Bearer <dataPlaneToken(joinToken, nodeId)>`, an HMAC of the
 * node id under the join token. Both ends can compute it without a message; it differs per node (a token read
 * off one node's traffic opens no other node), and the join token itself never travels on the data plane.
 *
 * Routes (JSON bodies):
 * - `POST /v1/generate` {@link DataPlaneGenerateRequest}: with `stream: false`, one JSON
 *   {@link DataPlaneResult}; with `stream: true`, NDJSON lines of {@link DataPlaneStreamLine}: `{"t":text}` per
 *   token chunk as the runtime produces it, then one `{"done":result}` or `{"error":…}` line.
 * - `POST /v1/embed` {@link DataPlaneEmbedRequest} → {@link DataPlaneEmbedResult}.
 * - `GET /v1/status` → {@link DataPlaneStatus} (what runs now; counters).
 * - `GET /v1/mux` with `Upgrade: orchion-mux/1`: the multiplexed connection (data-plane-mux.ts).
 * Errors before the first byte: a status code and `{error: {code, message}}` (codes of the runtimes' errors).
 */
import { createHmac } from 'node:crypto';

export const DATA_PLANE_TOKEN_HEADER = 'authorization';

/** The bearer token of a node's data plane. */
export function dataPlaneToken(joinToken: string, nodeId: string): string {
  return createHmac('sha256', joinToken).update(`orchion-data-plane:${nodeId}`).digest('base64url');
}

export interface DataPlaneMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface DataPlaneOptions {
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  seed?: number;
  stop?: string[];
  jsonSchema?: object;
}

export interface DataPlaneGenerateRequest {
  kind: 'chat' | 'complete';
  model: string;
  /** Chat: the conversation (ends with a user message). */
  messages?: DataPlaneMessage[];
  /** Completion: the prompt. */
  prompt?: string;
  /**
   * Chat failover: the assistant's answer so far; the runtime continues it and returns only what follows.
   * Refused with 'continuation-unsupported' by runtimes that cannot continue an assistant message.
   */
  assistantPrefix?: string;
  options?: DataPlaneOptions;
  stream?: boolean;
}

export interface DataPlaneResult {
  text: string;
  stopReason: 'maxTokens' | 'eogToken' | 'stopSequence' | 'aborted' | 'other';
  promptTokens: number;
  completionTokens: number;
  durationMs: number;
  /** With `options.jsonSchema`: the parsed value, or why the text is not valid against the schema. */
  structured?: { ok: true; value: unknown } | { ok: false; error: string };
  /** The runtime that served the request. */
  runtime: string;
}

export interface DataPlaneError {
  code: string;
  message: string;
}

export type DataPlaneStreamLine = { t: string } | { done: DataPlaneResult } | { error: DataPlaneError };

export interface DataPlaneEmbedRequest {
  model: string;
  input: string[];
}

export interface DataPlaneEmbedResult {
  embeddings: number[][];
  dimensions: number;
  promptTokens: number;
}

export interface DataPlaneStatus {
  nodeId: string;
  /** Generations and embeddings running now. */
  active: number;
  /** Requests served since start, by outcome. */
  completed: number;
  failed: number;
  /** Generations stopped because the caller went away (client disconnect at the gateway). */
  aborted: number;
  /** Token chunks produced since start. */
  chunks: number;
}
