// Builds what an agent runs for one attempt of a step: the rendered input and options, as the wire message.
import type { AssignTask } from '@orchion/proto';
import { renderStepRequest, type Step, type TemplateContext } from '@orchion/schemas';

export interface StepOutputs {
  [stepId: string]: { output: unknown; outputs?: Record<string, unknown> };
}

export function templateContext(inputs: Record<string, unknown>, outputs: StepOutputs): TemplateContext {
  return { inputs, steps: outputs };
}

/** Throws TemplateError when a reference has no value (the step fails without retry). */
export function buildAssignment(
  step: Step,
  ctx: TemplateContext,
  ids: { attemptId: string; jobId: string; attempt: number },
): AssignTask {
  const req = renderStepRequest(step, ctx);
  const task: AssignTask = {
    attemptId: ids.attemptId,
    jobId: ids.jobId,
    stepId: step.id,
    attempt: ids.attempt,
    runtime: step.runtime,
    model: step.model,
    timeoutMs: step.timeout_ms,
  };
  if (req.kind === 'completion') task.prompt = req.prompt;
  else if (req.kind === 'chat') task.messages = { messages: req.messages };
  else task.embed = { input: Array.isArray(req.input) ? req.input : [req.input] };
  if (step.kind !== 'embedding') {
    const o = step.options;
    task.options = {
      ...(o.temperature !== undefined ? { temperature: o.temperature } : {}),
      ...(o.max_tokens !== undefined ? { maxTokens: o.max_tokens } : {}),
      ...(o.top_p !== undefined ? { topP: o.top_p } : {}),
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      stop: o.stop ?? [],
    };
    if (step.output) task.outputSchemaJson = JSON.stringify(step.output.schema);
  }
  return task;
}
