/**
 * Runtime names: a runtime's `name`, else its type for the first runtime of that type and `<type>-2`,
 * `<type>-3`… for the next ones, in order, never taking a name written explicitly anywhere in the list nor the
 * reserved names (`embedded`, `echo`: those runtimes are always named after their type).
 */
import { SINGLE_RUNTIME_TYPES } from './types.js';

/** Names only the runtime of that type may have. */
export const RESERVED_RUNTIME_NAMES: readonly string[] = SINGLE_RUNTIME_TYPES;

export interface NameableRuntime {
  type: string;
  name?: string;
}

/** The name of each runtime (explicit names as written; duplicates among them are the caller's to report). */
export function assignRuntimeNames(
  runtimes: readonly NameableRuntime[],
  taken: Iterable<string> = [],
): string[] {
  const used = new Set([...taken, ...RESERVED_RUNTIME_NAMES]);
  for (const r of runtimes) if (r.name !== undefined) used.add(r.name);
  return runtimes.map((r) => {
    if (r.name !== undefined) return r.name;
    if (RESERVED_RUNTIME_NAMES.includes(r.type)) return r.type;
    let name = r.type;
    for (let n = 2; used.has(name); n++) name = `${r.type}-${n}`;
    used.add(name);
    return name;
  });
}
