/**
 * One streamed generation over HTTP, the same way for Ollama (NDJSON) and OpenAI (SSE): text chunks go to
 * `onToken` as they arrive; the final event(s) give the stop reason and token counts. Follows the Runtime abort
 * contract: an aborted signal (before or during the call) resolves with stopReason 'aborted' and the text so far;
 * dropping the connection makes the server stop generating. `close()` of the runtime fails in-flight calls with
 * 'closed'.
 */
import { RuntimeError } from '../errors.js';
import { validateStructuredOutput } from '../structured.js';
import type { GenerateResult, StopReason, TokenSink } from '../types.js';
import { unavailable } from './client.js';

export interface GenerationEnd {
  stopReason?: StopReason;
  promptTokens?: number;
  completionTokens?: number;
  /** Prompt evaluation + generation as the server measured it. */
  durationMs?: number;
}

/** One event of the stream: text, the end (possibly in several parts, e.g. OpenAI's usage chunk), or both. */
export interface GenerationEvent {
  text?: string;
  end?: GenerationEnd;
}

export interface StreamedGeneration {
  runtime: string;
  baseUrl: string;
  signal?: AbortSignal;
  /** Aborted when the runtime is closed. */
  closed: AbortSignal;
  onToken?: TokenSink;
  jsonSchema?: object;
  /** Sends the request under `signal` and maps the response to events; throws RuntimeError for bad events. */
  open: (signal: AbortSignal) => Promise<AsyncIterable<GenerationEvent>>;
}

export const closedError = (runtime: string) =>
  new RuntimeError('closed', `the ${runtime} runtime is closed`);

export async function streamGeneration(g: StreamedGeneration): Promise<GenerateResult> {
  const started = performance.now();
  let text = '';
  let chunks = 0;
  let end: GenerationEnd | undefined;
  const finish = (stopReason: StopReason): GenerateResult => {
    const result: GenerateResult = {
      text,
      stopReason,
      promptTokens: end?.promptTokens ?? 0,
      completionTokens: end?.completionTokens ?? chunks,
      durationMs: end?.durationMs ?? performance.now() - started,
    };
    if (g.jsonSchema) result.structured = validateStructuredOutput(text, g.jsonSchema);
    return result;
  };
  if (g.closed.aborted) throw closedError(g.runtime);
  if (g.signal?.aborted) return finish('aborted');
  const signal = g.signal ? AbortSignal.any([g.signal, g.closed]) : g.closed;
  try {
    for await (const event of await g.open(signal)) {
      if (event.text) {
        text += event.text;
        chunks++;
        g.onToken?.(event.text);
      }
      if (event.end) end = { ...end, ...event.end };
    }
  } catch (err) {
    if (g.closed.aborted) throw closedError(g.runtime);
    if (g.signal?.aborted) return finish('aborted');
    throw unavailable(g.runtime, g.baseUrl, err);
  }
  if (g.closed.aborted) throw closedError(g.runtime);
  if (end?.stopReason) return finish(end.stopReason);
  if (g.signal?.aborted) return finish('aborted');
  throw new RuntimeError(
    'runtime-unavailable',
    `${g.runtime} at ${g.baseUrl}: the stream ended before the generation finished`,
  );
}
