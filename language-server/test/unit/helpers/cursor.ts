/**
 * Cursor-marker fixtures: `|` marks the position. A YAML block-scalar indicator is written with its chomping
 * indicator (`|-` or `|+`), which is never taken for the cursor.
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Position } from 'vscode-languageserver/node';

export interface CursorFixture {
  text: string;
  offset: number;
  position: Position;
  doc: TextDocument;
}

export function withCursor(fixture: string, uri = 'file:///w/test.orchion.yaml'): CursorFixture {
  const markers = [...fixture.matchAll(/\|(?![-+])/g)];
  if (markers.length !== 1)
    throw new Error(`a fixture has exactly one cursor marker "|", found ${markers.length}`);
  const offset = markers[0]!.index!;
  const text = fixture.slice(0, offset) + fixture.slice(offset + 1);
  const doc = TextDocument.create(uri, 'yaml', 1, text);
  return { text, offset, position: doc.positionAt(offset), doc };
}

/** Dedents a template literal (the smallest indentation of non-empty lines) and drops the first newline. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = String.raw({ raw: strings }, ...values).replace(/^\n/, '');
  const lines = raw.split('\n');
  const indent = Math.min(
    ...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length),
  );
  return lines.map((l) => l.slice(indent)).join('\n');
}
