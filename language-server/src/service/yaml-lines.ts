/**
 * A line-by-line reading of block YAML that works on broken documents, where no parser can help: the cursor
 * is usually on a half-typed line. Indentation tells which mapping or list a line belongs to.
 */

export interface LineInfo {
  /** Offset of the line's first character. */
  start: number;
  /** Offset of the line's end (before `\r\n` or `\n`). */
  end: number;
  text: string;
  /** Empty or a comment only. */
  blank: boolean;
  /** Column of the first non-space character. */
  indent: number;
  /** Columns of `- ` markers at the start of the line. */
  dashes: number[];
  /** Column of the content after the markers. */
  content: number;
  /** The key, when the content is `key: …` (quotes removed). */
  key?: string;
  /** Column where the key starts. */
  keyColumn?: number;
  /** What follows `key:` (or the whole content when there is no key), without a trailing comment. */
  value: string;
}

const KEY = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"{[\]},&*!|>%@`][^:#]*?)\s*:(?=\s|$)/;

export function lineStartAt(text: string, offset: number): number {
  // lastIndexOf clamps a negative start to 0, where it would find a leading newline: guard the first line.
  return offset <= 0 ? 0 : text.lastIndexOf('\n', offset - 1) + 1;
}

export function lineEndAt(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  const end = nl < 0 ? text.length : nl;
  return end > 0 && text[end - 1] === '\r' ? end - 1 : end;
}

export function readLine(text: string, start: number): LineInfo {
  const end = lineEndAt(text, start);
  const line = text.slice(start, end);
  let col = 0;
  while (col < line.length && line[col] === ' ') col++;
  const indent = col;
  const dashes: number[] = [];
  while (line[col] === '-' && (col + 1 === line.length || line[col + 1] === ' ')) {
    dashes.push(col);
    col++;
    while (line[col] === ' ') col++;
  }
  const content = col;
  const rest = line.slice(col);
  const blank = dashes.length === 0 && (rest === '' || rest.startsWith('#'));
  const info: LineInfo = {
    start,
    end,
    text: line,
    blank,
    indent,
    dashes,
    content,
    value: stripComment(rest),
  };
  const m = KEY.exec(rest);
  if (m) {
    info.key = unquote(m[1]!);
    info.keyColumn = content;
    info.value = stripComment(rest.slice(m[0].length)).trim();
  }
  return info;
}

/** The start of the line before the one starting at `start`, or undefined at the first line. */
function previousStart(text: string, start: number): number | undefined {
  return start === 0 ? undefined : lineStartAt(text, start - 1);
}

/** The line before the one starting at `start`, or undefined at the first line. */
export function previousLine(text: string, start: number): LineInfo | undefined {
  if (start === 0) return undefined;
  return readLine(text, lineStartAt(text, start - 1));
}

export function nextLine(text: string, line: LineInfo): LineInfo | undefined {
  const nl = text.indexOf('\n', line.end);
  return nl < 0 ? undefined : readLine(text, nl + 1);
}

export function unquote(s: string): string {
  if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) return s.slice(1, -1);
  if (s.length >= 2 && s.startsWith("'") && s.endsWith("'")) return s.slice(1, -1).replace(/''/g, "'");
  return s;
}

function stripComment(s: string): string {
  const m = /(^|\s)#/.exec(s);
  return (m ? s.slice(0, m.index) : s).trimEnd();
}

/** A container found above a line: a mapping key, or a list item (its first line). */
export type Segment = { key: string; line: LineInfo } | { item: true; line: LineInfo };

/**
 * The containers of the content that starts at column `column` on a line (starting at offset `start`),
 * outermost first. `inSequence`: that content is itself a list item (`- …`) whose marker is at `column`.
 * Undefined when the line is not structure (inside a block scalar, a multi-line plain value, a flow collection).
 */
export function containersAbove(
  text: string,
  start: number,
  column: number,
  inSequence: boolean,
): Segment[] | undefined {
  const out: Segment[] = [];
  let want = column;
  let seq = inSequence;
  for (let at = previousStart(text, start); at !== undefined; at = previousStart(text, at)) {
    if (!seq && want === 0) break;
    // Most lines are deeper than what we look for (the rest of a long list): skip them without reading them.
    let col = at;
    while (text.charCodeAt(col) === 32) col++;
    const c = text[col];
    if (c === undefined || c === '\n' || c === '\r' || c === '#' || col - at > want) continue;
    const next = text[col + 1];
    if (
      seq &&
      col - at === want &&
      c === '-' &&
      (next === ' ' || next === '\n' || next === '\r' || next === undefined)
    )
      continue; // a sibling item
    const line = readLine(text, at);
    if (line.blank) continue;
    if (seq) {
      if (line.indent === want && line.dashes.length > 0) continue; // a sibling item
      if (line.indent <= want && line.key !== undefined && line.value === '' && line.content <= want) {
        out.push({ key: line.key, line });
        [want, seq] = enterLine(line, out);
      } else if (line.indent < want) {
        return undefined;
      }
      continue;
    }
    if (line.content === want && line.dashes.length > 0) {
      // The first line of the list item whose mapping holds our content.
      for (let i = line.dashes.length - 1; i >= 0; i--) out.push({ item: true, line });
      want = line.dashes[0]!;
      seq = true;
    } else if (line.indent < want) {
      if (line.key === undefined || line.content >= want || line.value !== '') return undefined;
      out.push({ key: line.key, line });
      [want, seq] = enterLine(line, out);
    }
  }
  return out.reverse();
}

/** After a parent key was found on `line`: continue above its own markers, if any. */
function enterLine(line: LineInfo, out: Segment[]): [number, boolean] {
  if (line.dashes.length === 0) return [line.indent, false];
  for (let i = line.dashes.length - 1; i >= 0; i--) out.push({ item: true, line });
  return [line.dashes[0]!, true];
}

/**
 * The keys of the mapping whose keys start at `column`, around the line at `start` (that line excluded).
 * `startsItem`: that line starts a new list item (`- `), so the lines above belong to other items.
 */
export function siblingKeys(text: string, start: number, column: number, startsItem: boolean): Set<string> {
  const keys = new Set<string>();
  for (
    let line = startsItem ? undefined : previousLine(text, start);
    line;
    line = previousLine(text, line.start)
  ) {
    if (line.blank) continue;
    if (line.content === column && line.key !== undefined) keys.add(line.key);
    if (line.indent < column) break; // the parent key, or the first line of this list item
  }
  const here = readLine(text, start);
  for (let line = nextLine(text, here); line !== undefined; line = nextLine(text, line)) {
    if (line.blank) continue;
    if (line.indent < column || (line.dashes.length > 0 && line.indent < column)) break;
    if (line.content === column && line.dashes.length > 0) break; // the next list item
    if (line.content === column && line.key !== undefined) keys.add(line.key);
  }
  return keys;
}

/** The `id` of the list item whose first line is `item` (its mapping's keys start at `item.content`). */
export function itemId(text: string, item: LineInfo): string | undefined {
  if (item.key === 'id') return unquote(item.value) || undefined;
  for (let line = nextLine(text, item); line !== undefined; line = nextLine(text, line)) {
    if (line.blank) continue;
    if (line.indent < item.content) return undefined;
    if (line.content === item.content && line.key === 'id') return unquote(line.value) || undefined;
  }
  return undefined;
}
