/**
 * Semantic checks on expressions: every `${{ … }}` must resolve to a declared input, or to the output of a
 * step upstream of the step using it (any step, in pipeline outputs). Also flags expressions in fields that
 * are never rendered, and inputs nothing uses.
 */
import { effectiveInputType, typeWithArticle } from './check-values.js';
import type { Diagnostic } from './diagnostics.js';
import type { StepGraph } from './dag.js';
import { hasExpressions } from './expressions.js';
import type { RawPipeline } from './raw.js';
import { isTemplatePath, type TemplateReference } from './references.js';
import type { JsonPath, PathSegment, SourceDocument } from './source.js';
import { Suggester, didYouMean } from './suggest.js';
import { isPlainObject } from './values.js';

const ROOTS = ['inputs', 'steps'];
const STEP_FIELDS = ['output', 'outputs'];

export function checkReferences(
  raw: RawPipeline,
  graph: StepGraph,
  refs: readonly TemplateReference[],
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const hints: Hints = {
    steps: new Suggester(raw.stepsById.keys()),
    inputs: new Suggester(raw.inputs.keys()),
  };
  for (const ref of refs) {
    const problem = referenceProblem(raw, graph, ref, hints);
    if (problem) out.push({ severity: 'error', range: ref.range, ...problem });
  }
  return out;
}

type Problem = Pick<Diagnostic, 'code' | 'message'>;
interface Hints {
  steps: Suggester;
  inputs: Suggester;
}

function referenceProblem(
  raw: RawPipeline,
  graph: StepGraph,
  ref: TemplateReference,
  hints: Hints,
): Problem | undefined {
  if (ref.path === undefined) {
    return { code: 'expression-syntax', message: ref.error ?? `invalid expression "${ref.expression}"` };
  }
  // By index: a destructuring with a rest element builds an iterator and an array for every expression.
  const path = ref.path;
  const root = path[0];
  const name = path[1];
  const field = path[2];
  const deeper = path.length > 3;
  if (root === 'inputs') return inputProblem(raw, path, hints.inputs);
  if (root !== 'steps') {
    return {
      code: 'unresolved-reference',
      message: `unknown name "${root}" in "${ref.expression}": expressions start with inputs.<name> or steps.<id>${didYouMean(root!, ROOTS)}`,
    };
  }
  if (name === undefined) return { code: 'unresolved-reference', message: 'expected steps.<id>.output' };
  const target = raw.stepsById.get(name);
  if (target === undefined) {
    return {
      code: 'unresolved-reference',
      message: `unknown step "${name}"${hints.steps.didYouMean(name)}`,
    };
  }
  if (field === undefined || !STEP_FIELDS.includes(field)) {
    const hint = field === undefined ? '' : didYouMean(field, STEP_FIELDS);
    return {
      code: 'unresolved-reference',
      message: `expected steps.${name}.output or steps.${name}.outputs.<field>, got "${ref.expression}"${hint}`,
    };
  }
  const structured = target.outputSchema !== undefined;
  if (field === 'outputs' && !deeper) {
    return { code: 'unresolved-reference', message: `expected steps.${name}.outputs.<field>` };
  }
  if ((field === 'outputs' || deeper) && !structured) {
    return {
      code: 'unresolved-reference',
      message: `step "${name}" has no output.schema, so its output has no fields: use steps.${name}.output`,
    };
  }
  if (field === 'outputs') {
    const properties = target.outputSchema?.properties;
    const property = path[3]!;
    if (isPlainObject(properties) && !Object.prototype.hasOwnProperty.call(properties, property)) {
      return {
        code: 'unknown-output-field',
        message: `the output.schema of step "${name}" has no property "${property}"${didYouMean(property, Object.keys(properties))}`,
      };
    }
  }
  // A step whose id duplicates an earlier one is reported as such; its needs are not in the graph.
  if (ref.stepId !== undefined && raw.stepsById.get(ref.stepId)?.index !== ref.stepIndex) return undefined;
  return upstreamProblem(graph, ref, name);
}

function inputProblem(raw: RawPipeline, path: readonly string[], hints: Suggester): Problem | undefined {
  const name = path[1];
  if (name === undefined) return { code: 'unresolved-reference', message: 'expected inputs.<name>' };
  if (!raw.inputs.has(name)) {
    const declared = [...raw.inputs.keys()];
    const hint = hints.didYouMean(name);
    const fix =
      hint ||
      (declared.length === 0 ? ' (declare it under "inputs")' : ` (declared: ${declared.join(', ')})`);
    return { code: 'unknown-input', message: `unknown input "${name}"${fix}` };
  }
  const spec = raw.inputs.get(name);
  const type = spec ? effectiveInputType(spec) : undefined;
  if (path.length > 2 && type !== undefined && type !== 'object' && type !== 'array') {
    return {
      code: 'unresolved-reference',
      message: `input "${name}" is ${typeWithArticle(type)}, so it has no field "${path[2]}"`,
    };
  }
  return undefined;
}

function upstreamProblem(graph: StepGraph, ref: TemplateReference, target: string): Problem | undefined {
  const current = ref.stepId;
  if (current === undefined) {
    // Pipeline outputs can reference any step; a step without a valid id is reported elsewhere.
    return undefined;
  }
  if (target === current) {
    return { code: 'reference-not-upstream', message: `step "${current}" cannot use its own output` };
  }
  if (graph.isUpstream(target, current)) return undefined;
  if (graph.isUpstream(current, target)) {
    return {
      code: 'reference-not-upstream',
      message: `step "${target}" runs after "${current}" (it depends on it), so its output is not available here`,
    };
  }
  const needs = [...graph.needs(current), target].join(', ');
  return {
    code: 'reference-not-upstream',
    message: `step "${target}" is not upstream of "${current}": add it to needs (needs: [${needs}])`,
  };
}

/** Keys whose values are free text, where `${{` is legitimately literal. */
const PROSE_KEYS = new Set(['description', 'title']);

/** Warns about `${{ … }}` in fields that are never rendered (model names, labels, defaults…). */
export function checkUnevaluated(
  source: SourceDocument,
  raw: RawPipeline,
  unknownPaths: readonly JsonPath[] = [],
): Diagnostic[] {
  const unknown = new Set(unknownPaths.map((p) => p.join('\u0000')));
  const out: Diagnostic[] = [];
  const reported = new Set<string>();
  // One path, grown and cut as the walk goes, and a frame per map or list (not per value): most values are
  // neither strings with expressions nor collections.
  const path: PathSegment[] = [];
  const frames: WalkFrame[] = [];
  const visit = (value: unknown): void => {
    if (unknown.size > 0 && unknown.has(path.join('\u0000'))) return; // reported as unknown
    if (typeof value === 'string') {
      if (!hasExpressions(value) || isTemplatePath(path)) return;
      const range = source.valueRange(path.slice());
      const key = `${range.start.line}:${range.start.character}`;
      if (reported.has(key)) return;
      reported.add(key);
      out.push({
        severity: 'warning',
        code: 'expression-not-evaluated',
        message:
          'expressions are only evaluated in prompt, messages[].content, embed and outputs: this one stays literal text',
        range,
      });
    } else if (Array.isArray(value)) {
      frames.push({ value, keys: undefined, next: 0, depth: path.length, outputSchema: false });
    } else if (isPlainObject(value)) {
      // ['steps', i, 'output']: its `schema` is a JSON Schema, not pipeline text.
      const outputSchema = path.length === 3 && path[0] === 'steps' && path[2] === 'output';
      frames.push({ value, keys: Object.keys(value), next: 0, depth: path.length, outputSchema });
    }
  };
  visit(raw.root);
  while (frames.length > 0) {
    const frame = frames[frames.length - 1]!;
    while (path.length > frame.depth) path.pop(); // (setting `length` is a slower runtime call)
    const { keys } = frame;
    if (keys === undefined) {
      const list = frame.value as unknown[];
      if (frame.next >= list.length) frames.pop();
      else {
        const i = frame.next++;
        path.push(i);
        visit(list[i]);
      }
    } else if (frame.next >= keys.length) frames.pop();
    else {
      const k = keys[frame.next++]!;
      if (PROSE_KEYS.has(k) || (frame.outputSchema && k === 'schema')) continue;
      path.push(k);
      visit((frame.value as Record<string, unknown>)[k]);
    }
  }
  return out;
}

interface WalkFrame {
  value: Record<string, unknown> | unknown[];
  /** The keys of a map; undefined for a list. */
  keys: string[] | undefined;
  /** The next key's or item's index. */
  next: number;
  /** The path's length at this collection. */
  depth: number;
  /** Whether this is a step's `output` (whose `schema` is skipped). */
  outputSchema: boolean;
}

/** Declared inputs that no expression uses (informational: they may be used by tooling). */
export function checkUnusedInputs(
  source: SourceDocument,
  raw: RawPipeline,
  refs: readonly TemplateReference[],
): Diagnostic[] {
  const used = new Set(refs.filter((r) => r.path?.[0] === 'inputs').map((r) => r.path![1]));
  const out: Diagnostic[] = [];
  for (const name of raw.inputs.keys()) {
    if (used.has(name)) continue;
    out.push({
      severity: 'info',
      code: 'unused-input',
      message: `input "${name}" is not used by any step or output`,
      range: source.keyRange(['inputs', name]),
    });
  }
  return out;
}
