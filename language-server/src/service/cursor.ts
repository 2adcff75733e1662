/** What the cursor is on, read from the text alone (completion runs on half-typed, unparsable lines). */
import {
  containersAbove,
  itemId,
  lineStartAt,
  readLine,
  siblingKeys,
  type LineInfo,
  type Segment,
} from './yaml-lines.js';
import type { SchemaSegment } from './schema-nav.js';

export interface StructurePath {
  /** Keys and list items (as 0) from the root. */
  path: SchemaSegment[];
  /** The step the position is in (`steps[i]`), when it is in one: its id as written, if any. */
  step?: { id: string | undefined; line: LineInfo };
}

export type CursorContext =
  | ({
      kind: 'key';
      prefix: string;
      start: number;
      column: number;
      siblings: Set<string>;
      newItem: boolean;
    } & StructurePath)
  | ({ kind: 'value'; key: string; prefix: string; start: number; listItem: boolean } & StructurePath)
  | ({ kind: 'expression'; body: string; bodyStart: number; closed: boolean } & StructurePath)
  | { kind: 'none' };

/** How far back an unclosed `${{` is looked for. */
const MAX_EXPRESSION = 2000;

export function cursorContext(text: string, offset: number): CursorContext {
  const lineStart = lineStartAt(text, offset);
  const expression = expressionAt(text, offset);
  if (expression) {
    const at = structureAt(text, lineStartAt(text, expression.open));
    return { kind: 'expression', ...expression, ...(at ?? { path: [] }) };
  }
  const before = text.slice(lineStart, offset);
  const line = readLine(text, lineStart);

  // `key: [a, b, |` (a flow list value, e.g. needs)
  const flow = /^(\s*(?:-\s+)*)([^\s#:[{][^:#]*?)\s*:\s*\[([^\]]*?)([\w.-]*)$/.exec(before);
  if (flow) {
    const at = structureAt(text, lineStart);
    if (!at) return { kind: 'none' };
    return {
      kind: 'value',
      key: flow[2]!,
      prefix: flow[4]!,
      start: offset - flow[4]!.length,
      listItem: true,
      ...at,
    };
  }
  // `key: partial|`
  const value = /^(\s*(?:-\s+)*)([^\s#:[{'"][^:#]*?|"[^"]*"|'[^']*')\s*:\s+(['"]?)([^'"#]*)$/.exec(before);
  if (value) {
    const at = structureAt(text, lineStart);
    if (!at) return { kind: 'none' };
    const prefix = value[4]!;
    return {
      kind: 'value',
      key: value[2]!.replace(/^['"]|['"]$/g, ''),
      prefix,
      start: offset - prefix.length,
      listItem: false,
      ...at,
    };
  }
  // `  partial|` or `  - partial|`: a key, or a list item's value
  const key = /^(\s*)((?:-\s+)*)([\w$-]*)$/.exec(before);
  if (key) {
    const prefix = key[3]!;
    const column = key[1]!.length + key[2]!.length;
    const dashColumns = line.dashes.filter((d) => d < column);
    const first = dashColumns[0] ?? column;
    const containers = containersAbove(text, lineStart, first, dashColumns.length > 0);
    if (containers === undefined) return { kind: 'none' };
    const here: Segment[] = dashColumns.map(() => ({ item: true, line }));
    const at = toStructure(text, [...containers, ...here]);
    // A list item that is a plain value (`needs:` then `- |`): a value, not a key.
    if (dashColumns.length > 0) {
      const parent = at.path[at.path.length - 2];
      if (typeof parent === 'string' && SCALAR_LISTS.has(parent)) {
        return {
          kind: 'value',
          key: parent,
          prefix,
          start: offset - prefix.length,
          listItem: true,
          ...at,
          path: at.path.slice(0, -1),
        };
      }
    }
    return {
      kind: 'key',
      prefix,
      start: offset - prefix.length,
      column,
      siblings: siblingKeys(text, lineStart, column, dashColumns.length > 0),
      newItem: dashColumns.length > 0,
      ...at,
    };
  }
  return { kind: 'none' };
}

/** Lists whose items are plain values in pipelines. */
const SCALAR_LISTS = new Set(['needs', 'embed', 'enum', 'stop']);

/** The containers of a line's content. */
export function structureAt(text: string, lineStart: number): StructurePath | undefined {
  const line = readLine(text, lineStart);
  const first = line.dashes[0] ?? line.content;
  const containers = containersAbove(text, lineStart, first, line.dashes.length > 0);
  if (containers === undefined) return undefined;
  const here: Segment[] = line.dashes.map(() => ({ item: true, line }));
  return toStructure(text, [...containers, ...here]);
}

function toStructure(text: string, segments: Segment[]): StructurePath {
  const path = segments.map((s) => ('key' in s ? s.key : 0));
  const out: StructurePath = { path };
  if (path[0] === 'steps' && path[1] === 0) {
    const item = segments[1]!.line;
    out.step = { id: itemId(text, item), line: item };
  }
  return out;
}

/** An unclosed `${{` before the cursor (in the same scalar, as far as text tells). */
function expressionAt(
  text: string,
  offset: number,
): { body: string; bodyStart: number; open: number; closed: boolean } | undefined {
  const from = Math.max(0, offset - MAX_EXPRESSION);
  const found = text.slice(from, offset).lastIndexOf('${{');
  if (found < 0) return undefined;
  const open = from + found;
  if (open > 0 && text[open - 1] === '$') return undefined;
  const between = text.slice(open + 3, offset);
  if (between.includes('}}') || /["'\n]/.test(between)) return undefined;
  const after = text.slice(offset, lineEndOf(text, offset));
  return { body: between, bodyStart: open + 3, open, closed: /^[\w.\s-]*\}\}/.test(after) };
}

function lineEndOf(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl;
}
