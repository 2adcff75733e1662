/** Walks the parsed YAML (aliases not followed): the node chain under an offset, and multi-line nodes. */
import { isMap, isPair, isScalar, isSeq, type Node, type Pair } from 'yaml';
import type { PathSegment, SourceDocument } from '@orchion/schemas';

export interface NodeHit {
  /** The JSON path of the innermost value at the offset (or of the key's value when on a key). */
  path: PathSegment[];
  /** The innermost node at the offset. */
  node: Node | undefined;
  /** Set when the offset is on a mapping key. */
  onKey: boolean;
  /** Offsets [start, end] of the enclosing nodes and pairs, innermost first. */
  spans: [number, number][];
}

let text = '';

/** The node's [start, end], its end moved back over trailing blanks (block collections end on the next line). */
function span(node: Node | null | undefined): [number, number] | undefined {
  const r = node?.range;
  if (!r) return undefined;
  let end = r[1];
  while (end > r[0] && /\s/.test(text[end - 1] ?? '')) end--;
  return [r[0], end];
}

function contains(s: [number, number] | undefined, offset: number): boolean {
  return s !== undefined && s[0] <= offset && offset <= s[1];
}

/** What is at `offset`. Depth is bounded (a pathological nesting cannot blow the stack: the walk is a loop). */
export function nodeAt(source: SourceDocument, offset: number): NodeHit {
  text = source.text;
  const hit: NodeHit = { path: [], node: undefined, onKey: false, spans: [] };
  let node = (source.doc.contents ?? undefined) as Node | undefined;
  for (let depth = 0; node !== undefined && depth < 256; depth++) {
    const s = span(node);
    if (!contains(s, offset)) break;
    hit.spans.unshift(s!);
    hit.node = node;
    let next: Node | undefined;
    if (isMap(node)) {
      for (const pair of node.items as Pair<Node, Node>[]) {
        const k = span(pair.key);
        const v = span(pair.value);
        const pairSpan: [number, number] | undefined = k ? [k[0], v ? v[1] : k[1]] : v;
        if (!contains(pairSpan, offset)) continue;
        const name = isScalar(pair.key) ? String(pair.key.value) : '';
        hit.path.push(name);
        hit.spans.unshift(pairSpan!);
        if (contains(k, offset) && pair.key) {
          hit.onKey = true;
          hit.node = pair.key;
          hit.spans.unshift(k!);
          return hit;
        }
        next = pair.value ?? undefined;
        break;
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        if (next === undefined && !isPair(item) && contains(span(item as Node), offset)) {
          hit.path.push(i);
          next = item as Node;
        }
      });
    }
    node = next;
  }
  return hit;
}

/** Every map, list and block scalar spanning several lines: [start offset, end offset]. */
export function multiLineNodes(
  source: SourceDocument,
  visit: (start: number, end: number, key: Node | undefined) => void,
): void {
  text = source.text;
  const stack: { node: Node; key: Node | undefined }[] = [];
  const root = source.doc.contents as Node | null;
  if (root) stack.push({ node: root, key: undefined });
  while (stack.length > 0) {
    const { node, key } = stack.pop()!;
    const s = span(node);
    if (s) visit(key?.range ? key.range[0] : s[0], s[1], key);
    if (isMap(node)) {
      for (const pair of node.items as Pair<Node, Node>[])
        if (pair.value) stack.push({ node: pair.value, key: pair.key ?? undefined });
    } else if (isSeq(node)) {
      for (const item of node.items as Node[]) if (item) stack.push({ node: item, key: undefined });
    }
  }
}
