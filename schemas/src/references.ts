/**
 * Expressions as they sit in a pipeline document: every `${{ … }}` in a template field, with its
 * document range. The semantic checks resolve them; a language server can use them for hover,
 * go-to-definition and completion.
 */
import { isScalar } from 'yaml';
import type { Range } from './diagnostics.js';
import { findExpressions, type ExpressionMatch } from './expressions.js';
import type { RawPipeline } from './raw.js';
import type { JsonPath, SourceDocument } from './source.js';
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
  const out: TemplateField[] = [];
  for (const step of raw.steps) {
    const add = (path: JsonPath, value: unknown): void => {
      if (typeof value === 'string') out.push({ path, value, stepIndex: step.index, stepId: step.id });
    };
    add([...step.path, 'prompt'], step.data.prompt);
    const messages = step.data.messages;
    if (Array.isArray(messages)) {
      messages.forEach((m: unknown, i) => {
        if (isPlainObject(m)) add([...step.path, 'messages', i, 'content'], m.content);
      });
    }
    const embed = step.data.embed;
    if (Array.isArray(embed)) embed.forEach((text: unknown, i) => add([...step.path, 'embed', i], text));
    else add([...step.path, 'embed'], embed);
  }
  if (isPlainObject(raw.root.outputs)) {
    for (const [name, value] of Object.entries(raw.root.outputs)) {
      if (typeof value === 'string')
        out.push({ path: ['outputs', name], value, stepIndex: undefined, stepId: undefined });
    }
  }
  return out;
}

/** Whether two match lists find the same expressions (so source offsets can stand for value offsets). */
function sameExpressions(a: readonly ExpressionMatch[], b: readonly ExpressionMatch[]): boolean {
  return (
    a.length === b.length &&
    a.every((m, i) => m.body === b[i]!.body && m.end - m.start === b[i]!.end - b[i]!.start)
  );
}

/**
 * The expressions in one string-valued node, located in the document. Offsets are found in the node's
 * source text and checked against the parsed value; where quoting or folding changed an expression, the
 * whole node is used instead.
 */
export function locateExpressions(
  source: SourceDocument,
  path: JsonPath,
  value: string,
): Omit<TemplateReference, 'field' | 'stepId' | 'stepIndex'>[] {
  const inValue = findExpressions(value);
  if (inValue.length === 0) return [];
  const node = source.locate(path)?.node;
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
  const inSource = findExpressions(source.text.slice(nodeStart, nodeEnd));
  const exact = node !== undefined && sameExpressions(inValue, inSource);
  let whole: Range | undefined;
  return inValue.map((m, i) => {
    const common = {
      expression: m.body,
      ...(m.path ? { path: m.path } : {}),
      ...(m.error ? { error: m.error } : {}),
    };
    if (!exact) {
      whole ??= source.valueRange(path);
      return { ...common, range: whole, fullRange: whole, start: nodeStart, end: nodeEnd, exact: false };
    }
    const s = inSource[i]!;
    const start = nodeStart + s.start;
    const end = nodeStart + s.end;
    const range =
      m.body === '' ? source.range(start, end) : source.range(nodeStart + s.bodyStart, nodeStart + s.bodyEnd);
    return { ...common, range, fullRange: source.range(start, end), start, end, exact: true };
  });
}

/** Every expression in the pipeline's template fields, in document order of fields. */
export function collectReferences(source: SourceDocument, raw: RawPipeline): TemplateReference[] {
  const out: TemplateReference[] = [];
  for (const field of templateFields(raw)) {
    for (const ref of locateExpressions(source, field.path, field.value)) {
      out.push({ field: field.path, stepId: field.stepId, stepIndex: field.stepIndex, ...ref });
    }
  }
  return out;
}
