/**
 * Expressions as they sit in a pipeline document: every `${{ … }}` in a template field, with its
 * document range. The semantic checks resolve them; a language server can use them for hover,
 * go-to-definition and completion.
 */
import { isScalar, type Node } from 'yaml';
import type { Range } from './diagnostics.js';
import { findExpressions, type ExpressionMatch } from './expressions.js';
import type { RawPipeline, RawStep } from './raw.js';
import type { JsonPath, PathSegment, SourceDocument } from './source.js';
import { isPlainObject } from './values.js';

export interface TemplateReference {
  /** JSON path of the template field holding the expression, e.g. `['steps', 1, 'messages', 0, 'content']`. */
  field: JsonPath;
  /** The step whose template it is; undefined in pipeline `outputs`. */
  stepId: string | undefined;
  /** Index of that step in `steps`. */
  stepIndex: number | undefined;
  /** The expression body, trimmed: `steps.summarize.output`. */
  expression: string;
  /** Reference path segments, when the body parses. */
  path?: string[];
  /** Parse error, when it does not. */
  error?: string;
  /** Document range of the body (of the whole expression when the body is empty). */
  range: Range;
  /** Document range of `${{ … }}`. */
  fullRange: Range;
  /** Document offsets of `${{` and past `}}`. */
  start: number;
  end: number;
  /**
   * False when the expression's exact place in the source could not be told (escapes or line folding
   * inside it): the ranges then cover the whole scalar.
   */
  exact: boolean;
}

export interface TemplateField {
  path: JsonPath;
  value: string;
  stepIndex: number | undefined;
  stepId: string | undefined;
}

/** The fields whose strings are templates: prompts, message contents, embed texts and pipeline outputs. */
export function templateFields(raw: RawPipeline): TemplateField[] {
  return [...raw.steps.flatMap(stepTemplateFields), ...outputFields(raw)];
}

/**
 * Whether a value's path is one of the fields `templateFields` lists (where expressions are evaluated):
 * `outputs.<name>`, `steps[i].prompt`, `steps[i].embed`, `steps[i].embed[j]` or `steps[i].messages[j].content`.
 * A number is a list index.
 */
export function isTemplatePath(path: readonly PathSegment[]): boolean {
  const [first, index, field, item, last] = path;
  if (first === 'outputs') return path.length === 2 && typeof index === 'string';
  if (first !== 'steps' || typeof index !== 'number') return false;
  if (path.length === 3) return field === 'prompt' || field === 'embed';
  if (path.length === 4) return field === 'embed' && typeof item === 'number';
  return path.length === 5 && field === 'messages' && typeof item === 'number' && last === 'content';
}

function stepTemplateFields(step: RawStep): TemplateField[] {
  const out: TemplateField[] = [];
  // Paths are built only for fields that hold a string.
  const add = (value: unknown, ...rest: PathSegment[]): void => {
    if (typeof value === 'string')
      out.push({ path: [...step.path, ...rest], value, stepIndex: step.index, stepId: step.id });
  };
  add(step.data.prompt, 'prompt');
  const messages = step.data.messages;
  if (Array.isArray(messages)) {
    for (let i = 0; i < messages.length; i++) {
      const m: unknown = messages[i];
      if (isPlainObject(m)) add(m.content, 'messages', i, 'content');
    }
  }
  const embed = step.data.embed;
  if (Array.isArray(embed)) for (let i = 0; i < embed.length; i++) add(embed[i], 'embed', i);
  else add(embed, 'embed');
  return out;
}

function outputFields(raw: RawPipeline): TemplateField[] {
  const out: TemplateField[] = [];
  if (isPlainObject(raw.root.outputs)) {
    for (const [name, value] of Object.entries(raw.root.outputs)) {
      if (typeof value === 'string')
        out.push({ path: ['outputs', name], value, stepIndex: undefined, stepId: undefined });
    }
  }
  return out;
}

interface Located {
  expression: string;
  path?: string[];
  error?: string;
  /** Offsets of `${{` and past `}}`, and of what `range` covers. */
  start: number;
  end: number;
  rangeStart: number;
  rangeEnd: number;
}

/** The expressions of one node by offsets, or undefined when their exact place cannot be told. */
function locateOffsets(
  source: SourceDocument,
  inValue: readonly ExpressionMatch[],
  node: Node | undefined,
): { exact: Located[] } | { nodeStart: number; nodeEnd: number } {
  let [nodeStart, nodeEnd] = node?.range ?? [0, 0];
  if (
    isScalar(node) &&
    (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') &&
    nodeEnd - nodeStart >= 2
  ) {
    // Search inside the quotes, so an unterminated expression does not swallow the closing quote.
    nodeStart += 1;
    nodeEnd -= 1;
  }
  if (node === undefined) return { nodeStart, nodeEnd };
  const inSource = findExpressions(source.text, false, nodeStart, nodeEnd);
  if (!sameExpressions(inValue, inSource)) return { nodeStart, nodeEnd };
  const exact: Located[] = [];
  for (let i = 0; i < inValue.length; i++) {
    const m = inValue[i]!;
    const s = inSource[i]!;
    const located: Located = {
      expression: m.body,
      start: s.start,
      end: s.end,
      rangeStart: m.body === '' ? s.start : s.bodyStart,
      rangeEnd: m.body === '' ? s.end : s.bodyEnd,
    };
    if (m.path) located.path = m.path;
    if (m.error) located.error = m.error;
    exact.push(located);
  }
  return { exact };
}

/** Whether two match lists find the same expressions (so source offsets can stand for value offsets). */
function sameExpressions(a: readonly ExpressionMatch[], b: readonly ExpressionMatch[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const m = a[i]!;
    const s = b[i]!;
    if (m.body !== s.body || m.end - m.start !== s.end - s.start) return false;
  }
  return true;
}

type LocatedReference = Omit<TemplateReference, 'field' | 'stepId' | 'stepIndex'>;

/** The reference of an exactly located expression, its offsets moved by `delta` (one object, no spreads). */
function exactReference(
  source: SourceDocument,
  l: Located,
  delta: number,
  field: JsonPath,
  stepId: string | undefined,
  stepIndex: number | undefined,
): TemplateReference {
  const start = l.start + delta;
  const end = l.end + delta;
  const ref: TemplateReference = {
    field,
    stepId,
    stepIndex,
    expression: l.expression,
    range: source.range(l.rangeStart + delta, l.rangeEnd + delta),
    fullRange: source.range(start, end),
    start,
    end,
    exact: true,
  };
  if (l.path) ref.path = l.path;
  if (l.error) ref.error = l.error;
  return ref;
}

/**
 * The expressions in one string-valued node, located in the document. Offsets are found in the node's
 * source text and checked against the parsed value; where quoting or folding changed an expression, the
 * whole node is used instead.
 */
export function locateExpressions(source: SourceDocument, path: JsonPath, value: string): LocatedReference[] {
  const inValue = findExpressions(value);
  if (inValue.length === 0) return [];
  const found = locateOffsets(source, inValue, source.locate(path)?.node);
  if ('exact' in found) {
    return found.exact.map((l) => {
      const {
        field: _f,
        stepId: _s,
        stepIndex: _i,
        ...located
      } = exactReference(source, l, 0, path, undefined, undefined);
      return located;
    });
  }
  const whole = source.valueRange(path);
  return inValue.map((m) => ({
    expression: m.body,
    ...(m.path ? { path: m.path } : {}),
    ...(m.error ? { error: m.error } : {}),
    range: whole,
    fullRange: whole,
    start: found.nodeStart,
    end: found.nodeEnd,
    exact: false,
  }));
}

/**
 * The located expressions of a step's fields, by the step's node: a document parsed piece by piece reuses the
 * node of an unchanged step (its ranges moved), whose expressions then need not be searched and located again.
 * `base`: the node's start when they were located. Only steps whose expressions were all exact are kept.
 */
const STEP_REFERENCES = Symbol('orchion.stepReferences');
interface StepReferences {
  base: number;
  fields: { rest: JsonPath; refs: Located[] }[];
}
/** Kept as a property of the step's node (a weak map costs about 1 µs an entry, and GC work). */
type WithReferences = { [STEP_REFERENCES]?: StepReferences };

function stepReferences(source: SourceDocument, step: RawStep, out: TemplateReference[]): void {
  const node = source.locate(step.path)?.node;
  const base = node?.range?.[0];
  const meta = { stepId: step.id, stepIndex: step.index };
  const cached = node && (node as WithReferences)[STEP_REFERENCES];
  if (cached !== undefined && base !== undefined) {
    const delta = base - cached.base;
    for (const f of cached.fields) {
      const field = [...step.path, ...f.rest];
      for (const l of f.refs) out.push(exactReference(source, l, delta, field, step.id, step.index));
    }
    return;
  }
  const fields: { rest: JsonPath; refs: Located[] }[] = [];
  let exact = true;
  for (const field of stepTemplateFields(step)) {
    const inValue = findExpressions(field.value);
    if (inValue.length === 0) continue;
    const found = locateOffsets(source, inValue, source.locate(field.path)?.node);
    if ('exact' in found) {
      fields.push({ rest: field.path.slice(step.path.length), refs: found.exact });
      for (const l of found.exact) out.push(exactReference(source, l, 0, field.path, step.id, step.index));
      continue;
    }
    exact = false;
    for (const ref of locateExpressions(source, field.path, field.value))
      out.push({ field: field.path, ...meta, ...ref });
  }
  if (exact && node !== undefined && base !== undefined)
    (node as WithReferences)[STEP_REFERENCES] = { base, fields };
}

/** Every expression in the pipeline's template fields, in document order of fields. */
export function collectReferences(source: SourceDocument, raw: RawPipeline): TemplateReference[] {
  const out: TemplateReference[] = [];
  for (const step of raw.steps) stepReferences(source, step, out);
  for (const field of outputFields(raw)) {
    for (const ref of locateExpressions(source, field.path, field.value)) {
      out.push({ field: field.path, stepId: field.stepId, stepIndex: field.stepIndex, ...ref });
    }
  }
  return out;
}
