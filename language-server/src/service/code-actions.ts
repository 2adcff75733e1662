/**
 * Quick fixes: add a missing `needs` entry, declare a missing input, replace a misspelt name by its closest
 * match (step ids, keys, enum values, expression fields), remove an unused input.
 */
import { editDistance, type TemplateReference } from '@orchion/schemas';
import type { Analysis } from './analysis.js';
import { addNeed, declareInput, removeInput } from './edits.js';
import type { CodeActionResult, Range, ServiceDiagnostic, TextEdit } from './types.js';

const DID_YOU_MEAN = /\(did you mean "([^"]+)"\?\)/;

export function codeActions(
  analysis: Analysis,
  range: Range,
  diagnostics: readonly ServiceDiagnostic[],
): CodeActionResult[] {
  const out: CodeActionResult[] = [];
  for (const d of diagnostics) {
    if (!overlaps(d.range, range)) continue;
    try {
      out.push(...actionsFor(analysis, d));
    } catch {
      // A fix that cannot be computed is not offered.
    }
  }
  return out;
}

function actionsFor(analysis: Analysis, d: ServiceDiagnostic): CodeActionResult[] {
  const source = analysis.source;
  if (source === undefined) return [];
  const out: CodeActionResult[] = [];
  const offer = (title: string, edit: TextEdit | undefined, preferred = false): void => {
    if (edit) out.push({ title, edits: [edit], fixes: d, ...(preferred ? { preferred } : {}) });
  };
  const ref = referenceAt(analysis, d.range);

  const suggestion = DID_YOU_MEAN.exec(d.message)?.[1];
  if (suggestion !== undefined) {
    const edit = ref ? replaceSegment(analysis, ref, suggestion) : replaceName(analysis, d.range, suggestion);
    offer(`Change to "${suggestion}"`, edit, true);
  }
  if (
    d.code === 'reference-not-upstream' &&
    ref?.path &&
    ref.stepId !== undefined &&
    d.message.includes('add it to needs')
  ) {
    const step = analysis.raw.stepsById.get(ref.stepId);
    const target = ref.path[1]!;
    if (step)
      offer(`Add "${target}" to the needs of step "${ref.stepId}"`, addNeed(source, step, target), true);
  }
  if (d.code === 'unknown-input' && ref?.path?.[1] !== undefined && suggestion === undefined) {
    offer(`Declare input "${ref.path[1]}"`, declareInput(source, ref.path[1]), true);
  }
  if (d.code === 'unknown-input' && ref?.path?.[1] !== undefined && suggestion !== undefined) {
    offer(`Declare input "${ref.path[1]}"`, declareInput(source, ref.path[1]));
  }
  if (d.code === 'unused-input') {
    const name = /input "([^"]+)"/.exec(d.message)?.[1];
    if (name !== undefined) offer(`Remove unused input "${name}"`, removeInput(source, name));
  }
  return out;
}

function overlaps(a: Range, b: Range): boolean {
  const before = (p: Range['start'], q: Range['start']): boolean =>
    p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

function sameRange(a: Range, b: Range): boolean {
  return (
    a.start.line === b.start.line &&
    a.start.character === b.start.character &&
    a.end.line === b.end.line &&
    a.end.character === b.end.character
  );
}

function referenceAt(analysis: Analysis, range: Range): TemplateReference | undefined {
  return analysis.result.references.find((r) => r.exact && sameRange(r.range, range));
}

/** Replaces the expression segment closest to `suggestion` (the misspelt one). */
function replaceSegment(
  analysis: Analysis,
  ref: TemplateReference,
  suggestion: string,
): TextEdit | undefined {
  const source = analysis.source!;
  if (!ref.path) return undefined;
  let best = -1;
  let bestDistance = Infinity;
  ref.path.forEach((segment, i) => {
    if (
      i === 0 &&
      ref.path!.length > 1 &&
      segment !== suggestion &&
      (segment === 'inputs' || segment === 'steps')
    )
      return;
    if (segment === suggestion) return;
    const d = editDistance(segment.toLowerCase(), suggestion.toLowerCase());
    if (d < bestDistance) {
      best = i;
      bestDistance = d;
    }
  });
  if (best < 0) return undefined;
  let at = source.offset(ref.range.start);
  for (let i = 0; i < best; i++) at += ref.path[i]!.length + 1;
  return { range: source.range(at, at + ref.path[best]!.length), newText: suggestion };
}

/** Replaces the name in `range` (without its quotes). */
function replaceName(analysis: Analysis, range: Range, suggestion: string): TextEdit | undefined {
  const source = analysis.source!;
  let start = source.offset(range.start);
  let end = source.offset(range.end);
  const text = source.text;
  if (end - start >= 2 && (text[start] === '"' || text[start] === "'") && text[end - 1] === text[start]) {
    start++;
    end--;
  }
  if (end <= start || text.slice(start, end).includes('\n')) return undefined;
  return { range: source.range(start, end), newText: suggestion };
}
