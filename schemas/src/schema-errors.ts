/**
 * Turns one ajv error into a readable diagnostic located on the YAML key or value it concerns. The translation is
 * shared by every document kind; a `SchemaErrorProfile` supplies what differs (how values are named, which
 * subschemas are durations, special cases). `toDiagnostic` is the pipeline's.
 */
import type { ErrorObject } from 'ajv/dist/2020.js';
import pipelineSchemaJson from '../pipeline.schema.json' with { type: 'json' };
import type { Diagnostic, SchemaCode } from './diagnostics.js';
import type { JsonPath, SourceDocument } from './source.js';
import { didYouMean } from './suggest.js';
import { describeValue, isPlainObject } from './values.js';

export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Schema = Record<string, unknown>;

function asSchema(v: unknown): Schema {
  return typeof v === 'object' && v !== null ? (v as Schema) : {};
}

export interface SpecialContext {
  source: SourceDocument;
  /** The instance path, split. */
  path: string[];
  /** How the value is named in messages. */
  name: string;
  data: unknown;
}

export interface SchemaErrorProfile<C extends string> {
  /** The whole document in messages: `the pipeline`. */
  document: string;
  /** The document with an article, in "… must be a mapping": `a pipeline`. */
  aDocument: string;
  /** A special name for the value at `path` (`step "a"`), or undefined for the default (`"retries"`, `steps[1]`). */
  name?(path: readonly string[], data: unknown): string | undefined;
  /** Subschemas whose pattern and bound errors are `invalid-duration`. */
  durations?: ReadonlySet<unknown>;
  /**
   * Handles an error before the shared translation: a diagnostic, null to drop the error, undefined to
   * translate it as usual. `name` is how the value is named in messages.
   */
  special?(e: ErrorObject, ctx: SpecialContext): Diagnostic<C> | null | undefined;
}

/** How the value at `path` is named in messages: `"retries"`, `steps[1]`, the document, or the profile's name. */
function subject<C extends string>(
  profile: SchemaErrorProfile<C>,
  path: readonly string[],
  data: unknown,
): string {
  if (path.length === 0) return profile.document;
  const special = profile.name?.(path, data);
  if (special !== undefined) return special;
  const last = path[path.length - 1]!;
  if (/^\d+$/.test(last) && path.length >= 2) return `${path[path.length - 2]}[${last}]`;
  return `"${last}"`;
}

const TYPE_NAMES: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean (true or false)',
  null: 'null',
};

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

function quoteValue(v: unknown): string {
  return typeof v === 'string' ? `"${v}"` : JSON.stringify(v);
}

const defs = pipelineSchemaJson.$defs as Record<string, Schema>;
/** Subschemas recognised by identity (ajv's `schemaPath` is relative to the innermost `$ref`). */
const STEP_KIND_BRANCHES = new Set<unknown>((defs.step?.oneOf as unknown[] | undefined) ?? []);
const DURATION = defs.duration;
const OUTPUT_SCHEMA = defs.outputSchema;

const PIPELINE_PROFILE: SchemaErrorProfile<SchemaCode | 'output-schema-unsupported'> = {
  document: 'the pipeline',
  aDocument: 'a pipeline',
  name(path, data) {
    if (path.length !== 2 || path[0] !== 'steps') return undefined;
    const steps = isPlainObject(data) && Array.isArray(data.steps) ? (data.steps as unknown[]) : [];
    const step = steps[Number(path[1])];
    return isPlainObject(step) && typeof step.id === 'string' ? `step "${step.id}"` : undefined;
  },
  durations: new Set([DURATION]),
  special(e, { source, path }) {
    // "Exactly one of prompt / messages / embed" is reported by the semantic checks, with better wording.
    if (STEP_KIND_BRANCHES.has(e.parentSchema) || (e.keyword === 'oneOf' && e.parentSchema === defs.step)) {
      return null;
    }
    if (e.keyword === 'additionalProperties' && e.parentSchema === OUTPUT_SCHEMA) {
      const extra = String((e.params as { additionalProperty: string }).additionalProperty);
      const known = Object.keys(asSchema(asSchema(e.parentSchema).properties));
      const hint = didYouMean(extra, known);
      return {
        severity: 'error',
        code: 'output-schema-unsupported',
        message: `keyword "${extra}" is not supported in output.schema${hint || ' (structured output supports: ' + known.join(', ') + ')'}`,
        range: source.keyRange([...path, extra]),
      };
    }
    return undefined;
  },
};

/** The pipeline's translation of an ajv error (undefined: not reported). */
export function toDiagnostic(source: SourceDocument, e: ErrorObject, data: unknown): Diagnostic | undefined {
  return translateSchemaError(source, e, data, PIPELINE_PROFILE);
}

/** Translates one ajv error with a profile; undefined when the error is not reported on its own. */
export function translateSchemaError<C extends string>(
  source: SourceDocument,
  e: ErrorObject,
  data: unknown,
  profile: SchemaErrorProfile<C>,
): Diagnostic<C | SchemaCode> | undefined {
  const path = parsePointer(e.instancePath);
  const jsonPath: JsonPath = path;
  const parent = asSchema(e.parentSchema);
  const name = subject(profile, path, data);
  const error = (
    code: SchemaCode,
    message: string,
    range = source.valueRange(jsonPath),
  ): Diagnostic<SchemaCode> => ({
    severity: 'error',
    code,
    message,
    range,
  });

  const special = profile.special?.(e, { source, path, name, data });
  if (special === null) return undefined;
  if (special !== undefined) return special;
  // The `pattern` error that follows already names the offending property name.
  if (e.keyword === 'propertyNames') return undefined;
  // A failed `if`/`then` is reported by the errors of its `then`.
  if (e.keyword === 'if') return undefined;
  const isDuration = profile.durations?.has(e.parentSchema) ?? false;

  switch (e.keyword) {
    case 'required': {
      const missing = String((e.params as { missingProperty: string }).missingProperty);
      const where = path.length === 0 ? profile.document : name;
      return error(
        'schema-required',
        `${where} is missing required property "${missing}"`,
        source.anchorRange(jsonPath),
      );
    }
    case 'additionalProperties': {
      const extra = String((e.params as { additionalProperty: string }).additionalProperty);
      const keyRange = source.keyRange([...path, extra]);
      const known = Object.keys(asSchema(parent.properties));
      const hint = didYouMean(extra, known);
      const where = path.length === 0 ? '' : ` in ${name}`;
      return error('schema-additional-property', `unknown property "${extra}"${where}${hint}`, keyRange);
    }
    case 'type': {
      const wanted = ([] as string[]).concat((e.params as { type: string | string[] }).type);
      const expected = list(wanted.map((t) => TYPE_NAMES[t] ?? t));
      if (path.length === 0) {
        const got = describeValue(e.data, true);
        return error(
          'schema-type',
          `${profile.aDocument} must be a mapping, got ${got}`,
          source.anchorRange([]),
        );
      }
      return error('schema-type', `${name} must be ${expected}, got ${describeValue(e.data, true)}`);
    }
    case 'enum':
    case 'const': {
      const allowed =
        e.keyword === 'enum'
          ? ((e.params as { allowedValues: unknown[] }).allowedValues ?? [])
          : [(e.params as { allowedValue: unknown }).allowedValue];
      const hint =
        typeof e.data === 'string'
          ? didYouMean(
              e.data,
              allowed.filter((a): a is string => typeof a === 'string'),
            )
          : '';
      const expected =
        allowed.length === 1
          ? `must be ${quoteValue(allowed[0])}`
          : `must be one of ${allowed.map(quoteValue).join(', ')}`;
      return error('schema-enum', `${name} ${expected}, got ${describeValue(e.data, true)}${hint}`);
    }
    case 'pattern': {
      const custom = typeof parent.patternErrorMessage === 'string' ? parent.patternErrorMessage : undefined;
      const because = custom ?? `must match the pattern ${(e.params as { pattern: string }).pattern}`;
      if (e.propertyName !== undefined) {
        // A property *name* (input or output name) that does not match.
        return error(
          'schema-pattern',
          `invalid name "${e.propertyName}" in ${name}: ${because}`,
          source.keyRange([...path, e.propertyName]),
        );
      }
      if (isDuration) {
        return error('invalid-duration', `${name} ${because}, got ${describeValue(e.data, true)}`);
      }
      const what = typeof e.data === 'string' ? `"${truncate(e.data, 40)}"` : describeValue(e.data, true);
      return error('schema-pattern', `invalid ${name.replace(/"/g, '')} ${what}: ${because}`);
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const { comparison, limit } = e.params as { comparison: string; limit: number };
      const words: Record<string, string> = {
        '>=': 'at least',
        '<=': 'at most',
        '>': 'greater than',
        '<': 'less than',
      };
      const code = isDuration ? 'invalid-duration' : 'schema-range';
      return error(
        code,
        `${name} must be ${words[comparison] ?? comparison} ${limit}, got ${JSON.stringify(e.data)}`,
      );
    }
    case 'minLength':
    case 'maxLength':
    case 'minItems':
    case 'maxItems':
    case 'minProperties':
    case 'maxProperties': {
      const { limit } = e.params as { limit: number };
      const least = e.keyword.startsWith('min');
      const unit = e.keyword.endsWith('Length')
        ? 'character'
        : e.keyword.endsWith('Items')
          ? 'item'
          : 'property';
      const plural = limit === 1 ? unit : unit === 'property' ? 'properties' : `${unit}s`;
      const message =
        least && limit === 1
          ? `${name} must not be empty`
          : `${name} must have ${least ? 'at least' : 'at most'} ${limit} ${plural}`;
      return error('schema-range', message);
    }
    default: {
      const message = e.message ?? 'is invalid';
      return error('schema-invalid', `${name} ${message}`);
    }
  }
}
