/** The pipeline JSON Schema and its validation: ajv errors collected per step, alternatives collapsed, then translated. */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import pipelineSchemaJson from '../pipeline.schema.json' with { type: 'json' };
import type { Diagnostic, DiagnosticCode } from './diagnostics.js';
import type { JsonPath, SourceDocument } from './source.js';
import { parsePointer, toDiagnostic } from './schema-errors.js';
import { isPlainObject } from './values.js';

/** The JSON Schema (2020-12) of pipeline files, e.g. for editors. Every property has a `description`. */
export const pipelineSchema: Readonly<Record<string, unknown>> = pipelineSchemaJson;

/** Extension keywords the schema uses (understood by VS Code's JSON language service). */
const EXTENSION_KEYWORDS = ['patternErrorMessage'];

/** A fresh, strict ajv instance that knows our extension keywords. */
export function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    verbose: true,
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
  });
  ajv.addVocabulary(EXTENSION_KEYWORDS);
  return ajv;
}

interface Validators {
  /** The whole schema, except that `steps` items are not checked. */
  root: ValidateFunction;
  /** `$defs/step`, for one step. */
  step: ValidateFunction;
}

let validators: Validators | undefined;

/**
 * Steps are validated one by one: ajv concatenates the error lists of referenced schemas, which is quadratic
 * in the number of errors when one call collects them for thousands of steps.
 */
function pipelineValidators(): Validators {
  if (validators) return validators;
  const ajv = createAjv();
  ajv.addSchema(pipelineSchemaJson);
  const id = pipelineSchemaJson.$id;
  const properties = pipelineSchemaJson.properties;
  const root = {
    ...pipelineSchemaJson,
    $id: id.replace(/\.schema\.json$/, '.root.schema.json'),
    properties: { ...properties, steps: { ...properties.steps, items: true } },
  };
  validators = { root: ajv.compile(root), step: ajv.getSchema(`${id}#/$defs/step`)! };
  return validators;
}

/** Validates plain data against the pipeline schema; ajv's raw errors (empty when valid). */
export function validateAgainstSchema(data: unknown): ErrorObject[] {
  const { root, step } = pipelineValidators();
  const errors: ErrorObject[] = root(data) ? [] : [...(root.errors ?? [])];
  const steps = isPlainObject(data) && Array.isArray(data.steps) ? (data.steps as unknown[]) : [];
  steps.forEach((item, i) => {
    if (step(item)) return;
    for (const e of step.errors ?? []) errors.push({ ...e, instancePath: `/steps/${i}${e.instancePath}` });
  });
  return errors;
}

export interface SchemaCheck<C extends string = DiagnosticCode> {
  diagnostics: Diagnostic<C>[];
  /** Paths of properties the schema does not know (later checks skip what is under them). */
  unknownPaths: JsonPath[];
  /** Whether the schema found an error at `path` or below it. */
  hasErrorsUnder(path: JsonPath): boolean;
}

/** Validates `data` (converted from `source`) and maps every ajv error to a readable, located diagnostic. */
export function schemaDiagnostics(source: SourceDocument, data: unknown): SchemaCheck {
  return checkSchemaErrors(validateAgainstSchema(data), (e) => toDiagnostic(source, e, data));
}

/**
 * Maps ajv errors (of any document kind) to diagnostics with `translate`: alternatives collapsed, duplicates
 * dropped, unknown properties recorded.
 */
export function checkSchemaErrors<C extends string>(
  errors: ErrorObject[],
  translate: (e: ErrorObject) => Diagnostic<C> | undefined,
): SchemaCheck<C> {
  const diagnostics: Diagnostic<C>[] = [];
  const unknownPaths: JsonPath[] = [];
  const seen = new Set<string>();
  const index = new PointerIndex(errors);
  const hasErrorsUnder = (path: JsonPath): boolean => index.under(toPointer(path)).length > 0;
  for (const error of collapseAlternatives(errors)) {
    if (error.keyword === 'additionalProperties') {
      const extra = String((error.params as { additionalProperty: string }).additionalProperty);
      unknownPaths.push([...parsePointer(error.instancePath), extra]);
    }
    const d = translate(error);
    if (d === undefined) continue;
    const key = `${d.code}|${d.message}|${d.range.start.line}:${d.range.start.character}`;
    if (seen.has(key)) continue;
    seen.add(key);
    diagnostics.push(d);
  }
  return { diagnostics, unknownPaths, hasErrorsUnder };
}

/**
 * ajv reports a failed `anyOf` with one error per branch. Keep what helps: the errors of the branch whose
 * type matched (preferring those deeper in the data), else one combined "must be X or Y" type error.
 */
function collapseAlternatives(errors: ErrorObject[]): ErrorObject[] {
  const alternatives = errors.filter((e) => e.keyword === 'anyOf');
  if (alternatives.length === 0) return errors;
  const index = new PointerIndex(errors);
  const drop = new Set<ErrorObject>();
  const add: ErrorObject[] = [];
  for (const alt of alternatives) {
    const at = alt.instancePath;
    const related = index.under(at).filter((e) => e.keyword !== 'anyOf');
    if (related.length === 0) continue; // keep ajv's own "must match a schema in anyOf"
    const specific = related.filter((e) => e.keyword !== 'type' || e.instancePath !== at);
    const deeper = specific.filter((e) => e.instancePath !== at);
    drop.add(alt);
    if (specific.length > 0) {
      const keep = new Set(deeper.length > 0 ? deeper : specific);
      for (const e of related) if (!keep.has(e)) drop.add(e);
      continue;
    }
    const types = related.flatMap((e) =>
      ([] as string[]).concat((e.params as { type: string | string[] }).type),
    );
    for (const e of related) drop.add(e);
    add.push({ ...related[0]!, keyword: 'type', params: { type: [...new Set(types)] } });
  }
  return [...errors.filter((e) => !drop.has(e)), ...add];
}

/** Errors sorted by instance path, to find those at or below a path without scanning them all. */
class PointerIndex {
  private readonly sorted: ErrorObject[];

  constructor(errors: readonly ErrorObject[]) {
    this.sorted = [...errors].sort((a, b) =>
      a.instancePath < b.instancePath ? -1 : a.instancePath > b.instancePath ? 1 : 0,
    );
  }

  /** Errors whose instance path is `pointer` or lies below it. */
  under(pointer: string): ErrorObject[] {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid]!.instancePath < pointer) lo = mid + 1;
      else hi = mid;
    }
    const out: ErrorObject[] = [];
    // Paths starting with `pointer` are contiguous in sorted order; keep the exact path and its children.
    for (let i = lo; i < this.sorted.length && this.sorted[i]!.instancePath.startsWith(pointer); i++) {
      const p = this.sorted[i]!.instancePath;
      if (p.length === pointer.length || p[pointer.length] === '/') out.push(this.sorted[i]!);
    }
    return out;
  }
}

function toPointer(path: JsonPath): string {
  return path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}
