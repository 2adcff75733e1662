/**
 * Every place a step id or an input name is written: definitions (`id:` values, keys under `inputs`), uses in
 * `needs`, and segments of `${{ … }}` expressions. Definition, references, rename and semantic tokens read it.
 */
import { isScalar } from 'yaml';
import type { JsonPath, RawPipeline, SourceDocument, TemplateReference } from '@orchion/schemas';
import type { Range } from './types.js';

export type NameKind = 'step' | 'input';
export type NameRole = 'definition' | 'need' | 'expression';

export interface NameOccurrence {
  kind: NameKind;
  name: string;
  role: NameRole;
  /** The name itself (without quotes). */
  range: Range;
  start: number;
  end: number;
}

export class NameIndex {
  readonly occurrences: NameOccurrence[] = [];

  constructor(
    source: SourceDocument | undefined,
    raw: RawPipeline,
    references: readonly TemplateReference[],
  ) {
    if (source === undefined) return;
    const add = (kind: NameKind, name: string, role: NameRole, span: [number, number] | undefined): void => {
      if (span === undefined) return;
      this.occurrences.push({
        kind,
        name,
        role,
        start: span[0],
        end: span[1],
        range: source.range(span[0], span[1]),
      });
    };
    for (const name of raw.inputs.keys()) add('input', name, 'definition', keySpan(source, ['inputs', name]));
    for (const step of raw.steps) {
      if (step.id !== undefined) add('step', step.id, 'definition', valueSpan(source, [...step.path, 'id']));
      for (const need of step.needs) add('step', need.id, 'need', valueSpan(source, need.path));
    }
    for (const ref of references) {
      if (!ref.exact || ref.path === undefined || ref.path.length < 2) continue;
      const [root, name] = ref.path as [string, string];
      if (root !== 'inputs' && root !== 'steps') continue;
      const bodyStart = source.offset(ref.range.start);
      const start = bodyStart + root.length + 1;
      add(root === 'inputs' ? 'input' : 'step', name, 'expression', [start, start + name.length]);
    }
    this.occurrences.sort((a, b) => a.start - b.start);
  }

  /** The occurrence under `offset` (its end included, as a cursor right after a name is still on it). */
  at(offset: number): NameOccurrence | undefined {
    let lo = 0;
    let hi = this.occurrences.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const o = this.occurrences[mid]!;
      if (o.end < offset) lo = mid + 1;
      else if (o.start > offset) hi = mid - 1;
      else return o;
    }
    return undefined;
  }

  all(kind: NameKind, name: string): NameOccurrence[] {
    return this.occurrences.filter((o) => o.kind === kind && o.name === name);
  }

  definition(kind: NameKind, name: string): NameOccurrence | undefined {
    return this.occurrences.find((o) => o.kind === kind && o.name === name && o.role === 'definition');
  }
}

/** Offsets of the scalar at `path` without its quotes, when it is a scalar written there. */
export function valueSpan(source: SourceDocument, path: JsonPath): [number, number] | undefined {
  const loc = source.locate(path);
  return scalarSpan(loc?.written ?? loc?.node);
}

export function keySpan(source: SourceDocument, path: JsonPath): [number, number] | undefined {
  return scalarSpan(source.locate(path)?.key);
}

function scalarSpan(node: unknown): [number, number] | undefined {
  if (!isScalar(node) || node.range === undefined || node.range === null) return undefined;
  const [start, end] = node.range;
  if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE')
    return [start + 1, Math.max(start + 1, end - 1)];
  return [start, end];
}
