/** Folding ranges (every multi-line mapping, list and block scalar) and selection ranges (node by node). */
import type { Analysis } from './analysis.js';
import { multiLineNodes, nodeAt } from './ast.js';
import type { FoldingRange, SelectionRangeNode } from './types.js';

export function foldingRanges(analysis: Analysis): FoldingRange[] {
  const source = analysis.source;
  if (source === undefined) return [];
  const out: FoldingRange[] = [];
  const seen = new Set<number>();
  multiLineNodes(source, (start, end) => {
    const startLine = source.position(start).line;
    // A node's range may end at the start of the next line: fold up to the last line with content.
    let endPos = source.position(end);
    if (endPos.character === 0 && endPos.line > startLine) endPos = source.position(end - 1);
    if (endPos.line > startLine && !seen.has(startLine)) {
      seen.add(startLine);
      out.push({ startLine, endLine: endPos.line });
    }
  });
  return out.sort((a, b) => a.startLine - b.startLine);
}

export function selectionRange(analysis: Analysis, offset: number): SelectionRangeNode {
  const source = analysis.source;
  const whole = {
    start: { line: 0, character: 0 },
    end: analysis.source?.position(analysis.text.length) ?? { line: 0, character: 0 },
  };
  if (source === undefined) return { range: whole };
  const hit = nodeAt(source, offset);
  let node: SelectionRangeNode = { range: whole };
  let last = '';
  // spans are innermost first: build from the outside in.
  for (const [start, end] of [...hit.spans].reverse()) {
    const key = `${start}:${end}`;
    if (key === last) continue;
    last = key;
    node = { range: source.range(start, end), parent: node };
  }
  return node;
}
