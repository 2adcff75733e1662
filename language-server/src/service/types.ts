/**
 * Result shapes of the language service. They mirror the Language Server Protocol's (0-based lines, UTF-16
 * columns) without importing it: the service is pure, the server adapter converts.
 */
import type { Position, Range } from '@orchion/schemas';

export type { Position, Range };

export interface TextEdit {
  range: Range;
  newText: string;
}

export type ServiceSeverity = 'error' | 'warning' | 'info';

export interface ServiceDiagnostic {
  severity: ServiceSeverity;
  /** A stable code: the parser's (`unknown-need`, …) or the language server's (`unknown-model`, …). */
  code: string;
  message: string;
  range: Range;
  related?: { message: string; range: Range }[];
  /** Rendered faded by editors (an unused input). */
  unnecessary?: boolean;
}

export type CompletionKind =
  'property' | 'value' | 'enum' | 'step' | 'input' | 'keyword' | 'field' | 'model' | 'runtime' | 'snippet';

export interface CompletionEntry {
  label: string;
  kind: CompletionKind;
  detail?: string;
  /** Markdown. */
  documentation?: string;
  /** Text to insert; a snippet (`$1`, `${1|a,b|}`) when `snippet` is set. Defaults to the label. */
  insertText?: string;
  snippet?: boolean;
  /** The range the insertion replaces (the word typed so far). */
  range: Range;
  sortText?: string;
  filterText?: string;
}

export interface CompletionResult {
  items: CompletionEntry[];
  /** True when the list may grow on a later request (live values not available). */
  incomplete: boolean;
}

export interface HoverResult {
  /** Markdown. */
  contents: string;
  range: Range;
}

export type SymbolKind = 'section' | 'steps' | 'step' | 'inputs' | 'input' | 'outputs' | 'output';

export interface SymbolNode {
  name: string;
  detail?: string;
  kind: SymbolKind;
  range: Range;
  selectionRange: Range;
  children: SymbolNode[];
}

export interface FoldingRange {
  startLine: number;
  endLine: number;
}

export interface SelectionRangeNode {
  range: Range;
  parent?: SelectionRangeNode;
}

export interface CodeActionResult {
  title: string;
  edits: TextEdit[];
  /** The diagnostic the action fixes. */
  fixes: ServiceDiagnostic;
  preferred?: boolean;
}

export interface CodeLensResult {
  range: Range;
  title: string;
  /** `orchion.runPipeline` (arguments `[uri]`) or `orchion.runFromStep` (arguments `[uri, stepId]`). */
  command: 'orchion.runPipeline' | 'orchion.runFromStep';
  stepId?: string;
}

export const TOKEN_TYPES = ['operator', 'keyword', 'parameter', 'variable', 'property'] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];

export interface SemanticToken {
  line: number;
  character: number;
  length: number;
  type: TokenType;
}

export type RenameResult = { edits: TextEdit[] } | { error: string };

/** A document's text with position ↔ offset conversion (vscode-languageserver-textdocument's TextDocument fits). */
export interface TextLike {
  getText(): string;
  positionAt(offset: number): Position;
  offsetAt(position: Position): number;
}
