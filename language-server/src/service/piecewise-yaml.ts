/**
 * Piecewise parsing of large pipelines: the `steps` list is cut into one piece per step and each piece is parsed
 * alone, so an edit re-parses only the step it touched. The pieces are assembled into one YAML document whose
 * node ranges are offsets into the whole text, as if it had been parsed in one go; the shared parser then checks
 * it as usual. Anything unusual (anchors, aliases, tags, directives, a piece with a problem) falls back to a
 * whole parse, which also gives the exact messages for broken YAML.
 */
import {
  YAMLSeq,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseDocument,
  type Document,
  type Node,
  type ParsedNode,
} from 'yaml';
import { YAML_PARSE_OPTIONS, markKeysChecked, setPlainData } from '@orchion/schemas';
import { Unsupported, plainData } from './block-yaml/nodes.js';
import { UNSUPPORTED_CHARS, hasAnchorsTagsDirectives, readBlockYaml } from './block-yaml/reader.js';

/** Below this size a whole parse is as fast as bookkeeping. */
const MIN_LENGTH = 20_000;
const STEPS = /^steps:[ \t]*(?:#.*)?$/gm;

interface Parsed {
  node: Node;
  /** The offset the node's ranges are relative to now. */
  base: number;
}

export class PiecewiseParser {
  /** Parsed steps by their text, from the previous parse. */
  private pool = new Map<string, Parsed[]>();

  /** The document of `text`, or undefined when it must be parsed whole. */
  parse(text: string): Document.Parsed | undefined {
    if (text.length < MIN_LENGTH || hasAnchorsTagsDirectives(text)) return undefined;
    const block = stepsBlock(text);
    if (block === undefined) return undefined;
    const head = parseDocument(text.slice(0, block.items[0]!), YAML_PARSE_OPTIONS);
    if (head.errors.length > 0 || head.warnings.length > 0 || !isMap(head.contents)) return undefined;
    const root = head.contents;
    const stepsPair = root.items.find((p) => isScalar(p.key) && p.key.value === 'steps');
    if (
      !stepsPair ||
      !(stepsPair.value === null || (isScalar(stepsPair.value) && stepsPair.value.value === null))
    )
      return undefined;

    // Tested once for the whole text rather than in every step (see `readBlockYaml`).
    const checked = !UNSUPPORTED_CHARS.test(text);
    const next = new Map<string, Parsed[]>();
    const items: Node[] = [];
    for (let i = 0; i < block.items.length; i++) {
      const start = block.items[i]!;
      const end = block.items[i + 1] ?? block.end;
      const piece = text.slice(start, end);
      const parsed = this.take(piece) ?? parseStep(piece, checked);
      if (parsed === undefined) return undefined;
      if (parsed.base !== start) {
        shift(parsed.node, start - parsed.base);
        parsed.base = start;
      }
      const list = next.get(piece);
      if (list) list.push(parsed);
      else next.set(piece, [parsed]);
      items.push(parsed.node);
    }
    this.pool = next;

    const seq = new YAMLSeq(head.schema);
    seq.items = items;
    const last = items[items.length - 1]!.range!;
    seq.range = [block.items[0]! + block.indent, last[1], last[2]];
    stepsPair.value = seq as unknown as ParsedNode;

    const tailText = text.slice(block.end);
    if (tailText.trim() !== '') {
      const tail = parseDocument(tailText, YAML_PARSE_OPTIONS);
      if (tail.errors.length > 0 || tail.warnings.length > 0 || !isMap(tail.contents)) return undefined;
      shift(tail.contents, block.end);
      root.items.push(...tail.contents.items);
    }
    const end = root.items[root.items.length - 1];
    const rootEnd = Math.max(seq.range[2], (end?.value as Node | null)?.range?.[2] ?? 0);
    root.range = [root.range![0], rootEnd, text.length];
    // The plain data too, in one pass over the nodes (the shared parser would convert them with `toJS`).
    try {
      setPlainData(head, plainData(root));
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e; // an unusual node: the shared parser converts the whole document
    }
    return head;
  }

  private take(piece: string): Parsed | undefined {
    const list = this.pool.get(piece);
    return list?.pop();
  }
}

/** Offsets where step items start (their line's start), and where the block ends; undefined if unusual. */
function stepsBlock(text: string): { items: number[]; end: number; indent: number } | undefined {
  STEPS.lastIndex = 0;
  const found = STEPS.exec(text);
  if (!found || STEPS.exec(text)) return undefined; // none, or `steps:` twice
  let at = text.indexOf('\n', found.index);
  if (at < 0) return undefined;
  at++;
  const items: number[] = [];
  let indent = -1;
  while (at < text.length) {
    const nl = text.indexOf('\n', at);
    const lineEnd = nl < 0 ? text.length : nl;
    let col = at;
    while (col < lineEnd && text[col] === ' ') col++;
    const c = text[col];
    const blank = col === lineEnd || c === '#' || (c === '\r' && col + 1 === lineEnd);
    if (!blank) {
      const dash = c === '-' && (col + 1 === lineEnd || text[col + 1] === ' ' || text[col + 1] === '\r');
      if (indent < 0) {
        if (!dash) return undefined;
        indent = col - at;
      }
      const lineIndent = col - at;
      if (lineIndent === indent && dash) items.push(at);
      else if (lineIndent <= indent) {
        if (lineIndent === indent && indent > 0) return undefined;
        return items.length > 0 ? { items, end: at, indent } : undefined;
      }
    }
    at = lineEnd + 1;
  }
  return items.length > 0 ? { items, end: text.length, indent } : undefined;
}

function parseStep(piece: string, checked: boolean): Parsed | undefined {
  // The block-YAML reader gives the library's nodes for the common subset, several times faster.
  const fast = readBlockYaml(piece, checked);
  if (fast !== undefined) {
    const { root } = fast;
    if (!isSeq(root) || root.items.length !== 1) return undefined;
    const item = root.items[0] as Node | null;
    if (!item) return undefined;
    // The reader checked the keys as it read them: the shared parser's key walks may skip this step.
    if (!fast.duplicateKeys) markKeysChecked(item);
    return { node: item, base: 0 };
  }
  const doc = parseDocument(piece, YAML_PARSE_OPTIONS);
  if (doc.errors.length > 0 || doc.warnings.length > 0) return undefined;
  if (!isSeq(doc.contents) || doc.contents.items.length !== 1) return undefined;
  const node = doc.contents.items[0] as Node | null;
  return node ? { node, base: 0 } : undefined;
}

/** Moves every range in a subtree by `delta` (iterative: no recursion on deep documents). */
function shift(node: Node, delta: number): void {
  const stack: unknown[] = [node];
  while (stack.length > 0) {
    const n = stack.pop();
    if (isPair(n)) {
      stack.push(n.key, n.value);
      continue;
    }
    if (n === null || typeof n !== 'object') continue;
    const r = (n as Node).range;
    if (r) {
      r[0] += delta;
      r[1] += delta;
      r[2] += delta;
    }
    if (isMap(n) || isSeq(n)) for (const item of n.items) stack.push(item);
  }
}
