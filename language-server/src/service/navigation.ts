/** Go to definition, find references and rename, for step ids and input names. */
import type { Analysis } from './analysis.js';
import type { NameKind, NameOccurrence } from './name-index.js';
import type { Range, RenameResult, TextEdit } from './types.js';

const STEP_ID = /^[a-z][a-z0-9_-]{0,62}$/;
const INPUT_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

export function definition(analysis: Analysis, offset: number): Range | undefined {
  const at = analysis.names.at(offset);
  if (at === undefined) return undefined;
  return analysis.names.definition(at.kind, at.name)?.range;
}

export function references(analysis: Analysis, offset: number, includeDeclaration: boolean): Range[] {
  const at = analysis.names.at(offset);
  if (at === undefined) return [];
  return analysis.names
    .all(at.kind, at.name)
    .filter((o) => includeDeclaration || o.role !== 'definition')
    .map((o) => o.range);
}

/** The name under the cursor that can be renamed (it must have a definition). */
export function prepareRename(
  analysis: Analysis,
  offset: number,
): { range: Range; placeholder: string } | undefined {
  const at = analysis.names.at(offset);
  if (at === undefined || analysis.names.definition(at.kind, at.name) === undefined) return undefined;
  return { range: at.range, placeholder: at.name };
}

export function rename(analysis: Analysis, offset: number, newName: string): RenameResult {
  const at = analysis.names.at(offset);
  if (at === undefined) return { error: 'nothing to rename here: rename works on step ids and input names' };
  if (analysis.names.definition(at.kind, at.name) === undefined)
    return { error: `${what(at.kind)} "${at.name}" is not defined in this file` };
  const problem = validateName(analysis, at, newName);
  if (problem) return { error: problem };
  const edits: TextEdit[] = analysis.names
    .all(at.kind, at.name)
    .map((o) => ({ range: o.range, newText: newName }));
  return { edits };
}

function what(kind: NameKind): string {
  return kind === 'step' ? 'step' : 'input';
}

function validateName(analysis: Analysis, at: NameOccurrence, name: string): string | undefined {
  if (at.kind === 'step') {
    if (!STEP_ID.test(name))
      return `"${name}" is not a valid step id: a lowercase letter, then lowercase letters, digits, "_" or "-" (at most 63)`;
    if (name !== at.name && analysis.raw.stepsById.has(name)) return `a step "${name}" already exists`;
  } else {
    if (!INPUT_NAME.test(name))
      return `"${name}" is not a valid input name: a letter or "_", then letters, digits, "_" or "-" (at most 64)`;
    if (name !== at.name && analysis.raw.inputs.has(name)) return `an input "${name}" already exists`;
  }
  return undefined;
}
