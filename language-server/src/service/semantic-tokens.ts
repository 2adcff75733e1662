/** Semantic tokens inside `${{ … }}`: the delimiters, the root (`inputs`, `steps`), names and fields. */
import type { Analysis } from './analysis.js';
import type { SemanticToken, TokenType } from './types.js';

export function semanticTokens(analysis: Analysis): SemanticToken[] {
  const source = analysis.source;
  if (source === undefined) return [];
  const out: SemanticToken[] = [];
  const push = (offset: number, length: number, type: TokenType): void => {
    if (length <= 0) return;
    const p = source.position(offset);
    out.push({ line: p.line, character: p.character, length, type });
  };
  for (const ref of analysis.result.references) {
    if (!ref.exact) continue;
    const start = ref.start;
    const end = ref.end;
    // Tokens cannot span lines: skip expressions broken over lines.
    if (source.position(start).line !== source.position(end).line) continue;
    push(start, 3, 'operator');
    if (ref.path) {
      let at = source.offset(ref.range.start);
      ref.path.forEach((segment, i) => {
        const type: TokenType =
          i === 0 ? 'keyword' : i === 1 ? (ref.path![0] === 'inputs' ? 'parameter' : 'variable') : 'property';
        push(at, segment.length, type);
        at += segment.length + 1;
      });
    }
    if (analysis.text.startsWith('}}', end - 2)) push(end - 2, 2, 'operator');
  }
  // Fields are visited steps first; `outputs:` may come earlier in the document.
  return out.sort((a, b) => a.line - b.line || a.character - b.character);
}
