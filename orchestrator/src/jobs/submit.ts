// Turns a submitted pipeline text and inputs into a runnable job definition, or the reasons it can't run.
import {
  hasErrors,
  parsePipeline,
  resolveInputs,
  type Diagnostic,
  type InputDiagnostic,
  type Pipeline,
} from '@orchion/schemas';

export type Prepared =
  | { ok: true; pipeline: Pipeline; inputs: Record<string, unknown>; warnings: Diagnostic[] }
  | { ok: false; diagnostics: Diagnostic[]; inputProblems: InputDiagnostic[] };

export function prepareJob(text: string, given: Record<string, unknown>, coerceStrings = false): Prepared {
  const parsed = parsePipeline(text);
  if (!parsed.pipeline || hasErrors(parsed.diagnostics)) {
    return { ok: false, diagnostics: parsed.diagnostics, inputProblems: [] };
  }
  const resolved = resolveInputs(parsed.pipeline, given, { coerceStrings });
  if (!resolved.ok) return { ok: false, diagnostics: [], inputProblems: resolved.diagnostics };
  return { ok: true, pipeline: parsed.pipeline, inputs: resolved.values, warnings: parsed.diagnostics };
}
