/** Builds an attempt's TaskResult from a runtime's result, validating structured output, and its log lines. */
import type { TaskResult } from '@orchion/proto';
import { validateStructuredOutput } from '../runtimes/structured.js';
import type { EmbedResult, GenerateResult } from '../runtimes/types.js';
import { TaskFailure } from './task-errors.js';

/** A final update must fit in one message of the session stream (1 MiB) with room for its framing. */
export const MAX_RESULT_BYTES = 1024 * 1024 - 16 * 1024;

/**
 * The result of a generation. With an output schema the text is ALWAYS validated (whether or not the runtime
 * did): invalid output fails the attempt with 'invalid-output' (retryable: another sampling may be valid).
 */
export function generationResult(
  r: GenerateResult,
  schema: object | undefined,
  maxTokens: number | undefined,
  wallMs: number,
): TaskResult {
  const result: TaskResult = {
    text: r.text,
    stopReason: r.stopReason,
    promptTokens: r.promptTokens,
    completionTokens: r.completionTokens,
    durationMs: Math.round(wallMs),
  };
  if (schema) {
    const structured = r.structured ?? validateStructuredOutput(r.text, schema);
    if (!structured.ok) {
      const cut =
        r.stopReason === 'maxTokens'
          ? ` (generation stopped at max_tokens${maxTokens ? ` = ${maxTokens}` : ''}, so the output was cut: raise max_tokens or bound the schema's strings)`
          : '';
      throw new TaskFailure(
        'invalid-output',
        `the output does not satisfy the step's output schema: ${structured.error}${cut}`,
        true,
      );
    }
    result.json = JSON.stringify(structured.value);
  }
  checkSize(Buffer.byteLength(result.text ?? '') + Buffer.byteLength(result.json ?? ''));
  return result;
}

export function embeddingResult(r: EmbedResult, wallMs: number): TaskResult {
  // float on the wire: 4 bytes a value, plus a few bytes of framing per vector.
  checkSize(r.embeddings.length * (r.dimensions * 4 + 8));
  return {
    embeddings: r.embeddings.map((values) => ({ values })),
    dimensions: r.dimensions,
    promptTokens: r.promptTokens,
    completionTokens: 0,
    durationMs: Math.round(wallMs),
  };
}

function checkSize(bytes: number): void {
  if (bytes <= MAX_RESULT_BYTES) return;
  throw new TaskFailure(
    'result-too-large',
    `the result is ${(bytes / 1024 / 1024).toFixed(2)} MiB, over the session stream's 1 MiB message limit`,
    false,
  );
}

export function generationLog(r: GenerateResult): string {
  const seconds = r.durationMs / 1000;
  const rate = seconds > 0 ? (r.completionTokens / seconds).toFixed(1) : '∞';
  return (
    `generated ${r.completionTokens} token${r.completionTokens === 1 ? '' : 's'} in ${Math.round(r.durationMs)} ms ` +
    `(${rate} tok/s) after a ${r.promptTokens}-token prompt; stop reason: ${r.stopReason}`
  );
}

export function embeddingLog(r: EmbedResult, durationMs: number): string {
  return (
    `embedded ${r.embeddings.length} input${r.embeddings.length === 1 ? '' : 's'} ` +
    `(${r.promptTokens} tokens, ${r.dimensions} dimensions) in ${Math.round(durationMs)} ms`
  );
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${Math.max(1, Math.round(n / 1024))} KiB`;
}
