/**
 * A defensive view of the plain data a pipeline file converts to, before (or despite) schema validation:
 * the semantic checks use it to find steps, ids and needs without trusting any type.
 */
import type { JsonPath } from './source.js';
import { isPlainObject } from './values.js';

export interface RawNeed {
  id: string;
  path: JsonPath;
}

export interface RawStep {
  index: number;
  path: JsonPath;
  data: Record<string, unknown>;
  /** The id when it is a string. */
  id: string | undefined;
  needs: RawNeed[];
  /** `output.schema` when it is a mapping. */
  outputSchema: Record<string, unknown> | undefined;
}

export interface RawPipeline {
  root: Record<string, unknown>;
  /** Declared inputs by name (the declaration, when it is a mapping). */
  inputs: Map<string, Record<string, unknown> | undefined>;
  steps: RawStep[];
  /** First step with each id. */
  stepsById: Map<string, RawStep>;
}

export function readRaw(data: unknown): RawPipeline {
  const root = isPlainObject(data) ? data : {};
  const inputs = new Map<string, Record<string, unknown> | undefined>();
  if (isPlainObject(root.inputs)) {
    for (const [name, spec] of Object.entries(root.inputs))
      inputs.set(name, isPlainObject(spec) ? spec : undefined);
  }
  const steps: RawStep[] = [];
  const stepsById = new Map<string, RawStep>();
  if (Array.isArray(root.steps)) {
    root.steps.forEach((item: unknown, index) => {
      if (!isPlainObject(item)) return;
      const path = ['steps', index] as const;
      const step: RawStep = {
        index,
        path,
        data: item,
        id: typeof item.id === 'string' ? item.id : undefined,
        needs: readNeeds(item.needs, [...path, 'needs']),
        outputSchema:
          isPlainObject(item.output) && isPlainObject(item.output.schema) ? item.output.schema : undefined,
      };
      steps.push(step);
      if (step.id !== undefined && !stepsById.has(step.id)) stepsById.set(step.id, step);
    });
  }
  return { root, inputs, steps, stepsById };
}

function readNeeds(needs: unknown, path: JsonPath): RawNeed[] {
  if (typeof needs === 'string') return [{ id: needs, path }];
  if (!Array.isArray(needs)) return [];
  const out: RawNeed[] = [];
  needs.forEach((id: unknown, i) => {
    if (typeof id === 'string') out.push({ id, path: [...path, i] });
  });
  return out;
}

/** The step kinds (`prompt`, `messages`, `embed`) a step sets, in the order it sets them. */
export const KIND_KEYS = ['prompt', 'messages', 'embed'] as const;
export type KindKey = (typeof KIND_KEYS)[number];

export function kindKeys(step: RawStep): KindKey[] {
  return Object.keys(step.data).filter((k): k is KindKey => (KIND_KEYS as readonly string[]).includes(k));
}
