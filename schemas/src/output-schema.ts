/** Structured output: checking `output.schema` at parse time and validating model output at run time. */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { Diagnostic } from './diagnostics.js';
import type { OutputSchema } from './pipeline.js';
import type { RawPipeline } from './raw.js';
import type { JsonPath, SourceDocument } from './source.js';
import { isPlainObject } from './values.js';

let ajv: Ajv2020 | undefined;

function outputAjv(): Ajv2020 {
  ajv ??= new Ajv2020({ strict: false, allErrors: true, addUsedSchema: false });
  return ajv;
}

/** Keywords the grammar ignores: the agent only checks them once the output is generated. */
const POST_VALIDATED = [
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'pattern',
  'uniqueItems',
  'anyOf',
  'allOf',
];
/** Where subschemas sit in a schema: keyword → whether it holds one schema, a list, or a map of them. */
const SUBSCHEMAS: Record<string, 'one' | 'list' | 'map'> = {
  items: 'one',
  additionalProperties: 'one',
  prefixItems: 'list',
  oneOf: 'list',
  anyOf: 'list',
  allOf: 'list',
  properties: 'map',
  $defs: 'map',
};
const BOUNDS: [string, string, string][] = [
  ['minLength', 'maxLength', 'string length'],
  ['minItems', 'maxItems', 'number of items'],
  ['minProperties', 'maxProperties', 'number of properties'],
  ['minimum', 'maximum', 'value'],
];

/**
 * Checks each `output.schema` beyond its structure (which the pipeline schema checks): it must compile
 * (no dangling `$ref`), bounds must be satisfiable, and keywords the grammar cannot enforce are flagged.
 */
export function checkOutputSchemas(
  source: SourceDocument,
  raw: RawPipeline,
  hasSchemaErrors: (path: JsonPath) => boolean = () => false,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const step of raw.steps) {
    if (step.outputSchema === undefined || hasSchemaErrors([...step.path, 'output', 'schema'])) continue;
    for (const d of walkSchema(source, [...step.path, 'output', 'schema'], step.outputSchema)) out.push(d);
    const problem = compileProblem(step.outputSchema);
    if (problem !== undefined) {
      out.push({
        severity: 'error',
        code: 'invalid-output-schema',
        message: `invalid output.schema: ${problem}`,
        range: source.keyRange([...step.path, 'output', 'schema']),
      });
    }
  }
  return out;
}

function walkSchema(source: SourceDocument, root: JsonPath, schema: Record<string, unknown>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const stack: { node: Record<string, unknown>; path: JsonPath }[] = [{ node: schema, path: root }];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    for (const keyword of POST_VALIDATED) {
      if (node[keyword] === undefined) continue;
      out.push({
        severity: 'warning',
        code: 'output-schema-unsupported',
        message: `"${keyword}" is not enforced while generating: the output is checked afterwards, and the attempt fails if it does not hold`,
        range: source.keyRange([...path, keyword]),
      });
    }
    for (const [min, max, what] of BOUNDS) {
      const lo = node[min];
      const hi = node[max];
      if (typeof lo === 'number' && typeof hi === 'number' && hi < lo) {
        out.push({
          severity: 'error',
          code: 'invalid-output-schema',
          message: `${max} (${hi}) is less than ${min} (${lo}): no ${what} can satisfy both`,
          range: source.valueRange([...path, max]),
        });
      }
    }
    const properties = isPlainObject(node.properties) ? Object.keys(node.properties).length : 0;
    if (typeof node.maxProperties === 'number' && node.maxProperties < properties) {
      out.push({
        severity: 'error',
        code: 'invalid-output-schema',
        message: `maxProperties (${node.maxProperties}) is less than the ${properties} listed properties, which are all generated`,
        range: source.valueRange([...path, 'maxProperties']),
      });
    }
    for (const [keyword, shape] of Object.entries(SUBSCHEMAS)) {
      const value = node[keyword];
      if (shape === 'one' && isPlainObject(value)) stack.push({ node: value, path: [...path, keyword] });
      if (shape === 'list' && Array.isArray(value)) {
        value.forEach((v: unknown, i) => {
          if (isPlainObject(v)) stack.push({ node: v, path: [...path, keyword, i] });
        });
      }
      if (shape === 'map' && isPlainObject(value)) {
        for (const [k, v] of Object.entries(value))
          if (isPlainObject(v)) stack.push({ node: v, path: [...path, keyword, k] });
      }
    }
  }
  return out;
}

function compileProblem(schema: Record<string, unknown>): string | undefined {
  const compiled = compileOutputSchema(schema);
  return 'problem' in compiled ? compiled.problem : undefined;
}

type Compiled = { validate: ValidateFunction } | { problem: string };

/**
 * Compiled output schemas by their JSON text, least recently used first. Compiling one generates and evaluates
 * code (milliseconds); the language server checks every schema of a document on each edit, and an agent validates
 * each output of a step against the same schema.
 */
const compiledSchemas = new Map<string, Compiled>();
const MAX_COMPILED = 256;

function compileOutputSchema(schema: Record<string, unknown>): Compiled {
  let key: string | undefined;
  try {
    key = JSON.stringify(schema);
  } catch {
    key = undefined; // not JSON (a cycle through YAML aliases): compiled, not kept
  }
  const hit = key === undefined ? undefined : compiledSchemas.get(key);
  if (hit !== undefined) {
    compiledSchemas.delete(key!);
    compiledSchemas.set(key!, hit);
    return hit;
  }
  const compiled = compileUncached(schema);
  if (key !== undefined) {
    compiledSchemas.set(key, compiled);
    if (compiledSchemas.size > MAX_COMPILED) compiledSchemas.delete(compiledSchemas.keys().next().value!);
  }
  return compiled;
}

function compileUncached(schema: Record<string, unknown>): Compiled {
  const instance = outputAjv();
  try {
    return { validate: instance.compile(schema) };
  } catch (e) {
    return { problem: (e instanceof Error ? e.message : String(e)).replace(/^schema is invalid: /, '') };
  } finally {
    // Ajv caches compiled schemas by identity: drop them so a long-running process does not grow (the function
    // it returned stays usable).
    instance.removeSchema(schema);
  }
}

export interface OutputValidation {
  valid: boolean;
  /** Readable problems, `/path: message`. */
  errors: string[];
}

/**
 * Validates a structured-output value (already JSON-parsed) against the step's `output.schema`. For
 * agents and the orchestrator: grammar-constrained generation can still be cut short by `max_tokens`.
 */
export function validateOutput(schema: OutputSchema, value: unknown): OutputValidation {
  const compiled = compileOutputSchema(schema);
  if ('problem' in compiled) return { valid: false, errors: [`invalid schema: ${compiled.problem}`] };
  const { validate } = compiled;
  if (validate(value)) return { valid: true, errors: [] };
  return { valid: false, errors: (validate.errors ?? []).map(formatAjvError) };
}

function formatAjvError(e: ErrorObject): string {
  return `${e.instancePath || '/'}: ${e.message ?? 'is invalid'}`;
}
