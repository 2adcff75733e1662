/** Input values: type checks, type inference and conversion of command-line strings. */
import type { InputType } from './pipeline.js';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether `value` has the JSON type `type`. */
export function matchesType(type: InputType, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
  }
}

/** The input type of a value (integers are `number`: an inferred type should not be too strict). */
export function inferType(value: unknown): InputType | undefined {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (Array.isArray(value)) return 'array';
  if (isPlainObject(value)) return 'object';
  return undefined;
}

const TRUE = new Set(['true', 'yes', 'on', '1']);
const FALSE = new Set(['false', 'no', 'off', '0']);

/**
 * Converts a command-line string (`--input k=v`) to `type`. `object` and `array` are parsed as JSON.
 * Returns `{ value }`, or `{ error }` saying what was expected.
 */
export function coerceString(type: InputType, text: string): { value: unknown } | { error: string } {
  const trimmed = text.trim();
  switch (type) {
    case 'string':
      return { value: text };
    case 'number':
    case 'integer': {
      const n = trimmed === '' ? NaN : Number(trimmed);
      if (!Number.isFinite(n)) return { error: `expected ${type === 'integer' ? 'an integer' : 'a number'}` };
      if (type === 'integer' && !Number.isInteger(n)) return { error: 'expected an integer' };
      return { value: n };
    }
    case 'boolean': {
      const lower = trimmed.toLowerCase();
      if (TRUE.has(lower)) return { value: true };
      if (FALSE.has(lower)) return { value: false };
      return { error: 'expected true or false' };
    }
    case 'object':
    case 'array': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(trimmed);
      } catch {
        return { error: `expected ${type === 'object' ? 'a JSON object' : 'a JSON array'}` };
      }
      return matchesType(type, parsed)
        ? { value: parsed }
        : { error: `expected ${type === 'object' ? 'a JSON object' : 'a JSON array'}` };
    }
  }
}

/** Short description of a value's type and content, for messages (in YAML terms with `yaml`). */
export function describeValue(value: unknown, yaml = false): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return yaml ? 'a mapping' : 'an object';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 39) + '…' : value)}`;
  return `${typeof value} ${String(value)}`;
}

/** Sets an own, enumerable property, even one named `__proto__` (names come from user documents). */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
