// What the extension needs to know about a pipeline file, read with the shared parser (pure).
import { parsePipeline, type Diagnostic, type InputSpec, type Range } from '@orchion/schemas';

export interface PipelineInfo {
  /** metadata.name when it is a string. */
  name: string | undefined;
  /** Declared inputs (normalised) when the file has no errors; read from the raw data otherwise. */
  inputs: Record<string, InputSpec>;
  /** Step ids in file order, with the range of each step's `id` value. */
  steps: { id: string; range: Range }[];
  /** Errors only (warnings don't stop a submit). */
  errors: Diagnostic[];
}

export function readPipeline(text: string): PipelineInfo {
  const result = parsePipeline(text);
  const steps: PipelineInfo['steps'] = [];
  const data = result.data as { metadata?: { name?: unknown }; steps?: unknown } | undefined;
  if (result.source && Array.isArray(data?.steps)) {
    data.steps.forEach((step: unknown, index) => {
      const id = (step as { id?: unknown } | null)?.id;
      if (typeof id === 'string')
        steps.push({ id, range: result.source!.valueRange(['steps', index, 'id']) });
    });
  }
  const name = typeof data?.metadata?.name === 'string' ? data.metadata.name : undefined;
  return {
    name,
    inputs: result.pipeline?.inputs ?? {},
    steps,
    errors: result.diagnostics.filter((d) => d.severity === 'error'),
  };
}

/** The range of a step's id in the file, or undefined when no step has that id. */
export function stepRange(text: string, stepId: string): Range | undefined {
  return readPipeline(text).steps.find((s) => s.id === stepId)?.range;
}
