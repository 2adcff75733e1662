/** `parsePipeline`: YAML → diagnostics (syntax, schema, semantics) and, when there are no errors, a typed pipeline. */
import type { Document } from 'yaml';
import { checkCycles, checkNeeds, checkStepIds, checkStepKinds } from './check-steps.js';
import { checkReferences, checkUnevaluated, checkUnusedInputs } from './check-references.js';
import { checkInputDeclarations, checkTimeouts } from './check-values.js';
import { StepGraph } from './dag.js';
import { hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics.js';
import { normalizePipeline } from './normalize.js';
import { checkOutputSchemas } from './output-schema.js';
import type { Pipeline } from './pipeline.js';
import { readRaw, type RawPipeline } from './raw.js';
import { collectReferences, type TemplateReference } from './references.js';
import { schemaDiagnostics } from './schema.js';
import { SourceDocument } from './source.js';
import { bestEffortData, internalError, readYamlData } from './yaml-data.js';

export interface ParseResult {
  /** The typed, normalised pipeline; present exactly when no diagnostic is an error. */
  pipeline?: Pipeline;
  /** Every problem found, sorted by position. */
  diagnostics: Diagnostic[];
  /** The `${{ … }}` expressions in template fields, located (for editors). */
  references: TemplateReference[];
  /** The parsed document, for editors that need more positions (absent only after an internal error). */
  source?: SourceDocument;
  /** The plain data the YAML converted to (before normalisation), when it could be converted. */
  data?: unknown;
}

export interface ParseOptions {
  /**
   * Whether to build the typed `pipeline` when there are no errors (default true). Editors that only want the
   * diagnostics and positions skip it.
   */
  typed?: boolean;
}

/** The raw view and step graph the checks of a parse used (see `parsedParts`). */
export interface ParsedParts {
  raw: RawPipeline;
  graph: StepGraph;
}

const PARTS = new WeakMap<ParseResult, ParsedParts>();

/**
 * The raw view and step graph a `parsePipeline` result was checked with (absent when the YAML could not be
 * converted), so editors need not compute them again. Read-only: they are shared with the result.
 */
export function parsedParts(result: ParseResult): ParsedParts | undefined {
  return PARTS.get(result);
}

/**
 * Parses and checks a pipeline file. Never throws: every problem is a diagnostic. `parsed`: the YAML document of
 * `text` when the caller parsed it already (an editor reusing unchanged pieces; see `SourceDocument`).
 */
export function parsePipeline(
  text: string,
  parsed?: Document.Parsed,
  options: ParseOptions = {},
): ParseResult {
  try {
    return parseUnsafe(typeof text === 'string' ? text : String(text), parsed, options.typed !== false);
  } catch (e) {
    return { diagnostics: [internalError('pipeline', e)], references: [] };
  }
}

function parseUnsafe(text: string, parsed: Document.Parsed | undefined, typed: boolean): ParseResult {
  const source = new SourceDocument(text, parsed);
  const done = (diagnostics: Diagnostic[], extra: Partial<ParseResult> = {}): ParseResult => ({
    diagnostics: sortDiagnostics(diagnostics),
    references: [],
    source,
    ...extra,
  });

  const read = readYamlData(source, {
    file: 'a pipeline file',
    emptyMessage: 'the document is empty: a pipeline needs apiVersion, kind, metadata and steps',
  });
  if (!read.ok) {
    return done(read.diagnostics, read.syntax ? { references: bestEffortReferences(source) } : {});
  }
  const { data } = read;
  const diagnostics: Diagnostic[] = read.diagnostics;

  const schema = schemaDiagnostics(source, data);
  const raw = readRaw(data);
  const graph = new StepGraph(
    raw.steps.filter((s) => s.id !== undefined).map((s) => ({ id: s.id!, needs: s.needs.map((n) => n.id) })),
  );
  const references = collectReferences(source, raw);
  // concat, not push(...): a huge broken file can have more diagnostics than a call has arguments.
  const all = diagnostics.concat(
    schema.diagnostics,
    checkStepKinds(source, raw),
    checkStepIds(source, raw),
    checkNeeds(source, raw),
    checkCycles(source, raw, graph),
    checkReferences(raw, graph, references),
    checkUnevaluated(source, raw, schema.unknownPaths),
    checkUnusedInputs(source, raw, references),
    checkInputDeclarations(source, raw),
    checkTimeouts(source, raw),
    checkOutputSchemas(source, raw, schema.hasErrorsUnder),
  );
  const extra: Partial<ParseResult> = { references, data };
  if (typed && !hasErrors(all)) extra.pipeline = normalizePipeline(data);
  const result = done(all, extra);
  PARTS.set(result, { raw, graph });
  return result;
}

/**
 * The expressions of a document with syntax errors, as far as it can be read (an editor still wants hover and
 * completion in the parts that parse). Empty when even that fails.
 */
function bestEffortReferences(source: SourceDocument): TemplateReference[] {
  const data = bestEffortData(source);
  if (data === undefined) return [];
  try {
    return collectReferences(source, readRaw(data));
  } catch {
    return [];
  }
}
