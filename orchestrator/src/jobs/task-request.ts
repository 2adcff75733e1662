// Builds what an agent runs for one attempt of a step (the rendered input and options, as the wire message), and
// what the scheduler places for it.
import type { AssignTask } from '@orchion/proto';
import { renderStepRequest, type Step, type TemplateContext } from '@orchion/schemas';
import type { TaskRequest } from '../scheduler/types';
import type { AttemptRecord, JobRecord } from './model';

export interface StepOutputs {
  [stepId: string]: { output: unknown; outputs?: Record<string, unknown> };
}

export function templateContext(inputs: Record<string, unknown>, outputs: StepOutputs): TemplateContext {
  return { inputs, steps: outputs };
}

/** The values a job's templates can use now: its inputs and the outputs of its succeeded steps. */
export function jobContext(job: JobRecord): TemplateContext {
  const outputs: StepOutputs = {};
  for (const s of job.steps.values()) {
    if (s.state === 'succeeded')
      outputs[s.id] = { output: s.output, ...(s.outputs ? { outputs: s.outputs } : {}) };
  }
  return templateContext(job.inputs, outputs);
}

export interface Assignment {
  task: AssignTask;
  /** An embedding step whose input is a list (a literal list, or one expression whose value is a list). */
  listInput: boolean;
}

/** Throws TemplateError when a reference has no value (the step fails without retry). */
export function buildAssignment(
  step: Step,
  ctx: TemplateContext,
  ids: { attemptId: string; jobId: string; attempt: number },
): Assignment {
  const req = renderStepRequest(step, ctx);
  const task: AssignTask = {
    attemptId: ids.attemptId,
    jobId: ids.jobId,
    stepId: step.id,
    attempt: ids.attempt,
    ...(step.runtime ? { runtime: step.runtime } : {}),
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
  return { task, listInput: req.kind === 'embedding' && Array.isArray(req.input) };
}

/** What the scheduler places for an attempt. */
export function placementRequest(step: Step, a: AttemptRecord): TaskRequest {
  const r = step.resources;
  return {
    key: a.id,
    jobId: a.jobId,
    stepId: a.stepId,
    model: step.model,
    runtime: step.runtime,
    resources: { gpu: r.gpu, minVramGb: r.min_vram_gb, labels: r.labels },
    enqueuedAt: a.queuedAt,
    ...(a.notBefore ? { notBefore: a.notBefore } : {}),
  };
}
