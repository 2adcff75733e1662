/**
 * The YAML layer: parses a pipeline (or agent config) file into a yaml `Document` that keeps source offsets, converts its
 * problems to diagnostics, and maps JSON paths (as ajv and the semantic checks see the data) back to the
 * key or value nodes they came from.
 */
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseDocument,
  visit,
  type Document,
  type Node,
  type Pair,
  type YAMLError,
} from 'yaml';
import { zeroRange, type Diagnostic, type Position, type Range, type YamlCode } from './diagnostics.js';

export type PathSegment = string | number;
export type JsonPath = readonly PathSegment[];

/**
 * Bounds YAML alias expansion (billion-laughs documents). yaml's default (100) refuses a 150-step pipeline that
 * merges one `<<: *common` anchor into each step; 1000 still stops exponential documents at the third level.
 */
export const MAX_ALIAS_COUNT = 1000;
/** Bounds how many merge keys / aliases are followed while mapping one path to a node. */
const MAX_HOPS = 64;

export interface Located {
  /** The value node, aliases resolved; undefined when the path names a key without a value node. */
  node: Node | undefined;
  /** The key node when the value lives in a mapping. */
  key: Node | undefined;
  /** The alias or item node as written where the value was reached through an alias. */
  written: Node | undefined;
}

type AnyDocument = Document.Parsed;

/** How every document is parsed (editors parsing pieces of a document must use the same options). */
export const YAML_PARSE_OPTIONS = {
  prettyErrors: false,
  merge: true,
  uniqueKeys: false, // duplicates are reported by duplicateKeyDiagnostics, with related information
  strict: true,
  logLevel: 'error',
  version: '1.2',
} as const;

export class SourceDocument {
  readonly text: string;
  readonly doc: AnyDocument;
  /** Offsets where lines start. Lines end at `\n`, `\r\n` or a lone `\r`, as in LSP. */
  private readonly lineStarts: number[];
  /** `rootPair`'s answers (the document is not changed after parsing). */
  private rootPairs: Map<string, Pair | undefined> | undefined;

  /**
   * Parses `text`. An editor that parsed it already, piece by piece (see `YAML_PARSE_OPTIONS`), may pass the
   * resulting document: its node ranges must be offsets into `text`.
   */
  constructor(text: string, parsed?: AnyDocument) {
    this.text = text;
    this.lineStarts = lineStarts(text);
    this.doc = parsed ?? parseDocument(text, YAML_PARSE_OPTIONS);
  }

  position(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= clamped) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: Math.min(clamped, this.lineContentEnd(lo)) - starts[lo]! };
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(Math.max(start, end)) };
  }

  /** Offset of a position (the inverse of `position`), clamped to the text. */
  offset(pos: Position): number {
    if (pos.line < 0) return 0;
    if (pos.line >= this.lineStarts.length) return this.text.length;
    const start = this.lineStarts[pos.line]!;
    return Math.min(this.lineContentEnd(pos.line), start + Math.max(0, pos.character));
  }

  /** Offset just past the last character of a line, before its line break. */
  private lineContentEnd(line: number): number {
    const next = this.lineStarts[line + 1];
    if (next === undefined) return this.text.length;
    return this.text[next - 2] === '\r' && this.text[next - 1] === '\n' ? next - 2 : next - 1;
  }

  /** The node's value range (without trailing comments). */
  nodeRange(node: Node): Range {
    const [start, end] = node.range ?? [0, 0];
    return this.range(start, end);
  }

  /**
   * Converts the parse's errors and warnings, except duplicate keys (see `duplicateKeyDiagnostics`). `file`
   * names the kind of file in messages (`a pipeline file`).
   */
  yamlDiagnostics(file = 'a pipeline file'): Diagnostic<YamlCode>[] {
    const out: Diagnostic<YamlCode>[] = [];
    const convert = (e: YAMLError, severity: 'error' | 'warning'): void => {
      const [start, wholeEnd] = e.pos;
      let end = wholeEnd;
      let message = e.message.replace(/\s+at line \d+, column \d+:[\s\S]*$/, '').trim();
      if (e.code === 'MULTIPLE_DOCS') {
        message = `${file} holds exactly one YAML document (remove "---")`;
        end = Math.min(end, this.lineEnd(start));
      }
      out.push({
        severity,
        code: severity === 'error' ? 'yaml-syntax' : 'yaml-warning',
        message: severity === 'error' ? `YAML syntax error: ${lowerFirst(message)}` : lowerFirst(message),
        range: this.range(start, end),
      });
    };
    for (const e of this.doc.errors) if (e.code !== 'DUPLICATE_KEY') convert(e, 'error');
    for (const w of this.doc.warnings) convert(w, 'warning');
    return out;
  }

  /** Duplicate keys in any mapping, each pointing back at the first occurrence. */
  duplicateKeyDiagnostics(): Diagnostic<YamlCode>[] {
    const out: Diagnostic<YamlCode>[] = [];
    walkCollections(this.doc.contents, NO_DUPLICATE_KEYS, out, (node) => {
      if (!isMap(node)) return;
      const seen = new Map<string, Node>();
      for (const pair of node.items) {
        if (!isScalar(pair.key) || typeof pair.key.value === 'symbol') continue;
        const name = String(pair.key.value);
        const first = seen.get(name);
        if (first === undefined) {
          seen.set(name, pair.key);
          continue;
        }
        out.push({
          severity: 'error',
          code: 'duplicate-key',
          message: `duplicate key "${name}"`,
          range: this.nodeRange(pair.key),
          related: [{ message: `"${name}" is first defined here`, range: this.nodeRange(first) }],
        });
      }
    });
    return out;
  }

  /** Non-scalar (collection) keys, which JSON cannot represent. */
  complexKeyDiagnostics(): Diagnostic<YamlCode>[] {
    const out: Diagnostic<YamlCode>[] = [];
    walkCollections(this.doc.contents, NO_COMPLEX_KEYS, out, (node) => {
      for (const pair of (node as { items: unknown[] }).items) {
        if (!isPair(pair)) continue;
        if (pair.key !== null && pair.key !== undefined && !isScalar(pair.key) && !isAlias(pair.key)) {
          out.push({
            severity: 'error',
            code: 'yaml-syntax',
            message: 'mapping keys must be plain values, not lists or mappings',
            range: this.nodeRange(pair.key as Node),
          });
        }
      }
    });
    return out;
  }

  /**
   * The first alias that sits inside the node it refers to, if any: the data would be infinite (`toJS` builds
   * a cycle, which no walk over the data survives).
   */
  recursiveAliasRange(): Range | undefined {
    if (!this.text.includes('*')) return undefined;
    let found: Range | undefined;
    visit(this.doc, {
      Alias: (_key, alias) => {
        const target = alias.resolve(this.doc);
        const [start] = alias.range ?? [-1];
        if (target?.range && start >= target.range[0] && start < target.range[1]) {
          found = this.nodeRange(alias);
          return visit.BREAK;
        }
        return undefined;
      },
    });
    return found;
  }

  /** The first alias in the document (where an alias-bomb diagnostic points). */
  firstAliasRange(): Range {
    let found: Range | undefined;
    visit(this.doc, {
      Alias: (_key, node) => {
        found = this.nodeRange(node);
        return visit.BREAK;
      },
    });
    return found ?? zeroRange();
  }

  /** Finds the nodes a JSON path designates, following aliases and merge keys like `toJS` does. */
  locate(path: JsonPath): Located | undefined {
    let node: Node | undefined = this.resolve(this.doc.contents ?? undefined);
    let key: Node | undefined;
    let written: Node | undefined;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i]!;
      if (node === undefined) return undefined;
      if (isMap(node)) {
        const pair = i === 0 ? this.rootPair(node, String(segment)) : this.findPair(node, String(segment), 0);
        if (pair === undefined) return undefined;
        key = (pair.key as Node | null) ?? undefined;
        written = (pair.value as Node | null) ?? undefined;
        node = this.resolve(written);
      } else if (isSeq(node)) {
        const index = typeof segment === 'number' ? segment : Number(segment);
        if (!Number.isInteger(index)) return undefined;
        written = (node.items[index] as Node | undefined) ?? undefined;
        if (written === undefined) return undefined;
        key = undefined;
        node = this.resolve(written);
      } else {
        return undefined;
      }
    }
    return { node, key, written };
  }

  /** `findPair` on the root mapping, remembered (every path starts there: `steps` is looked up per step). */
  private rootPair(root: Node, name: string): Pair | undefined {
    const pairs = (this.rootPairs ??= new Map());
    if (pairs.has(name)) return pairs.get(name);
    const pair = this.findPair(root, name, 0);
    pairs.set(name, pair);
    return pair;
  }

  /** Range of the value at `path`; the key when the value is empty or absent. */
  valueRange(path: JsonPath): Range {
    const loc = this.locate(path);
    const node = loc?.written ?? loc?.node;
    if (node?.range && node.range[1] > node.range[0]) return this.nodeRange(node);
    if (loc?.key) return this.nodeRange(loc.key);
    return path.length > 0 ? this.anchorRange(path.slice(0, -1)) : this.anchorRange([]);
  }

  /** Range of the key at `path` (or of the item, in a list). */
  keyRange(path: JsonPath): Range {
    const loc = this.locate(path);
    if (loc?.key) return this.nodeRange(loc.key);
    return this.valueRange(path);
  }

  /**
   * Where to report something about the mapping at `path` as a whole (a missing property): its key in the
   * parent mapping, else (list items, the root) its first key, else the node itself.
   */
  anchorRange(path: JsonPath): Range {
    if (path.length > 0) {
      const loc = this.locate(path);
      if (loc === undefined) return this.anchorRange(path.slice(0, -1));
      if (loc.key) return this.nodeRange(loc.key);
      const node = loc.node;
      if (node && isMap(node) && node.items[0]?.key && isScalar(node.items[0].key)) {
        return this.nodeRange(node.items[0].key);
      }
      const at = loc.written ?? node;
      return at ? this.nodeRange(at) : zeroRange();
    }
    const root = this.doc.contents;
    if (root && isMap(root) && root.items[0]?.key && isScalar(root.items[0].key)) {
      return this.nodeRange(root.items[0].key);
    }
    if (root?.range) {
      const start = root.range[0];
      return this.range(start, Math.min(root.range[1], this.lineEnd(start)));
    }
    return zeroRange();
  }

  /** Offset of the end of the line holding `offset` (without the newline). */
  private lineEnd(offset: number): number {
    const nl = this.text.indexOf('\n', offset);
    return nl < 0 ? this.text.length : nl;
  }

  private resolve(node: Node | undefined | null): Node | undefined {
    let current = node ?? undefined;
    for (let hops = 0; current !== undefined && isAlias(current); hops++) {
      if (hops >= MAX_HOPS) return undefined;
      current = (current.resolve(this.doc) as Node | undefined) ?? undefined;
    }
    return current;
  }

  /** The pair that supplies `name` in a mapping: the last explicit one, else the first merge source's. */
  private findPair(map: Node, name: string, depth: number): Pair | undefined {
    if (!isMap(map) || depth > MAX_HOPS) return undefined;
    let merges: Node[] | undefined;
    let found: Pair | undefined;
    for (const pair of map.items) {
      const k = pair.key;
      if (!isScalar(k)) continue;
      const value = k.value;
      if (typeof value === 'symbol') {
        if (pair.value) (merges ??= []).push(pair.value as Node);
      } else if (value === name || String(value ?? '') === name) {
        found = pair as Pair;
      }
    }
    if (found || merges === undefined) return found;
    for (const merge of merges) {
      const resolved = this.resolve(merge);
      const sources =
        resolved && isSeq(resolved) ? resolved.items.map((n) => this.resolve(n as Node)) : [resolved];
      for (const source of sources) {
        const pair = source ? this.findPair(source, name, depth + 1) : undefined;
        if (pair) return pair;
      }
    }
    return undefined;
  }
}

/**
 * Marks on collections (list items: pipeline steps) known to hold no duplicate keys / no complex keys, as bits of
 * a property of the node (cheaper than weak sets, which cost about 1 µs an entry and GC work). A document parsed
 * piece by piece reuses the nodes of unchanged pieces, so their subtrees need not be walked again.
 */
const KEYS_CHECKED = Symbol('orchion.keysChecked');
const NO_DUPLICATE_KEYS = 1;
const NO_COMPLEX_KEYS = 2;
type Marked = { [KEYS_CHECKED]?: number };

const isMarked = (node: unknown, mark: number): boolean =>
  (((node as Marked)[KEYS_CHECKED] ?? 0) & mark) !== 0;

function setMark(node: unknown, mark: number): void {
  const n = node as Marked;
  n[KEYS_CHECKED] = (n[KEYS_CHECKED] ?? 0) | mark;
}

/**
 * Records that a list item's subtree has no duplicate and no complex keys, for a parser that checked this while
 * building it (the language server's block-YAML reader): the key checks then skip it, as they skip items they
 * checked themselves.
 */
export function markKeysChecked(item: Node): void {
  setMark(item, NO_DUPLICATE_KEYS | NO_COMPLEX_KEYS);
}

/** `walkCollections` stack marks (non-negative marks are end markers). */
const PLAIN = -1;
const ITEM = -2;

/**
 * Calls `onCollection` for every map and list under `root` in document order (pre-order, like yaml's `visit`;
 * aliases are not followed), skipping list items marked `clean` and marking those whose subtree added
 * nothing to `out`. Iterative: no recursion on deep documents.
 */
function walkCollections(
  root: unknown,
  clean: number,
  out: readonly unknown[],
  onCollection: (node: Node) => void,
): void {
  // Parallel stacks (no entry objects): a node and whether it is a list item, or a list item's end marker
  // (the item again, with the diagnostic count before it).
  const nodes: unknown[] = [root];
  const marks: number[] = [PLAIN];
  while (nodes.length > 0) {
    const node = nodes.pop();
    const mark = marks.pop()!;
    if (mark >= 0) {
      if (out.length === mark) setMark(node, clean);
      continue;
    }
    if (isPair(node)) {
      nodes.push(node.value, node.key);
      marks.push(PLAIN, PLAIN);
      continue;
    }
    if (!isMap(node) && !isSeq(node)) continue;
    if (mark === ITEM) {
      if (isMarked(node, clean)) continue;
      nodes.push(node);
      marks.push(out.length);
    }
    onCollection(node);
    const items = node.items as unknown[];
    const kind = isSeq(node) ? ITEM : PLAIN;
    for (let i = items.length - 1; i >= 0; i--) {
      nodes.push(items[i]);
      marks.push(kind);
    }
  }
}
function lineStarts(text: string): number[] {
  const starts = [0];
  if (!text.includes('\r')) {
    // The usual case: `indexOf` finds line ends several times faster than a loop over every character.
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    return starts;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

function lowerFirst(s: string): string {
  return s.length > 0 ? s[0]!.toLowerCase() + s.slice(1) : s;
}
