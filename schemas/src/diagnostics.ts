/** Positions, ranges and diagnostics, shaped like the Language Server Protocol's (0-based, UTF-16). */

export interface Position {
  /** 0-based line. */
  line: number;
  /** 0-based column, in UTF-16 code units. */
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'info';

/** Codes of the YAML layer, shared by every document kind (pipelines, agent configs). */
export const YAML_CODES = [
  'yaml-syntax',
  'yaml-warning',
  'yaml-alias-limit',
  'duplicate-key',
  'empty-document',
] as const;

/** Codes of the JSON Schema layer, shared by every document kind. */
export const SCHEMA_CODES = [
  'schema-required',
  'schema-type',
  'schema-additional-property',
  'schema-enum',
  'schema-pattern',
  'schema-range',
  'schema-invalid',
  'invalid-duration',
] as const;

/** Every diagnostic code this package emits. Codes are stable: tools may match on them. */
export const DIAGNOSTIC_CODES = [
  ...YAML_CODES,
  ...SCHEMA_CODES,
  // steps and the DAG
  'step-kind',
  'option-ignored',
  'message-role',
  'duplicate-step-id',
  'unknown-need',
  'duplicate-need',
  'cycle',
  // expressions
  'expression-syntax',
  'expression-not-evaluated',
  'unresolved-reference',
  'reference-not-upstream',
  'unknown-input',
  'unknown-output-field',
  'unused-input',
  // inputs
  'input-type',
  'input-default-ignored',
  'missing-input',
  // structured output
  'output-schema-unsupported',
  'invalid-output-schema',
  // last resort: a bug in this package, reported instead of thrown
  'internal-error',
] as const;

export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];

/** The YAML layer's codes, plus the last-resort code every parser may report. */
export type YamlCode = (typeof YAML_CODES)[number] | 'internal-error';

export type SchemaCode = (typeof SCHEMA_CODES)[number];

export interface RelatedInformation {
  message: string;
  range: Range;
}

/** A located problem. `C` is the set of codes of the document kind (pipeline codes by default). */
export interface Diagnostic<C extends string = DiagnosticCode> {
  severity: Severity;
  code: C;
  /** Human-readable, one line. */
  message: string;
  /** The exact key or value concerned. */
  range: Range;
  related?: RelatedInformation[];
}

/** The empty range at the start of the document (a fresh object each time). */
export function zeroRange(): Range {
  return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
}

/** Sorts by position, then severity (errors first), then message; stable for equal diagnostics. */
export function sortDiagnostics<D extends Diagnostic<string>>(diagnostics: readonly D[]): D[] {
  const rank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  return [...diagnostics].sort(
    (a, b) =>
      a.range.start.line - b.range.start.line ||
      a.range.start.character - b.range.start.character ||
      rank[a.severity] - rank[b.severity] ||
      (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
}

export function hasErrors(diagnostics: readonly Pick<Diagnostic<string>, 'severity'>[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/**
 * `FILE:LINE:COL: error|warning|info: message [code]`, with 1-based line and column, as compilers print
 * them (editors and CI annotators recognise the shape).
 */
export function formatDiagnostic(file: string, d: Diagnostic<string>): string {
  const { line, character } = d.range.start;
  return `${file}:${line + 1}:${character + 1}: ${d.severity}: ${d.message} [${d.code}]`;
}
