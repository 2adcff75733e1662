/** A defensive view of an agent config's runtimes before (or despite) schema validation. */
import type { JsonPath } from '../source.js';
import { isPlainObject } from '../values.js';
import { assignRuntimeNames } from './names.js';
import { RUNTIME_TYPES, SINGLE_RUNTIME_TYPES, type RuntimeType } from './types.js';

export interface RawRuntime {
  index: number;
  path: JsonPath;
  data: Record<string, unknown>;
  /** The type when it is a known one. */
  type: RuntimeType | undefined;
  /** The explicit name when it is a string (and the type takes one). */
  explicitName: string | undefined;
  /** The explicit name, else the default one; undefined without a known type. */
  name: string | undefined;
  /** `managed` when it is a boolean. */
  managed: boolean | undefined;
}

export function readRawRuntimes(data: unknown): RawRuntime[] {
  const list = isPlainObject(data) && Array.isArray(data.runtimes) ? (data.runtimes as unknown[]) : [];
  const out: RawRuntime[] = [];
  list.forEach((item, index) => {
    if (!isPlainObject(item)) return;
    const type = (RUNTIME_TYPES as readonly unknown[]).includes(item.type)
      ? (item.type as RuntimeType)
      : undefined;
    out.push({
      index,
      path: ['runtimes', index],
      data: item,
      type,
      // embedded and echo take no name (the schema says so): they are named after their type.
      explicitName:
        typeof item.name === 'string' && !(type && SINGLE_RUNTIME_TYPES.includes(type))
          ? item.name
          : undefined,
      name: undefined,
      managed: typeof item.managed === 'boolean' ? item.managed : undefined,
    });
  });
  const typed = out.filter((r) => r.type !== undefined);
  const names = assignRuntimeNames(typed.map((r) => ({ type: r.type!, name: r.explicitName })));
  typed.forEach((r, i) => (r.name = names[i]));
  return out;
}

/** How a runtime is named in messages: `runtime "ollama-2"`, or `runtimes[3]` without a known type. */
export function runtimeLabel(r: RawRuntime | undefined, index: number): string {
  return r?.name !== undefined ? `runtime "${r.name}"` : `runtimes[${index}]`;
}
