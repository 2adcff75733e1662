/** Language-service results → LSP types. */
import {
  CompletionItemKind,
  DiagnosticSeverity,
  DiagnosticTag,
  InsertTextFormat,
  InsertTextMode,
  MarkupKind,
  SymbolKind,
  type CompletionItem,
  type Diagnostic,
  type DocumentSymbol,
} from 'vscode-languageserver/node';
import type { CompletionEntry, ServiceDiagnostic, SymbolNode } from '../service/types.js';

const SEVERITY = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

export function toDiagnostic(d: ServiceDiagnostic, uri: string): Diagnostic {
  return {
    range: d.range,
    severity: SEVERITY[d.severity],
    code: d.code,
    source: 'orchion',
    message: d.message,
    ...(d.related
      ? {
          relatedInformation: d.related.map((r) => ({
            location: { uri, range: r.range },
            message: r.message,
          })),
        }
      : {}),
    ...(d.unnecessary ? { tags: [DiagnosticTag.Unnecessary] } : {}),
  };
}

const COMPLETION_KIND: Record<CompletionEntry['kind'], CompletionItemKind> = {
  property: CompletionItemKind.Property,
  value: CompletionItemKind.Value,
  enum: CompletionItemKind.EnumMember,
  step: CompletionItemKind.Function,
  input: CompletionItemKind.Variable,
  keyword: CompletionItemKind.Keyword,
  field: CompletionItemKind.Field,
  model: CompletionItemKind.Module,
  runtime: CompletionItemKind.Class,
  snippet: CompletionItemKind.Snippet,
};

export function toCompletionItem(e: CompletionEntry): CompletionItem {
  return {
    label: e.label,
    kind: COMPLETION_KIND[e.kind],
    ...(e.detail ? { detail: e.detail } : {}),
    ...(e.documentation ? { documentation: { kind: MarkupKind.Markdown, value: e.documentation } } : {}),
    textEdit: { range: e.range, newText: e.insertText ?? e.label },
    insertTextFormat: e.snippet ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
    // Snippets carry their own indentation.
    ...(e.snippet ? { insertTextMode: InsertTextMode.asIs } : {}),
    ...(e.sortText ? { sortText: e.sortText } : {}),
    ...(e.filterText ? { filterText: e.filterText } : {}),
  };
}

const SYMBOL_KIND: Record<SymbolNode['kind'], SymbolKind> = {
  section: SymbolKind.Namespace,
  steps: SymbolKind.Array,
  step: SymbolKind.Function,
  inputs: SymbolKind.Namespace,
  input: SymbolKind.Variable,
  outputs: SymbolKind.Namespace,
  output: SymbolKind.Property,
};

export function toDocumentSymbol(s: SymbolNode): DocumentSymbol {
  return {
    name: s.name || '(unnamed)',
    kind: SYMBOL_KIND[s.kind],
    range: s.range,
    selectionRange: s.selectionRange,
    ...(s.detail ? { detail: s.detail } : {}),
    children: s.children.map(toDocumentSymbol),
  };
}
