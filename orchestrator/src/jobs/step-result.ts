// What a succeeded attempt gives its step: the output (text, parsed JSON or vectors) and the result summary;
// or, when the agent's result cannot be what the step asked for, why the attempt fails after all.
import type { TaskResult__Output } from '@orchion/proto';
import type { Step } from '@orchion/schemas';
import { structuredOutputs, type AttemptRecord } from './model';

export interface StepSuccess {
  ok: true;
  output: unknown;
  /** For structured output: the fields `steps.<id>.outputs.<field>` reads. */
  outputs: Record<string, unknown> | undefined;
  result: Record<string, unknown>;
}

/** A result that does not fit the step (another attempt may do better, so it is retryable). */
export interface BadResult {
  ok: false;
  code: string;
  message: string;
}

export function stepSuccess(
  def: Step,
  a: Pick<AttemptRecord, 'task' | 'listInput'>,
  r: TaskResult__Output | null,
  nodeId: string,
): StepSuccess | BadResult {
  if (!r) return bad('invalid-result', 'the agent reported success without a result');
  const output = stepOutput(def, a, r);
  if (output instanceof Error) return bad('invalid-output', output.message);
  return {
    ok: true,
    output,
    outputs: structuredOutputs(def, output),
    result: {
      stopReason: r.stopReason || null,
      promptTokens: r.promptTokens,
      completionTokens: r.completionTokens,
      durationMs: r.durationMs,
      ...(r.dimensions ? { dimensions: r.dimensions } : {}),
      nodeId,
    },
  };
}

function stepOutput(def: Step, a: Pick<AttemptRecord, 'task' | 'listInput'>, r: TaskResult__Output): unknown {
  if (def.kind === 'embedding') {
    const vectors = r.embeddings.map((e) => e.values);
    const inputs = a.task.embed?.input?.length ?? 0;
    if (vectors.length !== inputs) {
      return new Error(`the agent returned ${vectors.length} vectors for ${inputs} inputs`);
    }
    // One text in, one vector out; a list (literal, or one expression that evaluated to a list) gives a list.
    return a.listInput ? vectors : vectors[0];
  }
  if (!def.output) return r.text;
  // The agent sends the validated value as `json`; an older or buggy one may only send the text.
  const json = r.json || r.text;
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return new Error(
      `the structured output is not valid JSON: ${json.length > 80 ? `${json.slice(0, 80)}…` : json}`,
    );
  }
}

const bad = (code: string, message: string): BadResult => ({ ok: false, code, message });
