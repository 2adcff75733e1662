/**
 * The text as the block-YAML reader sees it: a table of lines (start, first non-space character, end) and the
 * character classes of YAML's block syntax that the reader's grammar asks about.
 */
import { UNSUPPORTED } from './nodes.js';

export const SPACE = 32;
export const NL = 10;
export const HASH = 35;
export const COLON = 58;
export const DASH = 45;

export class Lines {
  protected readonly text: string;
  /**
   * Per line: start offset, first non-space offset, end (the `\n`). Plain arrays of small integers: a step has
   * about ten lines, and typed arrays (each with its own buffer object) cost more to make than to read.
   */
  protected readonly starts: number[] = [];
  protected readonly firsts: number[] = [];
  protected readonly ends: number[] = [];
  protected readonly lineCount: number;

  constructor(text: string) {
    this.text = text;
    let l = 0;
    for (let at = 0, nl = text.indexOf('\n'); nl >= 0; at = nl + 1, nl = text.indexOf('\n', at), l++) {
      let first = at;
      while (text.charCodeAt(first) === SPACE) first++;
      this.starts.push(at);
      this.firsts.push(first);
      this.ends.push(nl);
    }
    this.lineCount = l;
  }

  protected indent(line: number): number {
    return this.firsts[line]! - this.starts[line]!;
  }

  /** Blank (spaces only) or a comment. */
  protected isEmpty(line: number): boolean {
    const c = this.text.charCodeAt(this.firsts[line]!);
    return c === NL || c === HASH;
  }

  /** The first line at or after `line` with content, or -1. */
  protected nextContent(line: number): number {
    const n = this.lineCount;
    for (let l = line; l < n; l++) if (!this.isEmpty(l)) return l;
    return -1;
  }

  /** `- ` or a lone `-` at offset `at`. */
  protected isDash(at: number): boolean {
    if (this.text.charCodeAt(at) !== DASH) return false;
    const c = this.text.charCodeAt(at + 1);
    return c === SPACE || c === NL;
  }

  protected lineHint = 0;

  /** The line holding offset `at` (reads go forward, so the search starts at the last answer). */
  protected lineOf(at: number): number {
    let l = this.lineHint;
    if (at < this.starts[l]!) l = 0;
    while (this.ends[l]! < at) l++;
    this.lineHint = l;
    return l;
  }

  protected spaceOrEol(at: number): boolean {
    const c = this.text.charCodeAt(at);
    return c === SPACE || c === NL;
  }

  /** Whether a plain scalar may start at `at` (flow: inside `[]`/`{}`). */
  protected plainStart(at: number, flow: boolean): boolean {
    const text = this.text;
    const c = text.charCodeAt(at);
    switch (c) {
      case NL:
      case HASH:
      case 44: // ,
      case 91: // [
      case 93: // ]
      case 123: // {
      case 125: // }
      case 124: // |
      case 62: // >
      case 39: // '
      case 34: // "
      case 37: // %
      case 64: // @
      case 96: // `
      case 38: // &
      case 42: // *
      case 33: // !
        return false;
      case DASH:
      case 63: // ?
      case COLON: {
        const n = text.charCodeAt(at + 1);
        if (n === SPACE || n === NL) return false;
        if (flow && (n === 44 || n === 91 || n === 93 || n === 123 || n === 125)) return false;
        return true;
      }
      default:
        return true;
    }
  }

  /** The offset just after the closing quote of the one-line quoted scalar at `at`, or -1. */
  protected quotedEnd(at: number): number {
    const text = this.text;
    const q = text.charCodeAt(at);
    const end = this.ends[this.lineOf(at)]!;
    for (let i = at + 1; i < end; i++) {
      const c = text.charCodeAt(i);
      if (q === 34 && c === 92) throw UNSUPPORTED; // escapes: left to the library
      if (c === q) {
        if (q === 39 && text.charCodeAt(i + 1) === 39) {
          i++;
          continue;
        }
        return i + 1;
      }
    }
    throw UNSUPPORTED; // a quoted scalar over several lines
  }

  /** The line after the one `offset` (a node's end) lies in, or at. */
  protected afterNode(offset: number): number {
    if (offset >= this.text.length) return this.lineCount;
    const l = this.lineOf(offset);
    return offset <= this.firsts[l]! && this.firsts[l]! < this.ends[l]! ? l : l + 1;
  }

  protected hasCommentBetween(from: number, to: number): boolean {
    for (let l = from; l < to; l++) if (this.text.charCodeAt(this.firsts[l]!) === HASH) return true;
    return false;
  }
}
