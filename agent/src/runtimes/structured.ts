/**
 * Validates structured (JSON) output against the step's JSON Schema. Grammar-constrained generation guarantees
 * JSON structure but not every bound (maxLength, maximum...) and a generation cut by maxTokens is not JSON at
 * all, so output is always validated before a step's structured result is called valid.
 */
import { loadAjv2020, type AjvInstance, type AjvValidateFunction } from './ajv.js';

export type StructuredOutput = { ok: true; value: unknown } | { ok: false; error: string };

const DIALECT_2020 = 'https://json-schema.org/draft/2020-12/schema';

let ajv: AjvInstance | undefined;
const compiled = new Map<string, AjvValidateFunction>();

function validatorFor(schema: object): AjvValidateFunction {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    ajv ??= new (loadAjv2020())({ allErrors: true, strict: false });
    // Validate older drafts' schemas with the 2020 dialect rather than failing on an unknown meta-schema.
    const { $schema, ...rest } = schema as { $schema?: unknown };
    validate = ajv.compile($schema === undefined || $schema === DIALECT_2020 ? schema : rest);
    if (compiled.size > 256) compiled.clear();
    compiled.set(key, validate);
  }
  return validate;
}

/** Why `schema` cannot be used to validate output, or undefined when it can. */
export function jsonSchemaError(schema: object): string | undefined {
  try {
    validatorFor(schema);
    return undefined;
  } catch (err) {
    return `invalid JSON schema: ${(err as Error).message}`;
  }
}

export function validateStructuredOutput(text: string, schema: object): StructuredOutput {
  let validate: AjvValidateFunction;
  try {
    validate = validatorFor(schema);
  } catch (err) {
    return { ok: false, error: `invalid JSON schema: ${(err as Error).message}` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
    return {
      ok: false,
      error: `output is not valid JSON (${(err as Error).message}): ${JSON.stringify(shown)}`,
    };
  }
  const overflow = findNonFinite(value, '');
  if (overflow !== undefined) {
    return { ok: false, error: `output has a number out of range at ${overflow || '/'}` };
  }
  if (!validate(value)) {
    return { ok: false, error: `output does not match the schema: ${ajvErrors(validate)}` };
  }
  return { ok: true, value };
}

function ajvErrors(validate: AjvValidateFunction): string {
  return (validate.errors ?? [])
    .map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`)
    .join('; ');
}

/** JSON.parse turns huge literals (1E999) into Infinity, which schemas accept as a number but JSON cannot hold. */
function findNonFinite(value: unknown, path: string): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [k, v] of Object.entries(value)) {
    const found = findNonFinite(v, `${path}/${k}`);
    if (found !== undefined) return found;
  }
  return undefined;
}
