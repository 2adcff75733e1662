// What a succeeded attempt gives its step: the output (text, parsed JSON or vectors) and the result summary.
import type { AssignTask, TaskResult__Output } from '@orchion/proto';
import type { Step } from '@orchion/schemas';
import { structuredOutputs } from './model';

export interface StepSuccess {
  output: unknown;
  /** For structured output: the fields `steps.<id>.outputs.<field>` reads. */
  outputs: Record<string, unknown> | undefined;
  result: Record<string, unknown>;
}

export function stepSuccess(
  def: Step,
  task: AssignTask,
  r: TaskResult__Output | null,
  nodeId: string,
): StepSuccess {
  const output = stepOutput(def, task, r);
  return {
    output,
    outputs: structuredOutputs(def, output),
    result: {
      stopReason: r?.stopReason || null,
      promptTokens: r?.promptTokens ?? 0,
      completionTokens: r?.completionTokens ?? 0,
      durationMs: r?.durationMs ?? 0,
      ...(r?.dimensions ? { dimensions: r.dimensions } : {}),
      nodeId,
    },
  };
}

function stepOutput(def: Step, task: AssignTask, r: TaskResult__Output | null): unknown {
  if (!r) return null;
  if (def.kind === 'embedding') {
    const vectors = r.embeddings.map((e) => e.values);
    // One text in, one vector out; a list (literal, or one expression that evaluated to a list) gives a list.
    const single = !Array.isArray(def.embed) && (task.embed?.input?.length ?? 1) === 1;
    return single ? (vectors[0] ?? []) : vectors;
  }
  if (def.output && r.json) return JSON.parse(r.json) as unknown;
  return r.text;
}
