/**
 * Inputs at submit time: required ones present, values of the declared type (command-line strings
 * converted), defaults applied.
 */
import { typeWithArticle } from './check-values.js';
import type { Severity } from './diagnostics.js';
import type { InputSpec, Pipeline } from './pipeline.js';
import { didYouMean } from './suggest.js';
import { coerceString, describeValue, matchesType, setOwn } from './values.js';
import { sameValue } from './check-values.js';

/** A problem with submitted inputs. It concerns a value, not a place in the pipeline file, so has no range. */
export interface InputDiagnostic {
  severity: Severity;
  code: 'missing-input' | 'input-type' | 'unknown-input';
  message: string;
  /** The input concerned. */
  input: string;
}

export interface ResolveInputsOptions {
  /**
   * Convert string values to the declared type (`"3"` → 3, `"true"` → true, JSON for object and array), as
   * for `--input k=v` on a command line. Off by default: API clients send typed JSON.
   */
  coerceStrings?: boolean;
  /** Severity of values for undeclared inputs (default `error`: most likely a typo). */
  unknownInputs?: Severity;
}

export interface ResolvedInputs {
  /** Every declared input: the given value, else the default, else null (optional without default). */
  values: Record<string, unknown>;
  diagnostics: InputDiagnostic[];
  /** Whether there is no error among `diagnostics`. */
  ok: boolean;
}

/** Checks submitted inputs against the pipeline's declarations and merges in the defaults. */
export function resolveInputs(
  pipeline: Pick<Pipeline, 'inputs'>,
  given: Readonly<Record<string, unknown>>,
  options: ResolveInputsOptions = {},
): ResolvedInputs {
  const values: Record<string, unknown> = {};
  const diagnostics: InputDiagnostic[] = [];
  const declared = Object.keys(pipeline.inputs);
  for (const name of Object.keys(given)) {
    if (Object.prototype.hasOwnProperty.call(pipeline.inputs, name)) continue;
    const list =
      declared.length > 0 ? ` (declared: ${declared.join(', ')})` : ' (the pipeline declares no inputs)';
    diagnostics.push({
      severity: options.unknownInputs ?? 'error',
      code: 'unknown-input',
      message: `unknown input "${name}"${didYouMean(name, declared) || list}`,
      input: name,
    });
  }
  for (const [name, spec] of Object.entries(pipeline.inputs)) {
    const has = Object.prototype.hasOwnProperty.call(given, name) && given[name] !== undefined;
    if (!has) {
      if (spec.default !== undefined) setOwn(values, name, spec.default);
      else if (spec.required) {
        const about = spec.description ? `: ${spec.description}` : '';
        diagnostics.push({
          severity: 'error',
          code: 'missing-input',
          message: `missing required input "${name}" (${spec.type})${about}`,
          input: name,
        });
      } else setOwn(values, name, null);
      continue;
    }
    const checked = checkValue(name, spec, given[name], options.coerceStrings === true);
    if ('error' in checked)
      diagnostics.push({ severity: 'error', code: 'input-type', message: checked.error, input: name });
    else setOwn(values, name, checked.value);
  }
  return { values, diagnostics, ok: !diagnostics.some((d) => d.severity === 'error') };
}

/** The same checks, diagnostics only. */
export function validateInputs(
  pipeline: Pick<Pipeline, 'inputs'>,
  given: Readonly<Record<string, unknown>>,
  options: ResolveInputsOptions = {},
): InputDiagnostic[] {
  return resolveInputs(pipeline, given, options).diagnostics;
}

function checkValue(
  name: string,
  spec: InputSpec,
  raw: unknown,
  coerce: boolean,
): { value: unknown } | { error: string } {
  let value = raw;
  if (coerce && typeof raw === 'string' && spec.type !== 'string') {
    const converted = coerceString(spec.type, raw);
    if ('error' in converted)
      return { error: `input "${name}": ${converted.error}, got ${JSON.stringify(raw)}` };
    value = converted.value;
  }
  if (!matchesType(spec.type, value)) {
    return { error: `input "${name}" must be ${typeWithArticle(spec.type)}, got ${describeValue(value)}` };
  }
  if (spec.enum && !spec.enum.some((allowed) => sameValue(allowed, value))) {
    const allowed = spec.enum.map((v) => JSON.stringify(v)).join(', ');
    return { error: `input "${name}" must be one of ${allowed}, got ${JSON.stringify(value)}` };
  }
  return { value };
}

/**
 * Splits `key=value` command-line assignments (the value may contain `=`). Later assignments win.
 * Returns the values (all strings, to be coerced by `resolveInputs`) and the malformed arguments.
 */
export function parseInputAssignments(args: readonly string[]): {
  values: Record<string, string>;
  errors: string[];
} {
  const values: Record<string, string> = {};
  const errors: string[] = [];
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) {
      errors.push(`expected name=value, got ${JSON.stringify(arg)}`);
      continue;
    }
    setOwn(values, arg.slice(0, eq).trim(), arg.slice(eq + 1));
  }
  return { values, errors };
}

/** The inputs a command line should show as `--input` choices, with their type and default. */
export function describeInputs(pipeline: Pick<Pipeline, 'inputs'>): string[] {
  return Object.entries(pipeline.inputs).map(([name, spec]) => {
    const def =
      spec.default !== undefined ? ` = ${JSON.stringify(spec.default)}` : spec.required ? ' (required)' : '';
    return `${name}: ${spec.type}${def}${spec.description ? ` — ${spec.description}` : ''}`;
  });
}
