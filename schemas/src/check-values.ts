/**
 * Semantic checks on values the schema cannot relate: input defaults and enums against their type,
 * and durations within bounds.
 */
import type { Diagnostic } from './diagnostics.js';
import { parseDuration, formatDuration } from './duration.js';
import { INPUT_TYPES, MAX_TIMEOUT_MS, type InputType } from './pipeline.js';
import type { RawPipeline } from './raw.js';
import type { JsonPath, SourceDocument } from './source.js';
import { describeValue, inferType, isPlainObject, matchesType } from './values.js';

function declaredType(spec: Record<string, unknown>): InputType | undefined {
  return (INPUT_TYPES as readonly unknown[]).includes(spec.type) ? (spec.type as InputType) : undefined;
}

/** The input's effective type: declared, else that of its default, else string. */
export function effectiveInputType(spec: Record<string, unknown>): InputType {
  return declaredType(spec) ?? inferType(spec.default) ?? 'string';
}

const ARTICLE: Record<InputType, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean',
  object: 'an object',
  array: 'a list',
};

export function typeWithArticle(type: InputType): string {
  return ARTICLE[type];
}

export function checkInputDeclarations(source: SourceDocument, raw: RawPipeline): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [name, spec] of raw.inputs) {
    if (spec === undefined) continue;
    const path: JsonPath = ['inputs', name];
    const type = effectiveInputType(spec);
    const explicit = declaredType(spec) !== undefined;
    if (spec.default !== undefined && spec.default !== null && explicit && !matchesType(type, spec.default)) {
      out.push({
        severity: 'error',
        code: 'input-type',
        message: `default of input "${name}" must be ${ARTICLE[type]}, got ${describeValue(spec.default)}`,
        range: source.valueRange([...path, 'default']),
      });
    }
    const allowed = Array.isArray(spec.enum) ? (spec.enum as unknown[]) : undefined;
    allowed?.forEach((value, i) => {
      if (!matchesType(type, value)) {
        out.push({
          severity: 'error',
          code: 'input-type',
          message: `enum value of input "${name}" must be ${ARTICLE[type]}, got ${describeValue(value)}`,
          range: source.valueRange([...path, 'enum', i]),
        });
      }
    });
    if (allowed && spec.default !== undefined && !allowed.some((v) => sameValue(v, spec.default))) {
      out.push({
        severity: 'error',
        code: 'input-type',
        message: `default of input "${name}" is not one of its enum values`,
        range: source.valueRange([...path, 'default']),
      });
    }
    if (spec.required === true && spec.default !== undefined) {
      out.push({
        severity: 'warning',
        code: 'input-default-ignored',
        message: `input "${name}" is required, so its default is never used`,
        range: source.keyRange([...path, 'default']),
      });
    }
  }
  return out;
}

/** Deep equality for JSON values. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

export function checkTimeouts(source: SourceDocument, raw: RawPipeline): Diagnostic[] {
  const out: Diagnostic[] = [];
  const check = (path: JsonPath, value: unknown): void => {
    const ms = parseDuration(value);
    if (ms !== undefined && ms > MAX_TIMEOUT_MS) {
      out.push({
        severity: 'error',
        code: 'invalid-duration',
        message: `timeout must be at most ${formatDuration(MAX_TIMEOUT_MS)}, got ${formatDuration(ms)}`,
        range: source.valueRange(path),
      });
    }
  };
  if (isPlainObject(raw.root.defaults)) check(['defaults', 'timeout'], raw.root.defaults.timeout);
  for (const step of raw.steps) check([...step.path, 'timeout'], step.data.timeout);
  return out;
}
