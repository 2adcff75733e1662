/**
 * One parse of a document, with what every feature needs: the shared parser's result, the raw data (even for
 * documents with syntax errors, as far as they read), the step graph and an index of step and input names.
 */
import {
  StepGraph,
  bestEffortData,
  parsePipeline,
  parsedParts,
  readRaw,
  type ParseResult,
  type RawPipeline,
  type SourceDocument,
} from '@orchion/schemas';
import { NameIndex } from './name-index.js';
import type { PiecewiseParser } from './piecewise-yaml.js';

export interface Analysis {
  readonly text: string;
  readonly result: ParseResult;
  readonly source: SourceDocument | undefined;
  readonly raw: RawPipeline;
  readonly graph: StepGraph;
  readonly names: NameIndex;
}

/**
 * Parses and indexes a document. Never throws (the parser reports its own failures as diagnostics). A document's
 * `PiecewiseParser` (kept across its versions) re-parses only the steps an edit touched.
 */
export function analyze(text: string, pieces?: PiecewiseParser): Analysis {
  let parsed;
  try {
    parsed = pieces?.parse(text);
  } catch {
    parsed = undefined; // a whole parse, below
  }
  // The language service never uses the typed pipeline: skip building it.
  const result = parsePipeline(text, parsed, { typed: false });
  const source = result.source;
  const parts = parsedParts(result);
  const raw = parts?.raw ?? readRaw(result.data ?? (source && bestEffortData(source)));
  const graph =
    parts?.graph ??
    new StepGraph(
      raw.steps
        .filter((s) => s.id !== undefined)
        .map((s) => ({ id: s.id!, needs: s.needs.map((n) => n.id) })),
    );
  let names: NameIndex | undefined;
  return {
    text,
    result,
    source,
    raw,
    graph,
    get names() {
      names ??= new NameIndex(source, raw, result.references);
      return names;
    },
  };
}
