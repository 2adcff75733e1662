/** Run-time helpers: what to send to a model for a step, and the pipeline's final outputs. */
import { evaluateTemplate, renderTemplate, type RenderOptions, type TemplateContext } from './expressions.js';
import { stepGraph, type StepGraph } from './dag.js';
import type { ChatMessage, Pipeline, Step } from './pipeline.js';

export type StepRequest =
  | { kind: 'completion'; prompt: string }
  | { kind: 'chat'; messages: ChatMessage[] }
  | { kind: 'embedding'; input: string | string[] };

/**
 * Renders a step's templates. For `embed`, a text that is exactly one expression whose value is a list
 * (e.g. `${{ inputs.documents }}`) embeds each item. Throws `TemplateError` for references without a value.
 */
export function renderStepRequest(
  step: Step,
  ctx: TemplateContext,
  options: RenderOptions = {},
): StepRequest {
  switch (step.kind) {
    case 'completion':
      return { kind: 'completion', prompt: renderTemplate(step.prompt, ctx, options) };
    case 'chat':
      return {
        kind: 'chat',
        messages: step.messages.map((m) => ({
          role: m.role,
          content: renderTemplate(m.content, ctx, options),
        })),
      };
    case 'embedding': {
      if (Array.isArray(step.embed)) {
        return { kind: 'embedding', input: step.embed.map((t) => renderTemplate(t, ctx, options)) };
      }
      const value = evaluateTemplate(step.embed, ctx, options);
      const input = Array.isArray(value)
        ? value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))
        : null;
      return { kind: 'embedding', input: input ?? renderTemplate(step.embed, ctx, options) };
    }
  }
}

/** Renders the pipeline's `outputs`. */
export function renderOutputs(
  pipeline: Pick<Pipeline, 'outputs'>,
  ctx: TemplateContext,
  options: RenderOptions = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, template] of Object.entries(pipeline.outputs)) {
    Object.defineProperty(out, name, {
      value: renderTemplate(template, ctx, options),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** The graph of a pipeline's steps. */
export function pipelineGraph(pipeline: Pick<Pipeline, 'steps'>): StepGraph {
  return stepGraph(pipeline.steps);
}
