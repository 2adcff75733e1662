// Turns a submitted pipeline text and inputs into a runnable job definition, or the reasons it can't run.
// The same text is often submitted again (re-runs, benchmarks, "run from here"): the parse of the last few texts
// is kept (parsing and validating a 500-step pipeline takes milliseconds). Parse results are never mutated.
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

/** Pipeline texts whose parse is kept. */
const PARSES_KEPT = 16;
const parses = new Map<string, ReturnType<typeof parsePipeline>>();

/** `parsePipeline`, remembering the last few texts (least recently used goes first). */
export function parseCached(text: string): ReturnType<typeof parsePipeline> {
  let parsed = parses.get(text);
  if (parsed) parses.delete(text);
  else parsed = parsePipeline(text);
  parses.set(text, parsed);
  if (parses.size > PARSES_KEPT) parses.delete(parses.keys().next().value!);
  return parsed;
}

/**
 * Parses a small pipeline once, so that the schema validators are compiled before agents connect. The first parse
 * compiles ajv's validators (~0.1 s on a quiet 2-core machine, over 1 s under load): done at the first submit,
 * that stall delayed every agent's heartbeats and could mark nodes stale.
 */
export function warmUpParser(): void {
  parsePipeline(
    'apiVersion: orchion/v1\nkind: Pipeline\nmetadata: { name: warm-up }\nsteps:\n  - id: a\n    prompt: "${{ inputs.x }}"\n    output: { schema: { type: object } }\ninputs: { x: { type: string } }\n',
  );
}

export function prepareJob(text: string, given: Record<string, unknown>, coerceStrings = false): Prepared {
  const parsed = parseCached(text);
  if (!parsed.pipeline || hasErrors(parsed.diagnostics)) {
    return { ok: false, diagnostics: parsed.diagnostics, inputProblems: [] };
  }
  const resolved = resolveInputs(parsed.pipeline, given, { coerceStrings });
  if (!resolved.ok) return { ok: false, diagnostics: [], inputProblems: resolved.diagnostics };
  return { ok: true, pipeline: parsed.pipeline, inputs: resolved.values, warnings: parsed.diagnostics };
}
