// Inputs asked for at submit time (pure): one prompt per declared input with its default, and the typed value
// of what the user typed (checked as the orchestrator will check it).
import { coerceString, matchesType, type InputSpec } from '@orchion/schemas';

export interface InputPrompt {
  name: string;
  spec: InputSpec;
  /** The text the input box starts with: the default, as the user would type it. */
  initial: string;
  /** The prompt line under the box. */
  prompt: string;
  placeholder: string;
}

/** How a value is typed into a one-line box: strings as is, everything else as JSON. */
export function valueToText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function inputPrompts(inputs: Record<string, InputSpec>): InputPrompt[] {
  return Object.entries(inputs).map(([name, spec]) => {
    const kind = spec.enum ? `one of ${spec.enum.map((v) => JSON.stringify(v)).join(', ')}` : spec.type;
    const need = spec.required ? 'required' : spec.default !== undefined ? 'has a default' : 'optional';
    return {
      name,
      spec,
      initial: valueToText(spec.default),
      prompt: `${name} (${kind}, ${need})${spec.description ? ` — ${spec.description}` : ''}`,
      placeholder: spec.type === 'object' || spec.type === 'array' ? `JSON ${spec.type}` : spec.type,
    };
  });
}

/**
 * The value of a typed text for an input: `{ value }` (undefined: leave the input out, so the default or null
 * applies), or `{ error }` with a message for the input box.
 */
export function parseInputText(spec: InputSpec, text: string): { value: unknown } | { error: string } {
  if (text === '' && spec.type !== 'string') {
    if (spec.required) return { error: `a value is required (${spec.type})` };
    return { value: undefined };
  }
  if (text === '' && spec.default === undefined) {
    if (spec.required) return { error: 'a value is required' };
    return { value: undefined };
  }
  let value: unknown = text;
  if (spec.type !== 'string') {
    const converted = coerceString(spec.type, text.trim());
    if ('error' in converted) return { error: converted.error };
    value = converted.value;
  }
  if (!matchesType(spec.type, value)) return { error: `expected ${spec.type}` };
  if (spec.enum && !spec.enum.some((allowed) => JSON.stringify(allowed) === JSON.stringify(value))) {
    return { error: `must be one of ${spec.enum.map((v) => JSON.stringify(v)).join(', ')}` };
  }
  return { value };
}
