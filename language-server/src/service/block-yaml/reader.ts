/**
 * A fast reader for the block-style YAML that pipelines are written in: block maps and sequences, plain and
 * quoted one-line scalars, one-line flow collections, `|` and `>` block scalars, comments. It builds the same
 * nodes, with the same values and ranges, as the `yaml` library's `parseDocument` (which it stands in for when
 * a large document is opened: that parse is most of an open's time), and gives up (`undefined`) on anything
 * else: anchors, aliases, tags, multi-line plain or quoted scalars, escapes, tabs, CRLF, explicit keys,
 * anything the library would report as an error or a warning. Callers then parse with the library.
 *
 * Comments are skipped, not attached to nodes (nothing here reads them); where a comment extends a node's
 * range in the library (a comment line more indented than the node's parent, right after a one-line value),
 * it does here too.
 */
import type { Node, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { Lines, COLON, DASH, HASH, NL, SPACE } from './lines.js';
import { UNSUPPORTED, Unsupported, blockScalarValue, newMap, newPair, newSeq, scalarNode } from './nodes.js';

/** Characters that make the reader give up on the whole text: tabs, CR, BOM, controls. */
// eslint-disable-next-line no-control-regex
export const UNSUPPORTED_CHARS = /[\t\r\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufeff]/;
/**
 * Anchors, aliases and tags (an indicator with a name after it) and directives or document markers. The piecewise
 * parser tests the whole text with it too: aliases cannot be resolved one step at a time.
 */
export const ANCHORS_TAGS_DIRECTIVES = /(?:^|[\s[{,])[&*!][^\s]|^(?:%|---|\.\.\.)/m;
const INDICATORS = ['&', '*', '!', '%', '---', '...'];

/**
 * `ANCHORS_TAGS_DIRECTIVES.test(text)`, with the expression run only when the text holds one of the characters it
 * looks for (`includes` scans a large document several times faster than the expression does).
 */
export function hasAnchorsTagsDirectives(text: string): boolean {
  return INDICATORS.some((c) => text.includes(c)) && ANCHORS_TAGS_DIRECTIVES.test(text);
}

export interface BlockYaml {
  root: Node;
  /** Whether some mapping has the same key twice (the reader's keys are always scalars). */
  duplicateKeys: boolean;
}

/**
 * The root node of `text`, or undefined when the text is outside the subset (parse it with `yaml` then).
 * `checked`: `text` is whole lines of a text in which neither `UNSUPPORTED_CHARS` nor `ANCHORS_TAGS_DIRECTIVES`
 * matched, so they cannot match here either (a caller reading many pieces of one text tests it once).
 */
export function readBlockYaml(text: string, checked = false): BlockYaml | undefined {
  if (text.length === 0 || text.charCodeAt(text.length - 1) !== 10) return undefined;
  if (!checked && (UNSUPPORTED_CHARS.test(text) || hasAnchorsTagsDirectives(text))) return undefined;
  try {
    const reader = new Reader(text);
    const root = reader.root();
    return { root, duplicateKeys: reader.duplicateKeys };
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
}

type Range3 = [number, number, number];

class Reader extends Lines {
  duplicateKeys = false;
  /** The line after the node a method just read (its result, beside the node). */
  private next = 0;

  root(): Node {
    const line = this.nextContent(0);
    if (line < 0) throw UNSUPPORTED;
    const node = this.blockNode(line, -1);
    if (this.nextContent(this.next) >= 0) throw UNSUPPORTED; // content after the root: an error in the library
    return node;
  }

  /** The block node whose first content line is `line` (its indentation more than `parent`'s). */
  private blockNode(line: number, parent: number): Node {
    const first = this.firsts[line]!;
    if (this.isDash(first)) return this.sequence(line, this.indent(line), parent);
    if (this.keyEnd(first) >= 0) return this.map(line, first, this.indent(line), parent);
    throw UNSUPPORTED; // a scalar on a line of its own (multi-line plain scalars and the like)
  }

  /**
   * Where the implicit key starting at `at` ends (its `:` follows), or -1 when the line holds no `key:`.
   * Quoted keys and plain keys; anything that starts like a flow collection, a block scalar or an indicator
   * is not a key here.
   */
  private keyEnd(at: number): number {
    const text = this.text;
    const c = text.charCodeAt(at);
    if (c === 34 || c === 39) {
      const close = this.quotedEnd(at);
      if (close < 0) return -1;
      return text.charCodeAt(close) === COLON && this.spaceOrEol(close + 1) ? close : -1;
    }
    if (!this.plainStart(at, false)) return -1;
    const end = this.ends[this.lineOf(at)]!;
    for (let i = at + 1; i < end; i++) {
      const ch = text.charCodeAt(i);
      if (ch === COLON && this.spaceOrEol(i + 1)) {
        if (text.charCodeAt(i - 1) === SPACE) throw UNSUPPORTED; // `key :`
        return i;
      }
      if (ch === HASH && text.charCodeAt(i - 1) === SPACE) return -1;
    }
    return -1;
  }

  private quoted(at: number, end: number, range: Range3, atKey: boolean): Scalar {
    const inner = this.text.slice(at + 1, end - 1);
    if (this.text.charCodeAt(at) === 39)
      return scalarNode(inner.replace(/''/g, "'"), 'QUOTE_SINGLE', range, atKey);
    return scalarNode(inner, 'QUOTE_DOUBLE', range, atKey);
  }

  /** A block sequence at `indent`, its first `-` on `line`. */
  private sequence(line: number, indent: number, parent: number): Node {
    const seq = newSeq();
    const start = this.firsts[line]!;
    let offset = start;
    let l: number = line;
    for (;;) {
      const dash = this.firsts[l]!;
      let at = dash + 1;
      while (this.text.charCodeAt(at) === SPACE) at++;
      const item = this.itemAt(l, at, indent);
      seq.items.push(item);
      offset = item.range![2];
      const next = this.nextContent(this.next);
      if (next < 0 || this.indent(next) < indent) break;
      if (this.indent(next) > indent) throw UNSUPPORTED;
      if (!this.isDash(this.firsts[next]!)) break; // a sequence at its key's column, and the next key
      l = next;
    }
    return this.close(seq, start, offset, indent, parent);
  }

  /**
   * Sets the range of a block collection that ended: comment lines after its last item that are at least as
   * indented as its items belong to it (and blank lines after them); the root's, at column 0, to the document.
   */
  private close(
    coll: YAMLMap | YAMLSeq,
    start: number,
    offset: number,
    indent: number,
    parent: number,
  ): Node {
    let end = offset;
    if (!(parent < 0 && indent === 0)) {
      // The first comment line at the items' indentation or deeper starts a trailing item of comments, which
      // then takes every empty line up to the next content (and that line's indentation); shallower comments
      // before it belong to an outer collection.
      const n = this.lineCount;
      let taken = false;
      let shallower = false;
      for (let l = this.afterNode(offset); l < n; l++) {
        if (!this.isEmpty(l)) {
          if (taken) end = this.firsts[l]!;
          break;
        }
        if (taken) end = this.ends[l]! + 1;
        else if (this.text.charCodeAt(this.firsts[l]!) === HASH) {
          if (this.indent(l) >= indent) {
            if (shallower) throw UNSUPPORTED; // a deeper comment after a shallower one: not verified
            taken = true;
            end = this.ends[l]! + 1;
          } else shallower = true;
        }
      }
    }
    coll.range = [start, offset, end];
    this.next = this.afterNode(end);
    return coll;
  }

  /**
   * The node of a sequence item whose content starts at `at` on `line` (after `- `): a compact map, a one-line
   * value, a block scalar, or (nothing on the line) the block node on the next lines.
   */
  private itemAt(line: number, at: number, indent: number): Node {
    const text = this.text;
    const c = text.charCodeAt(at);
    if (c === NL) {
      const next = this.nextContent(line + 1);
      if (next >= 0 && this.indent(next) > indent) {
        if (this.hasCommentBetween(line + 1, next)) throw UNSUPPORTED;
        return this.blockNode(next, indent);
      }
      // An empty item: its range depends on comments before it in ways not worth following here.
      throw UNSUPPORTED;
    }
    if (c === HASH) throw UNSUPPORTED;
    if (this.isDash(at)) throw UNSUPPORTED; // `- - x`
    if (this.keyEnd(at) >= 0) return this.map(line, at, at - this.starts[line]!, indent);
    return this.inlineValue(line, at, indent);
  }

  /** A block map at `indent` (the column of its keys), its first key at offset `first` on `line`. */
  private map(line: number, first: number, indent: number, parent: number): Node {
    const text = this.text;
    const map = newMap();
    const names: string[] = [];
    let seen: Set<string> | undefined;
    let l = line;
    let keyAt = first;
    let offset = first;
    for (;;) {
      const colon = this.keyEnd(keyAt);
      if (colon < 0) throw UNSUPPORTED;
      if (colon - keyAt > 1000) throw UNSUPPORTED;
      const key = this.keyNode(keyAt, colon);
      let at = colon + 1;
      while (text.charCodeAt(at) === SPACE) at++;
      let value: Node;
      const c = text.charCodeAt(at);
      if (c === NL || c === HASH) value = this.valueBelow(l, colon + 1, at, indent);
      else value = this.inlineValue(l, at, indent);
      if (!this.duplicateKeys) seen = this.checkDuplicate(names, seen, key);
      map.items.push(newPair(key, value));
      offset = value.range![2];
      const next = this.nextContent(this.next);
      if (next < 0 || this.indent(next) < indent) break;
      if (this.indent(next) > indent) throw UNSUPPORTED;
      l = next;
      keyAt = this.firsts[l]!;
      if (this.isDash(keyAt)) throw UNSUPPORTED; // a sequence item among keys
    }
    return this.close(map, first, offset, indent, parent);
  }

  /** Notes a key that an earlier key of the same map equals (as the shared parser's key checks compare them). */
  private checkDuplicate(
    names: string[],
    seen: Set<string> | undefined,
    key: Scalar,
  ): Set<string> | undefined {
    const name = String(key.value);
    if (seen === undefined && names.length >= 16) seen = new Set(names);
    if (seen !== undefined ? seen.has(name) : names.includes(name)) this.duplicateKeys = true;
    names.push(name);
    seen?.add(name);
    return seen;
  }

  private keyNode(at: number, colon: number): Scalar {
    const c = this.text.charCodeAt(at);
    if (c === 34 || c === 39) return this.quoted(at, colon, [at, colon, colon], true);
    return scalarNode(this.text.slice(at, colon), 'PLAIN', [at, colon, colon], true);
  }

  /**
   * The value of a `key:` with nothing after it on its line (spaces and a comment at most): the block node on
   * the next lines (more indented, or a sequence at the key's own column), or an empty scalar.
   */
  private valueBelow(line: number, afterColon: number, at: number, indent: number): Node {
    const next = this.nextContent(line + 1);
    if (next >= 0) {
      const ind = this.indent(next);
      if (ind > indent || (ind === indent && this.isDash(this.firsts[next]!))) {
        if (this.hasCommentBetween(line + 1, next)) throw UNSUPPORTED;
        return this.blockNode(next, indent);
      }
    }
    if (this.hasCommentBetween(line + 1, next < 0 ? this.lineCount : next)) throw UNSUPPORTED;
    const commented = this.text.charCodeAt(at) === HASH;
    // A comment after the key takes the empty value's range on to the next content (its indentation included).
    const end = commented ? (next >= 0 ? this.firsts[next]! : this.text.length) : at;
    if (!commented && at !== afterColon) throw UNSUPPORTED; // `key:   ` with trailing spaces
    this.next = line + 1;
    return scalarNode('', 'PLAIN', [at, at, end], false);
  }

  /** A value that starts on its key's (or dash's) line at `at`: a block scalar, a flow collection, a scalar. */
  private inlineValue(line: number, at: number, parent: number): Node {
    const text = this.text;
    const c = text.charCodeAt(at);
    if (c === 124 || c === 62) return this.blockScalar(line, at, parent);
    let node: Node;
    let valueEnd: number;
    if (c === 91 || c === 123) {
      const flow = this.flowCollection(at);
      node = flow.node;
      valueEnd = flow.end;
    } else if (c === 34 || c === 39) {
      valueEnd = this.quotedEnd(at);
      node = this.quoted(at, valueEnd, [at, valueEnd, valueEnd], false);
    } else {
      if (!this.plainStart(at, false)) throw UNSUPPORTED;
      const end = this.ends[line]!;
      let stop = end;
      for (let i = at + 1; i < end; i++) {
        const ch = text.charCodeAt(i);
        if (ch === HASH && text.charCodeAt(i - 1) === SPACE) {
          stop = i;
          break;
        }
        if (ch === COLON && this.spaceOrEol(i + 1)) throw UNSUPPORTED; // a compact map in a value
      }
      valueEnd = stop;
      while (text.charCodeAt(valueEnd - 1) === SPACE) valueEnd--;
      node = scalarNode(text.slice(at, valueEnd), 'PLAIN', [at, valueEnd, valueEnd], false);
    }
    // After the value: spaces, then a comment or the end of the line.
    let after = valueEnd;
    while (text.charCodeAt(after) === SPACE) after++;
    const ch = text.charCodeAt(after);
    if (ch === HASH) {
      if (after === valueEnd) throw UNSUPPORTED; // a comment must follow a space
    } else if (ch !== NL) throw UNSUPPORTED;
    const end = this.absorbComments(line, parent);
    node.range![2] = end;
    this.next = this.afterNode(end);
    return node;
  }

  /**
   * The end of a one-line value on `line`: after its line, and after the comment lines that follow it (blank
   * lines between them allowed) while they are more indented than `parent`. A more-indented line with content
   * would continue the value over several lines: not handled.
   */
  private absorbComments(line: number, parent: number): number {
    let end = this.ends[line]! + 1;
    const n = this.lineCount;
    for (let l = line + 1; l < n; l++) {
      const first = this.firsts[l]!;
      const c = this.text.charCodeAt(first);
      if (c === NL) continue;
      if (this.indent(l) <= parent) break;
      if (c !== HASH) throw UNSUPPORTED;
      end = this.ends[l]! + 1;
    }
    return end;
  }

  /** A block scalar whose header (`|`, `>`, with `-` or `+`) is at `at`. */
  private blockScalar(line: number, at: number, parent: number): Node {
    const text = this.text;
    const folded = text.charCodeAt(at) === 62;
    let i = at + 1;
    let chomp: '' | '-' | '+' = '';
    const h = text.charCodeAt(i);
    if (h === DASH || h === 43) {
      chomp = h === DASH ? '-' : '+';
      i++;
    }
    const hc = text.charCodeAt(i);
    if (hc !== SPACE && hc !== NL) throw UNSUPPORTED; // an indentation indicator, or junk
    while (text.charCodeAt(i) === SPACE) i++;
    if (text.charCodeAt(i) === HASH) {
      if (text.charCodeAt(i - 1) !== SPACE) throw UNSUPPORTED;
    } else if (text.charCodeAt(i) !== NL) throw UNSUPPORTED;

    const n = this.lineCount;
    let first = -1;
    for (let l = line + 1; l < n; l++) {
      if (text.charCodeAt(this.firsts[l]!) !== NL) {
        first = l;
        break;
      }
    }
    if (first < 0 || this.indent(first) <= parent) throw UNSUPPORTED; // an empty block scalar
    const m = this.indent(first);
    let last = first;
    for (let l = first + 1; l < n; l++) {
      if (text.charCodeAt(this.firsts[l]!) === NL || this.indent(l) >= m) last = l;
      else break;
    }
    if (chomp !== '+') {
      while (last > first && text.charCodeAt(this.firsts[last]!) === NL) {
        if (this.indent(last) > m) throw UNSUPPORTED; // a more-indented blank line: kept by the library
        last--;
      }
    } else throw UNSUPPORTED; // keep chomping: trailing lines are part of the value; rare, left to the library
    let value: string;
    if (!folded && first === line + 1) {
      // A literal without leading empty lines (the usual prompt): each line less its first `m` columns.
      value = '';
      for (let l = first; l <= last; l++) {
        const s = this.starts[l]! + m;
        const e = this.ends[l]!;
        value += (l === first ? '' : '\n') + (s < e ? text.slice(s, e) : '');
      }
      if (chomp === '') value += '\n';
    } else {
      const lines: [string, string][] = [];
      for (let l = line + 1; l <= last; l++) {
        const s = this.starts[l]!;
        const f = this.firsts[l]!;
        lines.push([text.slice(s, f), text.slice(f, this.ends[l]!)]);
      }
      lines.push(['', '']);
      value = blockScalarValue(folded, chomp, lines, parent < 0 ? 0 : parent);
    }
    const end = this.ends[last]! + 1;
    const node = scalarNode(value, folded ? 'BLOCK_FOLDED' : 'BLOCK_LITERAL', [at, end, end], false);
    this.next = last + 1;
    return node;
  }

  /** A flow collection that opens at `at` and closes on the same line; `end` is just after its closing bracket. */
  private flowCollection(at: number): { node: Node; end: number } {
    const text = this.text;
    const isMap = text.charCodeAt(at) === 123;
    const close = isMap ? 125 : 93;
    const coll = isMap ? newMap() : newSeq();
    coll.flow = true;
    let i = at + 1;
    for (;;) {
      while (text.charCodeAt(i) === SPACE) i++;
      const c = text.charCodeAt(i);
      if (c === close) {
        i++;
        break;
      }
      if (isMap) {
        const key = this.flowScalar(i, true);
        i = key.node.range![2];
        if (text.charCodeAt(i) !== COLON) throw UNSUPPORTED; // `{ a }`, `{ a : b }`
        i++;
        while (text.charCodeAt(i) === SPACE) i++;
        const value = this.flowItem(i);
        (coll as YAMLMap).items.push(newPair(key.node, value.node));
        i = value.end;
      } else {
        const item = this.flowItem(i);
        (coll as YAMLSeq).items.push(item.node);
        i = item.end;
      }
      const d = text.charCodeAt(i);
      if (d === 44) i++;
      else if (d !== close) throw UNSUPPORTED;
    }
    coll.range = [at, i, i];
    return { node: coll, end: i };
  }

  /** An item inside a flow collection; `end` is after the spaces that follow it. */
  private flowItem(at: number): { node: Node; end: number } {
    const text = this.text;
    const c = text.charCodeAt(at);
    if (c === 91 || c === 123) {
      const inner = this.flowCollection(at);
      let end = inner.end;
      while (text.charCodeAt(end) === SPACE) end++;
      if (end !== inner.end) throw UNSUPPORTED; // spaces after a nested collection: unverified ranges
      return inner;
    }
    const s = this.flowScalar(at, false);
    if (text.charCodeAt(s.node.range![2]) === COLON) throw UNSUPPORTED; // a pair inside a flow sequence
    return { node: s.node, end: s.node.range![2] };
  }

  /** A scalar inside a flow collection; a key's range ends at its last character, a value's after its spaces. */
  private flowScalar(at: number, atKey: boolean): { node: Scalar } {
    const text = this.text;
    const c = text.charCodeAt(at);
    let valueEnd: number;
    let node: Scalar;
    if (c === 34 || c === 39) {
      valueEnd = this.quotedEnd(at);
      node = this.quoted(at, valueEnd, [at, valueEnd, valueEnd], atKey);
    } else {
      if (!this.plainStart(at, true)) throw UNSUPPORTED;
      let i = at;
      for (;;) {
        const ch = text.charCodeAt(i);
        if (ch === NL) throw UNSUPPORTED; // unclosed on this line
        if (ch === 44 || ch === 91 || ch === 93 || ch === 123 || ch === 125) break;
        if (ch === COLON) {
          const n = text.charCodeAt(i + 1);
          if (n === SPACE || n === 44 || n === 93 || n === 125 || n === NL) break;
        }
        if (ch === HASH && text.charCodeAt(i - 1) === SPACE) throw UNSUPPORTED;
        i++;
      }
      valueEnd = i;
      while (text.charCodeAt(valueEnd - 1) === SPACE) valueEnd--;
      node = scalarNode(text.slice(at, valueEnd), 'PLAIN', [at, valueEnd, valueEnd], atKey);
    }
    if (!atKey) {
      let end = valueEnd;
      while (text.charCodeAt(end) === SPACE) end++;
      node.range![2] = end;
    } else if (text.charCodeAt(valueEnd) === SPACE) throw UNSUPPORTED;
    return { node };
  }
}
