/** Readable one-line renderings of LSP results for golden files and assertions. */
import type { Diagnostic, Range, TextEdit } from 'vscode-languageserver/node';

export function showRange(r: Range): string {
  return `${r.start.line + 1}:${r.start.character + 1}-${r.end.line + 1}:${r.end.character + 1}`;
}

const SEVERITY = ['', 'error', 'warning', 'info', 'hint'];

export function showDiagnostics(diagnostics: readonly Diagnostic[]): string {
  const lines: string[] = [];
  for (const d of diagnostics) {
    lines.push(`${showRange(d.range)} ${SEVERITY[d.severity ?? 1]} [${String(d.code)}] ${d.message}`);
    for (const r of d.relatedInformation ?? [])
      lines.push(`    related ${showRange(r.location.range)} ${r.message}`);
  }
  return lines.join('\n') + '\n';
}

/** Applies edits (non-overlapping, any order) to a text. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const offsets = lineOffsets(text);
  const at = (p: Range['start']): number =>
    Math.min(text.length, (offsets[p.line] ?? text.length) + p.character);
  const sorted = [...edits].sort((a, b) => at(b.range.start) - at(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, at(e.range.start)) + e.newText + out.slice(at(e.range.end));
  return out;
}

function lineOffsets(text: string): number[] {
  const out = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') out.push(i + 1);
  return out;
}
